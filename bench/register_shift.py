"""Engines on text we did not train on: the blind register-shift set and leave-one-register-out.

For each engine in `classifier.pipeline.training.ENGINES` (rules fixed in advance, see
bench/REAL_TEXT_RESULTS.md):
- train on the corpus (training_data/representations.csv, split != test, as `make model`)
  and score the 460 blind register-shift texts (evaluation only: never trained or tuned on);
- leave-one-register-out (--loro): for each corpus register, train on the other registers'
  non-test rows and score every row of the held-out register.
Figures: top-1 (the top theme is one of the gold themes), main theme in top 3, theme
macro-F1, child recall / precision, kind accuracy; overall and per register.

The encoder runs once per text (vectors kept in memory and reused by every engine and fold).
Run: python bench/register_shift.py [--loro] [--engines tfidf,full] [--json out.json] [--set OTHER.csv]
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

from classifier.features.encoder import SentenceEncoder, default_encoder_dir  # noqa: E402
from classifier.features.points import complaint_points  # noqa: E402
from classifier.metrics import theme_report  # noqa: E402
from classifier.pipeline.model import Encoded  # noqa: E402
from classifier.pipeline.training import ENGINES, TrainingData, fit_model, read_training_data  # noqa: E402
from classifier.taxonomy.schema import load_taxonomy  # noqa: E402
from classifier.text import prepare  # noqa: E402

CORPUS = ROOT / "training_data" / "representations.csv"
SHIFT = ROOT / "training_data" / "register_shift" / "register_shift.csv"


def registers(path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return [r["register"] for r in csv.DictReader(fh)]


def encode_all(enc: SentenceEncoder, docs) -> Encoded:
    spans = [complaint_points(d.redacted) for d in docs]
    spans = [s if len(s) > 1 else [] for s in spans]
    vecs, pvecs = enc.encode_with_spans([d.redacted for d in docs], spans)
    return Encoded(vecs, spans, pvecs)


def subset_encoded(e: Encoded, idx) -> Encoded:
    return Encoded(e.vectors[idx], [e.point_spans[i] for i in idx], [e.point_vectors[i] for i in idx])


def subset_data(d: TrainingData, idx) -> TrainingData:
    pick = lambda v: None if v is None else [v[i] for i in idx]
    return TrainingData(
        pick(d.texts), pick(d.themes), pick(d.child), pick(d.kinds), pick(d.splits), d.data_sha256, len(idx)
    )


def score(model, docs, gold: TrainingData, encoded: Encoded | None, fast: bool) -> dict:
    """Figures for one engine on labelled rows."""
    analyses = model.analyse(docs, fast=fast, encoded=encoded)
    labels = model.themes.labels_
    rows = [i for i, t in enumerate(gold.themes) if t]
    proba = np.array([[analyses[i].theme_scores[l] for l in labels] for i in rows])
    out: dict = {"rows": len(docs)}
    if rows:
        order = np.argsort(-proba, axis=1)
        g = [gold.themes[i] for i in rows]
        out["top1"] = float(np.mean([labels[order[k, 0]] in g[k] for k in range(len(rows))]))
        out["top3_main"] = float(np.mean([g[k][0] in [labels[j] for j in order[k, :3]] for k in range(len(rows))]))
        rep = theme_report(g, [analyses[i].themes for i in rows], labels)
        out["macro_f1"] = rep["macro_f1"]
        out["theme_rows"] = len(rows)
    if gold.child is not None:
        t = np.array(gold.child, dtype=bool)
        p = np.array([bool(a.child_authored) for a in analyses])
        tp = int((t & p).sum())
        out["child_recall"] = tp / max(int(t.sum()), 1)
        out["child_precision"] = tp / max(int(p.sum()), 1)
        out["child_rows"] = int(t.sum())
    if gold.kinds is not None:
        out["kind_acc"] = float(np.mean([a.kind == k for a, k in zip(analyses, gold.kinds)]))
    return out


def by_register(model, docs, gold, encoded, fast, regs) -> dict:
    res = {"all": score(model, docs, gold, encoded, fast)}
    for r in sorted(set(regs)):
        idx = [i for i, x in enumerate(regs) if x == r]
        res[r] = score(
            model,
            [docs[i] for i in idx],
            subset_data(gold, idx),
            None if encoded is None else subset_encoded(encoded, idx),
            fast,
        )
    return res


def train(engine, docs, data, tax, encoded, encode):
    """One model per engine; `full` is `tfidf+embed+zeroshot` with points switched on."""
    base = "tfidf+embed+zeroshot" if engine == "full" else engine
    model, *_ = fit_model(
        docs, data, tax, seed=0, engine=base, vectors=None if engine == "tfidf" else encoded.vectors, encode=encode
    )
    model.points = engine == "full"
    return model


def train_cached(engine, reuse: dict, *args):
    """`full` and `tfidf+embed+zeroshot` differ only in the points switch: train once."""
    key = "tfidf+embed+zeroshot" if engine == "full" else engine
    if key not in reuse:
        reuse[key] = train(key, *args)
    model = reuse[key]
    model.points = engine == "full"
    return model


def fmt(r: dict) -> str:
    f = lambda k: f"{r[k]:.3f}" if k in r else "—"
    return (
        f"{f('top1')} | {f('top3_main')} | {f('macro_f1')} | {f('child_recall')} | "
        f"{f('child_precision')} | {f('kind_acc')} | {r['rows']}"
    )


def markdown(r: dict) -> str:
    """The tables of bench/REAL_TEXT_RESULTS.md from the --json output."""
    f = lambda v, k: f"{v[k]:.3f}" if k in v else "—"
    out = []
    if r.get("shift"):
        out += [
            "### Register-shift set (460 blind texts), all registers",
            "",
            "| engine | top-1 | main in top-3 | macro-F1 | child recall | child precision | kind |",
            "|---|---|---|---|---|---|---|",
        ]
        for e, per in r["shift"].items():
            v = per["all"]
            out.append(
                f"| {e} | {f(v, 'top1')} | {f(v, 'top3_main')} | {f(v, 'macro_f1')} | "
                f"{f(v, 'child_recall')} | {f(v, 'child_precision')} | {f(v, 'kind_acc')} |"
            )
        out.append("| target | 0.75 | 0.90 | 0.58 | 0.85 | 0.85 | 0.96 |")
        engines = list(r["shift"])
        regs = [k for k in r["shift"][engines[0]] if k != "all"]
        out += [
            "",
            "### Register-shift set by register: top-1 / macro-F1 / child recall",
            "",
            "| register | rows | " + " | ".join(engines) + " |",
            "|---|---|" + "---|" * len(engines),
        ]
        for g in regs:
            cells = [
                f"{f(r['shift'][e][g], 'top1')} / {f(r['shift'][e][g], 'macro_f1')} / "
                f"{f(r['shift'][e][g], 'child_recall')}"
                for e in engines
            ]
            out.append(f"| {g} | {r['shift'][engines[0]][g]['rows']} | " + " | ".join(cells) + " |")
    if r.get("loro"):
        engines = list(r["loro"])
        for e in engines:  # pooled child figures, for JSON written before they were added
            per = {k: v for k, v in r["loro"][e].items() if not k.startswith("pooled")}
            pooled = next((v for k, v in r["loro"][e].items() if k.startswith("pooled")), None)
            if pooled is not None and "child_recall" not in pooled:
                tp = sum(v["child_recall"] * v["child_rows"] for v in per.values())
                pred = sum(
                    v["child_recall"] * v["child_rows"] / v["child_precision"]
                    for v in per.values()
                    if v["child_precision"]
                )
                pooled["child_recall"] = tp / sum(v["child_rows"] for v in per.values())
                pooled["child_precision"] = tp / pred
        regs = list(r["loro"][engines[0]])
        out += [
            "",
            "### Leave-one-register-out on the corpus: top-1 / main in top-3 / macro-F1",
            "",
            "Train on the other registers' non-test rows, score every row of the held-out register.",
            "",
            "| held-out register | rows | " + " | ".join(engines) + " |",
            "|---|---|" + "---|" * len(engines),
        ]
        for g in regs:
            cells = [
                f"{f(r['loro'][e][g], 'top1')} / {f(r['loro'][e][g], 'top3_main')} / {f(r['loro'][e][g], 'macro_f1')}"
                for e in engines
            ]
            out.append(f"| {g} | {r['loro'][engines[0]][g]['rows']} | " + " | ".join(cells) + " |")
        out += [
            "",
            "### Leave-one-register-out: child recall / precision, kind accuracy",
            "",
            "| held-out register | " + " | ".join(engines) + " |",
            "|---|" + "---|" * len(engines),
        ]
        for g in regs:
            v = r["loro"][engines[0]][g]
            cells = [
                f"{f(r['loro'][e][g], 'child_recall')} / {f(r['loro'][e][g], 'child_precision')}, "
                f"{f(r['loro'][e][g], 'kind_acc')}"
                for e in engines
            ]
            out.append(f"| {g} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


HEAD = "| engine | register | top-1 | main in top-3 | macro-F1 | child recall | child precision | kind | rows |"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--loro", action="store_true", help="also leave-one-register-out on the corpus")
    ap.add_argument("--no-shift", action="store_true", help="skip the register-shift set")
    ap.add_argument("--json", type=Path, help="write all figures here")
    ap.add_argument("--set", type=Path, default=SHIFT, help="the blind set's CSV (default: register_shift)")
    ap.add_argument(
        "--markdown",
        type=Path,
        nargs="+",
        metavar="JSON",
        help="only print the markdown tables of earlier --json outputs (merged)",
    )
    args = ap.parse_args(argv)
    if args.markdown:
        merged: dict = {"shift": {}, "loro": {}}
        for p in args.markdown:
            for part, v in json.loads(p.read_text()).items():
                merged[part].update(v)
        print(markdown(merged))
        return 0
    engines = [e for e in args.engines.split(",") if e]
    tax = load_taxonomy()
    t0 = time.perf_counter()
    enc = SentenceEncoder(default_encoder_dir())
    corpus = read_training_data(CORPUS)
    cdocs = prepare(corpus.texts)
    cenc = encode_all(enc, cdocs)
    print(f"corpus encoded: {len(cdocs)} texts in {time.perf_counter() - t0:.0f} s", flush=True)
    results: dict = {"shift": {}, "loro": {}}
    if not args.no_shift:
        shift = read_training_data(args.set)
        sdocs = prepare(shift.texts)
        senc = encode_all(enc, sdocs)
        sregs = registers(args.set)
        reuse: dict = {}
        for e in engines:
            t1 = time.perf_counter()
            model = train_cached(e, reuse, cdocs, corpus, tax, cenc, enc.encode)
            results["shift"][e] = by_register(model, sdocs, shift, None if e == "tfidf" else senc, e == "tfidf", sregs)
            print(f"shift {e}: {fmt(results['shift'][e]['all'])} ({time.perf_counter() - t1:.0f} s)", flush=True)
    if args.loro:
        cregs = registers(CORPUS)
        for r in sorted(set(cregs)):
            train_idx = [i for i, x in enumerate(cregs) if x != r and corpus.splits[i] != "test"]
            test_idx = [i for i, x in enumerate(cregs) if x == r]
            tr = subset_data(corpus, train_idx)
            te = subset_data(corpus, test_idx)
            reuse = {}
            for e in engines:
                model = train_cached(
                    e, reuse, [cdocs[i] for i in train_idx], tr, tax, subset_encoded(cenc, train_idx), enc.encode
                )
                res = score(
                    model,
                    [cdocs[i] for i in test_idx],
                    te,
                    None if e == "tfidf" else subset_encoded(cenc, test_idx),
                    e == "tfidf",
                )
                results["loro"].setdefault(e, {})[r] = res
                print(f"loro {r} {e}: {fmt(res)}", flush=True)
        for e in engines:  # pooled over held-out registers, weighted by rows
            per = results["loro"][e]
            pooled = {}
            for k in ("top1", "top3_main", "macro_f1", "kind_acc"):
                w = [
                    (v[k], v.get("theme_rows" if k != "kind_acc" else "rows", v["rows"]))
                    for v in per.values()
                    if k in v
                ]
                pooled[k] = sum(a * b for a, b in w) / sum(b for _, b in w)
            pooled["rows"] = sum(v["rows"] for v in per.values())
            tp = sum(v["child_recall"] * v["child_rows"] for v in per.values() if v.get("child_rows"))
            pos = sum(v["child_rows"] for v in per.values() if v.get("child_rows"))
            pred = sum(
                v["child_recall"] * v["child_rows"] / v["child_precision"]
                for v in per.values()
                if v.get("child_rows") and v["child_precision"]
            )
            pooled["child_recall"], pooled["child_precision"] = tp / pos, tp / pred
            results["loro"][e]["pooled (row-weighted)"] = pooled
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print("\n" + HEAD + "\n|---|---|---|---|---|---|---|---|---|")
    for part in ("shift", "loro"):
        for e, per in results[part].items():
            for reg, r in per.items():
                print(f"| {e} | {part}: {reg} | {fmt(r)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
