"""Dates as case exports and action tables write them: UK day-first, Excel serial numbers, ISO.

`04/03/2025` is 4 March 2025, never 3 April. A value that fits no accepted
form (including a day-first date that does not exist, such as `03/25/2025`)
is counted as unparseable and left empty: dates are never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Serial numbers 25569..73050 are 1970-01-01..2099-12-31: plausible case dates only.
_SERIAL_MIN, _SERIAL_MAX = 25569, 73050
_TIME_TAIL = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
# (regex on the whole stripped value, strptime format of the captured date part)
_FORMS = [
    (r"(\d{1,2}/\d{1,2}/\d{4})" + _TIME_TAIL, "%d/%m/%Y"),
    (r"(\d{1,2}-\d{1,2}-\d{4})" + _TIME_TAIL, "%d-%m-%Y"),
    (r"(\d{1,2}\.\d{1,2}\.\d{4})" + _TIME_TAIL, "%d.%m.%Y"),
    (r"(\d{1,2}/\d{1,2}/\d{2})" + _TIME_TAIL, "%d/%m/%y"),
    (r"(\d{4}-\d{2}-\d{2})" + _TIME_TAIL, "%Y-%m-%d"),
    (r"(\d{1,2} [A-Za-z]{3} \d{4})" + _TIME_TAIL, "%d %b %Y"),
    (r"(\d{1,2}-[A-Za-z]{3}-\d{4})" + _TIME_TAIL, "%d-%b-%Y"),
    (r"(\d{1,2} [A-Za-z]{4,9} \d{4})" + _TIME_TAIL, "%d %B %Y"),
]


@dataclass
class ParsedDates:
    values: pd.Series  # datetime64 at midnight, NaT where blank or unparseable
    blank: int  # empty cells (not an error: e.g. not responded yet)
    unparseable: int  # non-empty cells that fit no accepted form
    unparseable_rows: list  # their positions (0-based), for the report's note


def parse_dates(values) -> ParsedDates:
    """Parse a column of date cells (strings, numbers or datetimes) day-first."""
    raw = pd.Series(values, copy=False)
    if pd.api.types.is_datetime64_any_dtype(raw):
        out = pd.to_datetime(raw).dt.normalize().reset_index(drop=True)
        blank = int(out.isna().sum())
        return ParsedDates(out, blank, 0, [])
    text = raw.astype("string").fillna("").str.strip().reset_index(drop=True)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    blank_mask = text.eq("")
    todo = ~blank_mask
    for pattern, fmt in _FORMS:
        if not todo.any():
            break
        part = text[todo].str.fullmatch(pattern)
        hits = part[part.fillna(False)].index
        if len(hits):
            captured = text[hits].str.extract("^" + pattern + "$", expand=False)
            captured = captured.iloc[:, 0] if isinstance(captured, pd.DataFrame) else captured
            parsed = pd.to_datetime(captured, format=fmt, errors="coerce")
            out[hits] = parsed
            todo[hits] = False  # matched the shape: a bad day/month stays NaT, not retried
    if todo.any():  # Excel serial numbers ("45356" or "45356.0")
        num = pd.to_numeric(text[todo], errors="coerce")
        ok = num.notna() & (num == np.floor(num)) & num.between(_SERIAL_MIN, _SERIAL_MAX)
        idx = num[ok].index
        out[idx] = _EXCEL_EPOCH + pd.to_timedelta(num[ok].astype("int64"), unit="D")
    out = out.dt.normalize()
    bad = out.isna() & ~blank_mask
    return ParsedDates(out, int(blank_mask.sum()), int(bad.sum()), list(np.flatnonzero(bad.to_numpy())))
