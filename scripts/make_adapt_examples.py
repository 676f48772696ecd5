"""Write the two own-rows files the README's "Adapt to your trust" walk-through uses.

    python scripts/make_adapt_examples.py   # -> out/waits_under_communication.csv, out/phone_notes.csv

Both come from the corpus's test split (rows the default model never saw):
- every 6th row with themes, relabelled as a trust would that files waiting times under
  "Poor Communication" and has no delay theme (a simulation: our texts follow the guide);
- the labelled phone notes, as the guide labels them, with the child-authored flag.
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    with (ROOT / "training_data" / "representations.csv").open(encoding="utf-8", newline="") as fh:
        test = [r for r in csv.DictReader(fh) if r["split"] == "test" and r["themes"]]
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    waits = []
    for r in test[::6]:
        themes = ["communication" if t == "delay" else t for t in r["themes"].split(";")]
        waits.append({"text": r["text"], "themes": ";".join(dict.fromkeys(themes))})
    phone = [
        {"text": r["text"], "themes": r["themes"], "child_authored": r["child_authored"]}
        for r in test
        if r["register"] == "phone_note"
    ]
    for name, rows in (("waits_under_communication.csv", waits), ("phone_notes.csv", phone)):
        with (out / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        print(f"out/{name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
