"""Keep names out of saved vocabularies, even names the redactor missed in some rows.

Redaction runs before features, but a name it misses in three or more rows
would pass `min_df` and be saved in a model. `NameFilter` blocks every word
the redactor took for a name anywhere in the training texts, and every word
the name lexicon marks as name-like, unless it is ordinary English ("will",
"hope", "mark"): those identify nobody and the models need them.
`filter_names` removes the blocked terms from a fitted vocabulary (ours or a
scikit-learn TfidfVectorizer) before any model is fitted on it.
"""

from __future__ import annotations

import numpy as np


class NameFilter:
    """Words no vocabulary may keep: the redactor's names in these texts plus name-like lexicon words.

    A common lower-case word ("will", "hope", "grace", "mark") is kept even
    when it was someone's name: it identifies nobody, and the models need it.
    """

    COMMON_LOGPROB = -12.5  # lower-case frequency above which a word is ordinary English
    NAME_RATIO = 1.0  # Capitalised/lower-case log ratio above which the lexicon calls it name-like

    def __init__(self, docs):
        from classifier.redact.lexicon import _lexicon, _rules

        self._lex, rules = _lexicon(), _rules()
        self._keep = rules["keep"] | rules["function_words"]
        self.words = {w for d in docs for w in getattr(d, "names", ()) if not self._ordinary(w)}
        self._cache: dict[str, bool] = {}
        # Start and end fragments (3+ letters) of each name, for character n-grams.
        self._heads = {w[:k] for w in self.words for k in range(3, len(w) + 1)}
        self._tails = {w[-k:] for w in self.words for k in range(3, len(w) + 1)}

    def _ordinary(self, w: str) -> bool:
        v = self._lex.get(w)
        return w in self._keep or (v is not None and v[1] > self.COMMON_LOGPROB)

    def blocked(self, word: str) -> bool:
        hit = self._cache.get(word)
        if hit is None:
            w = word[:-2] if word.endswith(("'s", "’s")) else word
            parts = [p for p in w.replace("'", "-").split("-") if p]
            hit = any(self._name_like(p) for p in parts)
            self._cache[word] = hit
        return hit

    def _name_like(self, w: str) -> bool:
        if w in self.words:
            return True
        v = self._lex.get(w)
        return v is not None and v[0] > self.NAME_RATIO and v[1] <= self.COMMON_LOGPROB and w not in self._keep

    def blocked_term(self, term: str, analyzer: str) -> bool:
        """A word n-gram holding a blocked word, or a character n-gram that is (the edge of) a name."""
        if analyzer != "char_wb":
            return any(map(self.blocked, term.split()))
        core = term.strip()
        if len(core) < 2 or " " in core:
            return False
        if term.startswith(" ") and term.endswith(" "):
            return self.blocked(core)
        if len(core) >= 3 and term.startswith(" "):
            return core in self._heads
        if len(core) >= 3 and term.endswith(" "):
            return core in self._tails
        return False


def drop_terms(vocabulary: dict[str, int], idf, keep) -> tuple[dict[str, int], np.ndarray]:
    """The vocabulary and idf without the terms `keep(term)` rejects, columns renumbered in order."""
    ordered = sorted(vocabulary.items(), key=lambda kv: kv[1])
    kept = [(t, c) for t, c in ordered if keep(t)]
    new_vocab = {t: i for i, (t, _) in enumerate(kept)}
    new_idf = np.asarray(idf)[[c for _, c in kept]] if kept else np.asarray(idf)[:0]
    return new_vocab, new_idf


def filter_names(vec, names: NameFilter, analyzer: str) -> None:
    """Remove name terms from a fitted FittedTfidf or scikit-learn TfidfVectorizer, in place."""
    vocab, idf = drop_terms(vec.vocabulary_, vec.idf_, lambda t: not names.blocked_term(t, analyzer))
    vec.vocabulary_ = vocab
    vec.idf_ = idf.astype(np.asarray(vec.idf_).dtype)
    if hasattr(vec, "_cache"):
        vec._cache = {}
    inner = getattr(vec, "_tfidf", None)  # scikit-learn checks the width it was fitted on
    if inner is not None and hasattr(inner, "n_features_in_"):
        inner.n_features_in_ = len(vocab)
