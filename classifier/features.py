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

from .text import PreparedText, ensure_prepared


def _split(s: str) -> list[str]:
    return s.split()


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
            if vec is not None and hasattr(vec, "stop_words_"):
                del vec.stop_words_   # the pruned (rare) terms: personal data risk
        self.n_word_features_ = len(self.word_.vocabulary_)
        return self

    def transform(self, texts):
        docs = ensure_prepared(texts)
        parts = [self.word_.transform([d.lemmas for d in docs])]
        if self.char_ is not None:
            parts.append(self.char_.transform([d.redacted for d in docs]) * self.char_weight)
        return sp.hstack(parts, format="csr", dtype=np.float32)

    def feature_names(self) -> list[tuple[str, str]]:
        """(kind, term) for each column: kind is 'word' or 'char'."""
        names = [("word", t) for t in self.word_.get_feature_names_out()]
        if self.char_ is not None:
            names += [("char", t) for t in self.char_.get_feature_names_out()]
        return names
