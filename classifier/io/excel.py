"""Excel workbooks as analysts make them: a chosen sheet, a header below title rows, typed cells.

Reading: `--sheet` picks a sheet by name or number (1 = first); the header is
the first row that looks like one (filled across at least half the table's
width with short text or whole numbers: titles and notes above a table are
narrow, or hold dates), so title, date and blank rows
above it are skipped; `--header-row` overrides the guess. Every cell is read
as text for the pipeline, and non-text cells (numbers, dates, booleans) are
also kept as they were, so that output columns passed through keep their type.

Writing: one sheet (named after the input's sheet when there was one), bold
frozen header with a filter, column widths from the header and the first
rows, dates written as dates, and the typed columns the caller declares
(booleans, numbers) written as such.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from classifier.errors import InputDataError, MissingColumnError

HEADER_SCAN_ROWS = 30  # rows looked at to find the header
_MAX_HEADER_CELL = 80  # a longer cell is a title or data, not a column name
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH = 8, 60  # column widths in characters


@dataclass
class SheetLayout:
    name: str
    header_row: int | None  # 1-based row number in the sheet; None for an empty sheet
    columns: list[str]


def _filled(v) -> bool:
    return v is not None and not (isinstance(v, str) and not v.strip())


def looks_like_header(cells, width: int) -> bool:
    """Filled across at least half the table's width with short text (titles are narrow)."""
    values = [v for v in cells if _filled(v)]
    if not values or (width > 1 and len(values) < max(2, math.ceil(width / 2))):
        return False
    texts = [v for v in values if isinstance(v, str) and len(v.strip()) <= _MAX_HEADER_CELL]
    # Column names are text, perhaps a few whole numbers (years); never dates, decimals or long text.
    years = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return len(texts) + len(years) == len(values) and len(texts) * 2 >= len(values)


def detect_header_row(rows: list[tuple]) -> int | None:
    """0-based index of the header among the first rows of a sheet (None: all blank)."""
    width = max((sum(map(_filled, r)) for r in rows), default=0)
    first_filled = None
    for i, r in enumerate(rows):
        if not any(map(_filled, r)):
            continue
        if first_filled is None:
            first_filled = i
        if looks_like_header(r, width):
            return i
    return first_filled


def choose_sheet(names: list[str], sheet: str | int | None, file_name: str) -> str:
    """The sheet named (exactly, then ignoring case) or numbered from 1; the first when None.

    Parameters
    ----------
    names : list of str
        The workbook's sheets.
    sheet : str or int, optional
    file_name : str
        For the error message.

    Returns
    -------
    str
    """
    if not names:
        raise InputDataError(f"'{file_name}' has no sheets")
    if sheet is None or str(sheet).strip() == "":
        return names[0]
    wanted = str(sheet).strip()
    if wanted in names:
        return wanted
    lowered = {n.lower().strip(): n for n in names}
    if wanted.lower() in lowered:
        return lowered[wanted.lower()]
    if wanted.isdigit() and 1 <= int(wanted) <= len(names):
        return names[int(wanted) - 1]
    listed = ", ".join(f"{i}: '{n}'" for i, n in enumerate(names, start=1))
    raise InputDataError(
        f"sheet '{wanted}' not found in '{file_name}'; its sheets are {listed}; pass --sheet NAME or --sheet NUMBER"
    )


def _open(path: Path):
    from openpyxl import load_workbook

    return load_workbook(path, read_only=True, data_only=True)


def _cell_text(v) -> str:
    from classifier.io.typed import cell_text

    return cell_text(v)


def _layout(ws, name: str, header_row: int | None) -> tuple[SheetLayout, int]:
    """The sheet's layout and the width to read (header width or widest scanned row)."""
    from classifier.io.tables import _unique_header

    head = [tuple(r) for r in ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)]
    if header_row is not None:
        if header_row < 1:
            raise InputDataError("--header-row counts from 1 (the sheet's first row)")
        row = next(ws.iter_rows(min_row=header_row, max_row=header_row, values_only=True), None)
        if row is None or not any(map(_filled, row)):
            raise InputDataError(
                f"row {header_row} of sheet '{name}' is empty; pass the number of "
                "the row that holds the column names to --header-row"
            )
        index, header = header_row - 1, tuple(row)
    else:
        index = detect_header_row(head)
        if index is None:
            return SheetLayout(name, None, []), 0
        header = head[index]
    last = max((j for r in [header, *head[index + 1 :]] for j, v in enumerate(r) if _filled(v)), default=-1)
    width = last + 1
    cells = [_cell_text(v) for v in header[:width]] + [""] * (width - len(header[:width]))
    return SheetLayout(name, index + 1, _unique_header(cells)), width


