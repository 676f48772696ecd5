"""Complaints per stage over the years: earlier years' published counts beside this year's export.

Published reports show volume for this year and the previous 3-8 years. Older
years rarely survive as case exports, but their counts do, in last years'
reports; so `--history` reads a small table a trust types from them: a year
column and a count column per stage. Years read from an export (this year,
`--previous`) use the export's counts; a history row for the same year that
disagrees is named in the table's note.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

import classifier.io.safety as _safety
from classifier.errors import ReportFiguresError
from classifier.report.columns import squeeze
from classifier.report.tables import STAGES, Table, complaints, pct

YEAR_HEADERS = {"year", "years", "period", "financialyear", "reportingyear", "fy"}
_STAGE_WORDS = {"1": "1", "one": "1", "2": "2", "two": "2", "3": "3", "three": "3"}
_STAGE_HEADER = re.compile(r"^(?:stage|s)(1|2|3|one|two|three)(?:complaints?)?$")
# 2022-23, 2022/23, 2022-2023, 2022 / 23, 22/23; a lone 2022 means the year from April 2022.
_YEAR = re.compile(r"^(?:fy)?\s*(\d{2}|\d{4})\s*(?:[-/\u2013]\s*(\d{2}|\d{4}))?$", re.IGNORECASE)
MAX_YEARS = 12


def _year_label(value: object) -> str | None:
    """'2022/23' -> '2022-23' (the report's own form); None when it is not a year."""
    m = _YEAR.match(str(value).strip())
    if not m:
        return None
    first = int(m.group(1))
    first += 2000 if first < 100 else 0
    if m.group(2) is not None:
        second = int(m.group(2))
        if second % 100 != (first + 1) % 100:
            return None  # "2022-24" is not a financial year
    if not 1990 <= first <= 2100:
        return None
    return f"{first}-{str(first + 1)[-2:]}"


def is_year_label(label: str) -> bool:
    """Whether a report period is one financial year ('2024-25'), not a date range."""
    return _year_label(label) == label


def stage_counts(cases: pd.DataFrame) -> dict[str, int]:
    """Complaints per stage, as 'Complaints by stage' counts them."""
    c = complaints(cases)
    return {str(s): int(c["stage"].eq(s).sum()) for s in STAGES}


def _stage_of(header: object) -> str | None:
    m = _STAGE_HEADER.match(squeeze(header))
    return _STAGE_WORDS[m.group(1)] if m else None


def _count(value: object, where: str) -> int | None:
    text = str(value).strip().replace(",", "")
    if text in ("", "nan", "None", "-", "n/a", "N/A"):
        return None
    try:
        number = float(text)
    except ValueError:
        raise ReportFiguresError(f"{where} is not a count; type a whole number or leave it blank") from None
    if number < 0 or number != int(number):
        raise ReportFiguresError(f"{where} is not a whole number of complaints; type a count or leave it blank")
    return int(number)


def read_history(path) -> dict[str, dict[str, int | None]]:
    """Year label -> {stage: count or None} from a csv/xlsx of earlier years' published counts."""
    from classifier.io.tables import read_table

    name = Path(path).name
    frame, _ = read_table(path)
    if frame.empty:
        raise ReportFiguresError(f"'{name}' has no rows; give one row per earlier year")
    year_cols = [c for c in frame.columns if squeeze(c) in YEAR_HEADERS]
    stage_cols = {c: _stage_of(c) for c in frame.columns if _stage_of(c)}
    if not year_cols or not stage_cols:
        raise ReportFiguresError(
            f"'{name}' needs a 'Year' column and at least one of 'Stage 1', 'Stage 2', 'Stage 3' "
            f"(found: {_safety.shown_columns(list(frame.columns), 8)})"
        )
    years: dict[str, dict[str, int | None]] = {}
    for i, row in frame.iterrows():
        raw = str(row[year_cols[0]]).strip()
        if raw in ("", "nan") or squeeze(raw) in ("total", "average"):
            continue
        label = _year_label(raw)
        line = int(str(i)) + 2  # the header is line 1
        if label is None:
            raise ReportFiguresError(f"'{name}' line {line}: the year is not a financial year like 2022-23")
        if label in years:
            raise ReportFiguresError(f"'{name}' gives {label} twice (line {line}); keep one row per year")
        years[label] = {s: _count(row[c], f"'{name}' line {line}, '{c}'") for c, s in stage_cols.items()}
    if len(years) > MAX_YEARS:
        raise ReportFiguresError(f"'{name}' has {len(years)} years; keep the last {MAX_YEARS} at most")
    return years


def history_table(history: dict[str, dict[str, int | None]], from_exports: dict[str, dict[str, int]]) -> Table:
    """One row per year, oldest first: complaints per stage, stage 1's change, escalation rates.

    `from_exports` (year label -> stage counts) wins over `history` for the same year.
    """
    differ = []
    years = dict(history)
    for label, counts in from_exports.items():
        typed = years.get(label)
        if typed and any(typed.get(s) is not None and typed[s] != counts[s] for s in counts):
            differ.append(label)
        years[label] = dict(counts)
    order = sorted(years)
    frame = pd.DataFrame({"Year": order})
    for s in STAGES:
        frame[f"Stage {s}"] = pd.array([years[y].get(str(s)) for y in order], dtype="Int64")
    s1 = [years[y].get("1") for y in order]
    frame["Stage 1 change %"] = [
        None if i == 0 or s1[i] is None or not s1[i - 1] else round(100.0 * (s1[i] - s1[i - 1]) / s1[i - 1], 1)
        for i in range(len(order))
    ]
    for lower, upper in ((1, 2), (2, 3)):
        frame[f"Stage {upper} as % of stage {lower}"] = [
            None
            if years[y].get(str(lower)) is None or years[y].get(str(upper)) is None
            # a count of 0 at the lower stage leaves the rate undefined: pct gives None
            else pct(years[y][str(upper)], years[y][str(lower)])
            for y in order
        ]
    note = (
        f"Years from the case exports: {', '.join(sorted(from_exports))}; earlier years as typed in the history "
        "file (from past reports). Stage 2 and 3 are shown against stage 1 and 2 of the same year."
    )
    if differ:
        note += f" The history file gives other counts for {', '.join(differ)}; the export's are shown."
    percent = ["Stage 1 change %", "Stage 2 as % of stage 1", "Stage 3 as % of stage 2"]
    js = {y: {str(s): years[y].get(str(s)) for s in STAGES} for y in order}
    t = Table("history", "Complaints by stage, by year", frame, js, "bar", ["Stage 1", "Stage 2", "Stage 3"])
    t.note, t.percent_columns = note, percent
    t.derived = {"Stage 2 as % of stage 1": ["Stage 1", "Stage 2"], "Stage 3 as % of stage 2": ["Stage 2", "Stage 3"]}
    # The change also gives away the year before's count.
    t.basis = {"Stage 1 change %": [[s1[i], s1[i - 1]] if i else [s1[i]] for i in range(len(order))]}
    this = order.index(max(from_exports)) if from_exports else None
    if this is not None:  # this year's counts are the same figures as 'Complaints by stage'
        t.facts = {(this, f"Stage {s}"): f"stage {s}" for s in STAGES}
    return t
