"""bench/learning.py: blind sentence sets with a `one_family_remedy` flag are scored three ways."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[1] / "bench" / "learning.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_learning", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flagged_rows_are_scored_as_labelled_counted_learning_and_left_out():
    bench = _bench()
    y = np.array([True, True, False, False, False, False])
    pred = np.array([True, False, True, False, True, False])
    flagged = np.array([False, False, True, True, False, False])
    c = bench.flag_variants(y, pred, flagged)
    assert (c["flagged"], c["flagged_learning"], c["flagged_predicted"]) == (2, 0, 1)
    assert c["as labelled"] == {"n": 6, "learning": 2, "tp": 1, "fp": 2, "fn": 1}
    # the flagged row predicted learning becomes a hit, the other a miss
    assert c["flagged counted learning"] == {"n": 6, "learning": 4, "tp": 2, "fp": 1, "fn": 2}
    assert c["flagged left out"] == {"n": 4, "learning": 2, "tp": 1, "fp": 1, "fn": 1}


class _Model:
    """Predicts learning for sentences with 'now'; one type for all."""

    threshold_ = 0.5

    def score_sentences(self, sentences):
        return np.array([0.9 if "now" in s else 0.1 for s in sentences])

    def predict(self, sentences):
        return self.score_sentences(sentences) >= self.threshold_

    def predict_types(self, sentences):
        return ["process_change"] * len(sentences)


def test_blind_file_with_flag_reports_three_ways_and_pooled_counts_without_sentences(tmp_path):
    bench = _bench()
    rows = [
        {"sentence": "Calls are now logged by a named worker.", "learning": True, "type": "process_change"},
        {"sentence": "Your record has now been corrected.", "learning": False, "one_family_remedy": True},
        {"sentence": "The panel met in June.", "learning": False, "one_family_remedy": False},
        {"sentence": "Letters go out sooner.", "learning": True, "type": "process_change"},
    ]
    path = tmp_path / "sentences.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    r = bench.blind_sentence_scores(str(path), _Model())
    assert r["counts"]["flagged"] == 1
    assert r["counts"]["flagged left out"]["fp"] == 0 and r["counts"]["as labelled"]["fp"] == 1
    text = "\n".join(bench.blind_sentence_section(r) + bench.pooled_section([r, r]))
    assert "flagged counted learning" in text and "| 2 | 6 |" in text  # pooled: two sets of 3 rows
    assert not any(row["sentence"] in text for row in rows)


def _tune():
    spec = importlib.util.spec_from_file_location("bench_learning_tune", BENCH.with_name("learning_tune.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rows_always_trained_on_leave_the_other_rows_folds_as_they_were():
    tune = _tune()
    rng = np.random.default_rng(0)
    y = rng.random(60) < 0.4
    groups = np.array([f"g{i // 4}" for i in range(60)])
    always = np.zeros(60, dtype=bool)
    always[[3, 17, 18, 40, 59]] = True  # rows of a new batch, spread through the file
    with_new = tune.fold_splits(y, 0, groups, always)
    kept = np.flatnonzero(~always)
    without = tune.fold_splits(y[kept], 0, groups[kept])
    extra = set(np.flatnonzero(always))
    for (tr, te), (tr0, te0) in zip(with_new, without):
        assert list(te) == list(kept[te0])  # the same held-out rows, fold by fold
        assert extra <= set(tr) and not extra & set(te)  # new rows only ever train
        assert set(tr) - extra == set(kept[tr0])
    held = np.concatenate([te for _, te in with_new])
    assert sorted(held) == list(kept)  # every other row is held out exactly once
