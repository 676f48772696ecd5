"""Bounded reading: size and row limits checked before a file is loaded, and CSV records checked as read.

Limits are data with defaults, overridable through environment variables so a
team with a genuine large file can raise them without a new release:

| limit | default | variable |
|---|---|---|
| unpacked size of an `.xlsx` / `.docx` | 512 MB | `COMPLAINTS_MAX_UNPACKED_MB` |
| rows in one `.xlsx` sheet read | 1,048,576 (Excel's own) | `COMPLAINTS_MAX_ROWS` |
| physical lines one CSV record may span | 1,000 | `COMPLAINTS_MAX_RECORD_LINES` |

An `.xlsx` is a zip of XML: a 1 MB file can unpack to gigabytes of shared
strings, which openpyxl holds in memory. The declared sizes in the zip's
directory bound what a reader will get (zipfile stops at the declared size),
so checking them is enough to refuse a bomb before opening it.
"""

from __future__ import annotations

import csv
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from classifier.errors import DocumentError, InputDataError, InputLimitError, MalformedTableError

# Rows an Excel sheet holds (writing; the cell limit is in io.safety).
XLSX_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class Limits:
    max_unpacked_mb: float = 512
    max_rows: int = XLSX_MAX_ROWS
    # A genuine cell rarely spans thousands of lines; an unclosed quote swallowing the file does.
    max_record_lines: int = 10_000


def current_limits() -> Limits:
    """Defaults, overridden by COMPLAINTS_MAX_* environment variables."""

    def env(name, default, cast):
        raw = os.environ.get(name)
        if raw is None or not raw.strip():
            return default
        try:
            value = cast(raw)
        except ValueError:
            raise InputDataError(f"{name}={raw[:20]!r} is not a number; set it to a positive number") from None
        if value <= 0:
            raise InputDataError(f"{name} must be a positive number")
        return value

    d = Limits()
    return Limits(
        max_unpacked_mb=env("COMPLAINTS_MAX_UNPACKED_MB", d.max_unpacked_mb, float),
        max_rows=env("COMPLAINTS_MAX_ROWS", d.max_rows, int),
        max_record_lines=env("COMPLAINTS_MAX_RECORD_LINES", d.max_record_lines, int),
    )


# ------------------------------------------------------------ zip archives

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")


def check_archive(path: Path, what: str, limits: Limits | None = None) -> None:
    """Refuse an .xlsx/.docx that is not a zip, or unpacks past the limit, or (xlsx) has too many rows."""
    lim = limits or current_limits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        error = DocumentError if what == "docx" else InputDataError
        raise error(
            f"could not read '{path.name}' as {what}: it is damaged, encrypted or another "
            "format; open it in Excel or Word and save it again"
        ) from None
    with zf:
        infos = zf.infolist()
        unpacked = sum(i.file_size for i in infos)
        if unpacked > lim.max_unpacked_mb * 1e6:
            raise InputLimitError(
                f"'{path.name}' unpacks to {unpacked / 1e6:,.0f} MB, over the limit of "
                f"{lim.max_unpacked_mb:,.0f} MB; if the file is genuine, raise the limit with "
                "COMPLAINTS_MAX_UNPACKED_MB, else save a smaller copy"
            )
        if what != "xlsx":
            return
        for info in infos:
            if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                continue
            with zf.open(info) as fh:
                head = fh.read(4096)
            m = _DIMENSION.search(head)
            if m and int(m.group(1)) > lim.max_rows:
                raise InputLimitError(
                    f"'{path.name}' has a sheet of {int(m.group(1)):,} rows, over the limit of "
                    f"{lim.max_rows:,}; split it, or raise the limit with COMPLAINTS_MAX_ROWS"
                )


def counted_rows(rows, path: Path, limits: Limits):
    """Pass rows through, refusing past the row limit (a sheet's dimension tag can be missing or wrong)."""
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        if n > limits.max_rows:
            raise InputLimitError(
                f"'{path.name}' has more than {limits.max_rows:,} rows; split it, or raise "
                "the limit with COMPLAINTS_MAX_ROWS"
            )
        yield row


# ------------------------------------------------------------ CSV records


def _shape(value: str) -> str:
    """'C-0012' -> 'a-9', '1042' -> '9': the look of an id, not its content."""
    return re.sub(r"[A-Za-z]+", "a", re.sub(r"\d+", "9", value.strip()))


_ID_LIKE = re.compile(r"[A-Za-z]{0,4}[-/_]?\d{1,12}")


