"""Measure the redactor on a hand-labelled JSON Lines test set.

Each row is {"text", "names": [name tokens as they appear], "other_pii":
[strings]}. Scoring is case-sensitive and position-aware: every whole-token,
case-exact occurrence of a listed name is a name occurrence (so "Hope" the
girl counts and "hope" the verb does not), and it is removed only if the
redactor's spans cover all of it. Every other word token is a "common word";
it is destroyed if a span covers any of it. The result holds counts and
shares only, never text; misses are reported by 1-based row number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from classifier.redact.redactor import Redactor, Span

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*")
_PII_KINDS = [
    ("email", re.compile(r"@")),
    ("postcode", re.compile(r"(?i)^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$")),
    ("nhs_number", re.compile(r"^\d{3}[ \-]?\d{3}[ \-]?\d{4}$")),
    ("phone", re.compile(r"^(?:\+44|0)[\d\s\-()]{9,}$")),
    ("dob", re.compile(r"(?i)\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)")),
    ("address", re.compile(r"^\d+[A-Za-z]?,?\s+\D")),
]


def pii_kind(value: str) -> str:
    """A coarse category for an other_pii string, from its shape."""
    v = value.strip()
    for kind, pattern in _PII_KINDS:
        if pattern.search(v):
            return kind
    return "reference"


def _name_case(token: str) -> str:
    if token.isupper() and len(token) > 1:
        return "all_caps"
    if token[:1].islower():
        return "lower_case"
    return "capitalised"


def _occurrences(text: str, token: str) -> list[tuple[int, int]]:
    # Whole tokens only: not inside a longer word or hyphenated compound.
    pat = re.compile(r"(?<![\w\-])(?<!\w['’])" + re.escape(token) + r"(?!\w)(?!-\w)")
    return [m.span() for m in pat.finditer(text)]


def _covered(cover: bytearray, s: int, e: int) -> bool:
    return e > s and all(cover[s:e])


def _cover(text: str, spans: list[Span]) -> bytearray:
    cover = bytearray(len(text))
    for sp in spans:
        cover[sp.start : sp.end] = b"\x01" * (sp.end - sp.start)
    return cover


def _share(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate_redaction(path: str | Path, redactor: Redactor | None = None, list_misses: bool = False) -> dict:
    """Score a redactor on a JSON Lines test set; counts and shares only.

    Returns name recall (share of name-token occurrences removed, overall and
    by case), other-PII recall (overall and by kind), and the share of
    non-name word tokens destroyed. With `list_misses`, adds the 1-based row
    numbers that missed a name, missed other PII, or destroyed a common word.
    """
    red = redactor or Redactor()
    names_total = names_removed = 0
    by_case: dict[str, list[int]] = {}
    pii_total = pii_removed = 0
    by_kind: dict[str, list[int]] = {}
    words_total = words_destroyed = 0
    cap_total = cap_destroyed = 0
    rows = 0
    name_miss, pii_miss, fp_rows = [], [], []
    with Path(path).open(encoding="utf-8") as fh:
        for row_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            rec = json.loads(line)
            rows += 1
            text = rec["text"]
            cover = _cover(text, red.find(text))
            protected = bytearray(len(text))  # characters of names and PII
            missed_name = missed_pii = destroyed = False
            for tok in dict.fromkeys(rec.get("names", [])):
                case = _name_case(tok)
                for s, e in _occurrences(text, tok):
                    protected[s:e] = b"\x01" * (e - s)
                    ok = _covered(cover, s, e)
                    names_total += 1
                    names_removed += ok
                    tally = by_case.setdefault(case, [0, 0])
                    tally[0] += 1
                    tally[1] += ok
                    missed_name |= not ok
            for value in dict.fromkeys(rec.get("other_pii", [])):
                kind = pii_kind(value)
                start = text.find(value)
                while start >= 0:
                    end = start + len(value)
                    protected[start:end] = b"\x01" * (end - start)
                    # A leading/trailing label such as "DOB" need not be covered.
                    ok = _covered(cover, start, end)
                    pii_total += 1
                    pii_removed += ok
                    tally = by_kind.setdefault(kind, [0, 0])
                    tally[0] += 1
                    tally[1] += ok
                    missed_pii |= not ok
                    start = text.find(value, end)
            for m in _WORD.finditer(text):
                s, e = m.span()
                if any(protected[s:e]):
                    continue
                hit = any(cover[s:e])
                words_total += 1
                words_destroyed += hit
                if m.group(0)[0].isupper():
                    cap_total += 1
                    cap_destroyed += hit
                destroyed |= hit
            if missed_name:
                name_miss.append(row_no)
            if missed_pii:
                pii_miss.append(row_no)
            if destroyed:
                fp_rows.append(row_no)

    result = {
        "rows": rows,
        "name_tokens": names_total,
        "name_tokens_removed": names_removed,
        "name_recall": _share(names_removed, names_total),
        "name_recall_by_case": {
            k: {"tokens": v[0], "removed": v[1], "recall": _share(v[1], v[0])} for k, v in sorted(by_case.items())
        },
        "other_pii_items": pii_total,
        "other_pii_removed": pii_removed,
        "other_pii_recall": _share(pii_removed, pii_total),
        "other_pii_recall_by_kind": {
            k: {"items": v[0], "removed": v[1], "recall": _share(v[1], v[0])} for k, v in sorted(by_kind.items())
        },
        "common_words": words_total,
        "common_words_destroyed": words_destroyed,
        "common_words_destroyed_share": _share(words_destroyed, words_total),
        "capitalised_common_words": cap_total,
        "capitalised_common_words_destroyed": cap_destroyed,
        "capitalised_common_words_destroyed_share": _share(cap_destroyed, cap_total),
    }
    if list_misses:
        result["rows_missing_a_name"] = name_miss
        result["rows_missing_other_pii"] = pii_miss
        result["rows_destroying_a_common_word"] = fp_rows
    return result
