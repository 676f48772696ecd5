"""Category values as the report shows them: spelling variants merged, values that may hold personal data hidden.

Staff type category cells (outcome, service, complainant, theme ...) by hand,
and a cell can hold a name ('Grandparent - <name>'). The report prints these
values as row labels in every output, so a value is shown only when it reads
as a short label the redactor finds nothing in (`is_safe_label`); any other
value is counted under `HIDDEN_VALUE` and the notes say how many rows.
Values that differ only in case, spaces or punctuation are one value.
"""

from __future__ import annotations

import pandas as pd

from classifier.redact.quote import is_safe_label
from classifier.taxonomy.schema import theme_name_key

HIDDEN_VALUE = "Other value (not shown: may hold personal data)"


def value_key(value: object) -> str:
    """'Not Upheld ' and 'not-upheld' -> 'notupheld': how variants of one value are recognised."""
    return theme_name_key(str(value))


def merge_variants(values: pd.Series, named: dict[str, str] | None = None) -> pd.Series:
    """One spelling per value: the settings' name when `named` (key -> name) has the key, else the most
    frequent spelling as written (ties: the first alphabetically). Blank stays blank."""
    named = named or {}
    counts = values[values.ne("")].value_counts()
    spelling: dict[str, str] = {}
    for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        spelling.setdefault(value_key(v), named.get(value_key(v), v))
    return values.map(lambda v: spelling.get(value_key(v), v) if v else v)


def hide_unsafe(values: pd.Series, known=frozenset()) -> tuple[pd.Series, int]:
    """Values that may hold personal data -> HIDDEN_VALUE, and how many rows were hidden.

    `known`: value keys of standard wording shown even when the name check flags a word in it
    ('Upheld: maladministration and injustice'; settings section `shown_values`).
    """
    verdict = {v: (not v) or value_key(v) in known or is_safe_label(v) for v in pd.unique(values)}
    safe = values.map(verdict).astype(bool)
    return values.where(safe, HIDDEN_VALUE), int((~safe).sum())
