"""List near-duplicate pairs within each main theme (word 5-gram Jaccard > 0.5).

Run: python training_data/near_duplicates.py [--threshold 0.5]
Prints each pair's ids and similarity (never the text), then the share of
within-theme pairs that are near-duplicates.
"""

import argparse
import csv
import re
from collections import defaultdict
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).parent


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def near_duplicates(rows: list[dict], threshold: float = 0.5):
    """(pairs over threshold, number of within-theme pairs compared)."""
    groups = defaultdict(list)
    for r in rows:
        groups[r["themes"].split(";")[0] or r["kind"]].append((r["id"], shingles(r["text"])))
    found, compared = [], 0
    for members in groups.values():
        for (ia, a), (ib, b) in combinations(members, 2):
            compared += 1
            if a and b:
                j = len(a & b) / len(a | b)
                if j > threshold:
                    found.append((ia, ib, round(j, 3)))
    return found, compared


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--file", default=str(HERE / "representations.csv"))
    args = ap.parse_args()
    with open(args.file, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    found, compared = near_duplicates(rows, args.threshold)
    for a, b, j in found:
        print(f"{a}\t{b}\t{j}")
    print(
        f"{len(found)} near-duplicate pairs of {compared} within-theme pairs "
        f"({100 * len(found) / max(compared, 1):.3f}%)"
    )


if __name__ == "__main__":
    main()
