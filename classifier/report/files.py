"""Writing the report's files all or nothing: each is written to a temporary file first, and the old set
is replaced only when every new file is ready and every old one can be moved aside, so a file open in
Excel leaves the folder as it was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from classifier.errors import OutputError, OutputLockedError
from classifier.io.safety import describe_os_error


def make_folder(out: Path) -> None:
    """Create the --out folder, or say in a sentence why it cannot be."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out '{out}' is a file, not a folder; give the name of a folder for the report")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder '{out}': " + describe_os_error(exc, out / "report.html")
        ) from None


def _locked(target: Path) -> OutputLockedError:
    return OutputLockedError(
        f"'{target.name}' in '{target.parent}' cannot be replaced: it is open in another program or "
        f"read-only. Close it (in Excel or Word) and run again; no file in the folder was changed"
    )


def write_all(out: Path, writers: dict) -> dict:
    """`writers`: file name -> function writing that file at a given path. Returns name -> path written."""
    temps: dict[str, Path] = {}
    aside: dict[Path, Path] = {}  # old file -> where it was moved
    try:
        for name, write in writers.items():
            fd, made = tempfile.mkstemp(prefix=".tmp-", suffix=Path(name).suffix, dir=out)
            os.close(fd)
            temps[name] = Path(made)
            try:
                write(temps[name])
            except OSError as exc:
                raise OutputError(describe_os_error(exc, out / name)) from None
        for name in writers:  # move the old set aside first: a locked file fails here, before any change
            target = out / name
            if target.exists():
                fd, moved = tempfile.mkstemp(prefix=".old-", suffix=target.suffix, dir=out)
                os.close(fd)
                try:
                    os.replace(target, moved)
                except OSError:
                    Path(moved).unlink(missing_ok=True)
                    raise _locked(target) from None
                aside[target] = Path(moved)
        for name, ready in temps.items():
            os.replace(ready, out / name)
    except BaseException:
        for ready in temps.values():
            ready.unlink(missing_ok=True)
        for target, old in aside.items():
            try:
                os.replace(old, target)
            except OSError:
                pass
        raise
    for old in aside.values():
        old.unlink(missing_ok=True)
    return {name: out / name for name in writers}
