"""What makes written tables safe to open and leaves nothing behind.

- Spreadsheet-safe cells (OWASP "CSV injection"): a CSV cell or header that
  Excel or LibreOffice would read as a formula (first character `=`, `+`, `-`,
  `@`, tab or carriage return, also after leading spaces, and their full-width
  forms) gets a `'` in front; nothing else in the text changes. A plain number
  such as `-5` or `+44` is left alone (it cannot call anything). In `.xlsx`
  every text cell is written as a string, so no cell can ever be a formula.
- Temporary files: every temp file a writer makes is registered here and
  removed on normal exit, on an error, on Ctrl-C and on SIGTERM/SIGHUP.
- Permissions: overwriting keeps the old file's mode; a new file is 0600
  unless `set_umask` (the CLI's `--umask`) asks for wider.
- OSError -> one line that names the fix (folder not writable, disk full).
"""

from __future__ import annotations

import atexit
import errno
import os
import re
import signal
import stat
import threading
from pathlib import Path

# ------------------------------------------------------------ formulas

_TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"  # full-width = + - @ too
# A cell Excel would parse: a trigger first, or after leading spaces/newlines.
_FORMULA_START = re.compile(r"[ \n]*[" + re.escape(_TRIGGERS) + "]")
# A plain signed number is data, not a formula ("-5", "+44", "-3.5e2").
_PLAIN_NUMBER = re.compile(r"[+\-]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][+\-]?\d+)?%?")


def needs_neutralising(value: str) -> bool:
    """True when a spreadsheet would read `value` as a formula."""
    return bool(value) and _FORMULA_START.match(value) is not None and _PLAIN_NUMBER.fullmatch(value) is None


_TRIGGERS_OR_SPACE = frozenset(_TRIGGERS + " \n")


def neutralise(value):
    """`'` + value when a spreadsheet would read it as a formula; else value unchanged."""
    if isinstance(value, str) and value and value[0] in _TRIGGERS_OR_SPACE and needs_neutralising(value):
        return "'" + value
    return value


def neutralise_row(row) -> list:
    return [neutralise(v) for v in row]


# ------------------------------------------------------------ .xlsx cells and sheets

_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MAX_CELL_CHARS = 32_767


def xlsx_cell(ws, v, row_no: int, column: str):
    """A value for a write-only sheet: text always as text (never a formula), never cut short."""
    if not isinstance(v, str):
        return v
    # Excel cannot store control characters: they are dropped in .xlsx only.
    v = _XLSX_ILLEGAL.sub("", v)
    if len(v) > XLSX_MAX_CELL_CHARS:
        from classifier.errors import OutputLimitError

        where = f"row {row_no} of column '{column[:60]}'" if row_no else "a column name"
        raise OutputLimitError(
            f"{where} holds {len(v):,} characters; an Excel cell holds at most {XLSX_MAX_CELL_CHARS:,}, "
            "so it would be cut. Write .csv or .jsonl instead (no limit)"
        )
    if v.startswith("="):
        # openpyxl turns any text starting "=" into a formula: mark it as a string.
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=v)
        cell.data_type = "s"
        return cell
    return v


def open_xlsx_sheet(wb, number: int, folder: Path, name: str, start: bool = True):
    """A write-only sheet streaming to a temp file in `folder` (openpyxl's default is /tmp, never cleaned on a kill)."""
    import tempfile

    from openpyxl.worksheet import _writer as sheet_writer

    ws = wb.create_sheet(title="Sheet" if number == 1 else f"Sheet{number}")
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".sheet.xml", dir=folder)
    os.close(fd)
    track_temp(tmp)
    sheet_writer.ALL_TEMP_FILES.append(tmp)  # openpyxl removes it once the sheet is saved
    ws._writer = sheet_writer.WorksheetWriter(ws, out=tmp)
    if start:  # else the caller sets widths and panes first, then calls ws._writer.write_top()
        ws._writer.write_top()
    return ws, tmp


def discard_xlsx(wb) -> None:
    """Close an unsaved write-only workbook's sheet streams (so their files can be removed, also on Windows)."""
    for ws in getattr(wb, "worksheets", []):
        for gen in (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None)):
            try:
                if gen is not None:
                    gen.close()
            except Exception:  # an unfinished XML stream complains on close: it is being thrown away
                pass


# ------------------------------------------------------------ temp files

_LIVE: set[str] = set()
_LOCK = threading.Lock()


def track_temp(path: str | os.PathLike) -> None:
    """Remove `path` when the process ends, whatever ends it (see install_signal_cleanup)."""
    with _LOCK:
        _LIVE.add(os.fspath(path))


def untrack_temp(path: str | os.PathLike) -> None:
    with _LOCK:
        _LIVE.discard(os.fspath(path))


def remove_temp(path: str | os.PathLike) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        return  # keep it registered: the exit hook tries again
    untrack_temp(path)


