"""What the later stages cost, and mediation between stages: two tables annual reports give.

Investigations at stage 2 (an investigator and an independent person) and
stage 3 panels are paid for, and reports give their cost; mediation offered
between stages is counted by whether it was taken up and what came of it.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from classifier.report.cells import Note
from classifier.report.tables import Table, _count_table, _counts, complaints

_MONEY = re.compile(r"^-?\d+(?:\.\d+)?$")


def money(values: pd.Series) -> tuple[pd.Series, int]:
    """'£1,250.00', '1250', '£ 980' -> float; blank -> NaN. Also how many non-blank cells were not amounts."""
    text = values.fillna("").astype(str).str.replace(r"[£,\s]|GBP", "", regex=True)
    ok = text.str.match(_MONEY)
    amounts = pd.to_numeric(text.where(ok), errors="coerce")
    return amounts, int((~ok & text.ne("")).sum())


def costs(cases) -> Table | None:
    """Stage 2 and 3: complaints with a cost recorded, total and average cost (None when none has one)."""
    c = complaints(cases)
    amounts, unreadable = money(c["cost"])
    if not (amounts.notna() & c["stage"].isin([2, 3])).any():
        return None
    rows, js = [], {}
    for s in (2, 3):
        paid = amounts[c["stage"].eq(s) & amounts.notna()]
        n = int(len(paid))
        total = round(float(paid.sum()), 2) if n else None
        mean = round(float(paid.mean()), 2) if n else None
        rows.append({"Stage": f"Stage {s}", "With a cost recorded": n, "Total cost £": total, "Average cost £": mean})
        js[str(s)] = {"with_cost": n, "total": total, "average": mean}
    frame = pd.DataFrame(rows)
    for col in ("Total cost £", "Average cost £"):  # whole pounds on the page; tables.json keeps pence
        # Half a pound rounds up, as people round money (Python's round() would take £14,530.50 to 14,530).
        frame[col] = pd.array([None if pd.isna(v) else int(math.floor(v + 0.5)) for v in frame[col]], dtype="Int64")
    note = Note(
        "Costs as recorded in the export (investigator, independent person and panel fees)."
        + (" {n} {was} not an amount and not counted." if unreadable else ""),
        {"n": unreadable} if unreadable else {},
        forms={"was": ("n", "cost cell was", "cost cells were")} if unreadable else {},
    )
    t = Table("costs", "Cost of stage 2 investigations and stage 3 panels", frame, js, None, [], note)
    # A total or average over fewer than 5 cases can give one person's case away.
    t.derived = {"Total cost £": ["With a cost recorded"], "Average cost £": ["With a cost recorded"]}
    t.basis = {"Average cost £": [(r["With a cost recorded"],) for r in rows]}
    return t


def mediation(cases) -> Table:
    """Complaints by what the mediation column records (offered, declined, resolved ...)."""
    c = complaints(cases)
    counts = _counts(c["mediation"])
    blank = int(c["mediation"].eq("").sum())
    note = (
        Note(
            "{n} {has} nothing recorded about mediation; not counted.",
            {"n": blank},
            forms={"has": ("n", "complaint has", "complaints have")},
        )
        if blank
        else ""
    )
    return _count_table("mediation", "Mediation", counts, "Mediation", "Complaints", note=note)
