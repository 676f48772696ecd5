"""Check new learning-sentence parts before they join the corpus.

For each parts/lr-*.jsonl given: every line parses, has a non-empty sentence,
a true/false label, a known type (learning rows) and a known theme (or none).
Then near-duplicates (word 5-gram Jaccard > 0.5) against every other learning
sentence, and word 5-grams shared with the development and blind documents.
Prints ids and counts only, never text: blind documents must not be read.

Run: python training_data/check_learning_parts.py parts/lr-31.jsonl [...]
"""

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from near_duplicates import shingles  # noqa: E402

TYPES = {"lesson", "staff_reminder", "training", "process_change", "remedy", "reflective_discussion", "other"}
THEMES = {
    "",
    "communication",
    "conduct",
    "delay",
    "decision_making",
    "quality",
    "support",
    "financial",
    "access",
    "family_time",
    "assessment_accuracy",
}
DEV_DOCS = ("learning_documents", "annual_reports_dev", "learning_bulletins_dev")
LONG = 8
BLIND_DOCS = (
    "learning_documents_b",
    "annual_reports_blind",
    "annual_reports_blind2",
    "learning_sentences_blind",
    "learning_sentences_blind2",
    "learning_sentences_blind3",
)


def read_part(path: Path) -> tuple[list[dict], list[str]]:
    rows, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        rid = f"{path.stem}-{n:03d}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            problems.append(f"{rid}: not JSON")
            continue
        s, lab = obj.get("sentence"), obj.get("learning")
        if not isinstance(s, str) or not s.strip():
            problems.append(f"{rid}: no sentence")
        if lab not in (True, False):
            problems.append(f"{rid}: learning is not true/false")
        if lab is True and obj.get("type") not in TYPES:
            problems.append(f"{rid}: unknown type {obj.get('type')!r}")
        if lab is False and obj.get("type"):
            problems.append(f"{rid}: a type on a row that is not learning")
        if (obj.get("theme") or "") not in THEMES:
            problems.append(f"{rid}: unknown theme {obj.get('theme')!r}")
        rows.append({"id": rid, "sentence": s or ""})
    return rows, problems


def document_shingles(folders, n: int = 5) -> dict[str, set]:
    out = {}
    for name in folders:
        grams: set = set()
        for f in sorted((HERE / name).glob("*.txt")):
            grams |= shingles(f.read_text(encoding="utf-8"), n)
        for f in sorted((HERE / name).glob("sentences.jsonl")):  # blind sentence sets
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    grams |= shingles(json.loads(line)["sentence"], n)
        out[name] = grams
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("parts", nargs="+")
    ap.add_argument("--threshold", type=float, default=0.5)
    args = ap.parse_args()
    new_paths = [Path(p) if Path(p).is_file() else HERE / p for p in args.parts]
    new_ids = {p.stem for p in new_paths}
    new, bad = [], []
    for p in new_paths:
        rows, problems = read_part(p)
        new += rows
        bad += problems
        print(f"{p.name}: {len(rows)} rows, {len(problems)} problems")
    for b in bad:
        print("  " + b)
    old = []
    for p in sorted((HERE / "parts").glob("l[sr]-*.jsonl")):
        if p.stem not in new_ids:
            old += read_part(p)[0]
    index = defaultdict(set)  # 5-gram -> row numbers, so only rows sharing one are compared
    everyone = old + new
    grams = [shingles(r["sentence"]) for r in everyone]
    for k, g in enumerate(grams):
        for x in g:
            index[x].add(k)
    pairs = set()
    for k in range(len(old), len(everyone)):
        for j in set().union(*(index[x] for x in grams[k])) - {k}:
            a, b = sorted((k, j))
            sim = len(grams[a] & grams[b]) / len(grams[a] | grams[b])
            if sim > args.threshold:
                pairs.add((everyone[a]["id"], everyone[b]["id"], round(sim, 3)))
    for a, b, sim in sorted(pairs):
        print(f"near-duplicate\t{a}\t{b}\t{sim}")
    print(f"{len(pairs)} near-duplicate pairs involving the {len(new)} new rows")
    new_grams = set().union(*grams[len(old) :]) if new else set()
    for name, doc in document_shingles(DEV_DOCS + BLIND_DOCS).items():
        shared = new_grams & doc
        rows = sum(1 for g in grams[len(old) :] if g & doc)
        print(f"5-grams shared with {name}: {len(shared)} (in {rows} new rows)")
    # A run of LONG words in a row and a document is more than a stock phrase: such rows are listed
    # by id (never their text) so they can be left out.
    for name, doc in document_shingles(DEV_DOCS + BLIND_DOCS, LONG).items():
        hits = [r["id"] for r in new if shingles(r["sentence"], LONG) & doc]
        print(f"rows sharing a {LONG}-word run with {name}: {len(hits)} {' '.join(hits)}")


if __name__ == "__main__":
    main()
