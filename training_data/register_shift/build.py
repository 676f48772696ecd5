"""Assemble a blind register-shift set into <folder>/<folder name>.csv: the writers' labels, and the
second annotator's beside them when `second_annotator.jsonl` exists.

Run from the repository root: python training_data/register_shift/build.py [training_data/register_shift2]
(default: this folder).
"""

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(folder: Path = HERE) -> None:
    second = {}
    second_path = folder / "second_annotator.jsonl"
    if second_path.exists():
        for line in second_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                second[row["id"]] = row
    out = []
    for path in sorted(p for p in folder.glob("rs*-*.jsonl") if p.name != "second_annotator.jsonl"):
        base = path.stem
        for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            rid = f"{base}-{k:03d}"
            record = {
                "id": rid,
                "text": row["text"],
                "themes": row["themes"],
                "child_authored": str(row["child_authored"]).lower(),
                "kind": row["kind"],
                "complainant": row["complainant"],
                "register": row["register"],
                "writer": base.rsplit("-", 1)[0],
            }
            if second:
                s = second[rid]
                record["second_themes"] = s["themes"]
                record["second_child_authored"] = str(s["child_authored"]).lower()
                record["second_kind"] = s["kind"]
            out.append(record)
    target = folder / f"{folder.name}.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]))
        w.writeheader()
        w.writerows(out)
    print(f"{len(out)} rows -> {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE)
