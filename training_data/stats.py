"""Print the datasheet's count tables (markdown) from representations.csv.

Run: python training_data/stats.py
"""

import csv
import statistics
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent


def table(counter: Counter, head: str) -> str:
    lines = [f"| {head} | rows |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in counter.most_common()]
    return "\n".join(lines)


def main() -> None:
    rows = list(csv.DictReader((HERE / "representations.csv").open(encoding="utf-8")))
    complaints = [r for r in rows if r["kind"] == "complaint"]
    words = [len(r["text"].split()) for r in rows]
    q = statistics.quantiles(words, n=10)
    print(
        f"rows: {len(rows)}; child-authored: {sum(r['child_authored'] == 'true' for r in rows)} "
        f"({100 * sum(r['child_authored'] == 'true' for r in rows) / len(rows):.1f}%); complaints with 2+ themes: "
        f"{100 * sum(';' in r['themes'] for r in complaints) / len(complaints):.1f}%\n"
    )
    print(table(Counter(r["kind"] for r in rows), "kind"), "\n")
    print(table(Counter(r["themes"].split(";")[0] for r in complaints), "main theme (complaints)"), "\n")
    print(table(Counter(t for r in rows for t in r["themes"].split(";") if t), "theme, any position (all kinds)"), "\n")
    print(table(Counter(r["complainant"] for r in rows), "complainant"), "\n")
    print(table(Counter(r["register"] for r in rows), "register"), "\n")
    print(table(Counter(r["split"] for r in rows), "split"), "\n")
    print(
        f"words per row: min {min(words)}, 10th percentile {q[0]:.0f}, median {statistics.median(words):.0f}, "
        f"90th percentile {q[-1]:.0f}, max {max(words)}; over 200 words: {sum(w > 200 for w in words)}; "
        f"over 300: {sum(w > 300 for w in words)}; under 25: {sum(w < 25 for w in words)}"
    )
    ls = list(csv.DictReader((HERE / "learning_sentences.csv").open(encoding="utf-8")))
    print(f"\nlearning_sentences.csv: {len(ls)} sentences, {sum(s['learning'] == 'true' for s in ls)} learning")
    print(table(Counter(s["type"] for s in ls if s["learning"] == "true"), "learning type"))


if __name__ == "__main__":
    main()
