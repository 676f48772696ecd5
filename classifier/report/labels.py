"""Where the report's labels come from: the export's own columns when it has
them, otherwise the model's predictions (and the report says which, with the
model version)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from classifier.pipeline.label_columns import OUTPUT_COLUMNS, SCORE_PREFIX
from classifier.report.columns import ColumnMap
from classifier.report.settings import ReportSettings, words

BATCH_ROWS = 2000
PARALLEL_FROM = 20_000  # rows per extra process below which one process is faster (start-up ~3 s)
THREADS_FROM = 200  # rows per extra thread: threads share the loaded model, so they pay off early


# The columns `complaints label` adds (a score column per theme too, with --scores columns).
LABEL_OUTPUT_COLUMNS = tuple(OUTPUT_COLUMNS)


def is_label_output(column: object) -> bool:
    """Whether a column is one `complaints label` wrote ('status', 'score_delay', 'predicted_kind_new')."""
    name = str(column).strip()
    name = name[: -len("_new")] if name.endswith("_new") else name
    return name in LABEL_OUTPUT_COLUMNS or name.startswith(SCORE_PREFIX)


@dataclass
class LabelSources:
    """For each label, a sentence saying where it came from."""

    said: dict[str, str] = field(default_factory=dict)
    model_version: str | None = None
    predicted_rows: int = 0
    no_text_rows: int = 0


def model_taxonomy(model_dir: str | Path | None):
    """The model's taxonomy and version from its meta.json (no weights are loaded)."""
    from classifier.pipeline.persistence import default_model_dir, read_meta
    from classifier.taxonomy.schema import parse_taxonomy

    meta = read_meta(Path(model_dir) if model_dir else default_model_dir())
    tax = meta.get("taxonomy") or {}
    keep = {k: tax[k] for k in ("id", "version", "name", "themes") if k in tax}
    keep["themes"] = [
        {k: t[k] for k in ("id", "label", "description", "parent") if t.get(k) is not None}
        for t in keep.get("themes", [])
    ]
    return parse_taxonomy(keep, source="model"), meta.get("model_version", "unknown")


def needs_model(cols: ColumnMap) -> bool:
    return not (cols.has("kind") and cols.has("themes") and cols.has("complainant"))


def fill_labels(
    cases: pd.DataFrame, cols: ColumnMap, settings: ReportSettings, model=None, model_dir: str | Path | None = None
) -> LabelSources:
    """Add `cyp` and fill `kind` / `themes` from the model where the export has no such column."""
    src = LabelSources()
    for key in ("kind", "themes"):
        if cols.has(key):
            src.said[key] = _recorded(key, str(cols.get(key)))
    if cols.has("complainant"):
        cases["cyp"] = cases["complainant"].map(lambda v: words(v) in settings.cyp)
        src.said["children_and_young_people"] = (
            f"complainant type recorded in the export (column '{cols.get('complainant')}')"
        )
    if model is None:
        if "cyp" not in cases:
            cases["cyp"] = False
        return src
    src.model_version = model.version
    has_text = cases["text"].str.strip().ne("")
    src.no_text_rows = int((~has_text).sum())
    wanted = has_text.copy()
    if cols.has("kind"):  # themes and the child flag are only needed for complaints and enquiries
        wanted &= cases["kind"].isin(["complaint", "enquiry"])
    rows = list(cases.index[wanted])
    src.predicted_rows = len(rows)
    kinds, themes, child = predict(model, cases.loc[rows, "text"].tolist(), model_dir)
    by = f"predicted by the model (version {model.version})"
    if not cols.has("kind"):
        cases["kind"] = _spread(len(cases), rows, kinds, "")
        src.said["kind"] = by
    if not cols.has("themes"):
        cases["themes"] = _spread(len(cases), rows, themes, None)
        src.said["themes"] = by
    if not cols.has("complainant"):
        cases["cyp"] = _spread(len(cases), rows, child, False)
        src.said["children_and_young_people"] = f"child-authored flag {by}"
    return src


def _recorded(key: str, column: str) -> str:
    """Where a recorded label comes from; a column `complaints label` wrote is used as it stands, with any
    corrections made by hand since, and the reader is told how to have the model predict afresh."""
    if not is_label_output(column):
        return f"recorded in the export (column '{column}')"
    return (
        f"from column '{column}', written by 'complaints label' (with any corrections made to it since), "
        f"not predicted again; to have the model predict them afresh, pass a column map with '{key}: null'"
    )


def _spread(n: int, rows: list[int], values: list, empty) -> pd.Series:
    """Values at positions `rows`, `empty` elsewhere (None: a fresh empty list each)."""
    full = [[] if empty is None else empty for _ in range(n)]
    for r, v in zip(rows, values):
        full[r] = v
    return pd.Series(full, dtype="object" if empty is None or isinstance(empty, str) else bool)


def predict(model, texts: list[str], model_dir=None) -> tuple[list[str], list[list[str]], list[bool]]:
    """Kind, themes and child flag per text, over every core.

    With the sentence encoder, threads share the one loaded model (onnxruntime
    releases the GIL, as `label --jobs` does, and the result is the same as one
    thread's); otherwise large inputs go to worker processes (joblib).
    """
    from classifier.pipeline.labelling import THREAD_PIECE_ROWS, uses_threads
    from classifier.pipeline.workers import available_cores, ordered_thread_map

    if uses_threads(model):
        jobs = min(available_cores(), len(texts) // THREADS_FROM)
        if jobs < 2:
            return _predict(model, texts)
        model.encoder  # noqa: B018 (loaded once here, not raced for by the threads)
        pieces = [texts[i : i + THREAD_PIECE_ROWS] for i in range(0, len(texts), THREAD_PIECE_ROWS)]
        parts = list(ordered_thread_map(_predict, model, pieces, jobs))
    else:
        jobs = min(available_cores(), len(texts) // PARALLEL_FROM)
        if jobs < 2:
            return _predict(model, texts)
        from joblib import Parallel, delayed

        size = -(-len(texts) // jobs)
        parts = Parallel(n_jobs=jobs)(
            delayed(_predict_in_worker)(model_dir, texts[i : i + size], getattr(model, "fast", False))
            for i in range(0, len(texts), size)
        )
    return tuple([x for part in parts for x in part[k]] for k in range(3))  # type: ignore[return-value]


def _predict_in_worker(model_dir, texts, fast=False):
    from classifier.pipeline.persistence import load_model

    model = load_model(model_dir)
    model.fast = fast  # as the caller's model labels
    return _predict(model, texts)


def _predict(model, texts: list[str]) -> tuple[list[str], list[list[str]], list[bool]]:
    from classifier.text import normalise

    kinds, themes, child = [], [], []
    for start in range(0, len(texts), BATCH_ROWS):
        for a in model.analyse([normalise(t) for t in texts[start : start + BATCH_ROWS]]):
            kinds.append(a.kind or "complaint")
            themes.append(list(a.themes))
            child.append(bool(a.child_authored))
    return kinds, themes, child
