"""Measure redaction: recall on the team's test set and the hard name sets, and speed.

Run from the repo root:  .venv/bin/python bench/redaction.py
Writes bench/REDACTION_RESULTS.md (figures, command, machine).
Speed is measured on one core, single process, on texts of 60-100 words
from training_data/representations.csv (about 80 words on average).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu_name  # noqa: E402

from classifier.redact.evaluation import evaluate_redaction  # noqa: E402
from classifier.redact.redactor import Redactor  # noqa: E402

TEST_SET = ROOT / "training_data" / "redaction_test.jsonl"
# Hard names (many origins, nicknames, lower-case text-speak, names that are words,
# particles and hyphens). The rules were tuned on HARD_SET's misses; HARD_HELDOUT was
# written before that tuning ended and only scored afterwards.
HARD_SET = ROOT / "training_data" / "redaction_hard.jsonl"
HARD_HELDOUT = ROOT / "training_data" / "redaction_hard_heldout.jsonl"
SPEED_SET = ROOT / "training_data" / "representations.csv"
OUT = ROOT / "bench" / "REDACTION_RESULTS.md"


def towns_after_addresses(path: Path) -> int:
    """Words in the town names that follow an address in the set (the redactor takes them with the address)."""
    import json

    from classifier.redact.patterns import _ADDRESS, end_of_town

    words = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"] if line.strip() else ""
        for m in _ADDRESS.finditer(text):
            words += len(text[m.end() : end_of_town(text, m.end())].replace(",", " ").split())
    return words


def speed_texts() -> list[str]:
    with SPEED_SET.open(encoding="utf-8-sig", newline="") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    return [t for t in texts if 60 <= len(t.split()) <= 100]


def measure_speed(texts: list[str], repeats: int = 3) -> tuple[float, float]:
    red = Redactor()
    red.redact("warm-up: load the lexicon and rules, Sarah")
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for t in texts:
            red.redact(t)
        best = min(best, time.perf_counter() - t0)
    words = sum(len(t.split()) for t in texts) / len(texts)
    return len(texts) / best, words


def hard_line(label: str, path: Path) -> str:
    r = evaluate_redaction(path, list_misses=True)
    kept = 1 - (r["common_words_destroyed_share"] or 0)
    return (
        f"| `{path.name}` ({label}) | {r['rows']} | {r['name_tokens_removed']} / {r['name_tokens']} = "
        f"{r['name_recall'] * 100:.1f}% | {r['common_words'] - r['common_words_destroyed']} / "
        f"{r['common_words']} = {kept * 100:.1f}% | {r['rows_missing_a_name'] or 'none'} |"
    )


def main() -> None:
    res = evaluate_redaction(TEST_SET, list_misses=True)
    texts = speed_texts()
    rate, words = measure_speed(texts)
    pct = lambda x: "n/a" if x is None else f"{x * 100:.1f}%"  # noqa: E731
    lines = [
        "# Redaction results",
        "",
        f"Measured {dt.date.today().isoformat()} with `.venv/bin/python bench/redaction.py` "
        "(library: `classifier.redact.evaluation.evaluate_redaction`).",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores (one used), "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"load average {os.getloadavg()[0]:.1f} when measured (other work on the machine slows the "
        "speed figure).",
        "",
        f"## Test set: `training_data/redaction_test.jsonl` ({res['rows']} rows)",
        "",
        "Scoring is case-sensitive and position-aware: every whole-token occurrence of a listed",
        "name counts, and it is removed only if the redactor covers all of it. Note: the rules",
        "were developed while looking at this set's misses, so these figures are optimistic; the",
        "product owners' held-out texts are the real test.",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| name tokens removed (recall) | {res['name_tokens_removed']} / {res['name_tokens']} = "
        f"{pct(res['name_recall'])} |",
    ]
    for case, v in res["name_recall_by_case"].items():
        lines.append(f"| — {case.replace('_', ' ')} names | {v['removed']} / {v['tokens']} = {pct(v['recall'])} |")
    lines.append(
        f"| other PII removed | {res['other_pii_removed']} / {res['other_pii_items']} = "
        f"{pct(res['other_pii_recall'])} |"
    )
    for kind, v in res["other_pii_recall_by_kind"].items():
        lines.append(f"| — {kind} | {v['removed']} / {v['items']} = {pct(v['recall'])} |")
    lines += [
        f"| common words destroyed (non-name word tokens redacted) | {res['common_words_destroyed']} / "
        f"{res['common_words']} = {pct(res['common_words_destroyed_share'])} |",
        f"| — of which capitalised words | {res['capitalised_common_words_destroyed']} / "
        f"{res['capitalised_common_words']} = {pct(res['capitalised_common_words_destroyed_share'])} |",
        "",
        f"Rows missing a name: {res['rows_missing_a_name'] or 'none'}.  ",
        f"Rows missing other PII: {res['rows_missing_other_pii'] or 'none'}.  ",
        f"Rows destroying a common word: {res['rows_destroying_a_common_word'] or 'none'}.  ",
        f"Of the words destroyed, {towns_after_addresses(TEST_SET)} are towns right after an address, redacted "
        "with it on purpose (a street and a town together point to one family); the set's gold lists towns as "
        "ordinary words.",
        "",
        "## Hard names",
        "",
        "Names of many origins, nicknames, lower-case names in text-speak, names that are also words",
        "(Will, Faith, Summer, Precious, Hope, Grace), short names (Li, Na, Ama, Bo, Mo), surnames with",
        "particles and hyphens. Written by hand for issue 14. Targets: >= 95% of name tokens removed,",
        ">= 97% of other words kept. The rules were improved while looking at the first set's misses",
        "(so its figure is optimistic); the held-out set was written before that work ended and was",
        "scored only afterwards.",
        "",
        "| set | rows | name tokens removed | other words kept | rows missing a name |",
        "| --- | --- | --- | --- | --- |",
        *[hard_line(label, path) for label, path in (("tuned on", HARD_SET), ("held out", HARD_HELDOUT))],
        "",
        "## Speed",
        "",
        f"{rate:,.0f} texts/s on one core ({len(texts)} texts of 60-100 words from "
        f"`training_data/representations.csv`, mean {words:.0f} words; best of 3 passes).",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
