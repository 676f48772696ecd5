"""Choose `embed_weight` (sentence-encoder features) for the learning extractor.

Each setting is scored by 5-fold cross-validation on the train and dev splits of
training_data/learning_sentences.csv (200 complaint sentences added to every
training fold as negatives, threshold from inner cross-validation, exactly as
bench/learning.py's train+dev row) and on the development documents
`training_data/learning_documents/` with a model trained on all of train+dev.
The blind folders and the test split are never read here.
Prepared text and embeddings are memoised per text (in memory only) so that
folds do not redo them.

    .venv/bin/python bench/learning_encoder.py [--weights 0 0.5 1 2] [--C 4] [--seeds 0]
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
sys.path.insert(0, str(ROOT / "bench"))

from learning import cross_validated  # noqa: E402

import classifier.learning.encoding as encoding  # noqa: E402
import classifier.learning.extractor as extractor  # noqa: E402
from classifier.learning import evaluate_learning_documents, train_learning_extractor  # noqa: E402
from classifier.learning.api import complaint_sentences  # noqa: E402

DATA = ROOT / "training_data" / "learning_sentences.csv"
DEV_DOCS = ROOT / "training_data" / "learning_documents"


def memoise(fn, key=lambda t: t):
    """fn(list of texts) -> list/array, computed only for texts not seen before."""
    cache: dict = {}

    def wrapper(texts, *args, **kwargs):
        texts = list(texts)
        new = list(dict.fromkeys(t for t in texts if key(t) not in cache))
        if new:
            for t, v in zip(new, fn(new, *args, **kwargs)):
                cache[key(t)] = v
        out = [cache[key(t)] for t in texts]
        return np.stack(out) if out and isinstance(out[0], np.ndarray) else out

    return wrapper


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", type=float, nargs="+", default=[0, 0.5, 1, 2])
    ap.add_argument("--C", type=float, nargs="+", default=[4.0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = ap.parse_args(argv)

    extractor.prepare = memoise(extractor.prepare)
    encoding.embed = memoise(encoding.embed)
    with (ROOT / "training_data" / "representations.csv").open(encoding="utf-8") as fh:
        complaints = [r["text"] for r in csv.DictReader(fh) if r["split"] == "train"]
    print(
        "| embed_weight | C | seed | CV P | CV R | CV F1 | CV type acc. | dev docs P | dev docs R | dev docs F1 "
        "| dev docs type acc. | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for seed in args.seeds:
        negatives = complaint_sentences(complaints, limit=200, seed=seed)
        for C in args.C:
            for w in args.weights:
                t0 = time.perf_counter()
                params = {"C": C, "embed_weight": w or None}
                cv = cross_validated(str(DATA), negatives, seed, **params)
                model = train_learning_extractor(DATA, seed=seed, extra_negatives=negatives, **params)
                docs = evaluate_learning_documents(DEV_DOCS, model)
                print(
                    f"| {w:g} | {C:g} | {seed} | {cv['precision']:.3f} | {cv['recall']:.3f} | {cv['f1']:.3f} "
                    f"| {cv['type_accuracy']:.3f} | {docs['precision']:.3f} | {docs['recall']:.3f} "
                    f"| {docs['f1']:.3f} | {docs['type_accuracy']:.3f} | {time.perf_counter() - t0:.0f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
