"""Session 6 tuning of the learning extractor: repeated 5-fold CV on train+dev and the dev documents.

Each variant (a set of LearningExtractor settings) is scored by 5-fold
cross-validation of the train and dev splits of learning_sentences.csv for
each seed (200 complaint sentences added to every training fold as
negatives, as `make model` trains; threshold from inner CV of each fold),
then trained on all of train+dev and run on the development documents
(training_data/learning_documents, annual_reports_dev and learning_bulletins_dev). `test` and the
blind sets are never read. Prepared text and pattern matches are cached
across folds, so a variant costs about a minute per seed on one core.

    .venv/bin/python bench/learning_tune.py --only baseline "pattern_weight=1" [--seeds 0 1 2] [--no-docs]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from learning import DEV_DOCUMENTS, out_of_fold  # noqa: E402

import classifier.learning.extractor as extractor_module  # noqa: E402
from classifier.learning import LearningExtractor, evaluate_learning_documents  # noqa: E402
from classifier.learning.api import complaint_sentences  # noqa: E402
from classifier.learning.patterns import PatternSet  # noqa: E402
from classifier.text import prepare  # noqa: E402

VARIANTS: dict[str, dict] = {
    "baseline": {},
}


def parse_variant(name: str) -> dict:
    """'baseline' or 'key=value;key=value' (values read as Python literals)."""
    import ast

    if name in VARIANTS:
        return VARIANTS[name]
    out = {}
    for part in name.split(";"):
        key, value = part.split("=", 1)
        out[key.strip()] = ast.literal_eval(value.strip())
    return out


def cache_text_work() -> None:
    """Memoise prepare() and pattern matching by text: folds re-read the same sentences."""
    prepared: dict[str, object] = {}

    def cached_prepare(texts, redact=True):
        texts = list(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in prepared]
        for t, p in zip(todo, prepare(todo, redact)):
            prepared[t] = p
        return [prepared[t] for t in texts]

    extractor_module.prepare = cached_prepare
    rows: dict[tuple, np.ndarray] = {}
    original = PatternSet.matrix

    def cached_matrix(self, docs):
        key = tuple(self.names)
        todo = [d for d in dict.fromkeys(docs) if (key, d.redacted) not in rows]
        if todo:
            for d, r in zip(todo, original(self, todo)):
                rows[(key, d.redacted)] = r
        return np.array([rows[(key, d.redacted)] for d in docs], dtype=np.float32).reshape(len(docs), -1)

    PatternSet.matrix = cached_matrix


def train_dev_sentences(path) -> tuple[list[str], list[str], list[str], np.ndarray, np.ndarray]:
    """(complaint negatives, sentences, types, learning flags, row ids) of train+dev."""
    with (ROOT / "training_data" / "representations.csv").open(encoding="utf-8") as fh:
        complaints = [r["text"] for r in csv.DictReader(fh) if r["split"] == "train"]
    neg = complaint_sentences(complaints, limit=200, seed=0)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame["split"].str.strip().str.lower() != "test"].reset_index(drop=True)
    sent, types = frame["sentence"].tolist(), frame["type"].str.strip().tolist()
    y = frame["learning"].str.lower().eq("true").to_numpy()
    return neg, sent, types, y, frame["id"].to_numpy()


def part_of(ids: np.ndarray) -> np.ndarray:
    """The part file (a writer's batch) each row id comes from: 'lr-71-004' -> 'lr-71'."""
    return np.array([i.rsplit("-", 1)[0] for i in ids])


def fold_splits(y, seed, groups=None, always=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """5-fold (train, held-out) row indices. `always` (a bool per row) marks rows that join every
    training part and are never held out; the folds of the other rows are the ones a run without
    them gets, so what adding rows does is measured on the same held-out rows, free of fold reshuffling."""
    scored = np.flatnonzero(~always) if always is not None else np.arange(len(y))
    extra = np.flatnonzero(always) if always is not None else np.zeros(0, dtype=int)
    s_y = np.asarray(y)[scored]
    if groups is None:
        inner = StratifiedKFold(5, shuffle=True, random_state=seed).split(scored, s_y)
    else:  # whole part files (one writer's batch) held out together: a fold reads an unseen writer
        inner = StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(scored, s_y, np.asarray(groups)[scored])
    return [(np.concatenate([scored[tr], extra]), scored[te]) for tr, te in inner]


def cv_scores(sent, y, types, negatives, seed, params, groups=None, always=None) -> dict:
    """Out-of-fold figures over the rows `fold_splits` holds out (scores NaN for `always` rows)."""
    splits = fold_splits(y, seed, groups, always)
    scored = np.sort(np.concatenate([te for _, te in splits]))
    s_y = y[scored]
    scores = np.full(len(y), np.nan)
    pred, got = out_of_fold(sent, y, types, negatives, seed, params, splits, scores)
    pred, got, y, types = pred[scored], [got[i] for i in scored], s_y, [types[i] for i in scored]
    tp, fp, fn = int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum())
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    typed = np.flatnonzero(y)
    return {
        "p": p,
        "r": r,
        "f1": 2 * p * r / max(p + r, 1e-12),
        "type": np.mean([got[i] == types[i] for i in typed]),
        "scores": scores,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", default=["baseline"], help="variant names or 'key=value;key=value'")
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1])
    ap.add_argument("--grouped", action="store_true", help="folds hold out whole part files (writer batches)")
    ap.add_argument("--no-docs", action="store_true", help="skip the development documents")
    ap.add_argument("--data", default=str(ROOT / "training_data" / "learning_sentences.csv"))
    ap.add_argument("--documents", nargs="*", default=list(DEV_DOCUMENTS), help="document folders with gold")
    ap.add_argument(
        "--scores-out",
        help="write each train+dev row's out-of-fold score per variant and seed to this CSV (ids and scores "
        "only), for reading cross-validation errors",
    )
    ap.add_argument(
        "--always-train",
        metavar="REGEX",
        help="rows whose id matches join every training fold and are never scored (e.g. 'lr-1[0-9][0-9]-' "
        "to measure what new part files do to the held-out figures of the others, on the same folds)",
    )
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    cache_text_work()
    neg, sent, types, y, ids = train_dev_sentences(args.data)
    groups = part_of(ids) if args.grouped else None
    always = np.array([bool(re.match(args.always_train, i)) for i in ids]) if args.always_train else None
    dumped = []
    print(f"{len(sent)} train+dev sentences ({int(y.sum())} learning) + {len(neg)} complaint negatives", flush=True)
    for name in args.only:
        params = parse_variant(name)
        t0 = time.perf_counter()
        runs = [cv_scores(sent, y, types, neg, seed, params, groups, always) for seed in args.seeds]
        for seed, r in zip(args.seeds, runs):
            dumped.append(pd.DataFrame({"variant": name, "seed": seed, "id": ids, "learning": y, "score": r["scores"]}))
        line = (
            f"{name}: {'grouped ' if args.grouped else ''}CV F1 {np.mean([r['f1'] for r in runs]):.4f} "
            f"(by seed {[round(r['f1'], 4) for r in runs]}; P {np.mean([r['p'] for r in runs]):.3f} "
            f"R {np.mean([r['r'] for r in runs]):.3f}; type {np.mean([r['type'] for r in runs]):.3f})"
        )
        if not args.no_docs:
            model = LearningExtractor(random_state=0, **params).fit(
                sent + neg, np.concatenate([y, np.zeros(len(neg), dtype=bool)]), types + [""] * len(neg)
            )
            for d in args.documents:
                r = evaluate_learning_documents(ROOT / d, model)
                line += (
                    f" | {Path(d).name} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} "
                    f"({r['tp']}/{r['fp']}/{r['fn']}) type {r['type_accuracy']:.3f}"
                )
        print(f"{line} [{time.perf_counter() - t0:.0f}s]", flush=True)
    if args.scores_out:
        pd.concat(dumped).to_csv(args.scores_out, index=False, float_format="%.4f")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
