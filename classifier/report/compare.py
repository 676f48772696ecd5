"""Year on year: put last year's figure and the change beside each table's main column."""

from __future__ import annotations

import pandas as pd

from classifier.report.cells import CONFIDENTIAL
from classifier.report.tables import Table, pct


def _keys(t: Table) -> list:
    return list(t.align) if t.align is not None else [str(v) for v in t.frame.iloc[:, 0]]


def year_on_year(current: Table, previous: Table | None, this_label: str, last_label: str) -> Table:
    """`current` with columns '<col> <last year>' and 'Change %' (or 'Change (points)' for a percentage).

    Cells hidden by suppression stay hidden: last year's as in `previous`, and a change from either.
    """
    col = current.count_column
    if previous is None or col is None or col not in current.frame or col not in previous.frame:
        return current
    last = dict(zip(_keys(previous), previous.frame[col]))
    last_hidden = {k: previous.hidden.get((j, col)) for j, k in enumerate(_keys(previous))}
    frame = current.frame.copy()
    before = [last.get(k) for k in _keys(current)]
    before = [None if (v is None or pd.isna(v)) else v for v in before]
    prev_col = f"{col} {last_label}"
    integral = pd.api.types.is_integer_dtype(previous.frame[col])
    frame.insert(frame.columns.get_loc(col) + 1, prev_col, pd.array(before, dtype="Int64") if integral else before)
    if col in current.percent_columns:
        change_col = "Change (points)"
        frame[change_col] = [
            None if a is None or b is None or pd.isna(a) else round(a - b, 1) for a, b in zip(frame[col], before)
        ]
        percent = current.percent_columns + [prev_col, change_col]
    else:
        change_col = "Change %"
        frame[change_col] = [None if b is None or pd.isna(a) else pct(a - b, b) for a, b in zip(frame[col], before)]
        percent = current.percent_columns + [change_col]
    chart_cols = list(current.chart_columns)
    if current.chart in ("bar", "barh", "line") and chart_cols == [col]:
        chart_cols = [col, prev_col]
    this_col = f"{col} {this_label}"
    frame = frame.rename(columns={col: this_col})
    chart_cols = [this_col if c == col else c for c in chart_cols]
    percent = [this_col if c == col else c for c in percent]
    hidden = {(i, this_col if c == col else c): text for (i, c), text in current.hidden.items()}
    for i, k in enumerate(_keys(current)):
        if last_hidden.get(k):
            hidden[(i, prev_col)] = last_hidden[k]
        if (i, this_col) in hidden or (i, prev_col) in hidden:
            hidden[(i, change_col)] = CONFIDENTIAL
    return Table(
        current.key,
        current.title,
        frame,
        current.json,
        current.chart,
        chart_cols,
        current.note,
        percent,
        this_col,
        current.align,
        current.extra,
        hidden=hidden,
    )
