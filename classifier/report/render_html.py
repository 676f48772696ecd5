"""report.html: one self-contained, printable page (Jinja2 template, charts inline as SVG data)."""

from __future__ import annotations

import base64
import re

from classifier.report.cells import cell_text, small_numbers_legend


def _env():
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("classifier.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def table_rows(table) -> list[list[dict]]:
    """Cells as {'text', 'numeric', 'hidden'} for templates."""
    rows = []
    for i, values in enumerate(table.frame.itertuples(index=False, name=None)):
        row = []
        for col, v in zip(table.frame.columns, values):
            hidden = table.hidden.get((i, col))
            row.append(
                {
                    "text": cell_text(v, col in table.percent_columns, hidden),
                    "numeric": not isinstance(v, str),
                    "hidden": bool(hidden),
                }
            )
        rows.append(row)
    return rows


def render_html(report, charts: dict) -> str:
    sections = []
    for t in report.tables:
        chart = charts.get(t.key)
        sections.append(
            {
                "title": t.title,
                "anchor": _anchor(t.title),
                "note": t.note,
                "columns": list(t.frame.columns),
                "rows": table_rows(t),
                "chart": None if chart is None else "data:image/svg+xml;base64," + base64.b64encode(chart.svg).decode(),
                "alt": chart.alt if chart else "",
                "chart_note": chart.note if chart else "",
                "wide": len(t.frame.columns) > 3,
            }
        )
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            title=report.title,
            meta=report.meta,
            sections=sections,
            omitted=report.omitted,
            notes=report.notes,
            suppress=report.suppress_small,
            below=report.suppress_below,
            legend=small_numbers_legend(report.suppress_below),
        )
    )
