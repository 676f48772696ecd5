"""The report's data-quality notes and the E109 message: counts and row numbers, never cell text.

Values are quoted only as `cases.py` left them: safe labels, or `values.HIDDEN_VALUE`.
"""

from __future__ import annotations

import pandas as pd

from classifier.report.dates import financial_year_of, year_label
from classifier.report.values import HIDDEN_VALUE


def rows(n: int, what: str, plural: str | None = None) -> str:
    """'1 total row', '3 total rows'; `plural` for irregular words ('1 date is', '2 dates are')."""
    return f"{n:,} " + (what if n == 1 else plural or what + "s")


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


def data_notes(y) -> list[str]:
    """The notes on one year's export (`build.YearData`)."""
    p, src, out = y.problems, y.source, []
    if p.received_unparseable:
        where = (
            "they cannot be placed in the year, so those rows are left out of the report"
            if y.filtered
            else "those rows are left out of the monthly and timescale figures"
        )
        out.append(
            f"{src}: {rows(p.received_unparseable, 'received date')} could not be read (not dd/mm/yyyy, "
            f"ISO or an Excel date); {where}."
        )
    if p.blank_rows or p.footer_rows:
        out.append(
            f"{src}: {rows(p.blank_rows, 'wholly blank row')} and {rows(p.footer_rows, 'total row')} "
            "('Total' with no case data) are not cases and are left out."
        )
    if p.received_blank:
        where = (
            "cannot be placed in the year, so left out of the report"
            if y.filtered
            else "counted, but left out of the monthly and timescale figures"
        )
        out.append(f"{src}: {rows(p.received_blank, 'row has', 'rows have')} no received date; {where}.")
    if p.responded_unparseable:
        out.append(
            f"{src}: {rows(p.responded_unparseable, 'response date')} could not be read and count as not responded."
        )
    if p.responded_before_received:
        out.append(
            f"{src}: {rows(p.responded_before_received, 'response date is', 'response dates are')} before the "
            "received date; left out of the timescales."
        )
    if y.cols.has("cost"):
        from classifier.report.stage2_costs import money
        from classifier.report.tables import complaints

        _, unreadable = money(complaints(y.cases)["cost"])  # the cells the costs table reads
        if unreadable:
            out.append(
                f"{src}: {rows(unreadable, 'cost cell is', 'cost cells are')} not an amount (such as 'TBC') "
                "and not counted in the costs table."
            )
    if p.stage_unrecognised:
        out.append(f"{src}: {rows(p.stage_unrecognised, 'stage value')} not 1, 2 or 3 count as no stage.")
    if p.informal:
        out.append(
            f"{src}: {rows(p.informal, 'record')} with stage 'Informal' are counted as stage 1 (local resolution)."
        )
    if p.kind_unrecognised:
        out.append(
            f"{src}: {rows(sum(p.kind_unrecognised.values()), 'record')} with a kind that is not a complaint, "
            f"compliment or enquiry ({', '.join(list(p.kind_unrecognised)[:5])}) count as 'other'."
        )
    for column, n in p.hidden_values.items():
        out.append(
            f"{src}: {rows(n, 'row')} of column '{column}' {'holds' if n == 1 else 'hold'} a value that may "
            f"contain personal data (not a short label, or a name was found in it); counted together as "
            f"'{HIDDEN_VALUE}'."
        )
    if p.themes_unknown:
        out.append(_unknown_themes(src, p))
    if p.repeated_refs:
        out.append(
            f"{src}: {rows(p.repeated_refs, 'case reference')} {'appears' if p.repeated_refs == 1 else 'appear'} "
            f"more than once at the same stage ({rows(p.repeated_rows, 'row')}); each row is counted as a case. "
            "If a complaint was entered twice, remove the copy from the export."
        )
    if p.outside_year:
        out.append(f"{src}: {rows(p.outside_year, 'row')} received outside {y.label} are left out.")
    if y.damaged_rows:
        out.append(f"{src}: {rows(y.damaged_rows, 'damaged row')} (wrong number of cells) read as far as possible.")
    return out


def _unknown_themes(src: str, p) -> str:
    listed = []
    for value, n in list(p.themes_unknown.items())[:8]:
        hint = p.theme_hints.get(value)
        listed.append(
            f"'{value}' ({rows(n, 'row')}" + (f"; closest label '{hint}'" if hint else "") + ")"
            if value != HIDDEN_VALUE
            else f"{rows(n, 'value')} that may hold personal data (not shown)"
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
