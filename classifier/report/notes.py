"""The report's data-quality notes and the E109 message: counts and row numbers, never cell text.

Values are quoted only as `cases.py` left them: safe labels, or `values.HIDDEN_VALUE`.
"""

from __future__ import annotations

import re

import pandas as pd

from classifier.report.cells import rows
from classifier.report.dates import financial_year_of, year_label
from classifier.report.suppress import hides
from classifier.report.values import HIDDEN_VALUE


def period_mismatch(source: str, start: pd.Timestamp, received: pd.Series, comparison: bool = False) -> str:
    """Why a --year report would be empty: the year asked for, the years the export covers, and the one
    with most records to ask for instead.

    `comparison`: the export was given as --previous, whose year follows from --year.
    """
    years = financial_year_of(received).value_counts().sort_index()
    covered = ", ".join(
        f"{year_label(pd.Timestamp(int(y), 4, 1))} ({rows(int(n), 'record')})" for y, n in years.items()
    )
    busiest = year_label(pd.Timestamp(int(years.idxmax()), 4, 1))  # idxmax: the first of equal counts
    where = (
        f"no record in '{source}' was received in {year_label(start)} ({start:%d %b %Y} to "
        f"{start + pd.DateOffset(years=1, days=-1):%d %b %Y}); the export covers {covered}. "
    )
    if comparison:
        return where + (
            f"--previous must hold the year before the --year asked for; give the export of {year_label(start)}, "
            "or leave --previous out"
        )
    return where + f"Ask for one of those years (e.g. --year {busiest}), or leave --year out to report every row"


def year_notes(y, below: int | None = None, tables=()) -> list[str]:
    """The notes on one year's export (`build.YearData`): the period, then the data quality.

    With `below` (--suppress-small), a count under it reads '<5' as in the tables, and a count that would
    give away a cell `tables` hide is not given (see `data_notes`).
    """
    return several_years(y) + part_year(y) + data_notes(y, below, tables)


