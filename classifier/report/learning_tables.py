"""The report's learning section, from a register written by `complaints learning --register`.

Three tables, as annual reports show learning: statements by theme and type;
a few example statements (the register's redacted wording, the most often
found first, one per theme); and, once the team fills in the register's
status column, actions by status, so the report shows what was done and not
only what was learned.
"""

from __future__ import annotations

import pandas as pd

from classifier.report.tables import Table
from classifier.report.values import hide_unsafe, merge_variants

EXAMPLES_PER_THEME = 1
MAX_EXAMPLES = 10
MAX_EXAMPLE_CHARS = 300  # a register entry is one sentence; a longer cell is not an example


NO_THEME = "unthemed"  # the register leaves the theme blank when none is clear


def _theme_label(theme_id: str, label_of) -> str:
    return "No clear theme" if theme_id == NO_THEME else label_of(theme_id)


def _type_label(type_id: str) -> str:
    return type_id.replace("_", " ").capitalize()


def _themes_and_types(register: pd.DataFrame) -> pd.DataFrame:
    reg = register.copy()
    for col, blank in (("theme", NO_THEME), ("type", "unspecified")):
        reg[col], _ = hide_unsafe(reg[col].fillna("").astype(str).str.strip().replace("", blank))
    return reg


def learning(register: pd.DataFrame, label_of) -> Table:
    """Statements per theme and type."""
    reg = _themes_and_types(register)
    tab = pd.crosstab(reg["theme"], reg["type"])  # statements (rows) per theme and type
    order = sorted(tab.index, key=lambda t: (-int(tab.loc[t].sum()), t))
    frame = pd.DataFrame({"Theme": [_theme_label(t, label_of) for t in order]})
    for ty in sorted(tab.columns):
        frame[_type_label(ty)] = [int(tab.at[t, ty]) for t in order]
    frame["Statements"] = [int(tab.loc[t].sum()) for t in order]
    js = {t: {ty: int(tab.at[t, ty]) for ty in sorted(tab.columns) if tab.at[t, ty]} for t in order}
    return Table(
        "learning",
        "Learning register by theme and type",
        frame,
        js,
        None,
        [],
        f"{len(reg)} distinct learning statements in the register.",
        [],
        "Statements",
        order,
    )


def learning_examples(register: pd.DataFrame, label_of) -> Table | None:
    """One example statement per theme (most often found, then highest score); None without statements."""
    if "statement" not in register.columns:
        return None
    reg = _themes_and_types(register)
    reg["statement"] = reg["statement"].fillna("").astype(str).str.strip()
    reg = reg[reg["statement"].str.len().between(1, MAX_EXAMPLE_CHARS)]
    if reg.empty:
        return None
    for col in ("count", "score"):
        reg[col] = pd.to_numeric(reg[col], errors="coerce").fillna(0) if col in reg.columns else 0
    reg = reg.sort_values(["count", "score"], ascending=False, kind="stable")
    picked = reg.groupby("theme", sort=False).head(EXAMPLES_PER_THEME).head(MAX_EXAMPLES).copy()
    # Redacted again: a register is a workbook people edit, and the report is published.
    from classifier.text import prepare

    picked["statement"] = [d.redacted for d in prepare(picked["statement"].tolist())]
    frame = pd.DataFrame(
        {
            "Theme": [_theme_label(t, label_of) for t in picked["theme"]],
            "Type": [_type_label(t) for t in picked["type"]],
            "What we learned or changed": picked["statement"].tolist(),
        }
    )
    js = [
        {"theme": t, "type": ty, "statement": s}
        for t, ty, s in zip(picked["theme"], picked["type"], picked["statement"])
    ]
    note = (
        "Statements as the learning register words them, with personal data redacted; read each one before publishing."
    )
    return Table("learning_examples", "What we learned: examples", frame, js, None, [], note, [], None)


def learning_status(register: pd.DataFrame) -> Table | None:
    """Actions by the status the team recorded in the register; None until any status is filled in."""
    if "status" not in register.columns:
        return None
    status = register["status"].fillna("").astype(str).str.strip()
    if not status.ne("").any():
        return None
    status, _ = hide_unsafe(status.replace("", "not recorded"))

    status = merge_variants(status)
    counts = status.value_counts()
    order = sorted(counts.index, key=lambda s: (-int(counts[s]), s))
    frame = pd.DataFrame({"Status": order, "Actions": [int(counts[s]) for s in order]})
    js = {s: int(counts[s]) for s in order}
    note = "From the register's status column, as the team recorded it."
    return Table(
        "learning_status",
        "Learning actions by status",
        frame,
        js,
        "barh",
        ["Actions"],
        note,
        [],
        "Actions",
        additive=["Actions"],
    )
