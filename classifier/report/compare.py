"""Year on year: put last year's figure and the change beside each table's main column."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from classifier.report.cells import CONFIDENTIAL, Note
from classifier.report.tables import Table, pct


def _keys(t: Table) -> list:
    """Row keys matched across years. Case and spacing are not part of a category ("Parent" last year is
    "parent" this year: each year's table shows the spelling it met first)."""
    keys = list(t.align) if t.align is not None else [str(v) for v in t.frame.iloc[:, 0]]
    return [" ".join(k.casefold().split()) if isinstance(k, str) else k for k in keys]


def year_on_year(current: Table, previous: Table | None, this_label: str, last_label: str) -> Table:
    """`current` with '<col> <last year>' and 'Change %' (or 'Change (points)' for a percentage) right after
    its main column, and this year's label on every figure column, so each pair reads together.

    A row last year's table lacks is a count of 0 then (a percentage is '-'). Cells hidden by suppression
    stay hidden: last year's as in `previous`, and a change from either.
    """
    col = current.count_column
    if previous is None or col is None or col not in current.frame or col not in previous.frame:
        return current
    last = dict(zip(_keys(previous), previous.frame[col]))
    last_hidden = {k: previous.hidden.get((j, col)) for j, k in enumerate(_keys(previous))}
    frame = current.frame.copy()
    integral = pd.api.types.is_integer_dtype(previous.frame[col])
    missing = 0 if integral else None
    before = [last.get(k, missing) for k in _keys(current)]
    before = [None if (v is None or pd.isna(v)) else v for v in before]
    prev_col = f"{col} {last_label}"
    at = frame.columns.get_loc(col) + 1
    frame.insert(at, prev_col, pd.array(before, dtype="Int64") if integral else before)
    if col in current.percent_columns:
        change_col = "Change (points)"
        change = [None if a is None or b is None or pd.isna(a) else round(a - b, 1) for a, b in zip(frame[col], before)]
        percent = current.percent_columns + [prev_col, change_col]
    else:
        change_col = "Change %"
        change = [None if b is None or pd.isna(a) else pct(a - b, b) for a, b in zip(frame[col], before)]
        percent = current.percent_columns + [change_col]
    frame.insert(at + 1, change_col, change)
    figures = [c for c in current.frame.columns[1:] if pd.api.types.is_numeric_dtype(current.frame[c])]
    renamed = {c: f"{c} {this_label}" for c in figures}
    this_col = renamed.get(col, f"{col} {this_label}")
    renamed[col] = this_col
    frame = frame.rename(columns=renamed)
    chart_cols = list(current.chart_columns)
    if current.chart in ("bar", "barh", "line") and chart_cols == [col]:
        chart_cols = [col, prev_col]
    chart_cols = [renamed.get(c, c) for c in chart_cols]
    percent = [renamed.get(c, c) for c in percent]
    hidden = {(i, renamed.get(c, c)): text for (i, c), text in current.hidden.items()}
    for i, k in enumerate(_keys(current)):
        if last_hidden.get(k):
            hidden[(i, prev_col)] = last_hidden[k]
        if ((i, this_col) in hidden or (i, prev_col) in hidden) and change[i] is not None:
            hidden[(i, change_col)] = CONFIDENTIAL
    return replace(
        current,
        note=_with_last_year_only(current, previous, col, last_label),
        frame=frame,
        chart_columns=chart_cols,
        percent_columns=percent,
        count_column=this_col,
        hidden=hidden,
        note_columns={k: renamed.get(c, c) for k, c in current.note_columns.items()},
    )


def _with_last_year_only(current: Table, previous: Table, col: str, last_label: str):
    """The note, naming the categories last year had and this year has none of: a row gone from the
    table is a fall to zero the reader would otherwise not see. Month tables (aligned keys) are left as
    they are: a month missing is outside this year's data, not a fall."""
    if current.align is not None:
        return current.note
    now = set(_keys(current))
    gone = []
    for j, k in enumerate(_keys(previous)):
        n = previous.frame[col].iat[j]
        if k in now or n is None or pd.isna(n) or not n:
            continue
        shown = previous.hidden.get((j, col)) or f"{n:,}"
        gone.append(f"{previous.frame.iat[j, 0]} ({shown})")
    if not gone:
        return current.note
    extra = f" None this year of what {last_label} had: {'; '.join(gone)}."
    if isinstance(current.note, Note):
        return replace(current.note, template=current.note.template + extra.replace("{", "{{").replace("}", "}}"))
    return f"{current.note}{extra}".strip()
