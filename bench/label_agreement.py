"""Agreement between the learning-sentence labels and a blind second annotation.

    .venv/bin/python bench/label_agreement.py
Reads training_data/learning_sentences.csv and
training_data/label_agreement/second_annotator.csv (ids and labels only).
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    with (ROOT / "training_data" / "learning_sentences.csv").open(encoding="utf-8") as fh:
        first = {r["id"]: r for r in csv.DictReader(fh)}
    with (ROOT / "training_data" / "label_agreement" / "second_annotator.csv").open(encoding="utf-8") as fh:
        second = {r["id"]: r for r in csv.DictReader(fh)}
    ids = [i for i in second if i in first]
    a = [first[i]["learning"].strip().lower() == "true" for i in ids]
    b = [second[i]["learning"].strip().lower() == "true" for i in ids]
    n = len(ids)
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    both = [i for i, x, y in zip(ids, a, b) if x and y]
    same_type = sum(first[i]["type"] == second[i]["type"] for i in both)
    print(f"sentences compared: {n} (missing from the corpus: {len(second) - n})")
    print(
        f"learning / not learning: {sum(x == y for x, y in zip(a, b))} of {n} agree; "
        f"Cohen's kappa {(observed - expected) / (1 - expected):.3f}"
    )
    print(f"type, where both say learning: {same_type} of {len(both)} agree ({same_type / max(len(both), 1):.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
