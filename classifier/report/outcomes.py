"""Outcomes of complaints: by stage, the share upheld or partly upheld, and themes by stage with that share.

The share is of complaints with a finding: an outcome the settings name
(`outcomes`) other than those in `left_out_of_upheld_share` (withdrawn, by
default). An outcome the settings do not name ('TBC', 'Ongoing') records no
finding yet, so it is left out of the denominator too, and the note says so.
"""

from __future__ import annotations

import pandas as pd

from classifier.report.cells import Note
from classifier.report.settings import ReportSettings, words
from classifier.report.tables import STAGES, Table, _counts, _n_in, complaints, pct
from classifier.report.values import value_key


def with_finding(outcome: pd.Series, settings: ReportSettings) -> pd.Series:
    """Whether each outcome records a finding: a named outcome (or an upheld word) not left out of the share."""
    named = set(settings.outcome_names)
    return outcome.map(
        lambda v: (
            bool(v)
            and (value_key(v) in named or words(v) in settings.upheld)
            and value_key(v) not in settings.not_decided
        )
    ).astype(bool)


def themes_by_stage(cases, label_of, settings: ReportSettings, has_outcome: bool) -> Table:
    c = complaints(cases)
    rows = c[["stage", "themes", "outcome"]].explode("themes").dropna(subset=["themes"])
    totals = rows["themes"].value_counts()
    order = sorted(totals.index, key=lambda t: (-totals[t], str(t)))
    frame = pd.DataFrame({"Theme": [label_of(t) for t in order]})
    js: dict[str, dict] = {str(t): {} for t in order}
    for s in STAGES:
        n = rows[rows["stage"].eq(s)]["themes"].value_counts()
        frame[f"Stage {s}"] = [int(n.get(t, 0)) for t in order]
        for t in order:
            js[str(t)][str(s)] = int(n.get(t, 0))
    pcols: list[str] = []
    basis: dict[str, list] = {}
    note = ""
    if has_outcome:
        decided = rows[with_finding(rows["outcome"], settings).to_numpy()]
        up = decided["outcome"].map(lambda v: words(v) in settings.upheld).astype(bool)
        n_dec = decided["themes"].value_counts()
        n_up = decided[up.to_numpy()]["themes"].value_counts()
        frame["Upheld or partly %"] = [pct(int(n_up.get(t, 0)), int(n_dec.get(t, 0))) for t in order]
        for t, p in zip(order, frame["Upheld or partly %"]):
            js[str(t)]["upheld_percent"] = p
        pcols = ["Upheld or partly %"]
        basis["Upheld or partly %"] = [(int(n_up.get(t, 0)), int(n_dec.get(t, 0))) for t in order]
        note = "% upheld counts complaints with a finding (not withdrawn, not awaiting an outcome), all stages."
    return Table(
        "themes_by_stage",
        "Themes by stage",
        frame,
        js,
        None,
        [],
        note,
        pcols,
        None,
        align=[str(t) for t in order],
        basis=basis,
        # Its denominator (complaints with the theme, all stages) adds up the stage cells.
        derived={c: [f"Stage {s}" for s in STAGES] for c in pcols},
    )


def outcomes(cases, settings: ReportSettings) -> Table:
    c = complaints(cases)
    c = c[c["outcome"].ne("") & c["stage"].ne(0)]
    names = _counts(c["outcome"])
    js = {str(s): _counts(c[c["stage"].eq(s)]["outcome"]) for s in STAGES}
    frame = pd.DataFrame({"Outcome": list(names)})
    for s in STAGES:
        frame[f"Stage {s}"] = [js[str(s)].get(o, 0) for o in names]
    note = "Outcomes as recorded, by stage; the share upheld or partly upheld is in the next table."
    t = Table("outcomes", "Outcomes by stage", frame, js, "stacked_t", [f"Stage {s}" for s in STAGES], note, [], None)
    t.additive = [f"Stage {s}" for s in STAGES]
    return t


def upheld_share(cases, settings: ReportSettings) -> Table | None:
    """Per stage, upheld or partly upheld as a % of complaints with a finding (year on year with --previous);
    None when no complaint has a finding."""
    c = complaints(cases)
    c = c[c["outcome"].ne("") & c["stage"].ne(0)]
    finding = with_finding(c["outcome"], settings)
    if not finding.any():
        return None
    left_out = c[~finding]
    named = set(settings.outcome_names)
    withdrawn = sum(value_key(v) in named for v in left_out["outcome"])
    unnamed = len(left_out) - withdrawn
    counts, shares = {}, []
    for s in STAGES:
        d = c[finding & c["stage"].eq(s)]
        up = _n_in(d["outcome"], settings.upheld)
        counts[str(s)] = {"upheld_or_partly": up, "with_finding": int(len(d))}
        shares.append(pct(up, len(d)))
    frame = pd.DataFrame({"Stage": [f"Stage {s}" for s in STAGES], "Upheld or partly %": shares})
    left = sorted({settings.outcome_names.get(k, k) for k in settings.not_decided}) or ["none"]
    note = Note(
        "Upheld or partly upheld as a % of complaints with a finding at that stage. Left out: "
        + " and ".join(left).lower().replace("{", "{{").replace("}", "}}")
        + " ({left}; the settings' left_out_of_upheld_share)"
        + (
            ", and {unnamed} with an outcome the settings' outcomes section does not name (such as 'TBC'): "
            "no finding is recorded yet"
            if unnamed
            else ""
        )
        + ".",
        {"left": withdrawn, "unnamed": unnamed},
    )
    t = Table(
        "upheld_share",
        "Complaints upheld or partly upheld",
        frame,
        counts,
        None,
        [],
        note,
        ["Upheld or partly %"],
        "Upheld or partly %",
    )
    t.extra = {"outcomes_upheld_percent": {str(s): p for s, p in zip(STAGES, shares)}}
    # A share gives a hidden outcome count away (its whole adds it up): hidden with any cell of its stage.
    t.follows = {"Upheld or partly %": [("outcomes", f"Stage {s}") for s in STAGES]}
    t.basis = {"Upheld or partly %": [(v["upheld_or_partly"], v["with_finding"]) for v in counts.values()]}
    # The note's counts add up rows of the outcomes table across stages: not given when it hides a cell of them.
    left_rows = sorted({settings.outcome_names.get(k, k) for k in settings.not_decided})
    unnamed_rows = sorted({v for v in left_out["outcome"] if value_key(v) not in named})
    t.note_rows = {"left": ("outcomes", left_rows), "unnamed": ("outcomes", unnamed_rows)}
    return t
