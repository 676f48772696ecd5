"""Show a cell value in a message only when it cannot be case text.

Error messages may name a bad theme id, taxonomy id or column, but the cell
holding it could be a complaint (a wrong `--themes-column`, a file without a
header row). A value is shown only when it looks like an identifier (one
short token of letters, digits and `_-.:@/`) and the redactor finds nothing
in it; anything else is described by its length.
"""
from __future__ import annotations

import re

_IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@/\-]{0,39}")
# Column names may have spaces ("Case Ref"), but not read like a sentence.
_HEADER = re.compile(r"[A-Za-z0-9_#][A-Za-z0-9_.:@/#()\- ]{0,39}")


def _redactor():
    from classifier.redact.redactor import Redactor

    global _RED
    if _RED is None:
        _RED = Redactor()
    return _RED


_RED = None


def _clean(value: str) -> bool:
    return not _redactor().find(value)


def shown_value(value: object) -> str:
    """`'value'` for an identifier-like value, else `a value of N characters`."""
    v = "" if value is None else str(value)
    if _IDENT.fullmatch(v) and _clean(v):
        return f"'{v}'"
    return f"a value of {len(v)} characters"


def looks_like_header(names: list[str]) -> bool:
    """True when every name reads like a column name, not like data."""
    return all(_HEADER.fullmatch(str(n).strip() or "x") and len(str(n).split()) <= 4 for n in names)


def shown_columns(names: list[str], limit: int = 30) -> str:
    """Column names for a message; a first row that looks like data is not quoted."""
    names = [str(n) for n in names]
    if not names:
        return "(none)"
    if not looks_like_header(names):
        return (f"{len(names)} columns whose first row does not look like column names; "
                "add a header row naming the columns")
    return ", ".join(n if _clean(n) else f"(column {i + 1})" for i, n in enumerate(names[:limit]))
