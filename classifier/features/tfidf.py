"""Features: TF-IDF over lemma word n-grams plus character n-grams.

Vocabularies keep only terms seen in at least `min_df` documents, and of a
fitted scikit-learn vectorizer only the vocabulary and idf weights are kept
(not the list of pruned rare terms it stores), so a saved model holds no rare
token that could identify a person. A name the redactor missed in some rows
can still be frequent, so `name_filter` also drops every term holding a word
the redactor took for a name anywhere in the training texts, or that the name
lexicon marks as name-like (unless it is a common word such as "will").
"""

from __future__ import annotations

from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp

from classifier.estimator import Estimator
from classifier.redact.vocabulary import NameFilter, filter_names  # noqa: F401 (re-exported)
from classifier.text import ensure_prepared


def _split(s: str) -> list[str]:
    return s.split()


class FittedTfidf:
    """The fitted state of a scikit-learn TfidfVectorizer and a faster transform.

    Holds the vocabulary, idf weights and n-gram settings (sublinear tf, l2
    norm, as `TextFeatures` fits them), so a saved model needs no
    scikit-learn to load or predict. `analyzer` is "word" (space-separated
    lemmas) or "char_wb" (character n-grams inside words). Output equals the
    vectorizer's own `transform` (tested). It is faster because counting is
    one sparse product: documents x distinct words (or n-grams) of the batch,
    times distinct words x vocabulary columns, with each distinct word's
    character n-grams worked out once and cached across batches.
    """

    MAX_CACHE = 300_000

    def __init__(self, analyzer: str, ngram_range: tuple[int, int], vocabulary: dict[str, int], idf: np.ndarray):
        if analyzer not in ("word", "char_wb"):
            raise ValueError(f"analyzer must be 'word' or 'char_wb', not {analyzer!r}")
        self.analyzer = analyzer
        self.ngram_range = tuple(ngram_range)
        self.vocabulary_ = vocabulary
        self.idf_ = np.asarray(idf, dtype=np.float32)
        self._cache: dict[str, np.ndarray] = {}

    @classmethod
    def from_sklearn(cls, vec) -> FittedTfidf:
        """Keep what a fitted TfidfVectorizer needs to transform; refuse settings we do not reproduce."""
        p = vec.get_params()
        expected = dict(
            norm="l2",
            use_idf=True,
            sublinear_tf=True,
            binary=False,
            stop_words=None,
            strip_accents=None,
            preprocessor=None,
        )
        wrong = {k: p[k] for k, v in expected.items() if p[k] != v}
        word_ok = p["analyzer"] == "word" and not p["lowercase"] and p["tokenizer"] is not None
        char_ok = p["analyzer"] == "char_wb" and p["lowercase"]
        if wrong or not (word_ok or char_ok):
            raise ValueError(f"unsupported TfidfVectorizer settings: {wrong or p['analyzer']}")
        vocab = {str(t): int(i) for t, i in sorted(vec.vocabulary_.items(), key=lambda kv: kv[1])}
        return cls(p["analyzer"], p["ngram_range"], vocab, vec.idf_)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_cache"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._cache = {}

    def get_feature_names_out(self) -> np.ndarray:
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, col in self.vocabulary_.items():
            names[col] = term
        return names

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        if self.analyzer == "word":
            counts = self._word_counts(texts)
        else:
            counts = self._char_counts(texts)
        return self._tfidf(counts)

    # ------------------------------------------------------------ counting
    def _char_grams(self, word: str) -> list[str]:
        """scikit-learn's char_wb n-grams of one (lower-case) word."""
        w = " " + word + " "
        lo, hi = self.ngram_range
        out = []
        for n in range(lo, hi + 1):
            if n >= len(w):  # a short word counts once, whole
                out.append(w)
                break
            out.extend(w[k : k + n] for k in range(len(w) - n + 1))
        return out

    def _word_columns(self, word: str) -> np.ndarray:
        cols = self._cache.get(word)
        if cols is None:
            vocab = self.vocabulary_
            cols = np.fromiter((vocab[g] for g in self._char_grams(word) if g in vocab), dtype=np.int32)
            if len(self._cache) >= self.MAX_CACHE:
                self._cache.clear()
            self._cache[word] = cols
        return cols

    def _char_counts(self, texts: list[str]) -> sp.csr_matrix:
        # Documents x distinct words of this batch; a repeated word is a
        # repeated entry, which the product below adds up.
        split = [t.lower().split() for t in texts]
        flat = list(chain.from_iterable(split))
        word_ids = dict(zip(dict.fromkeys(flat), range(len(flat))))
        D = _rows_matrix(split, np.fromiter(map(word_ids.__getitem__, flat), np.int32, len(flat)), len(word_ids))
        # Distinct words x n-grams (counts).
        word_cols = [self._word_columns(w) for w in word_ids]
        indptr = np.zeros(len(word_cols) + 1, np.int64)
        np.cumsum(list(map(len, word_cols)), out=indptr[1:])
        indices = np.concatenate(word_cols) if word_cols else np.zeros(0, np.int32)
        W = sp.csr_matrix(
            (np.ones(len(indices), np.float32), indices, indptr), shape=(len(word_ids), len(self.vocabulary_))
        )
        return D @ W

    def _word_counts(self, texts: list[str]) -> sp.csr_matrix:
        """Unigrams and bigrams (or any range) of space-separated tokens.

        Words become batch ids; an n-gram is a tuple of ids packed into one
        integer, so only each distinct n-gram is ever built as a string.
        """
        lo, hi = self.ngram_range
        vocab = self.vocabulary_
        split = [t.split() for t in texts]
        lengths = np.fromiter(map(len, split), np.int64, len(split))
        flat = list(chain.from_iterable(split))
        words = list(dict.fromkeys(flat))
        base = len(words) + 1
        if base**hi >= 2**62:  # keys would overflow: plain strings instead
            return self._word_counts_slow(split)
        word_of = np.empty(base, dtype=object)  # id + 1 -> word (0 is never used)
        word_of[1:] = words
        ids = np.fromiter(map(dict(zip(words, range(1, base))).__getitem__, flat), np.int64, len(flat))
        doc_of = np.repeat(np.arange(len(texts)), lengths)
        X = sp.csr_matrix((len(texts), len(vocab)), dtype=np.float32)
        for n in range(lo, hi + 1):
            m = len(ids) - n + 1
            if m <= 0:
                break
            same_doc = doc_of[n - 1 :] == doc_of[:m]
            key = np.zeros(m, np.int64)
            for k in range(n):  # the n ids as digits of one number in base `base`
                key = key * base + ids[k : k + m]
            key, doc = key[same_doc], doc_of[:m][same_doc]
            inverse, distinct = _factorize(key)
            digits = []
            for _ in range(n):
                distinct, d = np.divmod(distinct, base)
                digits.append(word_of[d])
            grams = digits[0].tolist() if n == 1 else list(map(" ".join, zip(*reversed(digits))))
            cols = np.fromiter(map(vocab.get, grams, repeat(-1)), np.int64, len(grams))
            known = cols >= 0
            W = sp.csr_matrix(
                (np.ones(int(known.sum()), np.float32), (np.flatnonzero(known), cols[known])),
                shape=(len(grams), len(vocab)),
            )
            # Keys are in document order: CSR directly; the product adds repeats.
            indptr = np.zeros(len(texts) + 1, np.int64)
            np.cumsum(np.bincount(doc, minlength=len(texts)), out=indptr[1:])
            D = sp.csr_matrix((np.ones(len(doc), np.float32), inverse, indptr), shape=(len(texts), len(grams)))
            X = X + D @ W
        return X

    def _word_counts_slow(self, split: list[list[str]]) -> sp.csr_matrix:
        lo, hi = self.ngram_range
        vocab = self.vocabulary_
        rows, cols = [], []
        for r, toks in enumerate(split):
            for n in range(lo, hi + 1):
                for k in range(len(toks) - n + 1):
                    c = vocab.get(" ".join(toks[k : k + n]))
                    if c is not None:
                        rows.append(r)
                        cols.append(c)
        return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(split), len(vocab)))

    def _tfidf(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """Counts -> sublinear tf x idf, rows scaled to unit length (as the vectorizer)."""
        # Counts come from sparse products (or a COO build): no duplicate entries,
        # so no sort is needed; column order within a row does not matter here.
        X = sp.csr_matrix(X, dtype=np.float32)
        X.data = 1.0 + np.log(X.data)
        X.data *= self.idf_[X.indices]
        lengths = np.diff(X.indptr)
        norms = np.zeros(X.shape[0])
        if X.nnz:  # row sums of squares; reduceat needs in-range starts, empty rows fixed after
            sums = np.add.reduceat(X.data.astype(np.float64) ** 2, np.minimum(X.indptr[:-1], X.nnz - 1))
            norms = np.sqrt(np.where(lengths > 0, sums, 0.0))
        norms[norms == 0] = 1.0  # empty rows stay empty
        X.data /= np.repeat(norms, lengths).astype(np.float32)
        return X


def _rows_matrix(split: list[list[str]], ids: np.ndarray, n_cols: int) -> sp.csr_matrix:
    indptr = np.zeros(len(split) + 1, np.int64)
    np.cumsum(list(map(len, split)), out=indptr[1:])
    return sp.csr_matrix((np.ones(len(ids), np.float32), ids, indptr), shape=(len(split), n_cols))


def _factorize(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(inverse, distinct) of integer keys: a hash table when pandas is already
    loaded (batch labelling, ~10x faster than sorting), else numpy's sort."""
    import sys

    pd = sys.modules.get("pandas")
    if pd is not None and len(keys) > 50_000:
        return pd.factorize(keys)
    distinct, inverse = np.unique(keys, return_inverse=True)
    return inverse.ravel(), distinct


def scrub_for_saving(vectorizer) -> None:
    """Drop what a fitted scikit-learn TfidfVectorizer holds that varies run to run or could identify.

    `stop_words_` lists the pruned (rare) terms; `_stop_words_id` is a memory
    address, which would make two identical trainings save different bytes.
    """
    for attr in ("stop_words_", "_stop_words_id"):
        if vectorizer is not None and hasattr(vectorizer, attr):
            delattr(vectorizer, attr)


class TextFeatures(Estimator):
    """Lemma word n-gram TF-IDF plus character n-gram TF-IDF, as one sparse matrix.

    Fitted with scikit-learn's TfidfVectorizer; only its vocabulary and idf
    weights are kept (`FittedTfidf`), never the pruned-term list.
    """

    _estimator_type = "transformer"

    def __init__(
        self,
        word_ngrams=(1, 2),
        char_ngrams=(2, 5),
        min_df=3,
        max_word_features=30000,
        max_char_features=40000,
        char_weight=1.0,
    ):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.char_weight = char_weight

    def fit(self, texts, y=None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = ensure_prepared(texts)
        min_df = self.min_df if len(docs) >= 4 * self.min_df else 1
        word = TfidfVectorizer(
            tokenizer=_split,
            token_pattern=None,
            lowercase=False,
            ngram_range=tuple(self.word_ngrams),
            min_df=min_df,
            max_features=self.max_word_features,
            sublinear_tf=True,
            dtype=np.float32,
        ).fit([d.lemmas for d in docs])
        names = NameFilter(docs)
        self.word_ = FittedTfidf.from_sklearn(word)
        filter_names(self.word_, names, "word")
        self.char_ = None
        if self.char_ngrams:
            char = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self.char_ngrams),
                lowercase=True,
                min_df=min_df,
                max_features=self.max_char_features,
                sublinear_tf=True,
                dtype=np.float32,
            ).fit([d.redacted for d in docs])
            self.char_ = FittedTfidf.from_sklearn(char)
            filter_names(self.char_, names, "char_wb")
        self.n_word_features_ = len(self.word_.vocabulary_)
        return self

    def fit_transform(self, texts, y=None):
        docs = ensure_prepared(texts)
        return self.fit(docs).transform(docs)

    def transform(self, texts):
        docs = ensure_prepared(texts)
        parts = [self.word_.transform([d.lemmas for d in docs])]
        if self.char_ is not None:
            parts.append(self.char_.transform([d.redacted for d in docs]) * np.float32(self.char_weight))
        return sp.hstack(parts, format="csr", dtype=np.float32)

    def feature_names(self) -> list[tuple[str, str]]:
        """(kind, term) for each column: kind is 'word' or 'char'."""
        names = [("word", t) for t in self.word_.get_feature_names_out()]
        if self.char_ is not None:
            names += [("char", t) for t in self.char_.get_feature_names_out()]
        return names
