"""`build_report`: read the export(s), compute every table, write html, xlsx, docx and tables.json."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

import classifier.report.outcomes as O
import classifier.report.stage2_costs as S
import classifier.report.tables as T
import classifier.report.timeliness as TL
from classifier.errors import ReportColumnsError, ReportPeriodError
from classifier.report.cases import CaseProblems, canonical_cases, drop_non_cases
from classifier.report.columns import ColumnMap, read_column_map, resolve_columns
from classifier.report.compare import year_on_year
from classifier.report.context import context_table, read_context
from classifier.report.dates import financial_year, financial_year_of, parse_dates, year_label
from classifier.report.history import history_table, is_year_label, read_history, stage_counts
from classifier.report.labels import LabelSources, fill_labels, model_taxonomy, needs_model
from classifier.report.notes import period_mismatch, year_notes
from classifier.report.settings import ReportSettings, load_settings
from classifier.report.suppress import note_text, published, suppress_tables

# Table key -> (what the reader is told adds it) for tables left out.
COLUMN_HINT = {
    "stage": "a stage column (map key 'stage')",
    "complainant": "a complainant type column ('complainant')",
    "method": "a method of receipt column ('method')",
    "service": "a service area column ('service')",
    "ethnicity": "an ethnicity column ('ethnicity')",
    "outcome": "an outcome column ('outcome')",
    "responded": "a date responded column ('responded')",
    "person": "a person id column ('person')",
    "ombudsman_outcome": "an Ombudsman outcome column ('ombudsman_outcome')",
    "procedure": "a statutory / corporate procedure column ('procedure')",
    "cost": "a cost of investigation column ('cost')",
    "mediation": "a mediation column ('mediation')",
}


# Table key -> why it is left out when the columns are there but nothing is recorded in them.
EMPTY_REASON = {
    "ombudsman": "no record has an Ombudsman outcome recorded",
    "compliments": "no compliments in the export",
    "compliments_by_service": "no compliments in the export",
    "costs": "no stage 2 or stage 3 complaint has a cost recorded",
    "upheld_share": "no complaint has a finding recorded (upheld, partly upheld, not upheld ...)",
    "mediation": "nothing is recorded about mediation",
    "themes": "no complaint has a theme",
    "child": "no complaint was made by a child or young person",
}


def _add_columns(keys) -> str:
    """What to do for a table left out for lack of columns: 'add a stage column (map key 'stage') to the export'."""
    return "add " + " and ".join(COLUMN_HINT[k] for k in keys) + " to the export"


@dataclass
class YearData:
    label: str
    source: str
    cases: pd.DataFrame
    cols: ColumnMap
    problems: CaseProblems
    labels: LabelSources
    rows_read: int
    damaged_rows: int
    filtered: bool = False  # rows limited to a financial year


@dataclass
class Report:
    title: str
    meta: dict
    tables: list[T.Table]
    omitted: list[tuple[str, str]]
    notes: list[str]
    suppress_small: bool
    suppress_below: int
    figures: dict = field(default_factory=dict)  # what tables.json holds
    written: dict = field(default_factory=dict)  # format -> path


def _load_year(
    path, mapping, settings, taxonomy, model_dir, start, end, model_cache: dict, comparison: bool = False, sheet=None
) -> YearData:
    from classifier.io.tables import read_table, table_kind

    # One --sheet serves both years' workbooks; a CSV beside a workbook has no sheets.
    frame, row_problems = read_table(path, sheet=sheet if table_kind(path) == "xlsx" else None)
    rows_read = len(frame)
    if frame.empty:
        raise ReportColumnsError(f"'{Path(path).name}' has no rows; export the cases with a header row")
    cols = resolve_columns(list(frame.columns), mapping)
    frame, blank_rows, footer_rows = drop_non_cases(frame, cols.get("received"))
    if frame.empty:
        raise ReportColumnsError(f"'{Path(path).name}' has only blank or total rows; export the cases themselves")
    if start is not None:
        # Only the year's rows are read into cases, so every note and the rows a category value needs
        # (values.py) count the rows the report covers; the rest are counted in the 'left out' notes.
        rec = parse_dates(frame[cols.get("received")] if cols.has("received") else [""] * len(frame))
        received = rec.values.set_axis(frame.index)
        inside = received.between(start, end)
        outside = int((~inside & received.notna()).sum())
        if outside and not inside.any():
            raise ReportPeriodError(period_mismatch(Path(path).name, start, received.dropna(), comparison))
        cases, probs = canonical_cases(frame[inside].reset_index(drop=True), cols, settings, taxonomy)
        probs.outside_year = outside
        probs.received_unparseable, probs.received_blank = rec.unparseable, rec.blank
        probs.received_shapes, probs.received_not_real = rec.unparseable_shapes, rec.not_real
    else:
        cases, probs = canonical_cases(frame, cols, settings, taxonomy)
        _one_year_or_refuse(Path(path).name, cases["received"].dropna(), comparison)
    probs.blank_rows, probs.footer_rows = blank_rows, footer_rows
    model = None
    if needs_model(cols):
        if "model" not in model_cache:
            from classifier.pipeline.persistence import load_model

            model_cache["model"] = load_model(model_dir)
        model = model_cache["model"]
    labels = fill_labels(cases, cols, settings, model, model_dir)
    label = year_label(start) if start is not None else _period(cases)
    return YearData(
        label,
        Path(path).name,
        cases,
        cols,
        probs,
        labels,
        rows_read,
        sum(p is not None for p in row_problems),
        start is not None,
    )


def _one_year_or_refuse(source: str, received: pd.Series, comparison: bool) -> None:
    """Without --year, the records must fit in twelve months: an annual report of two years' records would
    merge each quarter and month of both (E109 names the years and asks for --year)."""
    if received.empty or received.max() < received.min() + pd.DateOffset(years=1):
        return
    years = financial_year_of(received).value_counts().sort_index()
    covered = ", ".join(f"{year_label(pd.Timestamp(int(y), 4, 1))} ({int(n):,})" for y, n in years.items())
    busiest = year_label(pd.Timestamp(int(years[years.eq(years.max())].index.max()), 4, 1))  # ties: the latest
    raise ReportPeriodError(
        f"'{source}' has records received over more than a year ({received.min():%d %b %Y} to "
        f"{received.max():%d %b %Y}; records by financial year: {covered}). An annual report covers one "
        f"financial year: give --year (e.g. --year {busiest}, the year with most records)"
        + (", which also sets the year --previous is read for" if comparison else "")
    )


def _period(cases: pd.DataFrame) -> str:
    dates = cases["received"].dropna()
    if dates.empty:
        return "all dates"
    first, last = dates.min(), dates.max()
    fy = first.year - (first.month < 4)
    if last <= pd.Timestamp(fy + 1, 3, 31):
        return year_label(pd.Timestamp(fy, 4, 1))
    return f"{first:%d %b %Y} to {last:%d %b %Y}"


def compute_tables(year: YearData, settings: ReportSettings, label_of, register=None):
    """Every table the year's columns allow, and (title, hint) for each left out."""
    c, has = year.cases, year.cols.has
    made: list[T.Table] = []
    omitted: list[tuple[str, str]] = []
    builders = [
        ("kinds", "Records by kind", lambda: T.kinds(c)),
        ("by_stage", "Complaints by stage", lambda: T.by_stage(c)),
        ("procedures", "Statutory and corporate complaints", lambda: T.procedures(c, has("stage"))),
        ("complainants", "Who made complaints", lambda: T.complainants(c, settings)),
        ("methods", "How complaints were received", lambda: T.methods(c)),
        ("services", "Complaints by service area", lambda: T.services(c, has("stage"))),
        ("monthly", "Complaints by month", lambda: T.monthly(c, has("stage"))),
        ("themes", "Stage 1 complaints by theme", lambda: T.themes(c, label_of, has("stage"))),
        ("themes_by_stage", "Themes by stage", lambda: O.themes_by_stage(c, label_of, settings, has("outcome"))),
        ("outcomes", "Outcomes by stage", lambda: O.outcomes(c, settings)),
        ("upheld_share", "Complaints upheld or partly upheld", lambda: O.upheld_share(c, settings)),
        ("timescales", "Timescales by stage", lambda: TL.timescales(c, settings)),
        ("timescales_by_quarter", "Stage 1 timescales by quarter", lambda: TL.timescales_by_quarter(c, settings)),
        ("timescales_by_service", "Stage 1 timescales by service", lambda: TL.timescales_by_service(c, settings)),
        ("escalation", "Escalation between stages", lambda: T.escalation(c)),
        ("mediation", "Mediation", lambda: S.mediation(c)),
        ("costs", "Cost of stage 2 investigations and stage 3 panels", lambda: S.costs(c)),
        ("repeat_complainants", "Repeat complainants", lambda: T.repeat_complainants(c)),
        ("child", "Complaints by children and young people", lambda: T.child(c, label_of)),
        ("ethnicity", "Complaints by ethnicity", lambda: T.ethnicity(c)),
        ("compliments", "Compliments", lambda: T.compliments(c, has("complainant"), has("service"))),
        ("compliments_by_service", "Compliments by service area", lambda: T.compliments_by_service(c)),
        ("ombudsman", "Ombudsman decisions", lambda: T.ombudsman(c)),
    ]
    for key, title, build in builders:
        lacking = [k for k in T.REQUIRES.get(key, ()) if not has(k)]
        if lacking:
            omitted.append((title, _add_columns(lacking)))
        elif (table := build()) is None or table.frame.empty:
            omitted.append((title, EMPTY_REASON.get(key, "nothing is recorded in its column")))
        else:
            made.append(table)
    if register is not None:
        from classifier.report import learning_tables as L

        made.append(L.learning(register, label_of))
        made += [t for t in (L.learning_examples(register, label_of), L.learning_status(register)) if t is not None]
    else:
        omitted.append(("Learning register summary", "pass a learning register with --learning REGISTER.xlsx"))
    return made, omitted


