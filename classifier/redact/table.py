"""Redact the text column of a table (.csv, .xlsx, .jsonl), chunk by chunk.

Every input row produces one output row, in order; only the text column
changes. Output goes through `TableWriter`, which writes a temporary file,
renames it into place and refuses to overwrite the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from classifier.io.tables import DEFAULT_CHUNK_ROWS, open_chunks, require_column
from classifier.io.writer import TableWriter
from classifier.redact.redactor import Redactor


@dataclass
class RedactSummary:
    rows: int  # rows written (= rows read)
    rows_changed: int  # rows whose text had something redacted
    rows_with_read_problems: int  # damaged rows, written through as they were read
    text_column: str
    output_path: str
    lines_read: int = 0  # physical lines of a CSV input, header included


def redact_table(
    input_path: str | Path,
    output_path: str | Path,
    text_column: str = "text",
    redactor: Redactor | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    sheet: str | None = None,
    header_row: int | None = None,
    progress=None,
) -> RedactSummary:
    """Write a table with its text column redacted; every other column and row as read.

    Parameters
    ----------
    input_path, output_path : str or Path
        .csv / .xlsx / .jsonl; `-` is standard input / output, as CSV.
    text_column : str
    redactor : Redactor, optional
        Default: names and every pattern.
    chunk_rows : int
    sheet, header_row : optional
        Pick the table in an .xlsx workbook.
    progress : callable, optional
        Called with the number of rows done after each chunk.

    Returns
    -------
    RedactSummary

    Raises
    ------
    MissingColumnError
        (naming `--text-column`) when the column is absent.
    OutputError
        When the output is the input.
    """
    red = redactor or Redactor()
    columns, chunks = open_chunks(input_path, chunk_rows, sheet, header_row)
    column = require_column(columns, text_column, "--text-column")
    rows = changed = problems = lines = 0
    writer = None
    try:
        for chunk in chunks:
            frame = chunk.frame
            if writer is None:
                # JSON Lines may add keys after the first row: use the full header.
                writer = TableWriter(
                    output_path, [str(c) for c in frame.columns], input_path=input_path, sheet_name=chunk.sheet
                )
            texts = frame[column].tolist()
            redacted = [red.redact(t) if isinstance(t, str) else t for t in texts]
            changed += sum(1 for a, b in zip(texts, redacted) if a != b)
            frame = frame.copy()
            frame[column] = redacted
            # Typed cells (.xlsx) are written only where the text is unchanged: never the original text.
            writer.write(frame, typed=chunk.typed)
            rows += len(frame)
            if progress:
                progress(len(frame))
            problems += sum(1 for p in chunk.problems if p)
            lines = chunk.lines_read
        if writer is None:
            # No data rows: still write the header, so the output exists.
            writer = TableWriter(output_path, columns or [column], input_path=input_path)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    writer.close()
    return RedactSummary(
        rows=rows,
        rows_changed=changed,
        rows_with_read_problems=problems,
        text_column=column,
        output_path=str(output_path),
        lines_read=lines,
    )
