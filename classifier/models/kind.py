"""Representation kind: complaint, enquiry or compliment."""
from __future__ import annotations

import warnings

import numpy as np

from classifier.estimator import ClassifierMixin, Estimator
from classifier.features.tfidf import TextFeatures
from classifier.text import ensure_prepared

KIND_CLASSES = ("complaint", "enquiry", "compliment")


class KindClassifier(ClassifierMixin, Estimator):
    def __init__(self, C=10.0, min_df=3, random_state=0):
        self.C = C
        self.min_df = min_df
        self.random_state = random_state

    def fit(self, texts, kinds, features: TextFeatures | None = None):
        """`features`: an already fitted TextFeatures to share with other components."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        docs = ensure_prepared(texts)
        self.features_ = features or TextFeatures(word_ngrams=(1, 2), char_ngrams=(2, 4), min_df=self.min_df,
                                      max_word_features=20000, max_char_features=20000).fit(docs)
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000,
                                   random_state=self.random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(self.features_.transform(docs), np.asarray(kinds))
        self.classes_ = [str(c) for c in model.classes_]
        self.coef_ = model.coef_.astype(np.float32)
        self.intercept_ = model.intercept_.astype(np.float32)
        return self

    def predict_proba(self, texts, X=None) -> np.ndarray:
        if X is None:
            X = self.features_.transform(ensure_prepared(texts))
        z = np.asarray(X @ self.coef_.T) + self.intercept_
        if z.shape[1] == 1:  # binary case: scikit-learn keeps one row of weights
            z = np.hstack([-z, z])
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, texts) -> list[str]:
        return [self.classes_[i] for i in self.predict_proba(texts).argmax(axis=1)]
