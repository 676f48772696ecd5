"""Assemble the hand-written parts into the corpus files.

parts/<prefix>-NN.jsonl (written by the team, see README.md) become
representations.csv and learning_sentences.csv with stable ids (file and line)
and a split that is stratified by main theme (kind for compliments) and
decided by a hash of the id, so it does not depend on row order. A row keeps
the split it was given when it was first built (read back from the existing
CSV), so new rows never move old ones between splits.
Run: python training_data/build_corpus.py
"""

import csv
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
SPLITS = (("train", 0.70), ("dev", 0.15), ("test", 0.15))
REP_COLUMNS = ["id", "text", "themes", "child_authored", "kind", "complainant", "register", "split"]
LS_COLUMNS = ["id", "sentence", "learning", "type", "theme", "split"]
# Where a text comes from; leave-one-register-out evaluation groups by it.
REGISTERS = frozenset(
    {
        "web_form",
        "email",
        "letter",
        "phone_note",
        "staff_summary",
        "advocate_referral",
        "text_message",
        "investigator_statement",
        "minutes_extract",
        "survey_comment",
        "councillor_or_mp",
        "forwarded_email",
    }
)


def _rank(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def frozen_splits(path: Path) -> dict[str, str]:
    """id -> split of a corpus file built before: once assigned, a row keeps its split,
    so adding rows never moves a dev or test row into training (or test into dev)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["id"]: r["split"] for r in csv.DictReader(fh) if r.get("split")}


def assign_splits(rows: list[dict], stratum, frozen: dict[str, str] | None = None) -> None:
    """Rows already in `frozen` keep their split; new rows are split per stratum by id hash."""
    frozen = frozen or {}
    groups = defaultdict(list)
    for r in rows:
        if r["id"] in frozen:
            r["split"] = frozen[r["id"]]
            continue
        groups[stratum(r)].append(r)
    for members in groups.values():
        members.sort(key=lambda r: _rank(r["id"]))
        n = len(members)
        cut1, cut2 = round(n * SPLITS[0][1]), round(n * (SPLITS[0][1] + SPLITS[1][1]))
        for i, r in enumerate(members):
            r["split"] = "train" if i < cut1 else "dev" if i < cut2 else "test"


def read_parts(pattern: str) -> list[dict]:
    rows = []
    for path in sorted((HERE / "parts").glob(pattern)):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                obj = json.loads(line)
                obj["id"] = f"{path.stem}-{n:03d}"
                rows.append(obj)
    return rows


def excluded_ids() -> set[str]:
    """Rows left out (parts/excluded.txt: one id per line, '#' starts a reason)."""
    path = HERE / "parts" / "excluded.txt"
    if not path.exists():
        return set()
    return {line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()} - {""}


def drop_repeats(rows: list[dict], frozen: dict[str, str], key) -> list[dict]:
    """New rows (not yet in the corpus) whose words repeat an earlier row's add nothing: skipped."""
    seen, out = set(), []
    for r in sorted(rows, key=lambda r: r["id"] not in frozen):  # rows already in the corpus first
        words = " ".join(re.findall(r"\w+", key(r).lower()))
        if r["id"] in frozen or words not in seen:
            out.append(r)
        seen.add(words)
    order = {r["id"]: i for i, r in enumerate(rows)}
    return sorted(out, key=lambda r: order[r["id"]])


def main() -> None:
    # Learning sentences (ls-, lr-) carry "sentence", complaint rows "text".
    reps = [r for r in read_parts("*.jsonl") if "text" in r]
    unknown = sorted({(r["id"], r.get("register")) for r in reps if r.get("register") not in REGISTERS})
    if unknown:
        raise SystemExit(
            f"unknown register in {unknown[:5]}; use one of {sorted(REGISTERS)} (or add the new register to REGISTERS)"
        )
    for r in reps:
        r["child_authored"] = "true" if r["child_authored"] in (True, "true", "True", 1) else "false"
        r["themes"] = ";".join(t.strip() for t in str(r.get("themes", "")).split(";") if t.strip())
    assign_splits(
        reps,
        lambda r: r["kind"] + ":" + (r["themes"].split(";")[0] if r["themes"] else ""),
        frozen_splits(HERE / "representations.csv"),
    )
    with (HERE / "representations.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, REP_COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(reps)
    frozen = frozen_splits(HERE / "learning_sentences.csv")
    skip = excluded_ids()
    sents = [s for s in read_parts("ls-*.jsonl") + read_parts("lr-*.jsonl") if s["id"] not in skip]
    sents = drop_repeats(sents, frozen, lambda s: s["sentence"])
    for s in sents:
        s["learning"] = "true" if s["learning"] in (True, "true", "True", 1) else "false"
    assign_splits(sents, lambda s: s["learning"] + ":" + (s.get("type") or ""), frozen)
    with (HERE / "learning_sentences.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, LS_COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(sents)
    print(f"representations.csv: {len(reps)} rows; learning_sentences.csv: {len(sents)} rows")


if __name__ == "__main__":
    main()
