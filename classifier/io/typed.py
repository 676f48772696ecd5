"""Cells with their types for .xlsx and .jsonl output: declared output types, and input cells kept as read.

The pipeline works on text. A writer that can hold types gets them back from
two places: columns the caller declares ("bool", "float", "int", "json"), and
the typed cells an .xlsx reader kept (dates, numbers, booleans), used only
where the pipeline left the cell's text as it was read.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd


def cell_text(v) -> str:
    """A typed cell as the readers give it to the pipeline (a date cell: '2025-03-04')."""
    from classifier.io.tables import _cell_to_str

    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date().isoformat()
    return _cell_to_str(v)


def _as_type(value, kind: str | None):
    """A text cell written by the pipeline, as the type its column declares."""
    if kind is None or not isinstance(value, str):
        return value
    if value == "":
        return None
    try:
        if kind == "bool":
            return {"true": True, "false": False}.get(value.lower(), value)
        if kind == "float":
            return float(value)
        if kind == "int":
            return int(value)
    except ValueError:
        return value
    return value


def _missing(v) -> bool:
    """NaN, pandas NA and NaT: an empty cell (Excel has no NaN; openpyxl refuses pd.NA)."""
    return v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def typed_values(column: list, kind: str | None, typed: list | None) -> list:
    """Output values of one column: declared types, else the input's own typed cells when unchanged."""
    column = [None if _missing(v) else v for v in column]
    if kind is not None:
        return [_as_type(v, kind) for v in column]
    if typed is None:
        return column
    # A typed input cell is used only if the pipeline left its text as read:
    # a redacted cell must never be replaced by the original value.
    return [t if t is not None and isinstance(s, str) and cell_text(t) == s else s for s, t in zip(column, typed)]


def typed_rows(
    frame: pd.DataFrame, columns: list[str], types: dict[str, str], typed: pd.DataFrame | None, json_objects: bool
):
    """Rows of `frame` with typed cells; `json_objects`: "json" columns become objects (JSON Lines)."""
    cols = []
    for c in columns:
        kind = types.get(c)
        if kind == "json" and json_objects:
            cols.append([json.loads(v) if v else None for v in frame[c].tolist()])
            continue
        raw = typed[c].tolist() if typed is not None and c in typed.columns else None
        cols.append(typed_values(frame[c].tolist(), None if kind == "json" else kind, raw))
    return zip(*cols)


def json_default(v):
    """Dates and other typed cells in JSON Lines: text, as the readers give them."""
    return cell_text(v)
