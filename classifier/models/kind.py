"""Representation kind: complaint, enquiry or compliment.

A multinomial logistic regression on TF-IDF; with sentence-encoder vectors, a
second one on the vectors, and the mean of the two heads' probabilities
(rule fixed in advance). Without vectors (--fast) the TF-IDF head alone.
"""

from __future__ import annotations

import warnings

import numpy as np

from classifier.estimator import ClassifierMixin, Estimator
from classifier.features.tfidf import TextFeatures
from classifier.models.linear import dense_dot
from classifier.text import ensure_prepared

KIND_CLASSES = ("complaint", "enquiry", "compliment")


class KindClassifier(ClassifierMixin, Estimator):
    def __init__(self, C=10.0, min_df=3, random_state=0, vector_C=10.0):
        self.C = C
        self.vector_C = vector_C
        self.min_df = min_df
        self.random_state = random_state

    def fit(self, texts, kinds, features: TextFeatures | None = None, vectors: np.ndarray | None = None):
        """`features`: an already fitted TextFeatures to share with other components;
        `vectors`: the texts' sentence-encoder vectors (adds the vector head)."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        docs = ensure_prepared(texts)
        self.features_ = features or TextFeatures(
            word_ngrams=(1, 2), char_ngrams=(2, 4), min_df=self.min_df, max_word_features=20000, max_char_features=20000
        ).fit(docs)
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, random_state=self.random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(self.features_.transform(docs), np.asarray(kinds))
        self.classes_ = [str(c) for c in model.classes_]
        self.coef_ = model.coef_.astype(np.float32)
        self.intercept_ = model.intercept_.astype(np.float32)
        self.vector_coef_ = self.vector_intercept_ = None
        if vectors is not None:
            vmodel = LogisticRegression(
                C=self.vector_C, class_weight="balanced", max_iter=3000, random_state=self.random_state
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                vmodel.fit(np.asarray(vectors, dtype=np.float32), np.asarray(kinds))
            self.vector_coef_ = vmodel.coef_.astype(np.float32)
            self.vector_intercept_ = vmodel.intercept_.astype(np.float32)
        return self

    @property
    def uses_vectors(self) -> bool:
        return getattr(self, "vector_coef_", None) is not None

    def predict_proba(self, texts, X=None, vectors: np.ndarray | None = None) -> np.ndarray:
        if X is None:
            X = self.features_.transform(ensure_prepared(texts))
        p = _softmax(np.asarray(X @ self.coef_.T) + self.intercept_)
        if vectors is None or not self.uses_vectors:
            return p
        return 0.5 * (p + _softmax(dense_dot(vectors, self.vector_coef_) + self.vector_intercept_))

    def predict(self, texts, vectors: np.ndarray | None = None) -> list[str]:
        return [self.classes_[i] for i in self.predict_proba(texts, vectors=vectors).argmax(axis=1)]


def _softmax(z: np.ndarray) -> np.ndarray:
    if z.shape[1] == 1:  # binary case: scikit-learn keeps one row of weights
        z = np.hstack([-z, z])
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
