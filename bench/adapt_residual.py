#!/usr/bin/env python
"""Development check for the residual `adapt` head and for `sample`, on the team's own corpus only.

Same protocol as bench/adapt_dev.py ("one register as the trust": the base model is trained on every
other register of the corpus's non-test rows; k rows of the held-out register are the own rows, the
rest of it is scored; own rows drawn as adapt_dev.py draws them, so seeds 0-2 at k = 60 are the same
rows as its recorded lines). The blind sets are never read here.

Conventions (`--convention`, a SIMULATION of a trust that files some themes differently from the
guide, applied alike to its own rows and to the rows scored):
  none            the guide's labels
  delay>comm      every "delay" becomes "communication" (the trust has no delay theme)
  financial>support  every "financial" becomes "support"
Plain training on corpus + own x3 and the corpus-refit `adapt` cost ~2 minutes a fit, so they run only
with --slow (and only where no recorded line with the same protocol exists).

    .venv/bin/python bench/adapt_residual.py [--registers staff_summary phone_note] [--ks 20 60 100]
        [--seeds 0 1 2] [--conventions none delay>comm] [--variants ...] [--sample] [--slow]
Appends its lines to out/adapt_residual.jsonl; `--report FILE` prints the tables. Variants "words xN" put the
base model's TF-IDF row in phi (word_scale; bench/ADAPT_RESULTS.md, "A trust's wording").
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

from classifier.models.residual import ResidualThemes  # noqa: E402
from classifier.models.themes import ThemeClassifier  # noqa: E402
from classifier.pipeline.state import dump_state, loads_state  # noqa: E402

CONVENTIONS = {"none": {}, "delay>comm": {"delay": "communication"}, "financial>support": {"financial": "support"}}
LOGIT = {"base_feature": "logit", "base_scale": 1.0}
# Fixed penalties ("residual, logits, penalty 3/10/30/100") were measured with penalties=(p,) before the base
# model became a candidate of every search; those lines are in bench/adapt_residual_lines.jsonl.
VARIANTS = {
    "residual": {},  # the defaults (probabilities x4, vector x4, one standard error)
    "residual, logits": LOGIT,
    "residual, logits only": {**LOGIT, "vector_scale": 0.0},
    "residual, vector only": {"use_logits": False},
    "residual, logits, vector x2": {**LOGIT, "vector_scale": 2.0},
    "residual, logits, vector x8": {**LOGIT, "vector_scale": 8.0},
    "residual, logits, best CV": {**LOGIT, "standard_errors": 0.0},
    "residual, probabilities": {"base_feature": "probability", "base_scale": 1.0},
    "residual, probabilities x4": {"base_feature": "probability", "base_scale": 4.0},
    "residual, probabilities x4, best CV": {"base_feature": "probability", "base_scale": 4.0, "standard_errors": 0.0},
    "residual, logits x0.3": {**LOGIT, "base_scale": 0.3},
    "residual, probabilities x8": {"base_feature": "probability", "base_scale": 8.0},
    "residual, probabilities x4, no vector": {"base_feature": "probability", "base_scale": 4.0, "vector_scale": 0.0},
    "residual, probabilities x4, vector x8": {"base_feature": "probability", "base_scale": 4.0, "vector_scale": 8.0},
    "residual, probabilities x4, 0.5 SE": {"base_feature": "probability", "base_scale": 4.0, "standard_errors": 0.5},
    "residual, logits only, best CV": {**LOGIT, "vector_scale": 0.0, "standard_errors": 0.0},
    # The TF-IDF row in phi (issue 15 follow-up: a trust's wording); its prior is penalty / scale^2.
    "residual, words x2": {"word_scale": 2.0},
    "residual, words x4": {"word_scale": 4.0},
    "residual, words x8": {"word_scale": 8.0},
    "residual, words x16": {"word_scale": 16.0},
    "residual, words x8, 0.5 SE": {"word_scale": 8.0, "standard_errors": 0.5},
    "residual, words x4, best CV": {"word_scale": 4.0, "standard_errors": 0.0},
    "residual, words x16, best CV": {"word_scale": 16.0, "standard_errors": 0.0},
    "residual, best CV": {"standard_errors": 0.0},
    "residual, words x4, 0.5 SE": {"word_scale": 4.0, "standard_errors": 0.5},
}


def convert(row: list[str], conv: dict) -> list[str]:
    out: list[str] = []
    for t in row:
        t = conv.get(t, t)
        if t not in out:
            out.append(t)
    return out


def base_for(reg, rows, docs, gold, V, tax, params):
    """The base model without `reg`, fitted once and kept in out/ (numbers only)."""
    cache = ROOT / "out" / f"adapt_base_without_{reg}.npz"
    if cache.exists():
        return loads_state(cache.read_bytes())
    idx = [i for i, r in enumerate(rows) if r["register"] != reg]
    base = ThemeClassifier(taxonomy=tax, **params).fit([docs[i] for i in idx], [gold[i] for i in idx], vectors=V[idx])
    dump_state(base, cache)
    return base


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registers", nargs="+", default=["staff_summary", "phone_note"])
    ap.add_argument("--ks", type=int, nargs="+", default=[20, 60, 100])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--conventions", nargs="+", default=["none", "delay>comm"])
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS))
    ap.add_argument("--sample", action="store_true", help="compare ways of choosing the own rows")
    ap.add_argument("--slow", action="store_true", help="also plain train x3 and the corpus-refit adapt")
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    if args.report:
        raw = [json.loads(x) for x in args.report.read_text(encoding="utf-8").splitlines() if x.startswith("{")]
        lines = list({(r["convention"], r["register"], r["k"], r["seed"], r["how"]): r for r in raw}.values())
        for conv in dict.fromkeys(r["convention"] for r in lines):
            sel = [r for r in lines if r["convention"] == conv]
            print(f"\nConvention {conv}:\n" + table(sel, ("k", "how"), ("fit s", _seconds)))
        return
    rows, docs, gold, V, tax, params = dev_corpus()
    out = (ROOT / "out" / "adapt_residual.jsonl").open("a", encoding="utf-8")

    for reg in args.registers:
        base = base_for(reg, rows, docs, gold, V, tax, params)
        pool = np.array([i for i, r in enumerate(rows) if r["register"] == reg])
        for conv_name in args.conventions:
            conv = CONVENTIONS[conv_name]
            g = [convert(x, conv) for x in gold]
            for k in args.ks:
                for seed in args.seeds:
                    rng = np.random.default_rng(seed)
                    own = rng.choice(pool, k, replace=False)  # as bench/adapt_dev.py draws them
                    rest = np.setdiff1d(pool, own)
                    scored = ([docs[i] for i in rest], [g[i] for i in rest], V[rest])

                    def record(how, model, seconds=None, scored=scored, key=(conv_name, reg, k, seed), **more):
                        line = dict(zip(("convention", "register", "k", "seed"), key), how=how)
                        line.update(score(model, *scored))
                        line.update(more)
                        if seconds is not None:
                            line["seconds"] = round(seconds, 3)
                        print(json.dumps(line), flush=True)
                        out.write(json.dumps(line) + "\n")
                        out.flush()

                    record("base model", base)
                    od, og, ov = [docs[i] for i in own], [g[i] for i in own], V[own]
                    for name in args.variants:
                        t = time.perf_counter()
                        m = ResidualThemes(taxonomy=tax, random_state=seed, **VARIANTS[name]).fit(od, og, base, ov)
                        record(name, m, time.perf_counter() - t, penalty=m.penalty_)
                    if args.slow:
                        bidx = [i for i, r in enumerate(rows) if r["register"] != reg]
                        bd, bg, bv = [docs[i] for i in bidx], [gold[i] for i in bidx], V[bidx]  # corpus: the guide
                        t = time.perf_counter()
                        p = plain_train(tax, params, bd + od * 3, bg + og * 3, np.vstack([bv] + [ov] * 3))
                        record("plain train x3", p, time.perf_counter() - t)
                        t = time.perf_counter()
                        a = adapt(tax, params, od, og, ov, bd, bg, base)
                        record("adapt (corpus refit)", a, time.perf_counter() - t)
                        t = time.perf_counter()
                        r = ResidualThemes(taxonomy=tax, random_state=seed).fit(od, og, a, ov)
                        record("residual on corpus-refit adapt", r, time.perf_counter() - t, penalty=r.penalty_)


def _seconds(rows) -> str:
    s = [r["seconds"] for r in rows if "seconds" in r]
    return f"{np.median(s):.2f}" if s else ""


if __name__ == "__main__":
    main()
