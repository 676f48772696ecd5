#!/usr/bin/env python
"""Which own rows teach `adapt` most? Development check on the team's own corpus (never the blind sets).

One register of the corpus's non-test rows plays the trust (base model trained on every other register,
as in bench/adapt_residual.py). Per seed, a fixed 30% of the register is held out and scored; k rows are
chosen from the other 70% by each strategy, labelled (with the trust's convention, see
bench/adapt_residual.py) and learnt by the residual `adapt` head. Every strategy is scored on the SAME
held-out rows, so a strategy cannot look better by removing hard rows from the test.

Strategies: random; uncertainty (the `choose_rows` rule: uncertainty x TF-IDF distance, spread over
likely themes); representative (k-means on the pool's encoder vectors, the row nearest each centre).

    .venv/bin/python bench/sample_dev.py [--registers ...] [--ks 20 60] [--seeds 0 1 2 3 4 5 6 7]
        [--conventions none delay>comm]
Appends to out/sample_dev.jsonl; `--report FILE` prints the tables.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from adapt_common import dev_corpus, score, table  # noqa: E402
from adapt_residual import CONVENTIONS, base_for, convert  # noqa: E402

from classifier.models.residual import ResidualThemes  # noqa: E402
from classifier.pipeline.sample import STRATEGIES, choose_rows  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registers", nargs="+", default=["staff_summary", "phone_note"])
    ap.add_argument("--ks", type=int, nargs="+", default=[20, 60])
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(8)))
    ap.add_argument("--conventions", nargs="+", default=["none", "delay>comm"])
    ap.add_argument("--strategies", nargs="+", default=["random", *STRATEGIES])
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    if args.report:
        raw = [json.loads(x) for x in args.report.read_text(encoding="utf-8").splitlines() if x.startswith("{")]
        lines = list({(r["convention"], r["register"], r["k"], r["seed"], r["how"]): r for r in raw}.values())
        for conv in dict.fromkeys(r["convention"] for r in lines):
            print(f"\nConvention {conv}:\n" + table([r for r in lines if r["convention"] == conv], ("k", "how")))
            print(paired(lines, conv))
        return
    rows, docs, gold, V, tax, params = dev_corpus()
    out = (ROOT / "out" / "sample_dev.jsonl").open("a", encoding="utf-8")
    for reg in args.registers:
        base = base_for(reg, rows, docs, gold, V, tax, params)
        region = np.array([i for i, r in enumerate(rows) if r["register"] == reg])
        X = base.features_.transform([docs[i] for i in region])
        P = base.predict_proba([docs[i] for i in region], X=X, vectors=V[region])
        for seed in args.seeds:
            rng = np.random.default_rng(1000 + seed)
            held = np.zeros(len(region), dtype=bool)
            held[rng.choice(len(region), int(0.3 * len(region)), replace=False)] = True
            pool = ~held
            for k in args.ks:
                picks = {}
                for how in args.strategies:
                    if how == "random":
                        picks[how] = rng.choice(np.flatnonzero(pool), k, replace=False)
                    else:
                        picks[how] = np.array(choose_rows(P, X, k, pool, vectors=V[region], strategy=how, seed=seed))
                for conv_name in args.conventions:
                    g = [convert(gold[i], CONVENTIONS[conv_name]) for i in region]
                    h = np.flatnonzero(held)
                    scored = ([docs[region[i]] for i in h], [g[i] for i in h], V[region[h]])
                    for how, own in picks.items():
                        m = ResidualThemes(taxonomy=tax, random_state=seed).fit(
                            [docs[region[i]] for i in own], [g[i] for i in own], base, V[region[own]]
                        )
                        line = {"convention": conv_name, "register": reg, "k": k, "seed": seed, "how": how}
                        line.update(score(m, *scored))
                        line["penalty"] = m.penalty_
                        print(json.dumps(line), flush=True)
                        out.write(json.dumps(line) + "\n")
                        out.flush()


def paired(lines, conv) -> str:
    """Per k: each strategy minus random on the same held-out rows (main theme top-1), mean ± sd over runs."""
    out = []
    sel = [r for r in lines if r["convention"] == conv]
    by = {(r["register"], r["k"], r["seed"], r["how"]): r for r in sel}
    for k in sorted({r["k"] for r in sel}):
        for how in sorted({r["how"] for r in sel} - {"random"}):
            for key in ("top1_any", "main_theme_top1"):
                d = [
                    by[(reg, k, s, how)][key] - by[(reg, k, s, "random")][key]
                    for (reg, kk, s, hw) in by
                    if kk == k and hw == how and (reg, k, s, "random") in by
                ]
                if d:
                    out.append(
                        f"k={k} {how} - random, {key}: {np.mean(d):+.4f} ± {np.std(d, ddof=1):.4f} "
                        f"(runs {len(d)}, better in {sum(x > 0 for x in d)}, worse in {sum(x < 0 for x in d)})"
                    )
    return "\n".join(out)


if __name__ == "__main__":
    main()
