"""report.xlsx: a contents sheet, then one formatted sheet per table with typed numbers."""

from __future__ import annotations

import re

from classifier.report.cells import plain, small_numbers_legend

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_DANGLING = {"and", "by", "of", "the", "to", "in", "for", "at", "with", "a", "or", ""}


def _sheet_name(title: str, used: set) -> str:
    """Excel allows 31 characters: cut at a word ("Stage 1 timescales by quarter", not "... quarter r")."""
    clean = " ".join(_BAD_SHEET_CHARS.sub(" ", title).split())
    if len(clean) > 31:
        clean = clean.replace("children and young people", "CYP")
    base = clean[:31]
    if len(clean) > 31 and " " in base:
        words = base[: base.rindex(" ")].split(" ")
        while len(words) > 1 and words[-1].lower().strip(",(-") in _DANGLING:
            words.pop()
        base = " ".join(words)
    base = base.rstrip(" ,(-")
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name.lower())
    return name


def render_xlsx(report, path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDE6EE")
    wb = Workbook()
    contents = wb.active
    contents.title = "Contents"
    contents.append([report.title])
    contents["A1"].font = Font(bold=True, size=14)
    meta = report.meta
    contents.append(
        [
            f"Period: {meta['period']}; source: {meta['source']}"
            + (f"; compared with {meta['previous_period']}" if meta.get("previous_period") else "")
        ]
    )
    for what, said in meta["label_sources"].items():
        contents.append([f"{what.replace('_', ' ').capitalize()}: {said}"])
    if report.suppress_small:
        contents.append([small_numbers_legend(report.suppress_below)])
    contents.append([])
    contents.append(["Sheet", "Table"])
    for c in contents[contents.max_row]:
        c.font = bold
    used = {"contents"}
    for t in report.tables:
        name = _sheet_name(t.title, used)
        contents.append([name, t.title])
        link = contents.cell(row=contents.max_row, column=1)
        link.hyperlink, link.style = f"#'{name}'!A1", "Hyperlink"
        ws = wb.create_sheet(name)
        ws.append([t.title])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append(list(t.frame.columns))
        for c in ws[2]:
            c.font, c.fill = bold, head_fill
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for i, values in enumerate(t.frame.itertuples(index=False, name=None)):
            ws.append([t.hidden.get((i, col), plain(v)) for col, v in zip(t.frame.columns, values)])
        for j, col in enumerate(t.frame.columns, start=1):
            # Money is in whole pounds; other averages (working days) keep a decimal.
            fmt = "0.0" if col in t.percent_columns or ("Average" in str(col) and "£" not in str(col)) else "#,##0"
            for r in range(3, ws.max_row + 1):
                cell = ws.cell(row=r, column=j)
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    cell.number_format = fmt
                    cell.alignment = Alignment(horizontal="right")
            width = max(
                [len(str(col))] + [len(str(ws.cell(row=r, column=j).value or "")) for r in range(3, ws.max_row + 1)]
            )
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, width + 2))
        ws.freeze_panes = "B3"
        if t.note:
            ws.append([])
            ws.append([t.note])
            ws.cell(row=ws.max_row, column=1).font = Font(italic=True)
    if report.omitted or report.notes:
        ws = wb.create_sheet("Notes")
        ws.append(["Tables left out"])
        ws["A1"].font = bold
        for title, hint in report.omitted:
            ws.append([f"{title}: {hint}."])
        ws.append([])
        ws.append(["Data quality"])
        ws.cell(row=ws.max_row, column=1).font = bold
        for n in report.notes:
            ws.append([n])
        ws.column_dimensions["A"].width = 120
    contents.column_dimensions["A"].width = 34
    contents.column_dimensions["B"].width = 60
    _text_never_formulas(wb)
    wb.save(path)


def _text_never_formulas(wb) -> None:
    """Text from an export (a service name, an outcome) that starts with '=' stays text, never a live formula."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"