def workbook_layout(path: str | Path) -> list[SheetLayout]:
    """Every sheet with its detected header row and columns (for messages)."""
    wb = _open(Path(path))
    try:
        return [_layout(wb[n], n, None)[0] for n in wb.sheetnames]
    finally:
        wb.close()


def iter_xlsx(path: Path, chunk_rows: int, sheet: str | int | None = None, header_row: int | None = None) -> Iterator:
    """Chunks of one sheet: text cells for the pipeline, non-text cells kept in `typed`."""
    from classifier.io import limits
    from classifier.io.tables import Chunk

    lim = limits.current_limits()
    limits.check_archive(path, "xlsx", lim)  # before openpyxl unpacks anything
    wb = _open(path)
    try:
        name = choose_sheet(wb.sheetnames, sheet, path.name)
        ws = wb[name]
        layout, width = _layout(ws, name, header_row)
        if layout.header_row is None:
            return
        columns = layout.columns
        rows, typed, first = [], [], 1
        for raw in limits.counted_rows(ws.iter_rows(min_row=layout.header_row + 1, values_only=True), path, lim):
            raw = tuple(raw[:width]) + (None,) * (width - len(raw[:width]))
            rows.append([_cell_text(v) for v in raw])
            typed.append([None if v is None or isinstance(v, str) else v for v in raw])
            if len(rows) >= chunk_rows:
                yield _chunk(Chunk, columns, rows, typed, first, name)
                first += len(rows)
                rows, typed = [], []
        if rows:
            yield _chunk(Chunk, columns, rows, typed, first, name)
    finally:
        wb.close()


def _chunk(Chunk, columns, rows, typed, first, sheet):
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    typed_frame = pd.DataFrame(typed, columns=columns, dtype=object)
    return Chunk(frame=frame, problems=[None] * len(rows), first_row=first, typed=typed_frame, sheet=sheet)


def _sheets_for_message(path: str | Path, sheet) -> tuple[list[SheetLayout], str] | None:
    """Every sheet's layout and the one read, for an error message; None when the workbook cannot say."""
    try:
        layouts = workbook_layout(path)
        return layouts, choose_sheet([s.name for s in layouts], sheet, Path(path).name)
    except Exception:  # the caller's error is still the right one to show
        return None


def other_sheets_hint(path: str | Path, sheet) -> str:
    """'; it read sheet 'Notes': sheet 'Cases' has a table (header row 1): pass --sheet "Cases"' (or '')."""
    found = _sheets_for_message(path, sheet)
    if found is None:
        return ""
    layouts, used = found
    others = [s for s in layouts if s.name != used and s.header_row]
    if not others:
        return f"; it read sheet '{used}'"
    return f"; it read sheet '{used}': " + "; ".join(
        f"sheet '{s.name}' has a table (header row {s.header_row}): pass --sheet \"{s.name}\"" for s in others[:3]
    )


def explain_missing(exc: MissingColumnError, path: str | Path, sheet, header_row) -> MissingColumnError:
    """The same error, saying which sheet and header row were read and which sheets have the column."""
    found = _sheets_for_message(path, sheet)
    if found is None:
        return exc
    layouts, used = found
    here = next(s for s in layouts if s.name == used)
    where = f"sheet '{used}'" + (
        f", header row {here.header_row}"
        if here.header_row and header_row is None
        else f", header row {header_row}"
        if header_row
        else ""
    )
    wanted = exc.column.lower().strip()
    having = [s for s in layouts if s.name != used and wanted in (c.lower().strip() for c in s.columns)]
    if having:
        fix = "; ".join(
            f"sheet '{s.name}' has it (header row {s.header_row}): pass --sheet \"{s.name}\"" for s in having
        )
    else:
        others = "; ".join(
            f"'{s.name}' (header row {s.header_row}: {', '.join(s.columns[:8])})"
            for s in layouts
            if s.name != used and s.header_row
        )
        fix = (
            f"pass {exc.flag} COLUMN"
            + (f", or --sheet NAME; other sheets: {others}" if others else "")
            + "; if the column names are not in the detected header row, pass --header-row N"
        )
    return MissingColumnError(exc.column, exc.available, exc.flag, where=where, fix=fix)


