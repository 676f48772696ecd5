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


def test_wilson_interval_is_honest_at_the_edges_and_narrows_with_rows():
    from classifier.metrics import wilson

    assert wilson(0, 10)[0] == 0.0 and 0.25 < wilson(0, 10)[1] < 0.32  # none right of 10 is not "surely 0"
    assert wilson(10, 10)[1] == 1.0 and wilson(10, 10)[0] < 0.75
    few, many = wilson(6, 10), wilson(600, 1000)
    assert few[0] < 0.6 < few[1] and many[0] < 0.6 < many[1]
    assert many[1] - many[0] < (few[1] - few[0]) / 5
    assert wilson(0, 0) == [0.0, 1.0]


def test_bootstrap_macro_f1_interval_holds_the_figure_and_narrows_with_rows():
    import numpy as np

    from classifier.metrics import theme_intervals, theme_report

    rng = np.random.default_rng(1)
    labels = ["a", "b", "c"]

    def sample(n):
        gold = [[labels[int(rng.integers(3))]] for _ in range(n)]
        pred = [g if rng.random() < 0.7 else [labels[int(rng.integers(3))]] for g in gold]
        return gold, pred

    widths = []
    for n in (40, 2000):
        gold, pred = sample(n)
        macro = theme_report(gold, pred, labels)["macro_f1"]
        lo, hi = theme_intervals(gold, pred, None, labels)["macro_f1"]
        assert lo <= macro <= hi
        widths.append(hi - lo)
    assert widths[1] < widths[0] / 3


def test_evaluate_output_on_few_rows_says_how_rough_it_is_and_leaves_absent_themes_out():
    import numpy as np

    from classifier.cli.format import format_report
    from classifier.metrics import theme_intervals, theme_report

    labels = ["a", "b", "c"]
    gold, pred = [["a"], ["a"], ["b"]], [["a"], ["a", "c"], ["b"]]
    proba = np.array([[0.9, 0.05, 0.05], [0.6, 0.1, 0.3], [0.1, 0.8, 0.1]])
    th = theme_report(gold, pred, labels, proba)
    th["intervals"] = theme_intervals(gold, pred, proba, labels)
    text = format_report({"themes": th})
    row_c = next(line for line in text.splitlines() if line.startswith("c "))
    assert row_c.split()[1:] == ["0.000", "-", "-", "0"]  # suggested once, never right: a false alarm
    assert "1 theme(s) have no row here, so they are not in macro F1." in text
    assert "Only 3 rows: treat these figures as rough" in text


def test_learning_evaluation_without_types_does_not_print_a_zero_type_accuracy():
    from classifier.cli.format import format_learning_evaluation

    base = {"sentences": 10, "split": None, "precision": 0.9, "recall": 0.8, "f1": 0.847}
    assert "type accuracy not measured" in format_learning_evaluation({**base, "type_accuracy": None})
    assert "type accuracy 0.750" in format_learning_evaluation({**base, "type_accuracy": 0.75})
