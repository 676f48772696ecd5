"""Read and write tables (.csv, .xlsx, .jsonl) in chunks, losing no row.

Every cell is read as a string. Readers yield `Chunk`s: a DataFrame plus, per
row, a read problem (or None) so that a damaged row still produces an output
row with `status = error: ...`. Writers write to a temporary file beside the
output and rename it into place, so an interrupted run leaves nothing
half-written, and refuse to overwrite their own input. What keeps outputs
safe to open (no live formulas, no leftovers, kept permissions) is in
`io.safety`; size, row and quoting checks on reading are in `io.limits`.

The path `-` is standard input (reading) or standard output (writing), as CSV.
Excel specifics (sheet choice, header detection, typed cells, formatting) live
in `classifier/io/excel.py`.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import logging
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from classifier.errors import (
    EncodingFallbackWarning,  # noqa: F401 (re-exported)
    InputDataError,
    MissingColumnError,
)
from classifier.io import limits as _limits
from classifier.io import safety as _safety

log = logging.getLogger(__name__)

TABLE_SUFFIXES = (".csv", ".xlsx", ".jsonl")
DEFAULT_CHUNK_ROWS = 5000
_MULTIBYTE_UTF8 = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # allow 1 MB+ cells


@dataclass
class Chunk:
    frame: pd.DataFrame  # every column as str
    problems: list[str | None]  # per row: why it is damaged, or None
    first_row: int  # 1-based data row number of frame's first row
    lines_read: int = 0  # CSV: physical lines read so far, header included
    typed: pd.DataFrame | None = None  # .xlsx: the non-text cells as read (None elsewhere)
    sheet: str | None = None  # .xlsx: the sheet read


STDIO = "-"


def is_stdio(path) -> bool:
    return str(path) == STDIO


def table_kind(path: str | Path) -> str:
    if is_stdio(path):
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputDataError(
            f"'{Path(path).name}' has unsupported extension '{suffix or '(none)'}'; "
            f"use one of {', '.join(TABLE_SUFFIXES)}"
        )
    return suffix[1:]


_OEM_POUND = re.compile(rb"\x9c ?\d")  # '£150' as Excel's "CSV (MS-DOS)" writes it


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' when the bytes are UTF-8; else choose a lossy fallback and warn."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    sample = path.read_bytes()[: 8 << 20]
    valid_multibyte = len(_MULTIBYTE_UTF8.findall(sample))
    high_bytes = sum(1 for b in sample if b >= 0x80)
    if valid_multibyte * 2 >= high_bytes * 0.5 and valid_multibyte > 0:
        warnings.warn(
            f"'{path.name}' is mostly UTF-8 but has invalid bytes; they were replaced with U+FFFD",
            EncodingFallbackWarning,
            stacklevel=2,
        )
        return "utf-8-sig:replace"
    if _OEM_POUND.search(sample) and b"\xa3" not in sample:
        # Excel's "CSV (MS-DOS)" writes the DOS code page: byte 0x9C before an amount is '£' there,
        # 'œ' in Windows-1252 (and every cost would then be unreadable).
        warnings.warn(
            f"'{path.name}' is not UTF-8; read it as the DOS code page (cp850: Excel's 'CSV (MS-DOS)'). "
            "Save the file as 'CSV UTF-8' in Excel to avoid this",
            EncodingFallbackWarning,
            stacklevel=2,
        )
        return "cp850:replace"
    warnings.warn(
        f"'{path.name}' is not UTF-8; read it as Windows-1252 (cp1252). "
        "Save the file as 'CSV UTF-8' in Excel to avoid this",
        EncodingFallbackWarning,
        stacklevel=2,
    )
    return "cp1252:replace"


def _open_text(path: Path):
    enc = detect_encoding(path)
    name, _, errors = enc.partition(":")
    return path.open("r", encoding=name, errors=errors or "strict", newline="")


def iter_table(
    path: str | Path, chunk_rows: int = DEFAULT_CHUNK_ROWS, sheet: str | None = None, header_row: int | None = None
) -> Iterator[Chunk]:
    """Chunks of the table at `path` (`-`: CSV on standard input); `sheet` and `header_row` for .xlsx."""
    kind = table_kind(path)
    if sheet is not None and kind != "xlsx":
        raise InputDataError("--sheet applies to .xlsx input only")
    if header_row is not None and kind not in ("xlsx", "csv"):
        raise InputDataError("--header-row applies to .xlsx and .csv input only")
    if header_row is not None and header_row < 1:
        raise InputDataError(f"--header-row {header_row}: rows are numbered from 1")
    if is_stdio(path):
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace", newline="")
        try:
            yield from _iter_csv_lines(stream, chunk_rows, Path("stdin.csv"))
        finally:
            stream.detach()
        return
    p = Path(path)
    if not p.is_file():
        raise InputDataError(f"input file '{p}' not found; check the path")
    try:
        if kind == "csv":
            yield from _iter_csv(p, chunk_rows, header_row)
        elif kind == "jsonl":
            yield from _iter_jsonl(p, chunk_rows)
        else:
            from classifier.io.excel import iter_xlsx

            yield from iter_xlsx(p, chunk_rows, sheet, header_row)
    except InputDataError:
        raise
    except Exception as exc:
        # Exception text from parsers can quote cell content: report the type only.
        raise InputDataError(
            f"could not read '{p.name}' as {kind} ({type(exc).__name__}); "
            "check that the file is a valid, unencrypted table"
        ) from None


def no_rows_error(path: str | Path, sheet: str | None = None) -> InputDataError:
    """A table with no data rows; for a workbook, which sheet was read and which others hold a table."""
    hint = ""
    if table_kind(path) == "xlsx" and not is_stdio(path):
        from classifier.io.excel import other_sheets_hint

        hint = other_sheets_hint(path, sheet)
    return InputDataError(f"'{Path(path).name}' has no rows to read (it is empty, or holds only a header row){hint}")


def read_table(
    path: str | Path, sheet: str | None = None, header_row: int | None = None
) -> tuple[pd.DataFrame, list[str | None]]:
    whole = read_whole_table(path, sheet, header_row)
    return whole.frame, whole.problems


def read_whole_table(path: str | Path, sheet: str | None = None, header_row: int | None = None) -> Chunk:
    """The whole table as one chunk: its text frame, problems, and (.xlsx) typed cells and sheet name."""
    chunks = list(iter_table(path, sheet=sheet, header_row=header_row))
    if not chunks:  # every caller needs rows; saying so beats "column 'text' not found"
        raise no_rows_error(path, sheet)
    typed = [c.typed for c in chunks if c.typed is not None]
    return Chunk(
        frame=pd.concat([c.frame for c in chunks], ignore_index=True),
        problems=[p for c in chunks for p in c.problems],
        first_row=1,
        typed=pd.concat(typed, ignore_index=True) if len(typed) == len(chunks) else None,
        sheet=chunks[0].sheet,
    )


def table_columns(path: str | Path, sheet: str | None = None, header_row: int | None = None) -> list[str]:
    for chunk in iter_table(path, chunk_rows=1, sheet=sheet, header_row=header_row):
        return list(chunk.frame.columns)
    return []


def _unique_header(header: list[str]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        name = (name or "").strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _make_chunk(columns, rows, problems, first_row, lines_read=0) -> Chunk:
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    return Chunk(frame=frame, problems=problems, first_row=first_row, lines_read=lines_read)


def _iter_csv(p: Path, chunk_rows: int, header_row: int | None = None) -> Iterator[Chunk]:
    with _open_text(p) as fh:
        yield from _iter_csv_lines(fh, chunk_rows, p, header_row)


TITLE_LINES_MAX = 10  # title, date and blank lines an export may put above its header


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.get) if max(counts.values()) else ","


def _cells(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])


def _title_lines(head: list[str]) -> int:
    """How many title lines sit above the header, as a workbook's title rows are skipped.

    Only what Excel writes when a sheet with a title is saved as CSV: blank lines, or lines with one
    filled cell padded to the table's width ("Complaints log export;;;;"), above a header of short
    names. Anything else, a headerless file's first row included, is read as it is.
    """
    from classifier.io.excel import looks_like_header

    for i, line in enumerate(head):
        delimiter = _delimiter(line)
        fields = line.count(delimiter)
        row = _cells(line, delimiter)
        if i and fields and looks_like_header(row, len(row)):
            padded = [t for t in head[:i] if t.strip()]
            # A title sits in the first cell, unquoted; a stray quote could otherwise fold a header away.
            if all(
                t.count(delimiter) == fields and '"' not in t and not "".join(t.split(delimiter)[1:]).strip()
                for t in padded
            ):
                return i
            return 0
        if sum(bool(c.strip()) for c in row) > 1:
            return 0  # a line of data, or a header this check cannot read: as it is
    return 0


def _iter_csv_lines(fh, chunk_rows: int, p: Path, header_row: int | None = None) -> Iterator[Chunk]:
    head = list(itertools.islice(iter(fh.readline, ""), TITLE_LINES_MAX + 1))
    skip = header_row - 1 if header_row is not None else _title_lines(head)
    while skip >= len(head) and head:  # --header-row below the lines read ahead
        more = fh.readline()
        if not more:
            raise InputDataError(f"--header-row {header_row}: '{p.name}' has only {len(head)} lines")
        head.append(more)
    head = head[skip:]
    # Delimiter from the header line only: cell text must not sway it.
    header_line = head[0] if head else ""
    delimiter = _delimiter(header_line)
    # Strict: an unclosed or misplaced quote raises instead of merging the rows after it.
    checked = _limits.CheckedRecords(itertools.chain(head, fh), p, delimiter, _limits.current_limits())
    records = iter(checked)
    header = next(records, None)
    if header is None:
        return
    columns = _unique_header(header)
    checked.width = len(columns)
    yield from _batched(
        columns, (_fit_row(row, len(columns), delimiter) for row in records), chunk_rows, lines=lambda: checked.lines
    )


def _fit_row(row: list[str], width: int, delimiter: str = ",") -> tuple[list[str], str | None]:
    """Pad short rows; fold surplus fields into the last column so no value is lost."""
    problem = None
    if not row:
        row = [""] * width
    if len(row) < width:
        problem = f"row has {len(row)} fields, expected {width}" if len(row) > 1 else None
        row = row + [""] * (width - len(row))
    elif len(row) > width:
        row = row[: width - 1] + [delimiter.join(row[width - 1 :])]
    return row, problem


def _batched(columns, rows_and_problems, chunk_rows: int, lines=lambda: 0) -> Iterator[Chunk]:
    rows, problems, first = [], [], 1
    for row, problem in rows_and_problems:
        rows.append(row)
        problems.append(problem)
        if len(rows) >= chunk_rows:
            yield _make_chunk(columns, rows, problems, first, lines())
            first += len(rows)
            rows, problems = [], []
    if rows:
        yield _make_chunk(columns, rows, problems, first, lines())


def _cell_to_str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _iter_jsonl(p: Path, chunk_rows: int) -> Iterator[Chunk]:
    columns: list[str] = []
    records: list[dict] = []
    problems: list[str | None] = []
    with _open_text(p) as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError
                records.append({_json_cell(str(k)): _json_cell(v) for k, v in obj.items()})
                problems.append(None)
            except ValueError:
                records.append({})
                problems.append(f"line {line_no} is not a JSON object")
    # JSON Lines rows may carry different keys: the union, in first-seen order.
    for rec in records:
        for k in rec:
            if k not in columns:
                columns.append(k)
    for start in range(0, len(records), chunk_rows):
        part = records[start : start + chunk_rows]
        rows = [[rec.get(c, "") for c in columns] for rec in part]
        yield _make_chunk(columns, rows, problems[start : start + chunk_rows], start + 1)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        # "\ud83d" escapes (half an emoji) decode to lone surrogates no file can hold.
        return _SURROGATE.sub("\ufffd", v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return _cell_to_str(v)


def open_chunks(
    path, chunk_rows: int = DEFAULT_CHUNK_ROWS, sheet: str | None = None, header_row: int | None = None
) -> tuple[list[str], Iterator[Chunk]]:
    """The table's columns, and all its chunks (the first one read only once)."""
    chunks = iter_table(path, chunk_rows=chunk_rows, sheet=sheet, header_row=header_row)
    first = next(chunks, None)
    if first is None:
        raise no_rows_error(path, sheet)
    columns = list(first.frame.columns)

    def all_chunks():
        yield first
        yield from chunks

    return columns, all_chunks()


def added_columns(columns: list[str], new: list[str]) -> tuple[list[str], dict[str, str]]:
    """Output columns = input + new; a new name already in the input gets '_new'."""
    out = columns + [c if c not in columns else f"{c}_new" for c in new]
    return out, dict(zip(new, out[len(columns) :]))


def require_column(columns: list[str], name: str, flag: str) -> str:
    if name in columns:
        return name
    lowered = {c.lower().strip(): c for c in columns}
    if name.lower().strip() in lowered:
        return lowered[name.lower().strip()]
    raise MissingColumnError(name, columns, flag, shown=_safety.shown_columns(columns))
