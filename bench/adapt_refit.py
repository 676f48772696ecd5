#!/usr/bin/env python
"""Development check (issue 15): plain refit on corpus + own rows x3 as the new base, with the residual
correction on top. Dev only, the team's own corpus; the blind sets are never read here.

Protocol as bench/adapt_residual.py (one corpus register as the trust, base model trained on every other
register, k own rows drawn as bench/adapt_dev.py draws them, the rest of the register scored; simulated
filing conventions applied alike to own and scored rows). Per run it fits the residual correction against
the ORIGINAL base model (as `complaints adapt` does) and the plain refit (~1-2 minutes; the refit's
state is kept in out/, numbers only), then scores combinations:

  refit + correction       z = logit p_refit + b + W . phi_base(x)   (phi from the base model, as fitted)
  refit + correction, phi refit   the same with phi from the refit's probabilities
  refit + half correction  z = logit p_refit + (b + W . phi_base) / 2
  mean of logits           z = (logit p_refit + z_residual) / 2
  mix m, correction x c    z = m logit p_refit + (1 - m) logit p_base + c (b + W . phi_base)

with the refit's thresholds, and "..., shrunk thresholds" (each theme's threshold tuned on the
correction's out-of-fold own-row probabilities, shrunk toward the refit's by the theme's own positives).

    .venv/bin/python bench/adapt_refit.py [--ks 60] [--seeds 0 1 2] [--conventions none delay>comm]
Appends to out/adapt_refit.jsonl; `--report FILE` prints tables and paired differences.
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

from adapt_common import KEYS, dev_corpus, plain_train, score, table  # noqa: E402
from adapt_residual import CONVENTIONS, base_for, convert  # noqa: E402

from classifier.models.linear import _sigmoid, best_f1_threshold  # noqa: E402
from classifier.models.residual import ResidualThemes, logit  # noqa: E402
from classifier.models.themes import ThemeClassifier  # noqa: E402
from classifier.pipeline.adapt_corpus import refit_themes  # noqa: E402
from classifier.pipeline.state import dump_state, loads_state  # noqa: E402


class Fixed(ThemeClassifier):
    """Scores given probabilities with given thresholds, labelling as the shipped model does."""

    def __init__(self, like, proba, thresholds):
        self.proba_, self.thresholds_ = proba, thresholds
        self.labels_, self.taxonomy_ = like.labels_, like.taxonomy_
        self.keywords_, self.keyword_floor = like.keywords_, like.keyword_floor
        self.vector_head_ = like.vector_head_

    def predict_proba(self, texts, X=None, vectors=None):
        return self.proba_


def shrunk(oof, Y, start: dict, labels, prior_rows: float, bounds=(0.05, 0.9)) -> dict:
    """Per theme: the F1-best threshold on out-of-fold own probabilities, shrunk toward `start`
    by the theme's own positives n: (prior_rows * start + n * own) / (prior_rows + n)."""
    out = {}
    for j, l in enumerate(labels):
        n = float(Y[:, j].sum())
        if n == 0:
            out[l] = float(start[l])
            continue
        own = best_f1_threshold(oof[:, j], Y[:, j], bounds)
        out[l] = float((prior_rows * start[l] + n * own) / (prior_rows + n))
    return out