def build_report(
    cases_path,
    out_dir,
    previous=None,
    columns=None,
    model_dir=None,
    year: str | None = None,
    learning=None,
    history=None,
    context=None,
    suppress_small: bool = False,
    settings_path=None,
    formats=("json", "html", "xlsx", "docx"),
    sheet: str | None = None,
) -> Report:
    """The annual complaints report: read the export(s), compute every table, write the documents.

    Parameters
    ----------
    cases_path : str or Path
        The year's case export.
    out_dir : str or Path
        Folder for report.html, report.xlsx, report.docx and tables.json.
    previous : str or Path, optional
        Last year's export (year-on-year change).
    columns : str or Path, optional
        Column map (YAML, `key: header`); otherwise columns are found by their usual headers.
    model_dir : str or Path, optional
        Model for labels the export lacks (default: the bundled one).
    year : str, optional
        Financial year, e.g. "2024-25" (default: all rows).
    learning : str or Path, optional
        A learning register from `complaints learning`.
    history : str or Path, optional
        Earlier years' complaints per stage, as published (a year column and Stage 1/2/3 columns).
    context : str or Path, optional
        Activity figures to set stage 1 complaints against (Measure, Value, optionally Service columns).
    suppress_small : bool
        Show counts of 1-4 as "<5", and figures they could be worked out from as "[c]", in every
        output (tables.json then holds each table's rows as shown).
    settings_path : str or Path, optional
        Local timescales and words, replacing the bundled sections.
    formats : tuple of str
        Which of "json", "html", "xlsx", "docx" to write.
    sheet : str, optional
        Sheet of each .xlsx export (this year's and `previous`): name or number (default: the first).

    Returns
    -------
    Report
        Title, meta, tables, tables left out and why, notes, and the files written.
    """
    settings = load_settings(settings_path)
    mapping = read_column_map(columns) if columns else None
    taxonomy, model_version = model_taxonomy(model_dir)
    start = end = None
    if year:
        start, end = financial_year(year)
    cache: dict = {}
    this = _load_year(cases_path, mapping, settings, taxonomy, model_dir, start, end, cache, sheet=sheet)
    last = None
    if previous:
        pstart = pend = None
        if start is not None:
            pstart, pend = start - pd.DateOffset(years=1), end - pd.DateOffset(years=1)
        last = _load_year(
            previous, mapping, settings, taxonomy, model_dir, pstart, pend, cache, comparison=True, sheet=sheet
        )
    register = _read_register(learning) if learning else None

    def label_of(tid):
        return taxonomy.label_of(tid) if tid in taxonomy.ids else str(tid)

    earlier = read_history(history) if history else None
    activity = read_context(context) if context else None
    below = settings.suppress_below if suppress_small else None
    made, omitted = compute_tables(this, settings, label_of, register)
    if earlier is not None:
        _add_history(made, omitted, earlier, this, last)
    if activity is not None:
        at = next((i + 1 for i, t in enumerate(made) if t.key == "services"), len(made))
        made.insert(at, context_table(this.cases, activity, this.cols.has("service"), this.cols.has("stage")))
    figures: dict[str, Any] = {"meta": {}, "sources": this.labels.said}
    _add_figures(figures, made, below)
    before: list[T.Table] = []
    if last is not None:
        before, _ = compute_tables(last, settings, label_of)
        by_key = {t.key: t for t in before}
        figures["previous"] = {"period": last.label}
        _add_figures(figures["previous"], before, below)
        made = [year_on_year(t, by_key.get(t.key), this.label, last.label) for t in made]
    shown = list(made)  # this year's tables as suppressed (before the year-on-year columns are added)
    for t in made:
        t.note = note_text(t, below, shown)
    notes = year_notes(this, below, shown) + (year_notes(last, below, before) if last else [])
    meta = {
        "period": this.label,
        "source": this.source,
        "rows_read": this.rows_read,
        "rows_in_period": len(this.cases),
        "previous_period": last.label if last else None,
        "previous_source": last.source if last else None,
        "generated": date.today().isoformat(),
        "columns": this.cols.columns,
        "column_found_by": this.cols.how,
        "label_sources": this.labels.said,
        "model_version": this.labels.model_version or model_version,
        "taxonomy": f"{taxonomy.id} v{taxonomy.version}",
        "suppress_small": suppress_small,
        "timescales": {str(s): vars(settings.timescale(s)) for s in T.STAGES},
    }
    figures["meta"] = meta
    figures["omitted"] = {title: hint for title, hint in omitted}
    figures["notes"] = notes
    report = Report(
        f"Annual complaints report {this.label}",
        meta,
        made,
        omitted,
        notes,
        suppress_small,
        settings.suppress_below,
        figures,
    )
    _write_all(report, Path(out_dir), formats)
    return report


