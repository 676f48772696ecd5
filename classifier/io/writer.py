"""Write tables (.csv, .xlsx, .jsonl) chunk by chunk: to a temp file beside the output, renamed into place.

What keeps outputs safe to open (no live formulas, no leftovers, kept
permissions) is in `io.safety`; Excel formatting in `io.excel`.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from classifier.errors import OutputError
from classifier.io import limits as _limits
from classifier.io import safety as _safety
from classifier.io.tables import is_stdio, table_kind

if TYPE_CHECKING:
    from classifier.io.excel import XlsxSheetWriter

log = logging.getLogger(__name__)


class TableWriter:
    """Write rows chunk by chunk to a temp file; rename into place on close.

    `types` declares columns the caller filled with text that stands for
    another type ("bool", "float", "int", "json"): .xlsx and .jsonl write the
    real type, CSV the text as given. `sheet_name` names the .xlsx sheet.
    The path `-` writes CSV to standard output, as the rows come.
    CSV cells and headers that a spreadsheet would run as formulas get a `'`
    in front (`io.safety.neutralise`); `.xlsx` text cells are always strings.
    Temp files (ours and openpyxl's) live beside the output and are removed on
    any exit. A sheet that reaches Excel's row limit continues on a new sheet.
    """

    _open_targets: set[str] = set()  # outputs being written now: two writers may not share one

    def __init__(
        self,
        path: str | Path,
        columns: list[str],
        input_path: str | Path | None = None,
        types: dict[str, str] | None = None,
        sheet_name: str | None = None,
    ):
        self.path = Path(path)
        self.kind = table_kind(path)
        self.columns = list(columns)
        self.types = dict(types or {})
        self.rows_written = 0
        self.sheets = 0
        self._fh = None
        self._xlsx: XlsxSheetWriter | None = None
        self._xlsx_tmps: list[Path] = []
        self._tmp: Path | None = None
        self._target = None
        self._sheet_title = sheet_name
        if is_stdio(path):
            self._csv = csv.writer(sys.stdout, lineterminator="\n")
            self._csv.writerow(_safety.neutralise_row(self.columns))
            return
        if input_path is not None and _safety.same_file(self.path, Path(input_path)):
            raise OutputError(f"output '{self.path.name}' is the input file; choose a different --output path")
        parent = self.path.parent if str(self.path.parent) else Path(".")
        if not parent.is_dir():
            raise OutputError(f"output folder '{parent}' does not exist; create it first")
        target = os.path.normcase(os.path.abspath(self.path))
        if target in TableWriter._open_targets:
            raise OutputError(
                f"'{self.path.name}' is already being written by this command; give each output its own path"
            )
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=parent)
            os.close(fd)
            self._tmp = Path(tmp)
            _safety.track_temp(self._tmp)
            self._target = target
            TableWriter._open_targets.add(target)
            if self.kind == "csv":
                # BOM so that Excel opens UTF-8 correctly.
                self._fh = self._tmp.open("w", encoding="utf-8-sig", newline="")
                self._csv = csv.writer(self._fh)
                self._csv.writerow(_safety.neutralise_row(self.columns))
            elif self.kind == "jsonl":
                self._fh = self._tmp.open("w", encoding="utf-8")
            else:
                self._new_sheet()
        except OSError as exc:
            self.abort()
            raise OutputError(_safety.describe_os_error(exc, self.path)) from None
        except BaseException:
            self.abort()
            raise

    def _new_sheet(self) -> None:
        """Start the workbook, or (past Excel's row limit) save it and continue in a new sheet of it."""
        from classifier.io.excel import XlsxSheetWriter, sheet_title

        self.sheets += 1
        title = sheet_title(self._sheet_title, self.path.stem)
        if self._xlsx is None:
            self._xlsx = XlsxSheetWriter(
                self._tmp,
                self.columns,
                title,
                cell=self._xlsx_cell,
                temp_folder=self._tmp.parent,
                temp_files=self._xlsx_tmps,
            )
        else:
            self._xlsx.next_sheet(f"{title[:26]} ({self.sheets})")

    def write(self, frame: pd.DataFrame, typed: pd.DataFrame | None = None) -> None:
        """Append `frame`'s rows; `typed` (same rows) holds input cells to write with their own type."""
        try:
            self._write(frame, typed)
        except OSError as exc:
            raise OutputError(_safety.describe_os_error(exc, self.path)) from None

    def _write(self, frame: pd.DataFrame, typed: pd.DataFrame | None) -> None:
        if self.kind == "csv":
            # Column lists zipped into rows: several times faster than DataFrame.itertuples.
            cols = [list(map(_safety.neutralise, frame[c].tolist())) for c in self.columns] if len(frame) else []
            self._csv.writerows(zip(*cols))
        else:
            self._write_typed(frame, typed)
        self.rows_written += len(frame)

    def _write_typed(self, frame: pd.DataFrame, typed: pd.DataFrame | None) -> None:
        from classifier.io.typed import json_default, typed_rows

        if not len(frame):
            return
        rows = typed_rows(frame, self.columns, self.types, typed, json_objects=self.kind == "jsonl")
        if self.kind == "jsonl":
            for row in rows:
                self._fh.write(
                    json.dumps(dict(zip(self.columns, row)), ensure_ascii=False, default=json_default) + "\n"
                )
            return
        rows = [list(r) for r in rows]
        while rows:
            room = _limits.XLSX_MAX_ROWS - 1 - self._xlsx.rows
            if room <= 0:
                log.warning(
                    "output has more rows than an Excel sheet holds (%s); continued on sheet %d",
                    f"{_limits.XLSX_MAX_ROWS:,}",
                    self.sheets + 1,
                )
                self._new_sheet()
                continue
            self._xlsx.append_rows(rows[:room])
            rows = rows[room:]

    def _xlsx_cell(self, v, column: str):
        """A cell value for .xlsx: text is always text (never a formula), and fits Excel's limits."""
        if not isinstance(v, str):
            return v
        row_no = self._xlsx.current_row if column else 0  # the header is row 0 in messages
        return _safety.xlsx_cell(self._xlsx.ws, v, row_no, column)

    def close(self) -> None:
        if self._tmp is None:  # standard output
            sys.stdout.flush()
            return
        try:
            if self._fh:
                self._fh.close()
            if self._xlsx is not None:
                self._xlsx.save()
            # mkstemp makes the file private (0600); an overwritten output keeps its mode.
            os.chmod(self._tmp, _safety.output_mode(self.path))
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.abort()
            raise OutputError(_safety.describe_os_error(exc, self.path)) from None
        except BaseException:
            self.abort()
            raise
        _safety.untrack_temp(self._tmp)
        self._release()

    def abort(self) -> None:
        if self._tmp is None:  # standard output: what was written is already gone
            return
        try:
            if self._fh:
                self._fh.close()
            if self._xlsx is not None:
                self._xlsx.discard()
                self._xlsx = None
        except OSError:
            pass
        finally:
            _safety.remove_temp(self._tmp)
            self._release()

    def _release(self) -> None:
        for tmp in self._xlsx_tmps:
            _safety.remove_temp(tmp)
        self._xlsx_tmps.clear()
        if self._target is not None:
            TableWriter._open_targets.discard(self._target)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False


def write_table(
    frame: pd.DataFrame, path: str | Path, input_path: str | Path | None = None, types: dict[str, str] | None = None
) -> None:
    with TableWriter(path, [str(c) for c in frame.columns], input_path=input_path, types=types) as w:
        w.write(frame.rename(columns=str))
