"""Small-number suppression: which cells of the report's tables are hidden, and with what.

Primary: a count from 1 to below-1 reads '<5'. Secondary: where a column (or a
row with a total) adds up to a total the reader knows, one hidden cell could be
worked out by subtraction, so the next-smallest cell is hidden too ('[c]').
Complement: where a part and its total are both shown ('28 of 30 within
target'), a small remainder (2 outside target) is as telling as a small count,
so the part is hidden ('[c]').
Derived: a percentage, change or average worked out from a hidden count is
hidden ('[c]'). A figure shared by two tables (facts) is hidden in both; so are
figures one table cannot show without giving the other's away: a service's
stage 1 complaints ("Complaints by service area", "in context") and its stage 1
complaints responded to ("Stage 1 timescales by service"), which differ only by
the few still open. Followed: a figure worked out from a column of another
table (the share upheld at a stage) is hidden with any cell of that column.
"""

from __future__ import annotations

import pandas as pd

from classifier.report.audit import bounds, groups, ranges
from classifier.report.cells import CONFIDENTIAL, is_missing, plain, small
from classifier.report.tables import Table

# A hidden count must keep at least MIN_RANGE + 1 possible values given what is shown.
MIN_RANGE = 2


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
    """Hide the smallest shown non-zero count among `cells`; False when there is none."""
    shown = [(_count(t.frame.at[i, col]), -i, (i, col)) for i, col in cells if (i, col) not in hidden]
    shown = [s for s in shown if s[0]]
    if not shown:
        return False  # the hidden cells are the only non-zero ones: nothing else can cover them
    hidden[min(shown)[2]] = CONFIDENTIAL
    return True


def _exposed(t: Table, hidden: dict, group: list, below: int) -> bool:
    """Whether the group's known sum narrows a hidden cell to fewer than three values.

    One hidden cell is a subtraction away; two '<5' cells left 2 by a row total of 17 with 15 shown are
    both 1; left 3, one of them is 1. Each hidden cell's range follows from the sum and what a reader
    knows of the others (`bounds`).
    """
    unknown = [(cell, sign) for cell, sign in group if cell in hidden]
    if not unknown:
        return False
    if len(unknown) == 1:
        return True
    rest = sum(sign * (_count(t.frame.at[cell]) or 0) for cell, sign in unknown)  # what the shown cells leave
    span = {cell: bounds(hidden[cell], below) for cell, _ in unknown}
    for cell, sign in unknown:
        others = [(c, s) for c, s in unknown if c != cell]
        low = sum(s * (span[c][0] if s > 0 else span[c][1]) for c, s in others)
        high = sum(s * (span[c][1] if s > 0 else span[c][0]) for c, s in others)
        a, b = (rest - high) * sign, (rest - low) * sign  # sign * x = rest - (the others' sum)
        lo, hi = max(span[cell][0], min(a, b)), min(span[cell][1], max(a, b))
        if hi - lo < MIN_RANGE:
            return True
    return False


def _secondary(t: Table, hidden: dict, below: int) -> bool:
    changed = False
    for group in groups(t, below):
        if _exposed(t, hidden, group, below):
            changed |= _hide_next_smallest(t, hidden, [cell for cell, _ in group])
    return changed


def _audit(t: Table, hidden: dict, below: int) -> bool:
    """Every known sum of the table at once: where a hidden count is still narrowed to fewer than
    MIN_RANGE + 1 values, hide the smallest shown non-zero count of a sum it is in."""
    if sum(1 for g in groups(t) for c, _ in g if c in hidden) < 2:
        return False
    changed = False
    for cell, (lo, hi) in ranges(t, hidden, below).items():
        if hi - lo < MIN_RANGE:
            near = [c for g in groups(t) if any(x == cell for x, _ in g) for c, _ in g]
            changed |= _hide_next_smallest(t, hidden, near)
            if changed:
                return True  # one at a time: the next ranges depend on it
    return changed


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
            while _secondary(t, hidden[id(t)], below) or _audit(t, hidden[id(t)], below):
                changed = True
        secret = {t.facts[c] for t in tables for c in hidden[id(t)] if c in t.facts}
        for t in tables:
            for cell, fact in t.facts.items():
                if fact in secret and cell not in hidden[id(t)]:
                    hidden[id(t)][cell] = CONFIDENTIAL
                    changed = True
        if not changed:
            break
    _follow(tables, hidden)
    for t in tables:
        _derived(t, hidden[id(t)], below)
        # An empty cell (no target at stage 3) gives nothing away: it stays '-', not '[c]'.
        t.hidden = {cell: v for cell, v in hidden[id(t)].items() if not _empty(t, cell)}


def _follow(tables: list[Table], hidden: dict) -> None:
    """A figure worked out from another table's column (a share upheld from the outcomes of its stage) is
    hidden when any cell of that column is. Such figures are in no known sum, so nothing else moves."""
    by_key = {t.key: t for t in tables}
    for t in tables:
        for col, refs in t.follows.items():
            for i, (key, column) in enumerate(refs):
                other = by_key.get(key)
                if other is not None and any(c == column for _, c in hidden[id(other)]):
                    hidden[id(t)].setdefault((i, col), CONFIDENTIAL)


def _empty(t: Table, cell) -> bool:
    row, col = cell
    if col not in t.frame.columns or row >= len(t.frame):
        return False
    return is_missing(t.frame[col].iat[row])


def hides(tables, key: str, labels=None, columns=None) -> bool:
    """Whether table `key` hides a cell in a row labelled one of `labels` and a column of `columns`
    (None: any): a note's count about those rows would give the hidden cell away."""
    for t in tables:
        if t.key != key:
            continue
        for i, col in t.hidden:
            label = str(t.frame.iat[i, 0]) if i < len(t.frame) else None
            if (labels is None or label in labels) and (columns is None or col in columns):
                return True
    return False


def note_text(t: Table, below: int | None, tables=()) -> str:
    """The table's note with its small figures hidden (when `below` is set), and its counts of rows that
    `tables` hide (`Table.note_rows`)."""
    if not hasattr(t.note, "text"):
        return str(t.note)
    hide = {name for name, col in t.note_columns.items() if any(c == col for _, c in t.hidden)}
    hide |= {name for name, (key, labels) in t.note_rows.items() if hides(tables, key, labels)}
    return t.note.text(below, hide)


def published(t: Table, below: int, tables=()) -> dict:
    """What tables.json holds for a table when suppressing: the rows as shown, hidden cells as text."""
    rows = []
    for i, values in enumerate(t.frame.itertuples(index=False, name=None)):
        rows.append([t.hidden.get((i, col), plain(v)) for col, v in zip(t.frame.columns, values)])
    return {"columns": [str(c) for c in t.frame.columns], "rows": rows, "note": note_text(t, below, tables)}


def masked_frame(t: Table) -> pd.DataFrame:
    """The frame with hidden cells as None (for charts: no bar, no point, no label)."""
    frame = t.frame.copy().astype(object)
    for (i, col), _ in t.hidden.items():
        frame.at[i, col] = None
    return frame
