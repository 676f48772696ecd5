"""Features: TF-IDF over lemma word n-grams plus character n-grams.

Fitted vectorizers keep only terms seen in at least `min_df` documents, and
the pruned-term list scikit-learn stores (`stop_words_`) is deleted, so a
saved model holds no rare token that could identify a person.
"""
from __future__ import annotations

from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .text import ensure_prepared


def _split(s: str) -> list[str]:
    return s.split()


class CachedCharTransform:
    """sklearn's char_wb TF-IDF transform, computed word by word.

    char_wb n-grams never cross a space, so a document's n-gram counts are the
    sum of its words' counts: counts = (documents x words) @ (words x n-grams).
    Each distinct word is analysed once per batch (and cached across batches);
    the sum is one sparse product in C. Output equals `vectorizer.transform`
    (tested), several times faster, because sklearn builds every n-gram string
    of every document.
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
        n_cols = len(v.vocabulary_)
        # Documents x distinct words of this batch; a repeated word is a
        # repeated entry, which the product below adds up.
        split = [t.lower().split() for t in texts]
        flat = list(chain.from_iterable(split))
        word_ids = {w: i for i, w in enumerate(dict.fromkeys(flat))}
        indptr = np.zeros(len(texts) + 1, np.int64)
        np.cumsum(list(map(len, split)), out=indptr[1:])
        doc_words = np.fromiter(map(word_ids.__getitem__, flat), np.int32, len(flat))
        D = sp.csr_matrix((np.ones(len(flat), np.float32), doc_words, indptr),
                          shape=(len(texts), len(word_ids)))
        # Distinct words x n-grams (counts).
        word_cols = [self._word_columns(w) for w in word_ids]
        indptr = np.zeros(len(word_cols) + 1, np.int64)
        np.cumsum(list(map(len, word_cols)), out=indptr[1:])
        indices = np.concatenate(word_cols) if word_cols else np.zeros(0, np.int32)
        W = sp.csr_matrix((np.ones(len(indices), np.float32), indices, indptr), shape=(len(word_ids), n_cols))
        return _tfidf(D @ W, v)  # the product sums repeated words


class WordNgramTransform:
    """sklearn's word (1, 2)-gram TF-IDF transform for space-separated lemmas, faster.

    Words become batch ids in C (dict lookups through `map`); bigrams are
    pairs of ids, so only each distinct bigram is ever built as a string.
    Counting is one sparse product. Output equals `vectorizer.transform`
    (tested). Other n-gram ranges, and small batches (`suggest`: no need to
    import pandas for one text), go through the vectorizer itself.
    """

    MIN_BATCH = 64

    def __init__(self, vectorizer: TfidfVectorizer):
        self.vectorizer = vectorizer

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        v = self.vectorizer
        if not len(texts):
            return sp.csr_matrix((0, len(v.vocabulary_)), dtype=np.float32)
        if tuple(v.ngram_range) not in ((1, 1), (1, 2)) or len(texts) < self.MIN_BATCH:
            return v.transform(texts)
        vocab = v.vocabulary_
        split = [t.split() for t in texts]
        lengths = np.fromiter(map(len, split), np.int64, len(split))
        flat = list(chain.from_iterable(split))
        words = list(dict.fromkeys(flat))
        word_ids = np.fromiter(map({w: i for i, w in enumerate(words)}.__getitem__, flat), np.int64, len(flat))
        doc_of = np.repeat(np.arange(len(texts)), lengths)
        keys, docs = [word_ids], [doc_of]
        if v.ngram_range[1] == 2 and len(flat) > 1:
            same_doc = doc_of[1:] == doc_of[:-1]
            # Bigram key a * (n_words + 1) + b + 1 never equals a word id.
            keys.append(word_ids[:-1][same_doc] * (len(words) + 1) + word_ids[1:][same_doc] + len(words) + 1)
            docs.append(doc_of[:-1][same_doc])
        import pandas as pd  # hash-based factorize: no sort of every n-gram

        inverse, distinct = pd.factorize(np.concatenate(keys))
        # Only distinct n-grams are built as strings, and only for the vocabulary lookup.
        n = len(words)
        is_word = distinct < n
        grams = np.empty(len(distinct), dtype=object)
        grams[is_word] = [words[k] for k in distinct[is_word].tolist()]
        a, b = np.divmod(distinct[~is_word] - n - 1, n + 1)
        grams[~is_word] = list(map("{} {}".format, map(words.__getitem__, a.tolist()),
                                   map(words.__getitem__, b.tolist())))
        cols = np.fromiter(map(vocab.get, grams.tolist(), repeat(-1)), np.int64, len(distinct))
        known = cols >= 0
        W = sp.csr_matrix((np.ones(int(known.sum()), np.float32), (np.flatnonzero(known), cols[known])),
                          shape=(len(distinct), len(vocab)))
        # Unigrams and bigrams are each in document order: CSR directly, summed by the products.
        X = None
        offset = 0
        for doc in docs:
            indptr = np.zeros(len(texts) + 1, np.int64)
            np.cumsum(np.bincount(doc, minlength=len(texts)), out=indptr[1:])
            D = sp.csr_matrix((np.ones(len(doc), np.float32), inverse[offset: offset + len(doc)], indptr),
                              shape=(len(texts), len(distinct)))
            offset += len(doc)
            X = D @ W if X is None else X + D @ W
        return _tfidf(X, v)


def _tfidf(X: sp.csr_matrix, v: TfidfVectorizer) -> sp.csr_matrix:
    """Counts -> TF-IDF as the fitted vectorizer does it (sublinear tf, idf, l2)."""
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
        self.word_fast_ = WordNgramTransform(self.word_)
        self.char_fast_ = CachedCharTransform(self.char_) if self.char_ is not None else None
        return self

    def __getstate__(self):
        for vec in (getattr(self, "word_", None), getattr(self, "char_", None)):
            scrub_for_saving(vec)
        return super().__getstate__()

    def transform(self, texts):
        docs = ensure_prepared(texts)
        parts = [self.word_fast_.transform([d.lemmas for d in docs])]
        if self.char_ is not None:
            parts.append(self.char_fast_.transform([d.redacted for d in docs]) * self.char_weight)
        return sp.hstack(parts, format="csr", dtype=np.float32)

    def feature_names(self) -> list[tuple[str, str]]:
        """(kind, term) for each column: kind is 'word' or 'char'."""
        names = [("word", t) for t in self.word_.get_feature_names_out()]
        if self.char_ is not None:
            names += [("char", t) for t in self.char_.get_feature_names_out()]
        return names
