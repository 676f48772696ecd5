"""Show a cell value in a message only when it cannot be case text.

Error messages may name a bad theme id, taxonomy id or column, but the cell
holding it could be a complaint (a wrong `--themes-column`, a file without a
header row). A value is shown only when it looks like an identifier (one
short token of letters, digits and `_-.:@/`) and the redactor finds nothing
in it; anything else is described by its length.
"""

from __future__ import annotations

import re
from functools import lru_cache

from classifier.io import safety as _io_safety
from classifier.io.safety import looks_like_header
from classifier.redact.redactor import Redactor

_IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@/\-]{0,39}")


_RED = Redactor()


def _clean(value: str) -> bool:
    return not _RED.find(value)


def shown_value(value: object, quote: bool = True) -> str:
    """`'value'` (or bare, with quote=False) for an identifier-like value, else `a value of N characters`."""
    v = "" if value is None else str(value)
    if _IDENT.fullmatch(v) and _clean(v):
        return f"'{v}'" if quote else v
    return f"a value of {len(v)} characters"


# A word of a category label: letters and digits, inner punctuation of names like "Children's" or "Co-ordination".
_LABEL_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@/'\u2019\-]{0,39}")
_LABEL_SPLIT = re.compile(r"[\s&/()+,]+")


@lru_cache(maxsize=8192)
def is_safe_label(value: object) -> bool:
    """True for a short category label ('Leaving Care', 'Not upheld') the redactor finds nothing in.

    At most 8 words and 60 characters, each word letters and digits (inner `'.-_` allowed),
    standalone `-` between words. A report prints such values as row labels; anything else
    (a name, a sentence typed in the wrong column) may hold personal data.
    """
    v = "" if value is None else str(value).strip()
    if not v or len(v) > 60:
        return False
    words = [w for w in _LABEL_SPLIT.split(v) if w and w not in ("-", "\u2013")]
    return 0 < len(words) <= 8 and all(_LABEL_WORD.fullmatch(w) for w in words) and _clean(v)


def shown_columns(names: list[str], limit: int = 30) -> str:
    """Column names for a message: a first row that looks like data is described, a name-like cell hidden."""
    names = [str(n) for n in names]
    if not names or not looks_like_header(names):
        return _io_safety._names_only_if_header(names)
    return ", ".join(n if _clean(n) else f"(column {i + 1})" for i, n in enumerate(names[:limit]))


_io_safety.shown_columns = shown_columns  # MissingColumnError (raised in io) shows columns this way


DATA_ROWS = "row 1 is the first row under the header"


def values_in_rows(bad: dict[str, list[int]], show=shown_value, limit: int = 5) -> str:
    """ "'bogus' in rows 3, 9; a value of 40 characters in rows 12 …; and 2 more (row 1 is the first row
    under the header)" for an error message.

    Every command counts data rows, and says so: a workbook's header may sit below title rows, so
    "Excel's row number" would need to know where it is.

    Parameters
    ----------
    bad : dict of str to list of int
        Each unknown value and the data rows holding it (1 = the first row under the header).
    show : callable
        How a value is shown (default: only when it cannot be case text).
    limit : int
        Values listed; the rest are counted.

    Returns
    -------
    str
    """
    detail = "; ".join(
        f"{show(v)} in row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows[:8]))}"
        + (" …" if len(rows) > 8 else "")
        for v, rows in sorted(bad.items())[:limit]
    )
    more = f"; and {len(bad) - limit} more" if len(bad) > limit else ""
    return f"{detail}{more} ({DATA_ROWS})"
