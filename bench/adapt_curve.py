#!/usr/bin/env python
"""`adapt` on the blind register-shift set (evaluation only; nothing is tuned here).

Two protocols, every model scored as the shipped model labels (TF-IDF and encoder heads):

- **pooled**: per seed, a random 80% of the 460 rows is the simulated trust's pool; k own rows are
  taken from it at random or by `complaints sample`'s choice (`pipeline.sample.choose_rows` with the
  default model: `--strategies`, "sample" being the shipped one). Scored twice: on the pool rows not chosen (what each strategy left: confounded,
  since `sample` removes the rows the model is least sure of) and on the 20% outside the pool
  (`heldout_*`: the same rows for both strategies, never chosen by either).
- **one register**: a real trust's rows share one house style. For each register with at least
  `--min-register` rows, k rows of that register are the own rows and the rest of it is scored;
  figures are also pooled over registers.

Compared with the shipped default model (k = 0) and plain `train` on the default model's corpus +
the same own rows x3 (the owners' method, default engine; `--plain`, ~1-2 minutes a fit, so the lines
recorded in bench/adapt_curve_lines.jsonl are reused where the protocol is the same). `adapt` runs as
`complaints adapt` does: the refit on corpus + own rows x3 (`pipeline.adapt_corpus.refit_themes`) with the
residual correction, fitted against the default model, at half size over it; `--no-refit`: the
correction over the default model alone (the adapt of the earlier rounds).

    .venv/bin/python bench/adapt_curve.py [--seeds 0 1] [--ks 20 50 100 200] [--register-k 20]
Writes out/adapt_curve.jsonl and prints markdown tables for bench/ADAPT_RESULTS.md.
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

from adapt_common import plain_train, prepared, read_rows, residual, score, table, theme_params  # noqa: E402

from classifier.pipeline.adapt_corpus import refit_themes  # noqa: E402
from classifier.pipeline.persistence import load_model  # noqa: E402
from classifier.pipeline.sample import score_rows  # noqa: E402
from classifier.pipeline.selection import SHIPPED_STRATEGY, choose_rows  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--ks", type=int, nargs="*", default=[20, 50, 100, 200])
    ap.add_argument("--register-k", type=int, default=20)
    ap.add_argument("--min-register", type=int, default=45)
    ap.add_argument("--protocols", nargs="+", default=["pooled", "register"])
    ap.add_argument("--adapt-only", action="store_true", help="refit adapt only (baselines already measured)")
    ap.add_argument("--no-refit", action="store_true", help="adapt without the corpus refit (earlier rounds)")
    ap.add_argument("--plain", action="store_true", help="also plain train x3 (~1-2 minutes a fit)")
    ap.add_argument(
        "--strategies", nargs="*", default=["uncertainty", "representative"], help="besides random rows (always)"
    )
    ap.add_argument(
        "--set",
        type=Path,
        default=ROOT / "training_data" / "register_shift" / "register_shift.csv",
        help="the blind set's CSV (default: register_shift)",
    )
    ap.add_argument("--report", type=Path, help="only print the tables of the lines in this .jsonl")
    args = ap.parse_args()
    if args.report:
        raw = [json.loads(x) for x in args.report.read_text(encoding="utf-8").splitlines() if x.startswith("{")]
        # A rerun replaces a run's earlier line (same protocol, k, seed and method).
        report(list({(r.get("set"), r["protocol"], r["k"], r["seed"], r["how"]): r for r in raw}.values()))
        return
    base = load_model(ROOT / "models" / "default")
    tax, params = base.taxonomy, theme_params(base.themes)
    rs_path = args.set
    rs = read_rows(rs_path)
    docs, gold, V = prepared(rs_path, rs)
    c_path = ROOT / "training_data" / "representations.csv"
    c_docs, c_gold, c_V = prepared(c_path, read_rows(c_path, lambda r: r["split"] != "test" and r["themes"].strip()))
    out = (ROOT / "out" / "adapt_curve.jsonl").open("a", encoding="utf-8")
    results = []

    def fit_all(own, how_rows, with_plain):
        own_l = [i for i in own if gold[i]]  # rows without themes (compliments) teach no theme
        od, og, ov = [docs[i] for i in own_l], [gold[i] for i in own_l], V[own_l]
        t = time.time()
        if args.no_refit:
            m = residual(tax, od, og, ov, base.themes)
            return [(f"adapt, {how_rows} rows", m, {"penalty": m.penalty_, "seconds": round(time.time() - t, 2)})]
        refit = refit_themes(tax, params, c_docs, c_gold, od, og, c_V, ov)  # as `complaints adapt` refits
        m = residual(tax, od, og, ov, base.themes, refit=refit)
        more = {"penalty": m.penalty_, "seconds": round(time.time() - t, 2)}
        fitted = [(f"adapt (refit + correction), {how_rows} rows", m, more)]
        if with_plain and args.plain and not args.adapt_only:
            p = plain_train(tax, params, c_docs + od * 3, c_gold + og * 3, np.vstack([c_V] + [ov] * 3))
            fitted.append((f"plain train x3 (rerun), {how_rows} rows", p, {}))
        return fitted

    def record(protocol, seed, k, how, model, scored_idx, held_idx=None, **more):
        s = [i for i in scored_idx if gold[i]]
        line = {
            "protocol": protocol,
            "set": rs_path.parent.name,
            "seed": seed,
            "k": k,
            "how": how,
            "scored_rows": len(s),
        }
        line.update(score(model, [docs[i] for i in s], [gold[i] for i in s], V[s]))
        if held_idx is not None:
            h = [i for i in held_idx if gold[i]]
            held = score(model, [docs[i] for i in h], [gold[i] for i in h], V[h])
            line.update({f"heldout_{k2}": v for k2, v in held.items()})
        line.update(more)
        results.append(line)
        print(json.dumps(line), flush=True)
        out.write(json.dumps(line) + "\n")
        out.flush()

    if "pooled" in args.protocols:
        scored = score_rows(base, docs)
        X = base.themes.features_.transform(docs)
        for seed in args.seeds:
            rng = np.random.default_rng(seed)
            pool = np.sort(rng.choice(len(rs), int(0.8 * len(rs)), replace=False))
            held = np.setdiff1d(np.arange(len(rs)), pool)
            if not args.adapt_only:
                record("pooled", seed, 0, "default model", base.themes, pool, held)
            for k in args.ks:
                eligible = np.zeros(len(rs), dtype=bool)
                eligible[pool] = ~scored.compliment[pool]
                chosen = {"random": [int(i) for i in rng.choice(pool, k, replace=False)]}
                for strategy in (s for s in args.strategies if s != "random"):
                    name = "sample" if strategy == SHIPPED_STRATEGY else f"sample ({strategy})"
                    chosen[name] = choose_rows(scored.proba, X, k, eligible, vectors=V, strategy=strategy, seed=seed)
                for how_rows, own in chosen.items():
                    rest = np.setdiff1d(pool, own)
                    for how, m, more in fit_all(own, how_rows, with_plain=how_rows == "random"):
                        record("pooled", seed, k, how, m, rest, held, **more)

    if "register" in args.protocols:
        regs = sorted({r["register"] for r in rs})
        for reg in regs:
            idx = np.array([i for i, r in enumerate(rs) if r["register"] == reg])
            if len(idx) < args.min_register:
                continue
            for seed in args.seeds:
                rng = np.random.default_rng(seed)
                own = [int(i) for i in rng.choice(idx, args.register_k, replace=False)]
                rest = np.setdiff1d(idx, own)
                if not args.adapt_only:
                    record(f"register:{reg}", seed, 0, "default model", base.themes, rest)
                for how, m, more in fit_all(own, "random", with_plain=True):
                    record(f"register:{reg}", seed, args.register_k, how, m, rest, **more)
    report(results)


def report(results):
    pooled = [r for r in results if r["protocol"] == "pooled"]
    if pooled:
        print("\nPooled, scored on the pool rows not chosen:\n" + table(pooled))
        held = [{**r, **{k[8:]: v for k, v in r.items() if k.startswith("heldout_")}} for r in pooled]
        print("\nPooled, scored on the rows outside the pool (same rows for every method):\n" + table(held))
    if pooled:
        print("\n" + paired_sample(pooled))
    reg = [{**r, "protocol": "one register"} for r in results if r["protocol"].startswith("register:")]
    if reg:
        print("\nOne register as the trust, pooled over registers and seeds:\n" + table(reg))
        print(
            "\nBy register:\n"
            + table([r for r in results if r["protocol"].startswith("register:")], ("protocol", "k", "how"))
        )


def paired_sample(pooled: list[dict]) -> str:
    """Held out: each `sample` rule's rows minus random rows, same seed and k (the refit adapt), mean ± SE."""
    by = {(r["seed"], r["k"], r["how"]): r for r in pooled}
    random_how = "adapt (refit + correction), random rows"
    out = [
        "| k | rows | runs | top suggestion | main theme top-1 | main theme in top 3 | macro F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    hows = sorted({h for (_, _, h) in by if h.startswith("adapt (refit + correction), sample")})
    for k in sorted({k for (_, k, _) in by}):
        for how in hows:
            pairs = [
                (by[key], by[(key[0], k, random_how)])
                for key in by
                if key[1:] == (k, how) and (key[0], k, random_how) in by
            ]
            if not pairs:
                continue
            cells = []
            for m in ("top1_any", "main_theme_top1", "main_theme_top3", "macro_f1"):
                d = np.array([a[f"heldout_{m}"] - b[f"heldout_{m}"] for a, b in pairs])
                se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
                cells.append(f"{d.mean():+.4f} ± {se:.4f}")
            out.append(f"| {k} | {how.split(', ', 1)[1]} - random | {len(pairs)} | " + " | ".join(cells) + " |")
    return "Held out, paired with random rows (mean ± SE over seeds):\n\n" + "\n".join(out)


if __name__ == "__main__":
    main()
