"""The theme head: naive-Bayes-scaled logistic regression (NB-LR) in classifier.models.linear."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from classifier.models.linear import CalibratedOvR, _fit_binary, nb_log_ratio
from classifier.models.themes import ThemeClassifier

# Rows 0-1 are positive. Column 0 only in positives, column 1 only in negatives,
# column 2 everywhere (same share of each side's mass: uninformative).
X_SMALL = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 1]], dtype=np.float32))
Y_SMALL = np.array([1, 1, 0, 0])


def test_nb_log_ratio_matches_hand_computation():
    # alpha=1: positives' mass (3, 1, 3) of 7, negatives' (1, 3, 3) of 7.
    r = nb_log_ratio(X_SMALL, Y_SMALL, alpha=1.0)
    assert r == pytest.approx([np.log(3.0), -np.log(3.0), 0.0])
    # More smoothing pulls every ratio toward 0.
    r10 = nb_log_ratio(X_SMALL, Y_SMALL, alpha=10.0)
    assert r10 == pytest.approx([np.log(12 / 10), np.log(10 / 12), 0.0])


def test_uninformative_feature_gets_no_weight_with_nb_scaling_only():
    w_nb, _ = _fit_binary(X_SMALL, Y_SMALL, 4.0, "balanced", 0, nb_alpha=1.0)
    w_lr, _ = _fit_binary(X_SMALL, Y_SMALL, 4.0, "balanced", 0)
    assert w_nb[2] == 0.0 and w_lr[2] != 0.0
    assert w_nb[0] > 0 > w_nb[1]


def test_saved_weights_score_raw_features_like_the_lr_on_scaled_features():
    rng = np.random.default_rng(0)
    X = sp.random(120, 40, density=0.2, format="csr", random_state=1, dtype=np.float32)
    y = (np.asarray(X[:, :3].sum(axis=1)).ravel() + 0.1 * rng.random(120) > 0.15).astype(int)
    w, b = _fit_binary(X, y, 4.0, "balanced", 0, nb_alpha=0.3)
    r = nb_log_ratio(X, y, 0.3).astype(np.float32)
    lr = LogisticRegression(
        C=4.0, class_weight="balanced", solver="liblinear", dual=True, max_iter=5000, random_state=0
    ).fit((X @ sp.diags(r)).tocsr(), y)
    assert np.allclose(X @ w + b, lr.decision_function((X @ sp.diags(r)).tocsr()), atol=1e-4)


def test_nb_scaling_refuses_negative_features():
    with pytest.raises(ValueError, match="non-negative"):
        nb_log_ratio(sp.csr_matrix(np.array([[1.0, -0.5], [0.0, 1.0]])), np.array([1, 0]), 0.3)


def test_calibrated_head_with_nb_scaling_is_one_linear_layer():
    rng = np.random.default_rng(0)
    X = sp.random(200, 30, density=0.3, format="csr", random_state=2, dtype=np.float32)
    Y = np.column_stack([np.asarray(X[:, j].todense()).ravel() > 0.5 for j in range(3)]).astype(int)
    Y[rng.random(200) < 0.05, 0] ^= 1
    nb = CalibratedOvR(C=4.0, cv_folds=3, nb_alpha=0.3).fit(X, Y)
    plain = CalibratedOvR(C=4.0, cv_folds=3).fit(X, Y)
    assert nb.coef_.shape == plain.coef_.shape == (3, 30)
    assert not np.allclose(nb.coef_, plain.coef_)
    s = np.asarray(X @ nb.coef_.T) + nb.intercept_
    assert np.allclose(nb.decision_function(X), s)
    p = nb.predict_proba(X)
    assert p.min() >= 0 and p.max() <= 1
    # Each label's own columns are its strongest evidence.
    assert list(np.argmax(nb.coef_, axis=1)) == [0, 1, 2]


def test_theme_classifier_defaults_to_nb_scaling(small_model):
    assert ThemeClassifier().get_params()["nb_alpha"] == 0.3
    assert small_model.themes.head_.nb_alpha == 0.3
