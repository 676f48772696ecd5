#!/usr/bin/env python
"""Development check for `adapt` on the team's own corpus (never on the blind sets).

Simulates a trust whose text is in registers the base model saw little of: the
corpus's non-test rows written as staff summaries, phone notes and advocates'
referrals are the "trust" pool; every other non-test row is the base corpus.
k pool rows are the trust's own labelled rows; the rest of the pool is scored.
Compares the base model alone, plain training on corpus + own rows repeated 3
times (the owners' method), and AdaptedThemes. Used to choose adapt's weight
grids; the blind register-shift set is only used by bench/adapt_curve.py.

    .venv/bin/python bench/adapt_dev.py [--ks 20 60 200] [--seeds 0 1]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.metrics import theme_report  # noqa: E402
from classifier.models.adapted import AdaptedThemes  # noqa: E402
from classifier.models.themes import ThemeClassifier  # noqa: E402
from classifier.taxonomy.schema import load_taxonomy, parse_theme_list  # noqa: E402
from classifier.text import prepare  # noqa: E402

POOL_REGISTERS = {"staff_summary", "phone_note", "advocate_referral"}


def figures(model, docs, gold):
    proba = model.predict_proba(docs)
    pred = model.predict(docs, proba=proba)
    rep = theme_report(gold, pred, model.labels_, proba)
    top = np.argsort(-proba, axis=1)[:, 0]
    any_hit = np.mean([model.labels_[t] in g for t, g in zip(top, gold)])
    return {
        "top1_any": round(float(any_hit), 3),
        "main_top1": rep["main_theme_top1"],
        "main_top3": rep["main_theme_top3"],
        "macro_f1": rep["macro_f1"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ks", type=int, nargs="+", default=[20, 60, 200])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--own-weights", type=int, nargs="+", default=None)
    ap.add_argument("--description-weights", type=float, nargs="+", default=None)
    args = ap.parse_args()
    with (ROOT / "training_data" / "representations.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["split"] != "test" and r["themes"].strip()]
    pool = [r for r in rows if r["register"] in POOL_REGISTERS]
    base = [r for r in rows if r["register"] not in POOL_REGISTERS]
    tax = load_taxonomy()
    base_docs, base_gold = prepare([r["text"] for r in base]), [parse_theme_list(r["themes"]) for r in base]
    pool_docs, pool_gold = prepare([r["text"] for r in pool]), [parse_theme_list(r["themes"]) for r in pool]
    print(f"base corpus {len(base)} rows, trust pool {len(pool)} rows")
    plain0 = ThemeClassifier(taxonomy=tax).fit(base_docs, base_gold)
    print("k=0 base model:", figures(plain0, pool_docs, pool_gold))
    extra = {}
    if args.own_weights:
        extra["own_weights"] = tuple(args.own_weights)
    if args.description_weights:
        extra["description_weights"] = tuple(args.description_weights)
    for k in args.ks:
        for seed in args.seeds:
            rng = np.random.default_rng(seed)
            own = rng.choice(len(pool), k, replace=False)
            rest = np.setdiff1d(np.arange(len(pool)), own)
            od, og = [pool_docs[i] for i in own], [pool_gold[i] for i in own]
            rd, rg = [pool_docs[i] for i in rest], [pool_gold[i] for i in rest]
            plain = ThemeClassifier(taxonomy=tax).fit(base_docs + od * 3, base_gold + og * 3)
            t = time.time()
            ad = AdaptedThemes(taxonomy=tax, **extra).fit(od, og, base_docs, base_gold)
            took = time.time() - t
            print(f"k={k} seed={seed} plain x3: {figures(plain, rd, rg)}")
            print(
                f"k={k} seed={seed} adapt (w={ad.own_weight_}, d={ad.description_weight_}, {took:.0f}s): "
                f"{figures(ad, rd, rg)}"
            )
            ad0 = AdaptedThemes(taxonomy=tax, own_weights=(ad.own_weight_,), description_weights=(0.0,)).fit(
                od, og, base_docs, base_gold
            )
            print(f"k={k} seed={seed} adapt w={ad.own_weight_} no descriptions: {figures(ad0, rd, rg)}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
