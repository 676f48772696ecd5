"""One-vs-rest logistic regression with cross-validated calibration and thresholds.

Out-of-fold decision scores from K-fold training give, per label, a Platt
(sigmoid) calibration and the decision threshold that maximises F1; the final
weights are then fitted on all the data.

With `nb_alpha` set, each label's logistic regression sees its features scaled
by their naive Bayes log-count ratio (NB-LR, after Wang & Manning's NBSVM, 2012):
terms that separate the label get a larger scale and so a smaller effective L2
penalty. The scale is folded into the saved weights (`coef_ = w * r`), so the
model stays one linear layer over the same features: prediction cost and model
size are unchanged. Only plain arrays are kept
(`coef_`, `intercept_`, `calibration_`, `thresholds_`), which keeps the saved
model small and independent of scikit-learn's estimator internals.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from classifier.estimator import Estimator


def nb_log_ratio(X, y, alpha: float) -> np.ndarray:
    """Per feature: log of (share of the positives' feature mass) / (share of the negatives').

    X holds non-negative feature values (TF-IDF); `alpha` is added to every
    feature's mass on both sides (smoothing), so an unseen feature gets 0 only
    when it is unseen on both sides, and rare ones are pulled toward 0.
    """
    if (X.data if sp.issparse(X) else np.asarray(X)).min(initial=0.0) < 0:
        raise ValueError("naive Bayes scaling needs non-negative features (TF-IDF)")
    pos = np.asarray(y).astype(bool)
    p = alpha + np.asarray(X[pos].sum(axis=0), dtype=np.float64).ravel()
    q = alpha + np.asarray(X[~pos].sum(axis=0), dtype=np.float64).ravel()
    return np.log(p / p.sum()) - np.log(q / q.sum())


def _fit_binary(X, y, C, class_weight, seed, nb_alpha=None):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():  # a label with no positives (or no negatives) in this fold
        return np.zeros(X.shape[1], dtype=np.float32), (10.0 if y[0] else -10.0)
    if nb_alpha:
        r = nb_log_ratio(X, y, nb_alpha).astype(np.float32)
        w, b = _fit_binary((X @ sp.diags(r)).tocsr(), y, C, class_weight, seed)
        return (w * r).astype(np.float32), b  # scores on X equal the LR's scores on X * r
    # Dual liblinear: same optimum, ~20x faster here (many more features than rows).
    clf = LogisticRegression(
        C=C, class_weight=class_weight, solver="liblinear", dual=True, max_iter=5000, random_state=seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def fit_platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sigmoid a*s+b fitted to out-of-fold scores; identity-ish if degenerate."""
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():
        return 1.0, 0.0
    lr = LogisticRegression(C=1e4, solver="lbfgs")
    lr.fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def best_f1_threshold(prob: np.ndarray, y: np.ndarray, bounds=(0.05, 0.95)) -> float:
    if y.sum() == 0:
        return float(bounds[1])
    grid = np.linspace(bounds[0], bounds[1], 91)
    best_t, best_f = 0.5, -1.0
    for t in grid:
        pred = prob >= t
        tp = float(np.sum(pred & (y == 1)))
        f = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0.0
        if f > best_f + 1e-9:
            best_t, best_f = float(t), f
    return best_t


class CalibratedOvR(Estimator):
    """One calibrated logistic regression per label over a numeric matrix (Y: 0/1 per label)."""

    _input = "array"

    def __init__(
        self, C=8.0, class_weight="balanced", cv_folds=5, threshold_bounds=(0.05, 0.95), nb_alpha=None, random_state=0
    ):
        self.C = C
        self.nb_alpha = nb_alpha
        self.class_weight = class_weight
        self.cv_folds = cv_folds
        self.threshold_bounds = threshold_bounds
        self.random_state = random_state

    def fit(self, X, Y):
        Y = np.asarray(Y, dtype=np.int8)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        n, L = Y.shape
        oof = self.oof_scores(X, Y)
        self.calibration_ = np.zeros((L, 2), dtype=np.float64)
        self.thresholds_ = np.zeros(L, dtype=np.float64)
        for j in range(L):
            a, b = fit_platt(oof[:, j], Y[:, j])
            self.calibration_[j] = (a, b)
            self.thresholds_[j] = best_f1_threshold(_sigmoid(a * oof[:, j] + b), Y[:, j], self.threshold_bounds)
        self.oof_proba_ = _sigmoid(oof * self.calibration_[:, 0] + self.calibration_[:, 1])
        coefs, icpts = zip(
            *(_fit_binary(X, Y[:, j], self.C, self.class_weight, self.random_state, self.nb_alpha) for j in range(L))
        )
        self.coef_ = np.vstack(coefs).astype(np.float32)
        self.intercept_ = np.asarray(icpts, dtype=np.float32)
        return self

    def oof_scores(self, X, Y) -> np.ndarray:
        from sklearn.model_selection import KFold, StratifiedKFold

        n, L = Y.shape
        oof = np.zeros((n, L), dtype=np.float64)
        k = max(2, min(self.cv_folds, n // 4 if n >= 8 else 2))
        strat = Y.argmax(axis=1) if L > 1 else Y[:, 0]
        counts = np.bincount(strat)
        if counts[counts > 0].min() >= k:
            splits = StratifiedKFold(k, shuffle=True, random_state=self.random_state).split(X, strat)
        else:
            splits = KFold(k, shuffle=True, random_state=self.random_state).split(X)
        for train, test in splits:
            for j in range(L):
                w, b = _fit_binary(X[train], Y[train, j], self.C, self.class_weight, self.random_state, self.nb_alpha)
                oof[test, j] = X[test] @ w + b
        return oof

    def decision_function(self, X) -> np.ndarray:
        if isinstance(X, np.ndarray):  # dense (encoder vectors): the same result whatever the batch
            return dense_dot(X, self.coef_) + self.intercept_
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        s = self.decision_function(X)
        return _sigmoid(s * self.calibration_[:, 0] + self.calibration_[:, 1])


def dense_dot(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """X @ W.T, row by row in a fixed order. BLAS picks its kernel by matrix shape, so the
    same row could score a last bit differently in another batch (and round the other way
    in a 4-decimal output); einsum's plain loops do not depend on the other rows."""
    return np.einsum("nd,ld->nl", np.asarray(X, dtype=np.float64), np.asarray(W, dtype=np.float64))


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))