def data_notes(y, below: int | None = None, tables=()) -> list[str]:
    """The data-quality notes on one year's export (`build.YearData`), counted over the rows the report
    covers (the rows outside a --year are counted only in the note that says they are left out).

    With `below`, counts under it read '<5'; the rows hidden as 'Other value (not shown)' are not counted
    (a table may hide that row), nor are counts that add up hidden cells with figures the tables show:
    complaints without a usable response date when the timescales hide a 'Responded' cell, records of an
    unrecognised kind when 'Records by kind' hides 'Other', unknown theme values a theme table hides.
    """
    p, src, out = y.problems, y.source, []

    def n_(n: int, what: str, plural: str | None = None) -> str:
        if below and 0 < n < below:
            return f"<{below} " + (plural or what + "s")
        return rows(n, what, plural)

    def one(n: int) -> bool:
        return n == 1 and not (below and below > 1)

    responded_hidden = bool(below) and hides(tables, "timescales", columns=["Responded"])
    if p.received_unparseable:
        where = (
            "they cannot be placed in the year, so those rows are left out of the report"
            if y.filtered
            else "those rows are left out of the monthly and timescale figures"
        )
        not_real = (
            n_(p.received_not_real, "is not a real date", "are not real dates") + ", the day or month out of range"
        )
        how = "; ".join(
            ([not_real] if p.received_not_real else [])
            + ([_shapes(p.received_shapes, n_)] if p.received_shapes else [])
        )
        out.append(
            f"{src}: {n_(p.received_unparseable, 'received date')} could not be read ({how}; read are "
            f"dd/mm/yyyy, 04-Mar-25, 4 March 2025, March 4, 2025, ISO and Excel dates); {where}."
        )
    if p.blank_rows or p.footer_rows:
        out.append(
            f"{src}: {n_(p.blank_rows, 'wholly blank row')} and {n_(p.footer_rows, 'total row')} "
            "('Total' with no case data) are not cases and are left out."
        )
    if p.received_blank:
        where = (
            "cannot be placed in the year, so left out of the report"
            if y.filtered
            else "counted, but left out of the monthly and timescale figures"
        )
        out.append(f"{src}: {n_(p.received_blank, 'row has', 'rows have')} no received date; {where}.")
    if p.responded_unparseable:
        out.append(
            f"{src}: "
            + ("some response dates" if responded_hidden else n_(p.responded_unparseable, "response date"))
            + " could not be read and count as not responded."
        )
    if p.responded_before_received:
        out.append(
            f"{src}: "
            + (
                "some response dates are"
                if responded_hidden
                else n_(p.responded_before_received, "response date is", "response dates are")
            )
            + " before the received date; left out of the timescales."
        )
    unanswered = _no_response_date(y, n_)
    if unanswered:
        unanswered = "some complaints have" if responded_hidden else unanswered
        out.append(
            f"{src}: {unanswered} no response date (open at the end of the period, or the date was not "
            "recorded); left out of the timescales."
        )
    if y.cols.has("cost"):
        from classifier.report.stage2_costs import money
        from classifier.report.tables import complaints

        _, unreadable = money(complaints(y.cases)["cost"])  # the cells the costs table reads
        if unreadable:
            out.append(
                f"{src}: {n_(unreadable, 'cost cell is', 'cost cells are')} not an amount (such as 'TBC') "
                "and not counted in the costs table."
            )
    if p.stage_unrecognised:
        out.append(
            f"{src}: {n_(p.stage_unrecognised, 'record has', 'records have')} a stage written that is not "
            "recognised as 1, 2 or 3; not counted at any stage."
        )
    if p.informal:
        out.append(
            f"{src}: {n_(p.informal, 'record')} with stage 'Informal' {'is' if one(p.informal) else 'are'} "
            "counted as stage 1 (local resolution)."
        )
    if p.kind_unrecognised:
        n = sum(p.kind_unrecognised.values())
        said = "some records" if below and hides(tables, "kinds", ["Other"]) else n_(n, "record")
        out.append(
            f"{src}: {said} with a kind that is not a complaint, compliment or enquiry "
            f"({', '.join(list(p.kind_unrecognised)[:5])}) count as 'other'."
        )
    for column, (n, values) in p.hidden_values.items():
        if below:  # a table may hide the row these add up to (with other kinds and stages, or not)
            said = f"{src}: some rows of column '{column}' hold values"
        else:
            said = (
                f"{src}: {rows(n, 'row')} of column '{column}' {'holds' if n == 1 else 'hold'} "
                f"{'a value' if values == 1 else f'{values:,} values'}"
            )
        out.append(
            f"{said} that may not be a category (on fewer than {p.min_rows} of the rows counted, or not "
            f"shaped like the name of a team, service or method), counted together as '{HIDDEN_VALUE}'. "
            "List a trust's own values under known_values in a --settings file to show them."
        )
    if p.themes_unknown:
        out.append(_unknown_themes(src, p, n_, _theme_rows_hidden(tables) if below else None))
    if p.repeated_refs:
        out.append(
            f"{src}: {n_(p.repeated_refs, 'case reference')} {'appears' if one(p.repeated_refs) else 'appear'} "
            f"more than once at the same stage ({n_(p.repeated_rows, 'row')}); each row is counted as a case. "
            "If a complaint was entered twice, remove the copy from the export."
        )
    if p.outside_year:
        out.append(f"{src}: {n_(p.outside_year, 'row')} received outside {y.label} are left out.")
    if y.damaged_rows:
        out.append(f"{src}: {n_(y.damaged_rows, 'damaged row')} (wrong number of cells) read as far as possible.")
    return out


def _theme_rows_hidden(tables) -> set[str]:
    """Row labels of the theme tables with a hidden cell."""
    keys = ("themes", "themes_by_stage", "child")
    return {str(t.frame.iat[i, 0]) for t in tables if t.key in keys for i, _ in t.hidden if i < len(t.frame)}


