"""How a figure is shown in the report: thousands separators, one decimal for percentages, '<5' when suppressed."""

from __future__ import annotations

import math

import pandas as pd

_NA = pd.NA


def plain(value):
    """numpy and pandas scalars -> Python int / float / str / None."""
    if value is None or value is _NA:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def is_missing(value) -> bool:
    return plain(value) is None


def cell_text(value, percent: bool = False, suppress: bool = False, below: int = 5) -> str:
    value = plain(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        if suppress and 0 < value < below:
            return f"<{below}"
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.1f}" if percent else f"{value:,.1f}"
    return str(value)


def suppressed(value, suppress: bool, below: int) -> bool:
    """True when a count is hidden as '<5'."""
    value = plain(value)
    return suppress and isinstance(value, int) and not isinstance(value, bool) and 0 < value < below
