#!/usr/bin/env python
"""Development check for `adapt` on the team's own corpus (never on the blind sets).

"One register as the trust": a real trust's rows share one house style, so each
chosen register of the corpus's non-test rows plays the trust in turn. The base
model is trained on every other register (TF-IDF and encoder heads, the default
engine); k rows of the held-out register are the trust's own labelled rows and the
rest of that register is scored. Compares the base model, plain `train` on the
base corpus + own rows repeated 3 times (the owners' method) and `adapt`.
adapt's defaults are chosen here; the blind register-shift set is only scored by
bench/adapt_curve.py.

    .venv/bin/python bench/adapt_dev.py [--registers staff_summary phone_note] [--k 60] [--seeds 0 1 2]
        [--own-weights 1 3 10]
Appends its lines to out/adapt_dev.jsonl.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from adapt_common import adapt, dev_corpus, plain_train, score, table  # noqa: E402

from classifier.models.linear import best_f1_threshold  # noqa: E402
from classifier.models.themes import ThemeClassifier, binarise_themes  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registers", nargs="+", default=["staff_summary", "phone_note"])
    ap.add_argument("--k", type=int, default=60)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--own-weights", type=int, nargs="+", default=None)
    ap.add_argument("--no-plain", action="store_true", help="skip plain training (already measured)")
    ap.add_argument("--report", type=Path, help="only print the tables of the lines in this .jsonl")
    args = ap.parse_args()
    if args.report:
        raw = [json.loads(x) for x in args.report.read_text(encoding="utf-8").splitlines() if x.startswith("{")]
        # A rerun replaces a run's earlier line (same register, k, seed and method).
        lines = list({(r["register"], r["k"], r["seed"], r["how"]): r for r in raw}.values())
        print(table(lines, ("k", "how")) + "\n\nBy register:\n\n" + table(lines, ("register", "how")))
        return
    rows, docs, gold, V, tax, params = dev_corpus()
    extra = {"own_weights": tuple(args.own_weights)} if args.own_weights else {}
    out = (ROOT / "out" / "adapt_dev.jsonl").open("a", encoding="utf-8")

    def pick(idx):
        return [docs[i] for i in idx], [gold[i] for i in idx], V[idx]

    for reg in args.registers:
        pool = np.array([i for i, r in enumerate(rows) if r["register"] == reg])
        base_idx = np.array([i for i, r in enumerate(rows) if r["register"] != reg])
        bd, bg, bv = pick(base_idx)
        base = ThemeClassifier(taxonomy=tax, **params).fit(bd, bg, vectors=bv)
        for seed in args.seeds:
            rng = np.random.default_rng(seed)
            own = rng.choice(pool, args.k, replace=False)
            rest = np.setdiff1d(pool, own)
            od, og, ov = pick(own)
            rd, rg, rv = pick(rest)

            def record(how, model, reg=reg, seed=seed, scored=(rd, rg, rv), **more):
                line = {"register": reg, "k": args.k, "seed": seed, "how": how, **score(model, *scored), **more}
                print(json.dumps(line), flush=True)
                out.write(json.dumps(line) + "\n")
                out.flush()

            record("base model", base)
            if not args.no_plain:
                plain = plain_train(tax, params, bd + od * 3, bg + og * 3, np.vstack([bv] + [ov] * 3))
                record("plain train x3", plain)
            t = time.time()
            m = adapt(tax, params, od, og, ov, bd, bg, base, **extra)
            took = round(time.time() - t, 1)
            record("adapt", m, own_weight=m.own_weight_, description_weight=m.description_weight_, seconds=took)
            # Threshold rules on the same fit (thresholds change macro F1 only): own-tuned thresholds
            # for themes with at least n own examples, the base model's for the rest.
            Yo = binarise_themes(og, tax)
            for n in (15, 10**6):
                m.thresholds_ = {
                    l: best_f1_threshold(m.oof_proba_[:, j], Yo[:, j], m.threshold_bounds)
                    if Yo[:, j].sum() >= n
                    else float(base.thresholds_[l])
                    for j, l in enumerate(m.labels_)
                }
                record(f"adapt, own thresholds from {n} examples" if n < 10**6 else "adapt, base thresholds", m)


if __name__ == "__main__":
    main()
