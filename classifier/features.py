"""Features: TF-IDF over lemma word n-grams plus character n-grams.

Fitted vectorizers keep only terms seen in at least `min_df` documents, and
the pruned-term list scikit-learn stores (`stop_words_`) is deleted, so a
saved model holds no rare token that could identify a person.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .text import ensure_prepared


def _split(s: str) -> list[str]:
    return s.split()


class CachedCharTransform:
    """sklearn's char_wb TF-IDF transform, computed word by word with a cache.

    char_wb n-grams never cross a space, so a document's n-gram counts are the
    sum of its words' counts; words repeat, so each word's n-gram columns are
    worked out once. Output equals `vectorizer.transform` (tested), several
    times faster, because sklearn builds every n-gram string of every document.
    """

    MAX_CACHE = 300_000

    def __init__(self, vectorizer: TfidfVectorizer):
        self.vectorizer = vectorizer
        self._cache: dict[str, np.ndarray] = {}

    def __getstate__(self):
        return {"vectorizer": self.vectorizer}

    def __setstate__(self, state):
        self.vectorizer = state["vectorizer"]
        self._cache = {}

    def _word_columns(self, word: str) -> np.ndarray:
        cols = self._cache.get(word)
        if cols is None:
            vocab = self.vectorizer.vocabulary_
            grams = self._analyse(word)
            cols = np.fromiter((vocab[g] for g in grams if g in vocab), dtype=np.int32)
            if len(self._cache) >= self.MAX_CACHE:
                self._cache.clear()
            self._cache[word] = cols
        return cols

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        v = self.vectorizer
        self._analyse = getattr(self, "_analyse", None) or v.build_analyzer()
        word_cols = self._word_columns
        lengths, parts = [], []
        for text in texts:
            cols = [word_cols(w) for w in text.lower().split()]
            flat = np.concatenate(cols) if cols else np.zeros(0, np.int32)
            parts.append(flat)
            lengths.append(len(flat))
        n_cols = len(v.vocabulary_)
        cols = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        rows = np.repeat(np.arange(len(texts), dtype=np.int32), lengths)
        # Duplicate (row, col) pairs are summed: these are the term counts.
        X = sp.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)), shape=(len(texts), n_cols))
        X.sum_duplicates()
        if v.sublinear_tf:
            X.data = 1.0 + np.log(X.data)
        X.data *= v.idf_.astype(np.float32)[X.indices]
        if X.shape[0] == 0:
            return X
        return normalize(X, norm="l2", copy=False).astype(np.float32)


def scrub_for_saving(vectorizer) -> None:
    """Drop what a fitted TfidfVectorizer holds that varies run to run or could identify.

    `stop_words_` lists the pruned (rare) terms; `_stop_words_id` is a memory
    address, which would make two identical trainings save different bytes.
    """
    for attr in ("stop_words_", "_stop_words_id"):
        if vectorizer is not None and hasattr(vectorizer, attr):
            delattr(vectorizer, attr)


class TextFeatures(BaseEstimator, TransformerMixin):
    def __init__(self, word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=3,
                 max_word_features=30000, max_char_features=40000, char_weight=1.0):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.char_weight = char_weight

    def fit(self, texts, y=None):
        docs = ensure_prepared(texts)
        min_df = self.min_df if len(docs) >= 4 * self.min_df else 1
        self.word_ = TfidfVectorizer(
            tokenizer=_split, token_pattern=None, lowercase=False, ngram_range=tuple(self.word_ngrams),
            min_df=min_df, max_features=self.max_word_features, sublinear_tf=True, dtype=np.float32,
        ).fit([d.lemmas for d in docs])
        self.char_ = None
        if self.char_ngrams:
            self.char_ = TfidfVectorizer(
                analyzer="char_wb", ngram_range=tuple(self.char_ngrams), lowercase=True,
                min_df=min_df, max_features=self.max_char_features, sublinear_tf=True, dtype=np.float32,
            ).fit([d.redacted for d in docs])
        for vec in (self.word_, self.char_):
            scrub_for_saving(vec)
        self.n_word_features_ = len(self.word_.vocabulary_)
        self.char_fast_ = CachedCharTransform(self.char_) if self.char_ is not None else None
        return self

    def __getstate__(self):
        for vec in (getattr(self, "word_", None), getattr(self, "char_", None)):
            scrub_for_saving(vec)
        return super().__getstate__()

    def transform(self, texts):
        docs = ensure_prepared(texts)
        parts = [self.word_.transform([d.lemmas for d in docs])]
        if self.char_ is not None:
            parts.append(self.char_fast_.transform([d.redacted for d in docs]) * self.char_weight)
        return sp.hstack(parts, format="csr", dtype=np.float32)

    def feature_names(self) -> list[tuple[str, str]]:
        """(kind, term) for each column: kind is 'word' or 'char'."""
        names = [("word", t) for t in self.word_.get_feature_names_out()]
        if self.char_ is not None:
            names += [("char", t) for t in self.char_.get_feature_names_out()]
        return names
