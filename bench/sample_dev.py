#!/usr/bin/env python
"""Which own rows teach `adapt` most? Development check on the team's own corpus (never the blind sets).

One register of the corpus's non-test rows plays the trust (base model trained on every other register,
as in bench/adapt_residual.py). Per (register, seed) a fixed 30% of the register is held out and scored;
k rows are chosen from the other 70% by each strategy (`pipeline.selection.choose_rows` on the base
model's probabilities, TF-IDF rows and encoder vectors), labelled, and learnt as `complaints adapt`
learns them: a refit of the engine on the corpus plus the own rows x3, with the residual correction
(fitted against the base model) added at half size. Every strategy is scored on the SAME held-out rows.
Seeds alternate the trust's filing convention (even: the guide's labels, odd: delay filed as
communication; bench/adapt_residual.py), applied alike to own and held-out rows.

The refit (`--refit shipped`, `pipeline.adapt_corpus.refit_themes`, ~50 s here) is too slow for enough
runs, so by default a stand-in (`--refit standin`, ~10 s): the same engine, hyperparameters and rows, but
(a) the TF-IDF vocabulary fitted once per register on the corpus plus every row of the register (each
once; min_df 3) instead of per run on corpus + own x3 with rare terms dropped, and (b) 2 folds instead of 5
for the out-of-fold scores that calibrate the heads. `--check` runs both on the same picks to see whether
the stand-in ranks the strategies as the shipped refit does.

    .venv/bin/python bench/sample_dev.py [--registers ...] [--ks 20 60 100] [--seeds 0 1]
Appends to out/sample_dev.jsonl; `--report FILE` prints the tables and the paired differences (mean ± SE).
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

from adapt_common import dev_corpus, score, table  # noqa: E402
from adapt_residual import CONVENTIONS, base_for, convert  # noqa: E402

from classifier.features.tfidf import TextFeatures  # noqa: E402
from classifier.models.residual import ResidualThemes  # noqa: E402
from classifier.models.themes import ThemeClassifier  # noqa: E402
from classifier.pipeline.adapt_corpus import REFIT_OWN_WEIGHT, refit_themes  # noqa: E402
from classifier.pipeline.selection import STRATEGIES, choose_rows  # noqa: E402

FEATURE_PARAMS = ("word_ngrams", "char_ngrams", "min_df", "max_word_features", "max_char_features")
DECISION_KS = (20, 60, 100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registers", nargs="+", default=["staff_summary", "phone_note", "email", "web_form"])
    ap.add_argument("--ks", type=int, nargs="+", default=list(DECISION_KS))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--strategies", nargs="+", default=list(STRATEGIES))
    ap.add_argument("--refit", choices=("standin", "shipped"), default="standin")
    ap.add_argument("--check", action="store_true", help="fit both the stand-in and the shipped refit")
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    if args.report:
        report(args.report)
        return
    rows, docs, gold, V, tax, params = dev_corpus()
    out = (ROOT / "out" / "sample_dev.jsonl").open("a", encoding="utf-8")
    refits = ("standin", "shipped") if args.check else (args.refit,)
    for reg in args.registers:
        base = base_for(reg, rows, docs, gold, V, tax, params)
        region = np.array([i for i, r in enumerate(rows) if r["register"] == reg])
        corpus = np.array([i for i, r in enumerate(rows) if r["register"] != reg])
        X = base.features_.transform([docs[i] for i in region])
        P = base.predict_proba([docs[i] for i in region], X=X, vectors=V[region])
        shared = TextFeatures(**{k: params[k] for k in FEATURE_PARAMS if k in params})
        shared.fit([docs[i] for i in corpus] + [docs[i] for i in region])
        for seed in args.seeds:
            conv_name = "none" if seed % 2 == 0 else "delay>comm"
            g = [convert(x, CONVENTIONS[conv_name]) for x in gold]
            rng = np.random.default_rng(1000 + seed)
            held = np.zeros(len(region), dtype=bool)
            held[rng.choice(len(region), int(0.3 * len(region)), replace=False)] = True
            h = region[held]
            scored = ([docs[i] for i in h], [g[i] for i in h], V[h])
            for k in args.ks:
                for how in args.strategies:
                    t = time.perf_counter()
                    local = choose_rows(P, X, k, ~held, vectors=V[region], strategy=how, seed=seed)
                    pick_s = time.perf_counter() - t
                    own = region[np.array(local, dtype=int)]
                    od, og, ov = [docs[i] for i in own], [g[i] for i in own], V[own]
                    cd, cg, cv = [docs[i] for i in corpus], [g[i] for i in corpus], V[corpus]
                    for refit_how in refits:
                        t = time.perf_counter()
                        if refit_how == "shipped":
                            p = {**params, "random_state": seed}
                            refit = refit_themes(tax, p, cd, cg, od, og, cv, ov)
                        else:
                            refit = standin_refit(tax, params, shared, cd, cg, od, og, cv, ov, seed)
                        m = ResidualThemes(taxonomy=tax, random_state=seed).fit(od, og, base, ov, refit=refit)
                        line = {"convention": conv_name, "register": reg, "k": k, "seed": seed, "how": how}
                        line.update(refit=refit_how, pick_seconds=round(pick_s, 2))
                        line["fit_seconds"] = round(time.perf_counter() - t, 1)
                        line.update(score(m, *scored))
                        print(json.dumps(line), flush=True)
                        out.write(json.dumps(line) + "\n")
                        out.flush()


def standin_refit(tax, params, shared, cd, cg, od, og, cv, ov, seed) -> ThemeClassifier:
    """The refit with a per-register vocabulary and 2-fold calibration (see the module docstring)."""
    w = REFIT_OWN_WEIGHT
    p = {**params, "cv_folds": 2, "random_state": seed}
    return ThemeClassifier(taxonomy=tax, **p).fit(
        list(cd) + list(od) * w, list(cg) + list(og) * w, shared_features=shared, vectors=np.vstack([cv] + [ov] * w)
    )


def load_lines(path: Path) -> list[dict]:
    raw = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.startswith("{")]
    key = ("refit", "register", "k", "seed", "how")
    return list({tuple(r.get(k) for k in key): r for r in raw}.values())  # a rerun replaces a line


def decision_value(r: dict) -> float:
    """The decision metric: mean of 'top suggestion one of the right themes' and 'main theme top-1'."""
    return 0.5 * (r["top1_any"] + r["main_theme_top1"])


def paired(lines: list[dict], ks=None) -> dict:
    """{(how, k): {metric: (mean, se, runs, better, worse)}}: strategy minus random on the same held-out rows."""
    by = {(r["register"], r["k"], r["seed"], r["how"]): r for r in lines}
    out: dict = {}
    for k in ks or sorted({r["k"] for r in lines}):
        for how in dict.fromkeys(r["how"] for r in lines):
            if how == "random":
                continue
            pairs = [
                (by[key], by[(key[0], k, key[2], "random")])
                for key in by
                if key[1] == k and key[3] == how and (key[0], k, key[2], "random") in by
            ]
            if not pairs:
                continue
            cell = {}
            for m, f in (
                ("decision", decision_value),
                ("top1_any", lambda r: r["top1_any"]),
                ("main_theme_top1", lambda r: r["main_theme_top1"]),
                ("macro_f1", lambda r: r["macro_f1"]),
            ):
                d = np.array([f(a) - f(b) for a, b in pairs])
                se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
                cell[m] = (float(d.mean()), float(se), len(d), int((d > 1e-9).sum()), int((d < -1e-9).sum()))
            out[(how, k)] = cell
    return out


def decide(diffs: dict, ks=DECISION_KS) -> tuple[str | None, str]:
    """The rule fixed before the results (bench/ADAPT_RESULTS.md): qualify if the paired mean of the
    decision metric is >= -1 SE at every k; ship the qualifier with the best mean over the ks; if none
    qualifies, the best mean anyway (and say so)."""
    hows = sorted({h for h, _ in diffs})
    mean = {h: np.mean([diffs[(h, k)]["decision"][0] for k in ks if (h, k) in diffs]) for h in hows}
    ok = [
        h
        for h in hows
        if all((h, k) in diffs and diffs[(h, k)]["decision"][0] >= -diffs[(h, k)]["decision"][1] for k in ks)
    ]
    if ok:
        best = max(ok, key=lambda h: mean[h])
        return best, f"qualifying: {', '.join(ok)}; best mean over k: {best} ({mean[best]:+.4f})"
    best = max(hows, key=lambda h: mean[h])
    return best, f"none qualifies; best mean over k: {best} ({mean[best]:+.4f})"


def report(path: Path):
    lines = load_lines(path)
    for refit in dict.fromkeys(r.get("refit", "standin") for r in lines):
        sel = [r for r in lines if r.get("refit", "standin") == refit]
        print(f"\nRefit: {refit}\n" + table(sel, ("k", "how")))
        diffs = paired(sel)
        print("\nPaired with random (same held-out rows and seed), mean ± SE (runs; better / worse):\n")
        print("| k | how | decision metric | top suggestion | main theme top-1 | macro F1 |\n|---|---|---|---|---|---|")
        for (how, k), cell in sorted(diffs.items(), key=lambda x: (x[0][1], x[0][0])):
            cells = [f"{m:+.4f} ± {se:.4f} ({n}; {b}/{w})" for m, se, n, b, w in cell.values()]
            print(f"| {k} | {how} | " + " | ".join(cells) + " |")
        if all(any((h, k) in diffs for h, _ in diffs) for k in DECISION_KS):
            print("\nDecision:", decide(diffs)[1])
    check = [r for r in lines if r.get("refit") == "shipped"]
    if check:
        print("\nStand-in vs shipped refit on the same picks (decision metric; rank 1 = best of the strategies):")
        by = {(r.get("refit", "standin"), r["register"], r["k"], r["seed"], r["how"]): r for r in lines}
        for reg, k, seed in sorted({(r["register"], r["k"], r["seed"]) for r in check}):
            hows = [h for (f, g, kk, s, h) in by if f == "shipped" and (g, kk, s) == (reg, k, seed)]
            hows = [h for h in hows if ("standin", reg, k, seed, h) in by]
            vals = {
                f: np.array([decision_value(by[(f, reg, k, seed, h)]) for h in hows]) for f in ("standin", "shipped")
            }
            ranks = {f: (-v).argsort(kind="stable").argsort() + 1 for f, v in vals.items()}
            rho = np.corrcoef(ranks["standin"], ranks["shipped"])[0, 1]
            print(f"\n{reg}, k={k}, seed {seed}: Spearman rank correlation {rho:+.2f}\n")
            print("| how | stand-in | rank | shipped | rank |\n|---|---|---|---|---|")
            for j, h in enumerate(hows):
                print(
                    f"| {h} | {vals['standin'][j]:.4f} | {ranks['standin'][j]} | "
                    f"{vals['shipped'][j]:.4f} | {ranks['shipped'][j]} |"
                )


if __name__ == "__main__":
    main()
