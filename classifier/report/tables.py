"""Every table of the annual report, computed from the canonical case frame with pandas only.

Each function takes the canonical cases (see `cases.py`) and returns a `Table`:
a display frame (first column: row labels; other columns: typed numbers), the
value `tables.json` stores under the table's key, and a chart suggestion.
Functions return None when the export lacks a column the table needs; the
caller notes which (`REQUIRES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from classifier.report.cells import Note
from classifier.report.settings import ReportSettings, words
from classifier.report.values import value_key

STAGES = (1, 2, 3)
FY_MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
# table key -> the column keys it needs (beyond received and kind).
REQUIRES = {
    "by_stage": ("stage",),
    "complainants": ("complainant",),
    "methods": ("method",),
    "services": ("service",),
    "ethnicity": ("ethnicity",),
    "outcomes": ("stage", "outcome"),
    "upheld_share": ("stage", "outcome"),
    "timescales": ("stage", "responded"),
    "timescales_by_quarter": ("stage", "responded"),
    "timescales_by_service": ("stage", "responded", "service"),
    "escalation": ("stage",),
    "themes_by_stage": ("stage",),
    "repeat_complainants": ("person",),
    "ombudsman": ("ombudsman_outcome",),
    "procedures": ("procedure",),
    "costs": ("stage", "cost"),
    "mediation": ("mediation",),
    "compliments_by_service": ("service",),
}


@dataclass
class Table:
    key: str
    title: str
    frame: pd.DataFrame
    json: object
    chart: str | None = None  # 'bar', 'barh', 'line', 'stacked' or None
    chart_columns: list = field(default_factory=list)
    note: str | Note = ""
    percent_columns: list = field(default_factory=list)
    count_column: str | None = None  # compared year on year
    align: list | None = None  # year-on-year join keys (default: the row labels)
    extra: dict = field(default_factory=dict)  # more top-level keys for tables.json
    # What small-number suppression needs (suppress.py): which figures give which away.
    derived: dict = field(default_factory=dict)  # column -> same-row columns it is computed from
    basis: dict = field(default_factory=dict)  # column -> per row, the unshown counts it is computed from
    additive: list = field(default_factory=list)  # count columns adding up to a known total
    row_totals: dict = field(default_factory=dict)  # total column -> the columns adding up to it
    complements: dict = field(default_factory=dict)  # part column -> total column (total - part is a count too)
    facts: dict = field(default_factory=dict)  # (row, column) -> a name for the figure shared across tables
    note_columns: dict = field(default_factory=dict)  # note share field -> the column its whole adds up
    follows: dict = field(default_factory=dict)  # column -> per row, (table key, column) whose hiding it follows
    note_rows: dict = field(default_factory=dict)  # note count field -> (table key, row labels) it adds up
    hidden: dict = field(default_factory=dict)  # (row, column) -> what is shown instead ('<5', '[c]')


def pct(part, whole) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


def complaints(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[cases["kind"].eq("complaint")]


def _n_in(values: pd.Series, wanted: frozenset) -> int:
    """How many values are, in settings' word form, in `wanted`."""
    return sum(words(v) in wanted for v in values)


def _counts(values: pd.Series) -> dict[str, int]:
    """Non-blank values as written, most frequent first (ties alphabetical)."""
    vc = values[values.ne("")].value_counts()
    return {str(k): int(v) for k, v in sorted(vc.items(), key=lambda kv: (-kv[1], str(kv[0])))}


def _count_table(key, title, counts: dict, label: str, of: str, chart="barh", note="") -> Table:
    total = sum(counts.values())
    frame = pd.DataFrame(
        {label: list(counts), of: list(counts.values()), "Share %": [pct(v, total) for v in counts.values()]}
    )
    t = Table(key, title, frame, counts, chart, [of], note, ["Share %"], of)
    t.derived, t.additive = {"Share %": [of]}, [of]
    return t


