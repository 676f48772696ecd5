"""Assemble the blind register-shift set into register_shift.csv (labels of the writer and of the second annotator).

Run from the repository root: python training_data/register_shift/build.py
"""

import csv
import glob
import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    second = {}
    for line in (HERE / "second_annotator.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            second[row["id"]] = row
    out = []
    for path in sorted(glob.glob(str(HERE / "rs-*.jsonl"))):
        base = os.path.basename(path)[: -len(".jsonl")]
        for k, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            rid = f"{base}-{k:03d}"
            s = second[rid]
            out.append(
                {
                    "id": rid,
                    "text": row["text"],
                    "themes": row["themes"],
                    "child_authored": str(row["child_authored"]).lower(),
                    "kind": row["kind"],
                    "complainant": row["complainant"],
                    "register": row["register"],
                    "writer": base.rsplit("-", 1)[0],
                    "second_themes": s["themes"],
                    "second_child_authored": str(s["child_authored"]).lower(),
                    "second_kind": s["kind"],
                }
            )
    with (HERE / "register_shift.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]))
        w.writeheader()
        w.writerows(out)
    print(f"{len(out)} rows -> {HERE / 'register_shift.csv'}")


if __name__ == "__main__":
    main()