def live_temp_files() -> list[str]:
    with _LOCK:
        return sorted(_LIVE)


@atexit.register
def _remove_all() -> None:
    for p in live_temp_files():
        remove_temp(p)


class Terminated(SystemExit):
    """Raised in the main thread by SIGTERM/SIGHUP, so every `finally` and abort runs."""


def _on_signal(signum, frame):
    raise Terminated(128 + signum)


def install_signal_cleanup() -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C: writers abort and temp files are removed."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _on_signal)


# ------------------------------------------------------------ permissions

_UMASK: int | None = None  # None: new outputs are private (0600)


def set_umask(umask: int | None) -> None:
    """New output files get 0666 & ~umask; None (the default) makes them 0600.

    Parameters
    ----------
    umask : int, optional
    """
    global _UMASK
    _UMASK = umask


def output_mode(target: Path) -> int:
    """The mode a file written to `target` should have."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)  # overwriting: keep what the owner chose
    except OSError:
        pass
    if _UMASK is None:
        return 0o600
    return 0o666 & ~_UMASK


# ------------------------------------------------------------ paths


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_distinct_outputs(input_path, outputs: dict) -> None:
    """Refuse two outputs (by option name) that are the same file, or one that is the input."""
    from classifier.errors import OutputError

    seen: dict[str, str] = {}
    for flag, path in outputs.items():
        key = os.path.normcase(os.path.abspath(path))
        if key in seen:
            raise OutputError(f"{flag} and {seen[key]} are the same file; give each its own path")
        if input_path is not None and (
            key == os.path.normcase(os.path.abspath(input_path)) or same_file(Path(path), Path(input_path))
        ):
            raise OutputError(f"{flag} is the input file; choose a different path")
        seen[key] = flag


# ------------------------------------------------------------ column names in messages

# A first row that reads like data (a file without a header row) is never quoted.
# "Date Rec'd", "YP?", "Cost £", "Theme(s) – old", "Nature of Complaint (free text)"
_HEADER = re.compile(r"[A-Za-z0-9_#£][A-Za-z0-9_.:@/#()\-–—'’?&%£+, ]{0,49}")


def name_like_header(name, max_words: int = 6) -> bool:
    """One cell that reads like a column name: short, without sentence punctuation."""
    n = str(name).strip() or "x"
    return bool(_HEADER.fullmatch(n)) and len(n.split()) <= max_words


def looks_like_header(names: list) -> bool:
    """True when a row reads like column names, not like data: most cells are short names (4 words or
    fewer) and none is longer than 6 words. A row of case text fails on its long cells."""
    names = list(names)
    short = sum(name_like_header(n, 4) for n in names)
    return short * 2 > len(names) and all(name_like_header(n) for n in names)


def _names_only_if_header(names: list, limit: int = 30) -> str:
    names = [str(n) for n in names]
    if not names:
        return "(none)"
    if not looks_like_header(names):
        return (
            f"{len(names)} columns whose first row does not look like column names; add a header row naming the columns"
        )
    return ", ".join(names[:limit])


# How MissingColumnError shows the columns. io sits below redact, so the redaction
# layer installs a stricter version on import (classifier.redact.quote: a name-like
# header cell is shown as "(column N)").
shown_columns = _names_only_if_header


# ------------------------------------------------------------ OSError


def describe_os_error(
    exc: OSError, path: str | os.PathLike | None = None, writing: bool = True, option: str = "--output"
) -> str:
    """One line naming the problem and the fix; never the file's content.

    Parameters
    ----------
    exc : OSError
    path : str or PathLike, optional
        The file concerned (default: the error's own).
    writing : bool
        Whether the file was being written (the fix differs).
    option : str
        The command's option for where output goes, named in the fix.

    Returns
    -------
    str
    """
    where = Path(path or exc.filename or ".")
    folder = where.parent if str(where.parent) else Path(".")
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG):
        return (
            f"the disk is full while writing '{where.name}' in '{folder}'; "
            f"free some space or choose {option} on another drive"
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        if writing:
            return (
                f"cannot write '{where.name}': the folder '{folder}' is not writable "
                "(or the file is open in another program, such as Excel); close it or choose "
                f"another {option} folder"
            )
        return f"cannot read '{where.name}': permission denied; copy it somewhere you can read it"
    if code == errno.ENOENT:
        if writing and folder.is_dir():
            # e.g. /proc or a vanished network share: the folder is there but takes no new files
            return f"cannot create files in the folder '{folder}'; choose another {option} folder"
        return f"'{where}' does not exist; check the path"
    if code == errno.ENAMETOOLONG:
        return f"the path '{where.name}' is too long; choose a shorter {option} path"
    name = errno.errorcode.get(code or 0, type(exc).__name__)
    verb = "write" if writing else "read"
    return f"could not {verb} '{where.name}' ({name}); check the path, free space and permissions"
