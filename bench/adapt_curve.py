#!/usr/bin/env python
"""Learning curve of `adapt` on the blind register-shift set (evaluation only).

For each seed, a random 80% of the 460 register-shift rows is the candidate pool
of a simulated trust. k rows (k = 20, 50, 100, 200) are taken from the pool as the
trust's own labelled rows, either at random or by `complaints sample`'s choice
(`pipeline.sample.choose_rows` with the default model), and adapted exactly as
`complaints adapt` does (AdaptedThemes with the default model's hyperparameters,
on the default model's corpus plus the own rows). Every row not chosen is scored.
Plain `train` on corpus + own rows repeated 3 times (the owners' method) is shown
for the random rows. k = 0 is the default model. Nothing in adapt was tuned on these
rows: its weights are chosen by cross-validation on the own rows.

    .venv/bin/python bench/adapt_curve.py [--seeds 0 1] [--ks 20 50 100 200]
Writes bench/ADAPT_RESULTS.md (and out/adapt_curve.json).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import classifier.models.adapted as adapted_mod  # noqa: E402
from classifier.models.adapted import AdaptedThemes  # noqa: E402
from classifier.models.descriptions import description_similarity  # noqa: E402
from classifier.models.themes import ThemeClassifier  # noqa: E402
from classifier.pipeline.adapt_card import figures  # noqa: E402
from classifier.pipeline.persistence import load_model  # noqa: E402
from classifier.pipeline.sample import choose_rows, score_rows  # noqa: E402
from classifier.taxonomy.schema import parse_theme_list  # noqa: E402
from classifier.text import prepare  # noqa: E402

_CACHE: dict[str, np.ndarray] = {}


def cached_similarity(texts, vectors):
    """Same results as description_similarity; each text is encoded once per run (bench speed only)."""
    todo = [t for t in dict.fromkeys(texts) if t not in _CACHE]
    if todo:
        for t, row in zip(todo, description_similarity(todo, vectors)):
            _CACHE[t] = row
    return np.vstack([_CACHE[t] for t in texts]) if texts else np.zeros((0, vectors.shape[0]))


def score(model, docs, gold):
    p = model.predict_proba(docs)
    pred = model.predict(docs, proba=p)
    r = figures(gold, pred, p, model.labels_, resamples=1)
    return {k: r[k] for k in ("top1_any", "main_theme_top1", "main_theme_top3", "macro_f1")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--ks", type=int, nargs="+", default=[20, 50, 100, 200])
    args = ap.parse_args()
    adapted_mod.description_similarity = cached_similarity
    base = load_model(ROOT / "models" / "default")
    tax = base.taxonomy
    with (ROOT / "training_data" / "register_shift" / "register_shift.csv").open(encoding="utf-8") as fh:
        rs = list(csv.DictReader(fh))
    with (ROOT / "training_data" / "representations.csv").open(encoding="utf-8") as fh:
        corpus = [r for r in csv.DictReader(fh) if r["split"] != "test" and r["themes"].strip()]
    docs = prepare([r["text"] for r in rs])
    gold = [parse_theme_list(r["themes"]) for r in rs]
    c_docs, c_gold = prepare([r["text"] for r in corpus]), [parse_theme_list(r["themes"]) for r in corpus]
    params = {
        k: v for k, v in base.themes.get_params().items() if k in AdaptedThemes._param_names() and k != "taxonomy"
    }
    scored = score_rows(base, docs)
    X = base.themes.features_.transform(docs)
    results = []

    def record(seed, k, how, model, own, extra=None):
        rest = [i for i in range(len(rs)) if i not in set(own) and gold[i]]
        fig = score(model, [docs[i] for i in rest], [gold[i] for i in rest])
        # Also the rows outside the pool: never chosen by either strategy, so the same rows for both.
        held = [i for i in range(len(rs)) if i not in in_pool and gold[i]]
        fixed = {f"heldout_{k2}": v for k2, v in score(model, [docs[i] for i in held], [gold[i] for i in held]).items()}
        results.append({"seed": seed, "k": k, "how": how, "scored_rows": len(rest), **fig, **fixed, **(extra or {})})
        print(json.dumps(results[-1]), flush=True)

    for seed in args.seeds:
        rng = np.random.default_rng(seed)
        pool = np.sort(rng.choice(len(rs), int(0.8 * len(rs)), replace=False))
        in_pool = set(pool.tolist())
        record(seed, 0, "default model", base.themes, [])
        for k in args.ks:
            eligible = np.zeros(len(rs), dtype=bool)
            eligible[pool] = ~scored.compliment[pool]
            chosen = {
                "random": [int(i) for i in rng.choice(pool, k, replace=False)],
                "sample": choose_rows(scored.proba, X, k, eligible),
            }
            for how, own in chosen.items():
                own_l = [i for i in own if gold[i]]  # rows without themes (compliments) teach no theme
                t = time.time()
                m = AdaptedThemes(taxonomy=tax, **params).fit(
                    [docs[i] for i in own_l], [gold[i] for i in own_l], c_docs, c_gold
                )
                record(
                    seed,
                    k,
                    f"adapt, {how} rows",
                    m,
                    own,
                    {
                        "own_weight": m.own_weight_,
                        "description_weight": m.description_weight_,
                        "seconds": round(time.time() - t),
                    },
                )
            own_l = [i for i in chosen["random"] if gold[i]]
            plain = ThemeClassifier(
                taxonomy=tax, **{k2: v for k2, v in base.themes.get_params().items() if k2 != "taxonomy"}
            )
            plain.fit(c_docs + [docs[i] for i in own_l] * 3, c_gold + [gold[i] for i in own_l] * 3)
            record(seed, k, "plain train x3, random rows", plain, chosen["random"])
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "adapt_curve.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    write_markdown(results, args)


def write_markdown(results, args):
    keys = ("top1_any", "main_theme_top1", "main_theme_top3", "macro_f1")
    groups: dict[tuple, list] = {}
    for r in results:
        groups.setdefault((r["k"], r["how"]), []).append(r)
    lines = [
        "| own rows | rows chosen / method | top suggestion one of the right themes | main theme top-1 "
        "| main theme in top 3 | macro F1 | own weight / description weight chosen |",
        "|---|---|---|---|---|---|---|",
    ]
    for (k, how), rows in sorted(groups.items(), key=lambda x: (x[0][0], x[0][1])):
        cells = []
        for key in keys:
            v = np.array([r[key] for r in rows])
            cells.append(f"{v.mean():.3f}" + (f" ± {v.std(ddof=1):.3f}" if len(v) > 1 else ""))
        ws = ", ".join(f"{r['own_weight']}/{r['description_weight']}" for r in rows if "own_weight" in r) or "-"
        lines.append(f"| {k} | {how} | " + " | ".join(cells) + f" | {ws} |")
    table = "\n".join(lines)
    path = ROOT / "bench" / "ADAPT_RESULTS.md"
    head = path.read_text(encoding="utf-8").split("<!-- table -->")[0] if path.exists() else "# adapt\n\n"
    path.write_text(
        head + "<!-- table -->\n" + f"Seeds {args.seeds}; mean ± sd over seeds.\n\n" + table + "\n", encoding="utf-8"
    )
    print(table)


if __name__ == "__main__":
    main()
