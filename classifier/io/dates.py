"""Dates as case exports and action tables write them: UK day-first, Excel serial numbers, ISO.

`04/03/2025` is 4 March 2025, never 3 April. Month names are read in any of
the orders exports use (`04-Mar-25`, `Tue 04 Mar 2025`, `March 04, 2025`). A
value that fits no accepted form, or fits one but names no real day (such as
`03/25/2025`), is counted as unparseable and left empty: dates are never
guessed. The second kind is also counted apart (`not_real`); of the first, the
shape (`nn.nn.nn`: n a digit, A a letter) is counted, so a note can say which
form could not be read without quoting a value.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Serial numbers 25569..73050 are 1970-01-01..2099-12-31: plausible case dates only.
_SERIAL_MIN, _SERIAL_MAX = 25569, 73050
_TIME_TAIL = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
# (regex on the whole tidied value, strptime format of the captured date part)
_FORMS = [
    (r"(\d{1,2}/\d{1,2}/\d{4})" + _TIME_TAIL, "%d/%m/%Y"),
    (r"(\d{1,2}-\d{1,2}-\d{4})" + _TIME_TAIL, "%d-%m-%Y"),
    (r"(\d{1,2}\.\d{1,2}\.\d{4})" + _TIME_TAIL, "%d.%m.%Y"),
    (r"(\d{1,2}/\d{1,2}/\d{2})" + _TIME_TAIL, "%d/%m/%y"),
    (r"(\d{1,2}-\d{1,2}-\d{2})" + _TIME_TAIL, "%d-%m-%y"),
    (r"(\d{1,2}\.\d{1,2}\.\d{2})" + _TIME_TAIL, "%d.%m.%y"),
    (r"(\d{4}-\d{2}-\d{2})" + _TIME_TAIL, "%Y-%m-%d"),
    (r"(\d{1,2} [A-Za-z]{3} \d{4})" + _TIME_TAIL, "%d %b %Y"),
    (r"(\d{1,2}-[A-Za-z]{3}-\d{4})" + _TIME_TAIL, "%d-%b-%Y"),
    (r"(\d{1,2} [A-Za-z]{3} \d{2})" + _TIME_TAIL, "%d %b %y"),
    (r"(\d{1,2}-[A-Za-z]{3}-\d{2})" + _TIME_TAIL, "%d-%b-%y"),  # Oracle and Excel exports: 04-Mar-25
    (r"(\d{1,2} [A-Za-z]{4,9} \d{4})" + _TIME_TAIL, "%d %B %Y"),
    (r"(\d{1,2}-[A-Za-z]{4,9}-\d{4})" + _TIME_TAIL, "%d-%B-%Y"),
    (r"([A-Za-z]{3} \d{1,2} \d{4})" + _TIME_TAIL, "%b %d %Y"),  # month first only with the month's name
    (r"([A-Za-z]{4,9} \d{1,2} \d{4})" + _TIME_TAIL, "%B %d %Y"),
]
# Tidied before matching: a leading weekday ('Tue', 'Tuesday,'), ordinals ('4th'), commas, 'Sept'.
_WEEKDAY = r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+"
_ORDINAL = r"(?<=\d)(?:st|nd|rd|th)\b"
_SHAPE_MAX = 20  # longer values are described by their length only


@dataclass
class ParsedDates:
    values: pd.Series  # datetime64 at midnight, NaT where blank or unparseable
    blank: int  # empty cells (not an error: e.g. not responded yet)
    unparseable: int  # non-empty cells that fit no accepted form
    unparseable_rows: list  # their positions (0-based), for the report's note
    unparseable_shapes: dict = field(default_factory=dict)  # shape ('nn.nn.nn') -> cells, most common first
    # Of `unparseable`: cells in an accepted form naming no real day ('31/13/2024', '30/02/2025'); they are
    # not in `unparseable_shapes`, as their form is one that is read.
    not_real: int = 0


def date_shape(value: str) -> str:
    """'04.03.25' -> 'nn.nn.nn', 'TBC' -> 'AAA': the form of a value, never its digits or words."""
    text = " ".join(str(value).split())
    if len(text) > _SHAPE_MAX:
        return f"text of {len(text)} characters"
    return re.sub(r"\d", "n", re.sub(r"[A-Za-z]", "A", text))


def _tidy(text: pd.Series) -> pd.Series:
    out = text.str.replace(_WEEKDAY, "", case=False, regex=True)
    out = out.str.replace(_ORDINAL, "", regex=True).str.replace(",", " ", regex=False)
    out = out.str.replace(r"\bSept\b", "Sep", case=False, regex=True)
    return out.str.replace(r"\s+", " ", regex=True).str.strip()


def parse_dates(values) -> ParsedDates:
    """Parse a column of date cells (strings, numbers or datetimes) day-first."""
    raw = pd.Series(values, copy=False)
    if pd.api.types.is_datetime64_any_dtype(raw):
        out = pd.to_datetime(raw).dt.normalize().reset_index(drop=True)
        blank = int(out.isna().sum())
        return ParsedDates(out, blank, 0, [])
    original = raw.astype("string").fillna("").str.strip().reset_index(drop=True)
    out = pd.Series(pd.NaT, index=original.index, dtype="datetime64[ns]")
    blank_mask = original.eq("")
    todo = ~blank_mask
    formed = pd.Series(False, index=original.index)  # fits an accepted form (real date or not)
    text = original.copy()
    if todo.any() and original[todo].str.contains(r"[A-Za-z,]", regex=True).any():
        text[todo] = _tidy(original[todo])
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
            formed[hits] = True
    if todo.any():  # Excel serial numbers ("45356" or "45356.0")
        num = pd.to_numeric(text[todo], errors="coerce")
        ok = num.notna() & (num == np.floor(num)) & num.between(_SERIAL_MIN, _SERIAL_MAX)
        idx = num[ok].index
        out[idx] = _EXCEL_EPOCH + pd.to_timedelta(num[ok].astype("int64"), unit="D")
    out = out.dt.normalize()
    bad = out.isna() & ~blank_mask
    shapes = Counter(date_shape(v) for v in original[bad & ~formed])
    return ParsedDates(
        out,
        int(blank_mask.sum()),
        int(bad.sum()),
        list(np.flatnonzero(bad.to_numpy())),
        dict(shapes.most_common()),
        int((bad & formed).sum()),
    )
