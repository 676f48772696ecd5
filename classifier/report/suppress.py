"""Small-number suppression: which cells of the report's tables are hidden, and with what.

Primary: a count from 1 to below-1 reads '<5'. Secondary: where a column (or a
row with a total) adds up to a total the reader knows, one hidden cell could be
worked out by subtraction, so the next-smallest cell is hidden too ('[c]').
Complement: where a part and its total are both shown ('28 of 30 within
target'), a small remainder (2 outside target) is as telling as a small count,
so the part is hidden ('[c]').
Derived: a percentage, change or average worked out from a hidden count is
hidden ('[c]'). A figure shared by two tables (facts) is hidden in both.
"""

from __future__ import annotations

import pandas as pd

from classifier.report.cells import CONFIDENTIAL, plain, small
from classifier.report.tables import Table


def _count(value) -> int | None:
    value = plain(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _primary(t: Table, below: int) -> dict:
    hidden = {}
    for col in t.frame.columns[1:]:
        for i, v in enumerate(t.frame[col]):
            if small(v, below):
                hidden[(i, col)] = f"<{below}"
    return hidden


def _hide_next_smallest(t: Table, hidden: dict, cells: list) -> bool:
    """When exactly one of `cells` is hidden, hide the smallest shown non-zero count among them."""
    if sum(c in hidden for c in cells) != 1:
        return False
    shown = [(_count(t.frame.at[i, col]), -i, (i, col)) for i, col in cells if (i, col) not in hidden]
    shown = [s for s in shown if s[0]]
    if not shown:
        return False  # the hidden cell is the only non-zero one: nothing else can cover it
    hidden[min(shown)[2]] = CONFIDENTIAL
    return True


def _complements(t: Table, hidden: dict, below: int) -> bool:
    changed = False
    for part, total in t.complements.items():
        if part not in t.frame or total not in t.frame:
            continue
        for i in range(len(t.frame)):
            if (i, part) in hidden or (i, total) in hidden:
                continue
            p, w = _count(t.frame.at[i, part]), _count(t.frame.at[i, total])
            if p is not None and w is not None and 0 < w - p < below:
                hidden[(i, part)] = CONFIDENTIAL
                changed = True
    return changed


def _secondary(t: Table, hidden: dict) -> bool:
    changed = False
    n = len(t.frame)
    for col in t.additive:
        if col in t.frame:
            changed |= _hide_next_smallest(t, hidden, [(i, col) for i in range(n)])
    for total, parts in t.row_totals.items():
        for i in range(n):
            cells = [(i, p) for p in parts if p in t.frame]
            if (i, total) in hidden and not any(c in hidden for c in cells):
                # A hidden total is the sum of its shown parts: hide the smallest part too.
                changed |= _hide_next_smallest(t, hidden, [(i, total)] + cells)
            elif (i, total) not in hidden:
                changed |= _hide_next_smallest(t, hidden, cells)
    return changed


def _derived(t: Table, hidden: dict, below: int) -> None:
    for col, sources in t.derived.items():
        if col not in t.frame:
            continue
        for i in range(len(t.frame)):
            if any((i, s) in hidden for s in sources):
                hidden.setdefault((i, col), CONFIDENTIAL)
    for col, per_row in t.basis.items():
        if col not in t.frame:
            continue
        for i, counts in enumerate(per_row):
            if any(small(c, below) for c in counts):
                hidden.setdefault((i, col), CONFIDENTIAL)


def suppress_tables(tables: list[Table], below: int) -> None:
    """Set each table's `hidden` cells (one year's tables together, so a shared figure is hidden in all)."""
    hidden = {id(t): _primary(t, below) for t in tables}
    for _ in range(100):  # grows monotonically; a few rounds settle it
        changed = False
        for t in tables:
            changed |= _complements(t, hidden[id(t)], below)
            while _secondary(t, hidden[id(t)]):
                changed = True
        secret = {t.facts[c] for t in tables for c in hidden[id(t)] if c in t.facts}
        for t in tables:
            for cell, fact in t.facts.items():
                if fact in secret and cell not in hidden[id(t)]:
                    hidden[id(t)][cell] = CONFIDENTIAL
                    changed = True
        if not changed:
            break
    for t in tables:
        _derived(t, hidden[id(t)], below)
        t.hidden = hidden[id(t)]


def note_text(t: Table, below: int | None) -> str:
    """The table's note with its small figures hidden (when `below` is set)."""
    return t.note.text(below) if hasattr(t.note, "text") else str(t.note)


def published(t: Table, below: int) -> dict:
    """What tables.json holds for a table when suppressing: the rows as shown, hidden cells as text."""
    rows = []
    for i, values in enumerate(t.frame.itertuples(index=False, name=None)):
        rows.append([t.hidden.get((i, col), plain(v)) for col, v in zip(t.frame.columns, values)])
    return {"columns": [str(c) for c in t.frame.columns], "rows": rows, "note": note_text(t, below)}


def masked_frame(t: Table) -> pd.DataFrame:
    """The frame with hidden cells as None (for charts: no bar, no point, no label)."""
    frame = t.frame.copy().astype(object)
    for (i, col), _ in t.hidden.items():
        frame.at[i, col] = None
    return frame
