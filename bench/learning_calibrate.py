"""Session 8: is the learning extractor's decision threshold right under grouped cross-validation?

Grouped 5-fold CV on train+dev (folds hold out whole part files, i.e. a
writer's batch; the 200 complaint negatives join every training fold as the
shipped model is trained). For each outer fold the extractor is fitted once;
the threshold is then chosen from inner out-of-fold scores of that fold's
training part in two ways: inner folds stratified by row (the shipped
protocol) and inner folds holding out whole part files. Prints the pooled
out-of-fold F1 of each protocol, of fixed thresholds, and per register
(part-file series); writes the out-of-fold scores to bench/out/ (not
committed) for reading the false alarms. `test` and the blind sets are never
read.

    .venv/bin/python bench/learning_calibrate.py [--seeds 0 1] [--params 'frame_words=600']
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from learning_tune import cache_text_work, parse_variant, part_of, train_dev_sentences  # noqa: E402

from classifier.learning import LearningExtractor  # noqa: E402
from classifier.learning.threshold import best_threshold  # noqa: E402
from classifier.text import prepare  # noqa: E402

GRID = np.round(np.arange(0.30, 0.801, 0.05), 2)


def series(group: str) -> str:
    """The writers' batch series a part file belongs to (the register it was written in)."""
    kind, n = group.split("-")
    n = int(n)
    if kind == "ls":
        return "ls-01..20 letters" if n <= 20 else "ls-21..62 reports/letters/minutes"
    if n <= 20:
        return "lr-01..20 near-misses"
    if n < 30:
        return "lr-21..23 report cells"
    return {
        3: "lr-3x annual reports",
        4: "lr-4x letters, Stage 2/3",
        5: "lr-5x minutes, plans",
        6: "lr-6x engineer",
    }.get(n // 10, f"lr-{n // 10}x new")


def f1(pred, y) -> tuple[float, float, float]:
    tp, fp, fn = int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum())
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return p, r, 2 * p * r / max(p + r, 1e-12)


def inner_threshold(model, X, y, groups, seed) -> float:
    """The shipped threshold rule over inner out-of-fold scores with folds holding out whole groups."""
    folds = StratifiedGroupKFold(5, shuffle=True, random_state=seed)
    prob = cross_val_predict(
        model._new_clf(model.C, model.class_weight), X, y, cv=folds, groups=groups, method="predict_proba"
    )[:, 1]
    return best_threshold(prob, y, model.threshold_bounds)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1])
    ap.add_argument("--params", default="", help="LearningExtractor settings 'key=value;key=value'")
    ap.add_argument("--data", default=str(ROOT / "training_data" / "learning_sentences.csv"))
    ap.add_argument("--tag", default="base")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    cache_text_work()
    params = parse_variant(args.params) if args.params else {}
    neg, sent, types, y, ids = train_dev_sentences(args.data)
    groups = part_of(ids)
    yn = np.zeros(len(neg), dtype=bool)
    out_rows = []
    summary = {"shipped (inner by row)": [], "inner by part file": []}
    fixed = {t: [] for t in GRID}
    for seed in args.seeds:
        prob = np.zeros(len(y))
        t_row, t_grp = np.zeros(len(y)), np.zeros(len(y))
        splits = StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(sent, y, groups)
        for k, (tr, te) in enumerate(splits):
            tr_sent = [sent[i] for i in tr] + neg
            tr_y = np.concatenate([y[tr], yn])
            model = LearningExtractor(random_state=seed, **params).fit(
                tr_sent, tr_y, [types[i] for i in tr] + [""] * len(neg)
            )
            X = model._matrix(prepare(tr_sent))
            tg = inner_threshold(model, X, tr_y, np.concatenate([groups[tr], ["complaints"] * len(neg)]), seed)
            prob[te] = model.score_sentences([sent[i] for i in te])
            t_row[te], t_grp[te] = model.threshold_, tg
            print(
                f"seed {seed} fold {k}: threshold inner-by-row {model.threshold_:.2f}, inner-by-part {tg:.2f}",
                flush=True,
            )
        summary["shipped (inner by row)"].append(f1(prob >= t_row, y))
        summary["inner by part file"].append(f1(prob >= t_grp, y))
        for t in GRID:
            fixed[t].append(f1(prob >= t, y))
        for i in range(len(y)):
            out_rows.append(
                {
                    "seed": seed,
                    "id": ids[i],
                    "learning": bool(y[i]),
                    "prob": round(float(prob[i]), 4),
                    "t_row": t_row[i],
                    "t_grp": t_grp[i],
                    "series": series(groups[i]),
                }
            )
    print("\n| threshold rule | grouped CV P | R | F1 (mean of seeds) | F1 by seed |\n|---|---|---|---|---|")
    rows = list(summary.items()) + [(f"fixed {t:.2f}", v) for t, v in fixed.items()]
    for name, v in rows:
        a = np.array(v)
        print(
            f"| {name} | {a[:, 0].mean():.3f} | {a[:, 1].mean():.3f} | {a[:, 2].mean():.4f} | {[round(x, 4) for x in a[:, 2]]} |"
        )
    out = pd.DataFrame(out_rows)
    print(
        "\n| series | rows | learning | P / R / F1 at shipped rule | P / R / F1 inner by part |\n|---|---|---|---|---|"
    )
    for s, g in out.groupby("series"):
        yy = g["learning"].to_numpy()
        a = f1(g["prob"].to_numpy() >= g["t_row"].to_numpy(), yy)
        b = f1(g["prob"].to_numpy() >= g["t_grp"].to_numpy(), yy)
        n = len(args.seeds)
        print(
            f"| {s} | {len(g) // n} | {int(yy.sum()) // n} | {a[0]:.3f} / {a[1]:.3f} / {a[2]:.3f} | {b[0]:.3f} / {b[1]:.3f} / {b[2]:.3f} |"
        )
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    out.to_csv(ROOT / "bench" / "out" / f"calibrate-{args.tag}.csv", index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
