"""Label a table of cases: one output row per input row, in order, always.

A row that cannot be labelled gets `status = error: <reason>` and empty
predictions; every other row is labelled. Input is read and output written
in chunks, so memory stays flat on very large files.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from classifier.models.child import from_structured
from classifier.errors import ComplaintThemesError, TaxonomyMismatchError
from classifier.pipeline.model import ComplaintModel, scores_json
from classifier.io.safety import check_distinct_outputs
from classifier.io.tables import TableWriter, added_columns, open_chunks, require_column
from classifier.text import normalise

OUTPUT_COLUMNS = [
    "predicted_themes", "predicted_theme_scores", "predicted_child_authored",
    "predicted_child_authored_score", "child_authored_evidence", "predicted_kind",
    "model_version", "status",
]


@dataclass
class LabelSummary:
    rows: int = 0
    errors: int = 0
    lines_read: int = 0     # physical lines of a CSV / JSON Lines input, header included (0: not a text file)
    child_authored: int = 0
    themes: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    error_reasons: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def _row_problem(value: str) -> str | None:
    if not value.strip():
        return "empty text"
    if not any(ch.isalpha() for ch in value):
        return "no words to label"
    return None


def check_taxonomy(model: ComplaintModel, declared: set[str]) -> None:
    """Refuse data that declares a taxonomy other than the model's."""
    declared = {d for d in declared if d}
    if not declared:
        return
    mine = {model.taxonomy.id, f"{model.taxonomy.id}@{model.taxonomy.version}",
            f"{model.taxonomy.id}:{model.taxonomy.version}"}
    other = sorted(declared - mine)
    from classifier.redact.quote import shown_value

    if other:
        raise TaxonomyMismatchError(
            f"the data declares taxonomy {', '.join(shown_value(v, quote=False) for v in other[:5])} but the model was trained on "
            f"'{model.taxonomy.id}' version {model.taxonomy.version}; pass --model with a model trained "
            "on that taxonomy, or migrate the data with 'complaints taxonomy migrate'"
        )


def label_table(input_path, output_path, model: ComplaintModel, text_column="text", id_column="id",
                role_column: str | None = None, age_column: str | None = None,
                child_output=None, taxonomy_column="taxonomy", chunk_rows=2000,
                progress: Callable[[int], None] | None = None) -> LabelSummary:
    summary = LabelSummary()
    if child_output is not None:
        check_distinct_outputs(input_path, {"--output": output_path, "--child-output": child_output})
    columns, chunks = open_chunks(input_path, chunk_rows)
    text_col = require_column(columns, text_column, "--text-column")
    # An explicit, missing --id-column is an error; the default 'id' is optional.
    id_col = id_column if id_column in columns else None
    if id_column != "id" and id_col is None:
        require_column(columns, id_column, "--id-column")
    role_col = require_column(columns, role_column, "--role-column") if role_column else None
    age_col = require_column(columns, age_column, "--age-column") if age_column else None
    if role_col or age_col:
        summary.notes.append("child-authored flag uses the "
                             + " and ".join(f"'{c}'" for c in (role_col, age_col) if c)
                             + " column where it is filled in")
    out_columns, rename = added_columns(columns, OUTPUT_COLUMNS)
    writer = TableWriter(output_path, out_columns, input_path=input_path)
    child_writer = TableWriter(child_output, out_columns, input_path=input_path) if child_output else None
    try:
        for chunk in chunks:
            frame = chunk.frame
            if taxonomy_column in frame.columns:
                check_taxonomy(model, set(frame[taxonomy_column].str.strip()))
            labelled = _label_frame(frame, chunk.problems, model, text_col, role_col, age_col,
                                    summary, rename)
            writer.write(labelled)
            if child_writer is not None:
                mask = labelled[rename["predicted_child_authored"]] == "true"
                child_writer.write(labelled[mask])
            summary.lines_read = chunk.lines_read
            if progress:
                progress(len(frame))
        writer.close()
        if child_writer is not None:
            child_writer.close()
    except BaseException:
        writer.abort()
        if child_writer is not None:
            child_writer.abort()
        raise
    return summary


def _label_frame(frame: pd.DataFrame, problems, model: ComplaintModel, text_col, role_col, age_col,
                 summary: LabelSummary, rename: dict[str, str]) -> pd.DataFrame:
    n = len(frame)
    texts = [normalise(v) for v in frame[text_col]]
    status = []
    for i in range(n):
        p = problems[i] or _row_problem(texts[i])
        status.append(f"error: {p}" if p else "ok")
    ok = [i for i in range(n) if status[i] == "ok"]
    override = None
    if role_col or age_col:
        override = [from_structured(frame[role_col].iat[i] if role_col else None,
                                    frame[age_col].iat[i] if age_col else None) for i in ok]
    results: dict[int, object] = {}
    try:
        for i, a in zip(ok, model.analyse([texts[i] for i in ok], child_override=override)):
            results[i] = a
    except ComplaintThemesError:
        raise
    except Exception:  # one bad row must not cost the others: retry one by one
        for k, i in enumerate(ok):
            try:
                results[i] = model.analyse([texts[i]], child_override=[override[k]] if override else None)[0]
            except Exception as exc:
                status[i] = f"error: could not label ({type(exc).__name__})"
    cols = {c: [""] * n for c in OUTPUT_COLUMNS}
    for i in range(n):
        cols["model_version"][i] = model.version
        cols["status"][i] = status[i]
        a = results.get(i)
        if a is None:
            summary.errors += 1
            summary.error_reasons[status[i][7:]] += 1
            continue
        cols["predicted_themes"][i] = ";".join(a.themes)
        cols["predicted_theme_scores"][i] = scores_json(a.theme_scores)
        if a.child_authored is not None:
            cols["predicted_child_authored"][i] = "true" if a.child_authored else "false"
            summary.child_authored += bool(a.child_authored)
        cols["predicted_child_authored_score"][i] = "" if a.child_score is None else f"{a.child_score:.4f}"
        cols["child_authored_evidence"][i] = ";".join(a.child_evidence)
        cols["predicted_kind"][i] = a.kind or ""
        summary.themes.update(a.themes)
        summary.kinds[a.kind or "unknown"] += 1
    summary.rows += n
    out = frame.copy()
    for c in OUTPUT_COLUMNS:  # an input column of the same name is kept; ours gets '_new'
        out[rename[c]] = cols[c]
    return out
