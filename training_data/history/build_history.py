"""Build the bundled labelled history (cases_2022.csv ... cases_2024.csv).

Texts come from training_data/representations.csv, dev split only: test rows
are never used, and train rows are what the bundled model learned from.
Labels are in the OLD two-level taxonomy (two-level-service-complaints), set
by hand per id in labels.csv after reading each text; planted_errors.csv
lists the rows whose historic label is wrong on purpose (relabel should find
them). Rows whose split is no longer 'dev' after a corpus rebuild are left
out and listed. Run: python training_data/history/build_history.py
"""

import csv
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
CORPUS = HERE.parent / "representations.csv"
TAXONOMY = "two-level-service-complaints"
COLUMNS = ["id", "date", "text", "themes", "taxonomy"]


def main() -> None:
    with CORPUS.open(encoding="utf-8") as fh:
        corpus = {r["id"]: r for r in csv.DictReader(fh)}
    with (HERE / "labels.csv").open(encoding="utf-8") as fh:
        labels = list(csv.DictReader(fh))
    years, skipped = defaultdict(list), []
    for lab in labels:
        row = corpus.get(lab["id"])
        if row is None or row["split"] != "dev":
            skipped.append(f"{lab['id']} ({'missing' if row is None else row['split']})")
            continue
        years[lab["date"][:4]].append(
            {"id": lab["id"], "date": lab["date"], "text": row["text"], "themes": lab["themes"], "taxonomy": TAXONOMY}
        )
    for year, rows in sorted(years.items()):
        with (HERE / f"cases_{year}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, COLUMNS)
            w.writeheader()
            w.writerows(sorted(rows, key=lambda r: r["date"]))
        print(f"cases_{year}.csv: {len(rows)} rows")
    if skipped:
        print(f"left out {len(skipped)} labelled rows no longer in the dev split: {', '.join(skipped)}")


if __name__ == "__main__":
    main()