class CheckedRecords:
    """Read CSV records strictly, stopping on quoting errors and merged rows; count physical lines.

    A quoted cell that is never closed, or closed in the middle of other text
    on a later line, makes Python's csv reader (strict mode) raise: that is an
    error naming the line it started on. Stray text after a closing quote on
    the record's own line (`"abc"x,`) merges nothing, so that one line is read
    leniently, as Excel would. A quoted cell that does close, but only after
    swallowing lines that look like rows of their own (enough delimiters, and
    a first field shaped like the ids that start the rows before it), is
    the same mistake closed by luck: also an error, as is a multi-line record
    with the wrong number of fields. A record spanning more than
    `max_record_lines` physical lines is refused as well. Known gap: a stray
    quote that pairs with a quoted cell whose text itself starts with a comma
    can merge a single line into one record; the summary's count of lines and
    records shows it.
    """

    def __init__(self, fh, path: Path, delimiter: str, limits: Limits):
        self.path, self.delimiter, self.limits = path, delimiter, limits
        self._buf: list[str] = []  # the physical lines of the record being read
        self.reader = csv.reader(self._tap(fh), csv.excel, delimiter=delimiter, strict=True)
        self.width = 0  # set once the header is read
        self.lines = 0  # physical lines read so far (header included)
        self.records = 0
        self._shapes: set[str] = set()

    def _tap(self, fh):
        buf = self._buf
        for line in fh:
            buf.append(line)
            yield line

    def __iter__(self) -> Iterator[list[str]]:
        reader = self.reader
        while True:
            start = self.lines + 1
            self._buf.clear()
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                what = str(exc)
                if "expected after" in what and len(self._buf) == 1:
                    row = next(csv.reader(self._buf, csv.excel, delimiter=self.delimiter))
                    self.lines = reader.line_num
                    self.records += 1
                    yield row
                    continue
                if "end of data" in what or "expected after" in what:
                    raise MalformedTableError(
                        f"line {start} of '{self.path.name}': a quoted cell (starting with \") is not "
                        f"closed properly, so the lines after it would be merged into one cell. Fix the "
                        f'quotes on line {start} (a quote inside a cell is written twice: ""), or save '
                        "the file again from Excel"
                    ) from None
                if "NUL" in what or "null" in what.lower():
                    raise MalformedTableError(
                        f"line {reader.line_num} of '{self.path.name}' contains a NUL byte; it is not a text "
                        "CSV file. Save it again as 'CSV UTF-8' from Excel"
                    ) from None
                raise MalformedTableError(
                    f"line {start} of '{self.path.name}' cannot be read as CSV; "
                    "save the file again as 'CSV UTF-8' from Excel"
                ) from None
            self.lines = reader.line_num
            self.records += 1
            span = self.lines - start + 1
            if span > 1:
                self._check_merged(row, start, span)
            elif row and self.records > 1 and len(self._shapes) < 64:
                shape = _shape(row[0])
                if ("9" in shape or not shape) and len(shape) <= 12:  # ids have digits (or are empty)
                    self._shapes.add(shape)
            yield row

    def _check_merged(self, row: list[str], start: int, span: int) -> None:
        if span > self.limits.max_record_lines:
            raise MalformedTableError(
                f"line {start} of '{self.path.name}': one record runs over {span:,} lines, more than the "
                f"{self.limits.max_record_lines:,} allowed; a quote is probably not closed. Fix it, or raise "
                "the limit with COMPLAINTS_MAX_RECORD_LINES if the cell is genuine"
            )
        if self.records == 1:
            # The header: a name may hold a line break ("Date\nreceived"), but not the next row.
            pieces = [line for cell in row if "\n" in cell for line in cell.split("\n")]
            if any(self.delimiter in line or not line.strip() for line in pieces):
                raise MalformedTableError(
                    f"line {start} of '{self.path.name}': the header row runs to line {start + span - 1}, "
                    f"so a quote in it is probably not closed. Fix the quotes on line {start}"
                )
            return
        if self.width < 2:
            return
        if len(row) != self.width:
            # A genuine cell with line breaks leaves the field count right; a stray quote does not.
            raise MalformedTableError(
                f"line {start} of '{self.path.name}': a quoted cell starting on this line runs to line "
                f"{start + span - 1} and the record has {len(row)} fields, not {self.width}; a quote is "
                f"probably not closed. Fix the quotes on line {start}, or save the file again from Excel"
            )
        looks_like_rows = 0
        for cell in row:
            if "\n" not in cell:
                continue
            lines = cell.split("\n")[1:]
            for k, line in enumerate(lines):
                parts = line.split(self.delimiter)
                first = parts[0].strip()
                # A row's fields (the last line is cut short by the quote that closed the cell),
                # starting like the ids before it, or with an id, or with nothing.
                fields_ok = len(parts) == self.width or (k == len(lines) - 1 and 2 <= len(parts) < self.width)
                if fields_ok and len(first) <= 30:
                    # (An empty first field is not enough: generated and pasted text has lines like ",,".)
                    looks_like_rows += bool(first) and (
                        _shape(first) in self._shapes or bool(_ID_LIKE.fullmatch(first))
                    )
        # Two or more: one such line can be a genuine line of a letter ("12, High Street, Leeds, LS1").
        if looks_like_rows >= 2:
            raise MalformedTableError(
                f"line {start} of '{self.path.name}': a quoted cell starting on this line runs to line "
                f"{start + span - 1} and holds {looks_like_rows} line(s) that look like rows of their own; "
                f"a closing quote is probably missing. Fix the quotes on line {start}, or save the file "
                "again from Excel"
            )
