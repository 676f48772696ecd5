"""How a figure is shown in the report: thousands separators, one decimal for percentages, '<5' or '[c]' when hidden."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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


def cell_text(value, percent: bool = False, hidden: str | None = None) -> str:
    """A cell as shown; `hidden` (the table's text for a suppressed cell) wins over the value."""
    if hidden:
        return hidden
    value = plain(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.1f}" if percent else f"{value:,.1f}"
    return str(value)


def rows(n: int, what: str, plural: str | None = None) -> str:
    """'1 total row', '3 total rows'; `plural` for irregular words ('1 date is', '2 dates are')."""
    return f"{n:,} " + (what if n == 1 else plural or what + "s")


CONFIDENTIAL = "[c]"  # a figure hidden because a small count could be worked out from it


def small(value, below: int) -> bool:
    """A count from 1 to below-1: shown as '<below' when suppressing."""
    value = plain(value)
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < below


@dataclass(frozen=True)
class Note:
    """A table note whose figures can be hidden: `template` with {name} fields for counts and shares.

    `counts` maps a field to a count; `shares` maps a field to (part, whole), shown as a percentage;
    `forms` maps a field to (count field, singular, plural): the words after the count ('complaint has'),
    plural when the count is hidden.
    """

    template: str
    counts: dict = field(default_factory=dict)
    shares: dict = field(default_factory=dict)
    forms: dict = field(default_factory=dict)

    def text(self, below: int | None = None, hide=()) -> str:
        """The note; with `below`, counts under it read '<below' and shares of them '[c]', as do the
        counts and shares named in `hide` (a hidden cell could be worked out from them)."""
        values: dict[str, str] = {}
        for name, n in self.counts.items():
            values[name] = (
                CONFIDENTIAL if below and name in hide else f"<{below}" if below and small(n, below) else f"{n:,}"
            )
        for name, (count, one, many) in self.forms.items():
            values[name] = one if values[count] == "1" else many
        for name, (part, whole) in self.shares.items():
            if below and (small(part, below) or small(whole, below) or name in hide):
                values[name] = CONFIDENTIAL
            else:
                values[name] = "-" if not whole else f"{100.0 * part / whole:.1f}%"
        return self.template.format(**values)

    def __str__(self) -> str:
        return self.text()

    def __bool__(self) -> bool:
        return bool(self.template)


def small_numbers_legend(below: int) -> str:
    return (
        f"Counts from 1 to {below - 1} are shown as <{below} to protect individuals; figures from which such a "
        f"count could be worked out (a percentage, a change, an average, or a second cell of a row or column "
        f"with a known total) are shown as {CONFIDENTIAL}."
    )
