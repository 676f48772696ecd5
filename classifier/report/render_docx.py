"""report.docx for committee papers (python-docx): headings, each chart as a picture, its table and note."""

from __future__ import annotations

import io

from classifier.report.cells import cell_text, small_numbers_legend


def render_docx(report, charts: dict, path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    doc = Document()
    for section in doc.sections:  # A4 for UK committee papers (python-docx's default is US Letter)
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Arial", Pt(10)
    doc.add_heading(report.title, level=0)
    meta = report.meta
    doc.add_paragraph(
        f"Period: {meta['period']} ({meta['rows_in_period']:,} records). Source: {meta['source']}."
        + (f" Compared with {meta['previous_period']}." if meta.get("previous_period") else "")
    )
    for what, said in meta["label_sources"].items():
        doc.add_paragraph(f"{what.replace('_', ' ').capitalize()}: {said}.", style="List Bullet")
    if report.suppress_small:
        doc.add_paragraph(small_numbers_legend(report.suppress_below))
    for t in report.tables:
        doc.add_heading(t.title, level=1)
        chart = charts.get(t.key)
        if chart is not None:
            picture = doc.add_picture(io.BytesIO(chart.png), width=Cm(15))
            # Alt text (Word's "Description"), as the html has: committee papers are published.
            picture._inline.docPr.set("descr", chart.alt)
            picture._inline.docPr.set("title", t.title)
            if chart.note:
                doc.add_paragraph(chart.note).runs[0].italic = True
        cols = list(t.frame.columns)
        table = doc.add_table(rows=1, cols=len(cols))
        table.style = "Light Grid Accent 1"
        for cell, name in zip(table.rows[0].cells, cols):
            cell.text = str(name)
        for i, values in enumerate(t.frame.itertuples(index=False, name=None)):
            cells = table.add_row().cells
            for j, (cell, v) in enumerate(zip(cells, values)):
                cell.text = cell_text(v, cols[j] in t.percent_columns, t.hidden.get((i, cols[j])))
                if j:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if t.note:
            p = doc.add_paragraph(t.note)
            p.runs[0].italic = True
    if report.omitted:
        doc.add_heading("Tables left out", level=1)
        for title, hint in report.omitted:
            doc.add_paragraph(f"{title}: {hint}.", style="List Bullet")
    if report.notes:
        doc.add_heading("Data quality", level=1)
        for n in report.notes:
            doc.add_paragraph(n, style="List Bullet")
    doc.save(str(path))