def kinds(cases) -> Table:
    order = ["complaint", "enquiry", "compliment", "other"]
    vc = cases["kind"].value_counts()
    counts = {k: int(vc.get(k, 0)) for k in order if vc.get(k, 0) or k != "other"}
    unrecorded = int(vc.get("", 0))
    frame = pd.DataFrame({"Kind": [k.capitalize() for k in counts], "Records": list(counts.values())})
    note = (
        Note(
            "{n} {has} no kind recorded and {is_} not counted.",
            {"n": unrecorded},
            forms={"has": ("n", "record has", "records have"), "is_": ("n", "is", "are")},
        )
        if unrecorded
        else ""
    )
    return Table("kinds", "Records by kind", frame, counts, None, [], note, [], "Records", additive=["Records"])


def by_stage(cases) -> Table:
    c = complaints(cases)
    counts = {str(s): int(c["stage"].eq(s).sum()) for s in STAGES}
    frame = pd.DataFrame({"Stage": [f"Stage {s}" for s in counts], "Complaints": list(counts.values())})
    written = c["stage_written"].astype(bool) if "stage_written" in c else pd.Series(False, index=c.index)
    blank = int((c["stage"].eq(0) & ~written).sum())
    odd = int((c["stage"].eq(0) & written).sum())
    said = [
        ("{" + name + "} {" + name + "_has} " + what, name, n)
        for name, n, what in (("odd", odd, "a stage not recognised"), ("blank", blank, "no stage recorded"))
        if n
    ]
    note: str | Note = (
        Note(
            " and ".join(part for part, _, _ in said) + "; not counted here.",
            {name: n for _, name, n in said},
            forms={f"{name}_has": (name, "complaint has", "complaints have") for _, name, _ in said},
        )
        if said
        else ""
    )
    t = Table("by_stage", "Complaints by stage", frame, counts, "bar", ["Complaints"], note, [], "Complaints")
    t.additive, t.facts = ["Complaints"], {(i, "Complaints"): f"stage {s}" for i, s in enumerate(STAGES)}
    return t


def procedures(cases, has_stage: bool) -> Table:
    """Statutory and corporate complaints (reports often give the two apart), by stage when known."""
    c = complaints(cases)
    known = {"Statutory": 0, "Corporate": 0}  # always shown, in this order, even at 0
    counts = {**known, **_counts(c["procedure"])}
    order = list(counts)
    frame = pd.DataFrame({"Procedure": order})
    js: dict[str, dict] = {p: {} for p in order}
    cols = []
    if has_stage:
        for s in STAGES:
            col = f"Stage {s}"
            vals = [int((c["procedure"].eq(p) & c["stage"].eq(s)).sum()) for p in order]
            frame[col], js = vals, {p: {**js[p], str(s): n} for p, n in zip(order, vals)}
            cols.append(col)
    frame["Complaints"] = [counts[p] for p in order]
    total = sum(counts.values())
    frame["Share %"] = [pct(counts[p], total) for p in order]
    for p in order:
        js[p]["total"] = counts[p]
    blank = int(c["procedure"].eq("").sum())
    note = (
        Note(
            "{n} {has} no procedure recorded; not counted here.",
            {"n": blank},
            forms={"has": ("n", "complaint has", "complaints have")},
        )
        if blank
        else ""
    )
    t = Table("procedures", "Statutory and corporate complaints", frame, js, "bar", cols or ["Complaints"], note)
    t.percent_columns, t.count_column = ["Share %"], "Complaints"
    t.derived, t.additive = {"Share %": ["Complaints"]}, cols + ["Complaints"]
    t.row_totals = {"Complaints": cols} if cols else {}
    return t


def complainants(cases, settings: ReportSettings) -> Table:
    c = complaints(cases)
    counts = _counts(c["complainant"])
    t = _count_table("complainants", "Who made complaints", counts, "Complainant", "Complaints")
    cyp = _n_in(c["complainant"], settings.cyp)
    t.note = Note(
        "Children and young people (including care leavers and advocates acting for them) made "
        "{cyp} of {all} complaints ({share}).",
        {"cyp": cyp, "all": len(c)},
        {"share": (cyp, len(c))},
    )
    t.json = {"counts": counts, "children_and_young_people": cyp, "children_and_young_people_percent": pct(cyp, len(c))}
    return t