def _add_history(made: list, omitted: list, earlier: dict, this: YearData, last: YearData | None) -> None:
    """The years table after 'Complaints by stage' (it needs the stage column, as that table does)."""
    if not this.cols.has("stage"):
        omitted.append(("Complaints by stage, by year", _add_columns(["stage"])))
        return
    exports = {y.label: stage_counts(y.cases) for y in (last, this) if y is not None and is_year_label(y.label)}
    if this.label not in exports:  # the export spans more than a financial year: nothing to line up with
        omitted.append(("Complaints by stage, by year", "give --year, so the export's year is known"))
        return
    at = next((i + 1 for i, t in enumerate(made) if t.key == "by_stage"), len(made))
    made.insert(at, history_table(earlier, exports))


def _add_figures(figures: dict, tables: list, below: int | None) -> None:
    """Each table's figures for tables.json: exact, or when suppressing the rows as shown (and `hidden` set)."""
    if below is None:
        for t in tables:
            figures[t.key] = t.json
            figures.update(t.extra)
        return
    suppress_tables(tables, below)
    for t in tables:
        figures[t.key] = published(t, below, tables)


def _read_register(path) -> pd.DataFrame:
    from classifier.io.tables import read_table

    frame, _ = read_table(path)
    missing = [c for c in ("theme", "type") if c not in frame.columns]
    if missing:
        raise ReportColumnsError(
            f"learning register '{Path(path).name}' lacks column(s) {', '.join(missing)}; "
            "pass the --register file written by 'complaints learning'"
        )
    return frame


def _write_all(report: Report, out: Path, formats) -> None:
    from classifier.report import charts
    from classifier.report.files import make_folder, write_all

    make_folder(out)
    drawn = {t.key: charts.draw(t) for t in report.tables} if {"html", "docx"} & set(formats) else {}
    writers = {
        "json": (
            "tables.json",
            lambda p: p.write_text(
                json.dumps(report.figures, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
            ),
        ),
        "html": ("report.html", lambda p: _html(report, drawn, p)),
        "xlsx": ("report.xlsx", lambda p: _xlsx(report, p)),
        "docx": ("report.docx", lambda p: _docx(report, drawn, p)),
    }
    written = write_all(out, {writers[f][0]: writers[f][1] for f in formats})
    report.written = {f: written[writers[f][0]] for f in formats}


def _html(report, drawn, path):
    from classifier.report.render_html import render_html

    path.write_text(render_html(report, drawn), encoding="utf-8")


def _xlsx(report, path):
    from classifier.report.render_xlsx import render_xlsx

    render_xlsx(report, path)


def _docx(report, drawn, path):
    from classifier.report.render_docx import render_docx

    render_docx(report, drawn, path)
