import numpy as np

from classifier.models.child import threshold_for_recall
from classifier.models.decide import compile_keywords, decide
from classifier.models.linear import best_f1_threshold


def test_thresholds_are_per_theme_and_order_is_by_probability():
    proba = np.array([[0.30, 0.60, 0.45], [0.05, 0.10, 0.20]])
    th = np.array([0.25, 0.50, 0.50])
    assert decide(proba, th, at_least_one=False) == [[1, 0], []]


def test_at_least_one_theme_is_the_most_likely():
    proba = np.array([[0.05, 0.10, 0.20]])
    assert decide(proba, np.array([0.5, 0.5, 0.5]), at_least_one=True) == [[2]]
    # per-row rule: compliments may have none
    assert decide(np.vstack([proba, proba]), np.full(3, 0.5), at_least_one=np.array([True, False])) == [[2], []]


def test_keyword_hit_lowers_the_bar_but_model_must_agree():
    proba = np.array([[0.30, 0.10]])
    hits = np.array([[True, True]])
    assert decide(proba, np.array([0.5, 0.5]), False, hits, keyword_floor=0.5) == [[0]]
    pats = compile_keywords([("direct payments",), ()])
    assert pats[1] is None and pats[0].search("Our Direct Payments stopped")


def test_best_f1_threshold_separates_classes():
    prob = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 1, 1])
    t = best_f1_threshold(prob, y)
    assert 0.3 < t <= 0.7


def test_threshold_for_recall_meets_target_with_best_precision():
    prob = np.array([0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1])
    y = np.array([1, 1, 0, 1, 1, 0, 0, 0])
    t, recall, precision = threshold_for_recall(prob, y, 0.95)
    assert t == 0.4 and recall == 1.0 and precision == 0.8