def methods(cases) -> Table:
    return _count_table(
        "methods", "How complaints were received", _counts(complaints(cases)["method"]), "Method", "Complaints"
    )


def ethnicity(cases) -> Table:
    return _count_table(
        "ethnicity",
        "Complaints by ethnicity recorded",
        _counts(complaints(cases)["ethnicity"]),
        "Ethnicity",
        "Complaints",
        chart=None,
    )


def services(cases, has_stage: bool) -> Table:
    c = complaints(cases)
    c = c[c["service"].ne("")]
    total = c["service"].value_counts()
    order = sorted(total.index, key=lambda s: (-total[s], s))
    frame = pd.DataFrame({"Service": order})
    js: dict[str, dict] = {s: {} for s in order}
    cols = []
    if has_stage:
        tab = pd.crosstab(c["service"], c["stage"])
        for s in STAGES:
            col = f"Stage {s}"
            vals = [int(tab.at[v, s]) if s in tab.columns and v in tab.index else 0 for v in order]
            frame[col] = vals
            cols.append(col)
            for v, n in zip(order, vals):
                js[v][str(s)] = n
    frame["Complaints"] = [int(total[v]) for v in order]
    for v in order:
        js[v]["total"] = int(total[v])
    t = Table(
        "services",
        "Complaints by service area",
        frame,
        js,
        "stacked" if cols else "barh",
        cols or ["Complaints"],
        "",
        [],
        "Complaints",
        additive=cols + ["Complaints"],
        row_totals={"Complaints": cols} if cols else {},
    )
    if cols:
        t.facts = {(i, "Stage 1"): service_fact(v) for i, v in enumerate(order)}
    return t


def service_fact(service: str) -> str:
    """The name suppression gives a service's stage 1 count, shared by every table showing it or a figure
    a few open complaints away from it (stage 1 responded to)."""
    return f"stage 1 at {value_key(service)}"


def monthly(cases, has_stage: bool) -> Table:
    c = complaints(cases)
    c = c[c["received"].notna()]
    month = c["received"].dt.to_period("M")
    counts = month.value_counts().sort_index()
    if len(counts):
        full = pd.period_range(counts.index.min(), counts.index.max(), freq="M")
        counts = counts.reindex(full, fill_value=0)
    js = {str(p): int(n) for p, n in counts.items()}
    frame = pd.DataFrame(
        {"Month": [p.strftime("%b %Y") for p in counts.index], "Complaints": [int(n) for n in counts.values]}
    )
    chart_cols = ["Complaints"]
    if has_stage:
        s1 = month[c["stage"].eq(1)].value_counts()
        frame["Stage 1"] = [int(s1.get(p, 0)) for p in counts.index]
    align = [FY_MONTHS[(p.month - 4) % 12] for p in counts.index] if len(counts) <= 12 else None
    return Table(
        "monthly",
        "Complaints received by month (all stages)",
        frame,
        js,
        "line",
        chart_cols,
        "",
        [],
        "Complaints",
        align,
        additive=list(frame.columns[1:]),
    )


def themes(cases, label_of, has_stage: bool) -> Table:
    c = complaints(cases)
    if has_stage:
        c = c[c["stage"].eq(1)]
    base = len(c)
    exploded = c["themes"].explode().dropna()
    vc = exploded.value_counts()
    counts = {str(k): int(v) for k, v in sorted(vc.items(), key=lambda kv: (-kv[1], str(kv[0])))}
    frame = pd.DataFrame(
        {
            "Theme": [label_of(k) for k in counts],
            "Complaints": list(counts.values()),
            "Share of complaints %": [pct(v, base) for v in counts.values()],
        }
    )
    no_theme = int(c["themes"].map(len).eq(0).sum())
    who = "stage 1 complaints" if has_stage else "complaints (no stage column: all stages)"
    note = Note(
        "Themes of {base} "
        + who
        + "; a complaint can have more than one theme, so shares add to more than 100%."
        + (" {none} have no theme." if no_theme else ""),
        {"base": base, "none": no_theme},
    )
    return Table(
        "themes",
        "Stage 1 complaints by theme" if has_stage else "Complaints by theme",
        frame,
        counts,
        "barh",
        ["Complaints"],
        note,
        ["Share of complaints %"],
        "Complaints",
        align=list(counts),
        derived={"Share of complaints %": ["Complaints"]},
    )


