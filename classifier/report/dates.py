"""Financial years for the annual report (dates are read by `io.dates`: UK day-first)."""

from __future__ import annotations

import re

import pandas as pd

from classifier.io.dates import ParsedDates, parse_dates  # noqa: F401 (re-exported: the report reads dates here)

_YEAR = re.compile(r"^(\d{4}|\d{2})(?:\s*[-/]\s*(\d{2}|\d{4}))?$")
YEAR_FORMS = "2024-25, 2024/25, 24-25, 2024-2025 or 2024 (the year April starts in)"


def financial_year(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """'2024-25', '2024/25', '24-25', '2024-2025' or '2024' -> (1 April 2024, 31 March 2025).

    The second year, when given, must follow the first ('2024-26' and '2023-25' are refused, E111); a
    two-digit first year ('24-25') is of this century and needs its second year.
    """
    text = str(label).strip()
    m = _YEAR.match(text)
    if m and len(m.group(1)) == 2 and not (m.group(2) and len(m.group(2)) == 2):
        m = None  # '24' alone or '24-2025' is not a form anyone writes: refused rather than guessed
    if m and m.group(2):
        first, second = _century(m.group(1)), m.group(2)
        follows = int(second) == (first + 1 if len(second) == 4 else (first + 1) % 100)
        m = m if follows else None
    if not m:
        from classifier.errors import ReportYearError

        shown = text if len(text) <= 20 else f"a value of {len(text)} characters"
        raise ReportYearError(f"--year '{shown}' is not a financial year (April to March); write {YEAR_FORMS}")
    start = _century(m.group(1))
    return pd.Timestamp(start, 4, 1), pd.Timestamp(start + 1, 3, 31)


def _century(year: str) -> int:
    """'24' -> 2024; a four-digit year as it is."""
    return int(year) + (2000 if len(year) == 2 else 0)


def year_label(start: pd.Timestamp) -> str:
    """1 April 2024 -> '2024-25'."""
    return f"{start.year}-{str(start.year + 1)[-2:]}"


def financial_year_of(dates: pd.Series) -> pd.Series:
    """The financial year each date falls in, as its starting calendar year."""
    return dates.dt.year - (dates.dt.month < 4).astype("Int64")
