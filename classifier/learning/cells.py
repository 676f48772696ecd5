"""Statement and register cells as each output format holds them.

The pipeline fills every cell with text ("" when unknown), which is what a
CSV holds and stays so. `.xlsx` gets typed cells: a due date the action
table wrote as a date ("31/07/2026", read day-first as the rest of the
product reads dates) becomes a date; text that is not a date ("end of
term") stays text; an unknown page is a blank cell. JSON Lines gets JSON
types: null when unknown, themes as a list, dates as ISO text.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from classifier.io.dates import parse_dates

# Columns that are null in JSON Lines when empty (text columns such as `sentence` never are).
NULL_WHEN_EMPTY = (
    "page",
    "issue",
    "complaint_ref",
    "action_owner",
    "due_date",
    "status",
    # register
    "theme",
    "sources",
    "pages",
    "sections",
    "issues",
    "complaint_refs",
)


def _dates(values: list) -> list:
    """A date where the cell is one date, else the cell as it was ("" -> None)."""
    parsed = parse_dates(pd.Series(["" if v is None else str(v) for v in values], dtype=object)).values
    return [p.date() if not pd.isna(p) else (None if v in (None, "") else v) for v, p in zip(values, parsed.tolist())]


def for_output(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """`frame` (statements or register, all text) with the cells `kind` ("csv", "xlsx", "jsonl") holds."""
    if kind not in ("xlsx", "jsonl") or not len(frame):
        return frame
    out = frame.copy()
    if "due_date" in out.columns:
        due = _dates(out["due_date"].tolist())
        if kind == "jsonl":
            due = [d.isoformat() if isinstance(d, dt.date) else d for d in due]
        out["due_date"] = pd.Series(due, index=out.index, dtype=object)
    if "page" in out.columns:
        out["page"] = pd.Series([None if p in (None, "") else p for p in out["page"]], index=out.index, dtype=object)
    if kind == "jsonl":
        for c in NULL_WHEN_EMPTY:
            if c in out.columns:
                out[c] = pd.Series([None if v in (None, "") else v for v in out[c]], index=out.index, dtype=object)
        if "themes" in out.columns:  # statements: "a;b" -> ["a", "b"]; [] when no theme is clear
            out["themes"] = pd.Series(
                [[t for t in str(v or "").split(";") if t] for v in out["themes"]], index=out.index, dtype=object
            )
    return out
