"""Stage 1 complaints in context: per 1,000 referrals, assessments or open cases, as the trust supplies them.

A count of complaints means little without the work behind it, so reports set
it against activity figures the complaints export does not hold. `--context`
reads them from a small table: a `Measure` column ("Referrals received"), a
`Value` column (8,450) and, optionally, a `Service` column for figures that
belong to one service (its open cases). Service names are matched to the
export's as the report merges spellings (case, spaces, punctuation ignored); a
name that matches none is shown as '-' and named in the note.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from classifier.errors import ReportFiguresError
from classifier.report.columns import squeeze
from classifier.report.tables import Table, complaints, service_fact
from classifier.report.values import HIDDEN_VALUE, is_label, value_key

ALL_SERVICES = "All services"
PER = 1000
MAX_ROWS = 200


def _number(value: object, where: str) -> float:
    text = str(value).strip().replace(",", "")
    try:
        number = float(text)
    except ValueError:
        raise ReportFiguresError(f"{where} is not a number; type the figure (e.g. 8450)") from None
    if number <= 0:
        raise ReportFiguresError(f"{where} must be above 0 (it divides the complaints)")
    return number


def read_context(path) -> list[tuple[str, str, float]]:
    """(service or ALL_SERVICES, measure, value) rows from a csv/xlsx of activity figures."""
    from classifier.io.tables import read_table

    name = Path(path).name
    frame, _ = read_table(path)
    by_key = {squeeze(c): c for c in frame.columns}
    measure_col, value_col = by_key.get("measure"), by_key.get("value") or by_key.get("figure")
    if measure_col is None or value_col is None:
        raise ReportFiguresError(f"'{name}' needs a 'Measure' and a 'Value' column (and optionally 'Service')")
    service_col = by_key.get("service") or by_key.get("servicearea") or by_key.get("team")
    rows = []
    for i, r in frame.iterrows():
        measure = str(r[measure_col]).strip()
        if measure in ("", "nan"):
            continue
        line = int(str(i)) + 2
        service = str(r[service_col]).strip() if service_col is not None else ""
        value = _number(r[value_col], f"'{name}' line {line}, '{value_col}'")
        rows.append((service if service not in ("", "nan") else ALL_SERVICES, measure, value))
    if not rows:
        raise ReportFiguresError(f"'{name}' has no measures; give one row per figure")
    if len(rows) > MAX_ROWS:
        raise ReportFiguresError(f"'{name}' has {len(rows)} measures; keep it to {MAX_ROWS}")
    return rows


def context_table(
    cases: pd.DataFrame, figures: list[tuple[str, str, float]], has_service: bool, has_stage: bool
) -> Table:
    """Stage 1 complaints (all complaints without a stage column) per 1,000 of each supplied figure.

    A service the export has no complaints under is shown as '-' (not matched), never as 0 complaints:
    a misspelt name would otherwise read as a service with none.
    """
    c = complaints(cases)
    if has_stage:
        c = c[c["stage"].eq(1)]
    counted = "Stage 1 complaints" if has_stage else "Complaints"
    per_service = c["service"].map(value_key).value_counts() if has_service else pd.Series(dtype=int)
    rows, unmatched, facts = [], [], {}
    for i, (service, measure, value) in enumerate(figures):
        n: int | None
        if service == ALL_SERVICES:
            n = len(c)
            if has_stage:
                facts[(i, counted)] = "stage 1"
        elif not has_service or value_key(service) not in per_service.index:
            unmatched.append(service)
            n = None
        else:
            n = int(per_service[value_key(service)])
            if has_stage:
                facts[(i, counted)] = service_fact(service)
        rows.append(
            {
                # Typed by the trust as a list of names and printed: shown when it reads as a label.
                "Service": service if service == ALL_SERVICES or is_label(service) else HIDDEN_VALUE,
                "Measure": measure if is_label(measure) else HIDDEN_VALUE,
                "Figure": int(round(value)),
                counted: n,
                f"Per {PER:,}": None if n is None else round(PER * n / value, 1),
            }
        )
    frame = pd.DataFrame(rows)
    frame[counted] = pd.array(frame[counted].tolist(), dtype="Int64")
    note = "Activity figures as supplied by the trust (--context); complaints from the export."
    if unmatched:
        names = list(dict.fromkeys(unmatched))
        shown = [f"'{s}'" for s in names if is_label(s)]
        others = len(names) - len(shown)
        listed = ", ".join(shown) + (f"{' and ' if shown else ''}{others} not shown" if others else "")
        why = "no service column in the export" if not has_service else "no service of the export has that name"
        note += (
            f" Not matched ({why}; shown as '-'): {listed}. Write the service as the export's service column "
            "does (case, spaces and punctuation aside)."
        )
    js = [
        {"service": r["Service"], "measure": r["Measure"], "figure": r["Figure"], "complaints": r[counted]}
        for r in rows
    ]
    t = Table("context", f"{counted} in context", frame, js, None, [], note)
    t.derived = {f"Per {PER:,}": [counted]}
    t.facts = facts
    return t