# ---------------------------------------------------------------- writing


def sheet_title(name: str | None, fallback: str) -> str:
    """A legal Excel sheet title (31 characters, no []:*?/\\)."""
    title = _SHEET_TITLE_BAD.sub(" ", (name or fallback or "Sheet1")).strip().strip("'")[:31]
    return title or "Sheet1"


def _width(header: str, values: list) -> float:
    lengths = sorted(len(_cell_text(v)) if not isinstance(v, (dt.date, dt.datetime)) else 11 for v in values)
    typical = lengths[int(len(lengths) * 0.9)] if lengths else 0
    return float(min(MAX_WIDTH, max(MIN_WIDTH, len(header) + 2, typical + 2)))


class XlsxSheetWriter:
    """Rows into formatted sheets of a write-only workbook; each sheet's header written with its first rows.

    `cell(value, column)` turns a value into what openpyxl writes (text stays
    text). Sheet streams go to temp files in `temp_folder` (openpyxl's default
    is the system temp folder, never cleaned if the process is killed); their
    paths are added to `temp_files` so the caller can remove them.
    """

    def __init__(
        self,
        path: Path,
        columns: list[str],
        title: str,
        cell=lambda v, column: v,
        temp_folder: Path | None = None,
        temp_files: list | None = None,
    ):
        from openpyxl import Workbook

        self.path, self.columns = path, columns
        self._wb = Workbook(write_only=True)
        self._cell = cell
        self._temp_folder = temp_folder
        self._temp_files = temp_files if temp_files is not None else []
        self.total_rows = 0
        self.current_row = 0
        self._open_sheet(title)

    def _open_sheet(self, title: str) -> None:
        if self._temp_folder is not None:
            from classifier.io.safety import open_xlsx_sheet

            ws, tmp = open_xlsx_sheet(
                self._wb, len(self._wb.worksheets) + 1, self._temp_folder, self.path.name, start=False
            )
            ws.title = title
            self._temp_files.append(Path(tmp))
        else:
            ws = self._wb.create_sheet(title=title)
        self._ws = self.ws = ws
        self._started = False
        self.rows = 0

    def next_sheet(self, title: str) -> None:
        """Finish the current sheet (filter) and continue in a new one."""
        self._finish_sheet()
        self._open_sheet(title)

    def _start(self, sample: list[list]) -> None:
        from openpyxl.cell import Cell, WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        for j, name in enumerate(self.columns):
            values = [r[j] for r in sample[:200]]
            self._ws.column_dimensions[get_column_letter(j + 1)].width = _width(name, values)
        self._ws.freeze_panes = "A2"
        if getattr(self._ws, "_writer", None) is not None:  # a sheet streaming to our own temp file
            self._ws._writer.write_top()
        bold = Font(bold=True)
        header = []
        for name in self.columns:
            v = self._cell(name, "")
            c = v if isinstance(v, Cell) else WriteOnlyCell(self._ws, value=v)
            c.font = bold
            header.append(c)
        self._ws.append(header)
        self._started = True

    def append_rows(self, rows: list[list]) -> None:
        from openpyxl.cell import WriteOnlyCell

        if not self._started:
            self._start(rows)
        columns = self.columns
        for k, row in enumerate(rows):
            self.current_row = self.total_rows + k + 1  # 1-based data row, for messages
            out = []
            for v, column in zip(row, columns):
                if isinstance(v, (dt.datetime, dt.date)):
                    c = WriteOnlyCell(self._ws, value=v)
                    # Built-in formats 14 / 22: Excel shows them in the reader's own date style.
                    midnight = not isinstance(v, dt.datetime) or v.time() == dt.time(0)
                    c.number_format = "mm-dd-yy" if midnight else "m/d/yy h:mm"
                    out.append(c)
                else:
                    out.append(self._cell(v, column))
            self._ws.append(out)
        self.rows += len(rows)
        self.total_rows += len(rows)

    def _finish_sheet(self) -> None:
        from openpyxl.utils import get_column_letter

        if not self._started:
            self._start([])
        if self.columns:
            self._ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{self.rows + 1}"

    def save(self) -> None:
        self._finish_sheet()
        self._wb.save(self.path)

    def discard(self) -> None:
        """Close the unsaved sheet streams so their temp files can be removed (also on Windows)."""
        from classifier.io.safety import discard_xlsx

        discard_xlsx(self._wb)
