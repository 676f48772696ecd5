"""Timeliness tables of the annual report: working days to respond, by stage, quarter and service."""

from __future__ import annotations

import pandas as pd

from classifier.report.dates import financial_year_of, year_label
from classifier.report.settings import ReportSettings
from classifier.report.tables import STAGES, Table, complaints, pct, service_fact

# What small-number suppression hides with a hidden count (an average of fewer than 5 is one of them).
_DERIVED = {"Within target %": ["Responded", "Within target"], "Average working days": ["Responded"]}


def _timescale_row(c: pd.DataFrame, base, extended) -> dict:
    done = c[c["working_days"].notna()]
    days = done["working_days"]
    row = {
        "responded": int(len(done)),
        "within": None,
        "percent": None,
        "mean_working_days": None if days.empty else round(float(days.mean()), 1),
    }
    if base is not None:
        within = int((days <= base).sum())
        row.update(within=within, percent=pct(within, len(done)))
        limit = days.copy() * 0 + base
        if extended is not None:
            limit = limit.where(~done["extended"].astype(bool), extended)
        agreed = int((days <= limit).sum())
        row.update(within_agreed=agreed, percent_within_agreed=pct(agreed, len(done)))
    return row


def timescales(cases, settings: ReportSettings) -> Table:
    c = complaints(cases)
    js = {}
    for s in STAGES:
        ts = settings.timescale(s)
        js[str(s)] = _timescale_row(c[c["stage"].eq(s)], ts.base, ts.extended)
    frame = pd.DataFrame(
        {
            "Stage": [f"Stage {s}" for s in STAGES],
            "Target (working days)": [_target(settings, s) for s in STAGES],
            "Responded": [js[str(s)]["responded"] for s in STAGES],
            "Within target": pd.array([js[str(s)]["within"] for s in STAGES], dtype="Int64"),
            "Within target %": [js[str(s)]["percent"] for s in STAGES],
            "Within agreed extension %": [js[str(s)].get("percent_within_agreed") for s in STAGES],
            "Average working days": [js[str(s)]["mean_working_days"] for s in STAGES],
        }
    )
    note = (
        "Working days exclude weekends and England and Wales bank holidays, counted from the day after "
        "receipt to the day of response. 'Within target' uses the base timescale; 'within agreed extension' "
        "allows the extended timescale where the extension column says yes."
    )
    return Table(
        "timescales",
        "Timescales by stage",
        frame,
        js,
        "bar",
        ["Within target %"],
        note,
        ["Within target %", "Within agreed extension %"],
        "Within target %",
        derived=dict(_DERIVED),
        complements={"Within target": "Responded"},
        basis={
            "Within agreed extension %": [(js[str(s)].get("within_agreed"), js[str(s)]["responded"]) for s in STAGES]
        },
    )


def _target(settings, s) -> str:
    ts = settings.timescale(s)
    if ts.base is None:
        return "days taken, no fixed target"
    return f"{ts.base} ({ts.extended} extended)" if ts.extended is not None else str(ts.base)


def _stage1_breakdown(key: str, title: str, label: str, names: list, js: dict, chart: str) -> Table:
    """Stage 1 timescales split by quarter or service; the rows add up to stage 1's figures in
    "Timescales by stage", which suppression must know."""
    frame = pd.DataFrame(
        {
            label: names,
            "Responded": [js[k]["responded"] for k in js],
            "Within target": [js[k]["within"] for k in js],
            "Within target %": [js[k]["percent"] for k in js],
            "Average working days": [js[k]["mean_working_days"] for k in js],
        }
    )
    return Table(
        key,
        title,
        frame,
        js,
        chart,
        ["Within target %"],
        "",
        ["Within target %"],
        "Within target %",
        derived=dict(_DERIVED),
        complements={"Within target": "Responded"},
        additive=["Responded", "Within target"],
    )


def timescales_by_quarter(cases, settings: ReportSettings) -> Table:
    """Stage 1 by financial quarter received (Q1 is April to June). Records of one financial year give
    Q1-Q4; records across two (a calendar-year export) give each quarter with its year, in date order,
    so January to March of the earlier year is never read as this year's Q4."""
    c = complaints(cases)
    c = c[c["stage"].eq(1) & c["received"].notna()]
    quarter = ((c["received"].dt.month - 4) % 12) // 3 + 1
    year = financial_year_of(c["received"])
    ts = settings.timescale(1)
    span = "Apr-Jun", "Jul-Sep", "Oct-Dec", "Jan-Mar"
    if year.nunique() <= 1:
        js = {f"Q{q}": _timescale_row(c[quarter.eq(q)], ts.base, ts.extended) for q in (1, 2, 3, 4)}
        names = [f"Q{q} {span[q - 1]}" for q in (1, 2, 3, 4)]
        note = ""
    else:
        keys = sorted(set(zip(year.astype(int), quarter)))
        first, last = keys[0], keys[-1]
        keys = [(y, q) for y in range(first[0], last[0] + 1) for q in (1, 2, 3, 4) if first <= (y, q) <= last]
        js, names = {}, []
        for y, q in keys:
            label = f"{year_label(pd.Timestamp(y, 4, 1))} Q{q}"
            js[label] = _timescale_row(c[year.eq(y) & quarter.eq(q)], ts.base, ts.extended)
            names.append(f"{label} {span[q - 1]}")
        note = (
            "The records are not one April-March financial year: each quarter is named with its financial "
            "year, in date order. Give --year for one financial year's quarters."
        )
    t = _stage1_breakdown(
        "timescales_by_quarter", "Stage 1 timescales by quarter received", "Quarter", names, js, "bar"
    )
    t.note = note
    return t


def timescales_by_service(cases, settings: ReportSettings) -> Table:
    c = complaints(cases)
    c = c[c["stage"].eq(1) & c["service"].ne("")]
    ts = settings.timescale(1)
    order = sorted(c["service"].unique())
    js = {s: _timescale_row(c[c["service"].eq(s)], ts.base, ts.extended) for s in order}
    t = _stage1_breakdown("timescales_by_service", "Stage 1 timescales by service", "Service", order, js, "barh")
    # Responded differs from the service's stage 1 count only by its open complaints: hidden together.
    t.facts = {(i, "Responded"): service_fact(s) for i, s in enumerate(order)}
    return t