def _unknown_themes(src: str, p, n_=rows, hidden_rows=None) -> str:
    """`hidden_rows`: with --suppress-small, theme rows a table hides a cell of (their count is not given)."""
    listed = []
    for value, n in list(p.themes_unknown.items())[:8]:
        hint = p.theme_hints.get(value)
        count = "" if hidden_rows is not None and value in hidden_rows else n_(n, "row")
        listed.append(
            f"'{value}'" + (f" ({count}" if count else " (") + (f"; closest label '{hint}'" if hint else "") + ")"
            if value != HIDDEN_VALUE
            else ("values" if hidden_rows is not None else n_(n, "value")) + " that may hold personal data (not shown)"
        )
    more = len(p.themes_unknown) - len(listed)
    text = (
        f"{src}: theme values not in the taxonomy are counted as written: {'; '.join(listed)}"
        + (f"; and {more} more" if more > 0 else "")
        + "."
    )
    if p.theme_hints:
        value, hint = next(iter(p.theme_hints.items()))
        text += (
            " A value that is a mistyped theme is not merged with it: to count it as that theme, add it to "
            f"theme_aliases in a --settings file (e.g. 'theme_aliases: {{{value}: {hint}}}')."
        )
    return text


def _shapes(shapes: dict, n_=rows) -> str:
    """ "shape nn.nn.nn (3 rows), AAA (1 row)": how the unreadable dates are written, never a value."""
    listed = [f"{shape} ({n_(n, 'row')})" for shape, n in list(shapes.items())[:4]]
    more = len(shapes) - len(listed)
    return (
        (
            "written as "
            + ", ".join(listed)
            + (f" and {more} other forms" if more > 0 else "")
            + "; n is a digit, A a letter"
        )
        if listed
        else "not a date"
    )


def _no_response_date(y, n_=rows) -> str:
    """'1 stage 1 complaint has' / '2 stage 1 and 1 stage 2 complaints have': complaints with a stage and no
    response date written (an unreadable one is noted on its own)."""
    if not y.cols.has("responded") or not y.cols.has("stage") or "responded_blank" not in y.cases:
        return ""
    c = y.cases
    open_ = c[c["kind"].eq("complaint") & c["stage"].gt(0) & c["responded_blank"].astype(bool)]
    counts = open_["stage"].value_counts().sort_index()
    if counts.empty:
        return ""
    parts = [n_(int(n), "stage").replace("stages", "stage") + f" {s}" for s, n in counts.items()]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    one = n_(int(counts.sum()), "complaint has", "complaints have")
    return f"{listed} {one.split(' ', 1)[1]}"


def part_year(y) -> list[str]:
    """A note when the records of a financial year's report fill fewer than its twelve months (an export
    that stops part-way through the year, or a --year with records in only some of its months)."""
    dates = y.cases["received"].dropna()
    if dates.empty or not re.fullmatch(r"\d{4}-\d{2}", y.label):
        return []
    months = dates.dt.to_period("M").nunique()
    if months >= 12:
        return []
    return [
        f"{y.source}: records were received in only {months} of the 12 months of {y.label} "
        f"({dates.min():%b %Y} to {dates.max():%b %Y}); if the export stops part-way through the year, the "
        "figures cover only those months and are not a full year's."
    ]


def several_years(y) -> list[str]:
    """A note when the records (no --year) run across two financial years, as a calendar-year export does."""
    dates = y.cases["received"].dropna()
    if y.filtered or dates.empty or financial_year_of(dates).nunique() <= 1:
        return []
    return [
        f"{y.source}: the records run from {dates.min():%d %b %Y} to {dates.max():%d %b %Y}, not one April-March "
        "financial year, so the report covers those dates: each quarter is named with its financial year "
        "(January-March is the earlier year's Q4). Give --year for one financial year's report."
    ]
