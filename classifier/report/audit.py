"""What a reader can work out of a table's hidden counts: each one's least and greatest value given every
sum the table shows (its additive columns and row totals at once), by linear programming (scipy HiGHS).

The constraint matrices (row and column sums) are totally unimodular, so the linear programme's least
and greatest values are whole numbers and are the true bounds of the integer problem.
"""

from __future__ import annotations

import numpy as np

from classifier.report.cells import plain
from classifier.report.tables import Table


def bounds(hidden_text: str, below: int) -> tuple[int, float]:
    """What a reader knows of a hidden count: '<5' is 1 to 4; '[c]' is never small or zero, so at least 5."""
    return (1, below - 1) if hidden_text.startswith("<") else (below, float("inf"))


def groups(t: Table, below: int | None = None) -> list[list[tuple[tuple[int, str], int]]]:
    """The table's known sums: each a list of ((row, column), +1 or -1) adding up to a figure the reader knows.

    An additive column adds up to a total known from elsewhere (with `below`, a column whose total is
    small is left out: that total is hidden where it is shown, see `small_totals`); a row's parts minus
    its total is 0.
    """
    n, out = len(t.frame), []
    for col in t.additive:
        if col in t.frame and not (below and col in small_totals(t, below)):
            out.append([((i, col), 1) for i in range(n)])
    for total, parts in t.row_totals.items():
        if total in t.frame:
            for i in range(n):
                out.append([((i, p), 1) for p in parts if p in t.frame] + [((i, total), -1)])
    return out


def small_totals(t: Table, below: int) -> list[str]:
    """Additive columns whose total is under `below`: a reader knows only that it is 1 to below-1."""
    return [c for c in t.additive if c in t.frame and 0 < sum(_value(t, (i, c)) for i in range(len(t.frame))) < below]


def _value(t: Table, cell) -> float:
    v = plain(t.frame.at[cell])
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


def ranges(t: Table, hidden: dict, below: int) -> dict:
    """(row, column) -> (least, greatest) value of each hidden count that is in a known sum."""
    from scipy.optimize import linprog

    sums = groups(t, below)
    loose = [[((i, c), 1) for i in range(len(t.frame))] for c in small_totals(t, below)]
    cells = sorted({c for g in sums + loose for c, _ in g if c in hidden}, key=str)
    if not cells:
        return {}
    index = {c: k for k, c in enumerate(cells)}
    width = len(cells) + len(loose)  # a small total is one more unknown, 1 to below-1
    a_eq, b_eq = [], []
    for j, g in enumerate(loose):
        row, rhs = np.zeros(width), 0.0
        row[len(cells) + j] = -1.0
        for cell, _ in g:
            if cell in index:
                row[index[cell]] = 1.0
            else:
                rhs -= _value(t, cell)
        a_eq.append(row)
        b_eq.append(rhs)
    for g in sums:
        row, rhs = np.zeros(width), 0.0
        for cell, sign in g:
            if cell in index:
                row[index[cell]] = sign
                rhs += sign * _value(t, cell)  # the sum is known: hidden cells add up to it less the shown
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    span = [bounds(hidden[c], below) for c in cells]
    limits = [(lo, None if hi == float("inf") else hi) for lo, hi in span] + [(1, below - 1)] * len(loose)
    out = {}
    for cell, k in index.items():
        goal = np.zeros(width)
        goal[k] = 1.0
        low = linprog(goal, A_eq=a_eq, b_eq=b_eq, bounds=limits, method="highs")
        high = linprog(-goal, A_eq=a_eq, b_eq=b_eq, bounds=limits, method="highs")
        least = low.fun if low.status == 0 else span[k][0]
        greatest = -high.fun if high.status == 0 else float("inf")
        out[cell] = (round(least, 6), round(greatest, 6))
    return out
