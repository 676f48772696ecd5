"""Financial years for the annual report (dates are read by `io.dates`: UK day-first)."""

from __future__ import annotations

import pandas as pd

from classifier.io.dates import ParsedDates, parse_dates  # noqa: F401 (re-exported: the report reads dates here)


def financial_year(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """'2024-25' or '2024/25' or '2024' -> (1 April 2024, 31 March 2025)."""
    text = str(label).strip()
    head = text.replace("/", "-").split("-")[0]
    if not (head.isdigit() and len(head) == 4):
        from classifier.errors import ReportSettingsError

        raise ReportSettingsError(f"--year '{text}' is not a financial year; write it like 2024-25")
    start = int(head)
    return pd.Timestamp(start, 4, 1), pd.Timestamp(start + 1, 3, 31)


def year_label(start: pd.Timestamp) -> str:
    """1 April 2024 -> '2024-25'."""
    return f"{start.year}-{str(start.year + 1)[-2:]}"


def financial_year_of(dates: pd.Series) -> pd.Series:
    """The financial year each date falls in, as its starting calendar year."""
    return dates.dt.year - (dates.dt.month < 4).astype("Int64")