def refit_for(reg, conv_name, k, seed, train: tuple, how=plain_train):
    """`how(*train)`: plain train on corpus + own rows x3 by default; kept in out/ (numbers only)."""
    cache = ROOT / "out" / f"adapt_refit_{reg}_{conv_name.replace('>', '-')}_{k}_{seed}.npz"
    if cache.exists():
        return loads_state(cache.read_bytes()), None
    t = time.perf_counter()
    model = how(*train)
    seconds = time.perf_counter() - t
    dump_state(model, cache)
    return model, seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registers", nargs="+", default=["staff_summary", "phone_note"])
    ap.add_argument("--ks", type=int, nargs="+", default=[60])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--conventions", nargs="+", default=["none", "delay>comm"])
    ap.add_argument("--prior-rows", type=float, nargs="+", default=[10.0, 30.0])
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    if args.report:
        report(args.report)
        return
    rows, docs, gold, V, tax, params = dev_corpus()
    out = (ROOT / "out" / "adapt_refit.jsonl").open("a", encoding="utf-8")
    for reg in args.registers:
        base = base_for(reg, rows, docs, gold, V, tax, params)
        pool = np.array([i for i, r in enumerate(rows) if r["register"] == reg])
        bidx = [i for i, r in enumerate(rows) if r["register"] != reg]
        bd, bg, bv = [docs[i] for i in bidx], [gold[i] for i in bidx], V[bidx]
        for conv_name in args.conventions:
            g = [convert(x, CONVENTIONS[conv_name]) for x in gold]
            for k in args.ks:
                for seed in args.seeds:
                    own = np.random.default_rng(seed).choice(pool, k, replace=False)
                    rest = np.setdiff1d(pool, own)
                    sd, sg, sv = [docs[i] for i in rest], [g[i] for i in rest], V[rest]
                    od, og, ov = [docs[i] for i in own], [g[i] for i in own], V[own]
                    key = {"convention": conv_name, "register": reg, "k": k, "seed": seed}

                    def record(how, model, key=key, scored=(sd, sg, sv), **more):
                        line = {**key, "how": how, **score(model, *scored), **more}
                        print(json.dumps(line), flush=True)
                        out.write(json.dumps(line) + "\n")
                        out.flush()

                    t = time.perf_counter()
                    res = ResidualThemes(taxonomy=tax, random_state=seed).fit(od, og, base, ov)
                    res_s = time.perf_counter() - t
                    train = (tax, params, bd + od * 3, bg + og * 3, np.vstack([bv] + [ov] * 3))
                    refit, refit_s = refit_for(reg, conv_name, k, seed, train)
                    record("base model", base)
                    record("residual", res, seconds=round(res_s, 2), penalty=res.penalty_)
                    record("plain train x3", refit, **({"seconds": round(refit_s, 1)} if refit_s else {}))
                    # As `complaints adapt` refits: terms fewer than min_df distinct texts use are dropped.
                    own_refit, own_refit_s = refit_for(
                        reg, conv_name + "-pruned", k, seed, (tax, params, bd, bg, od, og, bv, ov), refit_themes
                    )
                    shipped = ResidualThemes(taxonomy=tax, random_state=seed).fit(od, og, base, ov, refit=own_refit)
                    more = {"seconds": round(own_refit_s + res_s, 1)} if own_refit_s else {}
                    record(
                        "adapt (refit, rare terms dropped, + half correction)", shipped, penalty=res.penalty_, **more
                    )
                    record("refit, rare terms dropped", own_refit)
                    # The scored rows' probabilities under each model.
                    Xb = base.features_.transform(sd)
                    off_base = logit(base.predict_proba(sd, X=Xb, vectors=sv))
                    off_refit = logit(refit.predict_proba(sd, vectors=sv))
                    delta_base = res.bias_ + np.asarray(res._phi(off_base, sv) @ res.coef_.T)
                    delta_refit = res.bias_ + np.asarray(res._phi(off_refit, sv) @ res.coef_.T)
                    z_res = off_base + delta_base
                    combos = {
                        "refit + correction": off_refit + delta_base,
                        "refit + correction, phi refit": off_refit + delta_refit,
                        "refit + half correction": off_refit + 0.5 * delta_base,
                        "mean of logits": 0.5 * (off_refit + z_res),
                    }
                    # z = m logit p_refit + (1 - m) logit p_base + c delta
                    for m, c in ((0.5, 1.0), (0.75, 1.0), (0.75, 0.5), (0.5, 0.75)):
                        combos[f"mix {m:g}, correction x{c:g}"] = m * off_refit + (1 - m) * off_base + c * delta_base
                    Y = np.array([[lab in row for lab in res.labels_] for row in og], dtype=float)
                    for name, z in combos.items():
                        P = _sigmoid(z)
                        record(name, Fixed(refit, P, refit.thresholds_), penalty=res.penalty_)
                        if name == "refit + correction":
                            record(f"{name}, residual's thresholds", Fixed(refit, P, res.thresholds_))
                            for n0 in args.prior_rows:
                                th = shrunk(res.oof_proba_, Y, refit.thresholds_, res.labels_, n0)
                                record(f"{name}, shrunk thresholds ({n0:g})", Fixed(refit, P, th))
                    for n0 in args.prior_rows:
                        th = shrunk(res.oof_proba_, Y, res.thresholds_, res.labels_, n0)
                        record(
                            f"residual, shrunk thresholds ({n0:g})", Fixed(res, res.predict_proba(sd, vectors=sv), th)
                        )


def report(path: Path):
    raw = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.startswith("{")]
    lines = list({(r["convention"], r["register"], r["k"], r["seed"], r["how"]): r for r in raw}.values())
    for conv in dict.fromkeys(r["convention"] for r in lines):
        sel = [r for r in lines if r["convention"] == conv]
        print(f"\n{conv}:\n" + table(sel, ("k", "how")))
        print("\nPaired differences (mean ± sd over runs):\n```")
        by = {(r["register"], r["k"], r["seed"], r["how"]): r for r in sel}
        hows = list(dict.fromkeys(r["how"] for r in sel))
        for k in sorted({r["k"] for r in sel}):
            for ref in ("plain train x3", "residual"):
                for how in hows:
                    if how in (ref, "base model"):
                        continue
                    pairs = [
                        (by[(g, kk, s, how)], by[(g, kk, s, ref)])
                        for (g, kk, s, h) in by
                        if h == how and kk == k and (g, kk, s, ref) in by
                    ]
                    if not pairs:
                        continue
                    d = {m: np.array([a[m] - b[m] for a, b in pairs]) for m in KEYS}
                    cells = ", ".join(
                        f"{m} {v.mean():+.4f} ± {v.std(ddof=1) if len(v) > 1 else 0:.4f}" for m, v in d.items()
                    )
                    print(f"k={k} {how} - {ref} (runs {len(pairs)}): {cells}")
        print("```")


if __name__ == "__main__":
    main()