def escalation(cases) -> Table:
    c = complaints(cases)
    n = {s: int(c["stage"].eq(s).sum()) for s in STAGES}
    js = {
        "stage_1": n[1],
        "stage_2": n[2],
        "stage_3": n[3],
        "1_to_2_percent": pct(n[2], n[1]),
        "2_to_3_percent": pct(n[3], n[2]),
    }
    frame = pd.DataFrame(
        {
            "Step": ["Stage 1 to stage 2", "Stage 2 to stage 3"],
            "From": [n[1], n[2]],
            "To": [n[2], n[3]],
            "Escalated %": [js["1_to_2_percent"], js["2_to_3_percent"]],
        }
    )
    return Table(
        "escalation",
        "Escalation between stages",
        frame,
        js,
        None,
        [],
        "Escalated % = complaints at the next stage this year as a share of complaints at this stage.",
        ["Escalated %"],
        "Escalated %",
        derived={"Escalated %": ["From", "To"]},
        facts={(0, "From"): "stage 1", (0, "To"): "stage 2", (1, "From"): "stage 2", (1, "To"): "stage 3"},
    )


def repeat_complainants(cases) -> Table:
    c = complaints(cases)
    per = c[c["person"].ne("")]["person"].value_counts()
    bucket = per.clip(upper=4).value_counts()
    keys = ["1", "2", "3", "4+"]
    js = {k: int(bucket.get(i, 0)) for k, i in zip(keys, (1, 2, 3, 4))}
    frame = pd.DataFrame({"Complaints per person": ["1", "2", "3", "4 or more"], "People": list(js.values())})
    return Table(
        "repeat_complainants", "Repeat complainants", frame, js, None, [], "", [], "People", keys, additive=["People"]
    )


def child(cases, label_of) -> Table:
    c = complaints(cases)
    c = c[c["cyp"].astype(bool)]
    vc = c["themes"].explode().dropna().value_counts()
    counts = {str(k): int(v) for k, v in sorted(vc.items(), key=lambda kv: (-kv[1], str(kv[0])))}
    frame = pd.DataFrame({"Theme": [label_of(k) for k in counts], "Complaints": list(counts.values())})
    t = Table(
        "child",
        "Complaints by children and young people, by theme",
        frame,
        {"count": int(len(c)), "themes": counts},
        "barh",
        ["Complaints"],
        Note("{n} complaints (all stages) were made by children and young people.", {"n": int(len(c))}),
        [],
        "Complaints",
        list(counts),
    )
    return t


def compliments(cases, has_source: bool, has_service: bool) -> Table | None:
    c = cases[cases["kind"].eq("compliment")]
    if c.empty:
        return None
    by_source = _counts(c["complainant"]) if has_source else {}
    js = {"count": int(len(c)), "by_source": by_source}
    if has_service:
        js["by_service"] = _counts(c["service"])
    frame = pd.DataFrame(
        {"Source": list(by_source) or ["All"], "Compliments": list(by_source.values()) or [int(len(c))]}
    )
    note = Note(
        "{n} compliments received." + ("" if has_source else " Map a complainant column to show who sent them."),
        {"n": int(len(c))},
    )
    t = Table("compliments", "Compliments by source", frame, js, "barh", ["Compliments"], note, [], "Compliments")
    t.additive = ["Compliments"]
    return t


def compliments_by_service(cases) -> Table | None:
    """Which services were thanked: the spec's counterpart of complaints by service area (none without
    compliments: "Compliments" already says there were none)."""
    c = cases[cases["kind"].eq("compliment")]
    if c.empty:
        return None
    return _count_table(
        "compliments_by_service", "Compliments by service area", _counts(c["service"]), "Service", "Compliments"
    )


def ombudsman(cases) -> Table:
    return _count_table(
        "ombudsman", "Ombudsman (LGSCO) decisions", _counts(cases["ombudsman_outcome"]), "Decision", "Cases", chart=None
    )
