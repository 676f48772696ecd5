"""Progress on the terminal (Rich, on stderr): bars for long runs, silent in pipes, files and with --quiet."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import typer

QUIET_OPT = typer.Option(False, "--quiet", "-q", help="No progress bar or summary (errors still go to stderr).")


def showing(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def estimate_rows(path, sheet: str | None = None, header_row: int | None = None) -> int | None:
    """Rows in a table, cheaply: the sheet's recorded size, or the file's line count (None: unknown)."""
    p = Path(str(path))
    if str(path) == "-" or not p.is_file():
        return None
    try:
        if p.suffix.lower() == ".xlsx":
            from classifier.io.excel import _open, choose_sheet

            wb = _open(p)
            try:
                rows = wb[choose_sheet(wb.sheetnames, sheet, p.name)].max_row
            finally:
                wb.close()
            return max(0, (rows or 0) - (header_row or 1))
        with p.open("rb") as fh:
            lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
        return max(0, lines - (1 if p.suffix.lower() == ".csv" else 0))
    except Exception:  # an estimate only: the command itself reports unreadable files
        return None


def count_documents(path) -> int | None:
    """Documents a `learning` run will read from a folder (None: not a folder)."""
    from classifier.io.documents import DOCUMENT_SUFFIXES

    p = Path(str(path))
    if not p.is_dir():
        return None
    return sum(1 for f in p.rglob("*") if f.is_file() and f.suffix.lower() in DOCUMENT_SUFFIXES)


@contextlib.contextmanager
def progress_bar(what: str, total: int | None, quiet: bool = False) -> Iterator[Callable[[int], None]]:
    """A callback `tick(n)` that advances a bar of `what` (rows, documents) on a terminal."""
    if not showing(quiet):
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(what, total=total or None)

        def tick(n: int) -> None:
            bar.advance(task, n)
            done = bar.tasks[0].completed
            if total and done > total:  # the estimate was low (multi-line cells, blank lines)
                bar.update(task, total=done)

        yield tick
        bar.update(task, total=bar.tasks[0].completed)


@contextlib.contextmanager
def working(what: str, quiet: bool = False):
    """A spinner for a long step with no countable parts (training, evaluating)."""
    if not showing(quiet):
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(what):
        yield
