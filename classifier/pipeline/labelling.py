"""Label a table of cases: one output row per input row, in order, always.

A row that cannot be labelled gets `status = error: <reason>` and empty
predictions; every other row is labelled. Input is read and output written
in chunks, so memory stays flat on very large files. With `jobs` > 1 the
rows are labelled on that many cores and written in input order: the output
is byte for byte the same as with one job. A model that runs the sentence
encoder labels pieces of THREAD_PIECE_ROWS rows in threads of this process
(one model in memory; the encoder releases the GIL); the TF-IDF-only path
(`--fast`, or a model without vector heads) sends chunks to worker processes,
each loading the model once.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import chain

import pandas as pd

from classifier.errors import ComplaintThemesError, InputDataError, MissingColumnError, TaxonomyMismatchError
from classifier.io.safety import check_distinct_outputs
from classifier.io.tables import added_columns, is_stdio, open_chunks, require_column, table_kind
from classifier.io.writer import TableWriter
from classifier.models.child import from_structured
from classifier.pipeline.label_columns import OUTPUT_COLUMNS, OUTPUT_TYPES, SCORE_PREFIX
from classifier.pipeline.model import Analysis, ComplaintModel, scores_json
from classifier.text import normalise, unlabelled_reason

SCORE_MODES = ("auto", "columns", "json")
LABEL_SEPARATOR = "; "
# Rows per work item when labelling in threads: small enough that the cores
# finish together (a piece is ~1 CPU-second with the encoder), large enough
# that per-batch costs stay negligible.
THREAD_PIECE_ROWS = 50


@dataclass
class LabelSummary:
    rows: int = 0
    errors: int = 0
    lines_read: int = 0  # physical lines of a CSV / JSON Lines input, header included (0: not a text file)
    child_authored: int = 0
    themes: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    error_reasons: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def add(self, part: LabelSummary) -> None:
        self.rows += part.rows
        self.errors += part.errors
        self.child_authored += part.child_authored
        self.themes.update(part.themes)
        self.kinds.update(part.kinds)
        self.error_reasons.update(part.error_reasons)

    def to_dict(self) -> dict:
        return {
            "rows": self.rows,
            "errors": self.errors,
            "error_reasons": dict(self.error_reasons.most_common()),
            "child_authored": self.child_authored,
            "kinds": dict(self.kinds.most_common()),
            "themes": dict(self.themes.most_common()),
            "notes": list(self.notes),
        }


@dataclass
class _Spec:
    """How to label a chunk: sent to worker processes with each chunk."""

    text_col: str
    role_col: str | None
    age_col: str | None
    rename: dict[str, str]
    score_ids: list[str] | None  # one score column per theme; None: the JSON column


def check_taxonomy(model: ComplaintModel, declared: set[str]) -> None:
    """Refuse data that declares a taxonomy other than the model's."""
    declared = {d for d in declared if d}
    if not declared:
        return
    mine = {
        model.taxonomy.id,
        f"{model.taxonomy.id}@{model.taxonomy.version}",
        f"{model.taxonomy.id}:{model.taxonomy.version}",
    }
    other = sorted(declared - mine)
    from classifier.redact.quote import shown_value

    if other:
        raise TaxonomyMismatchError(
            f"the data declares taxonomy {', '.join(shown_value(v, quote=False) for v in other[:5])} but the model was trained on "
            f"'{model.taxonomy.id}' version {model.taxonomy.version}; pass --model with a model trained "
            "on that taxonomy, or migrate the data with 'complaints taxonomy migrate'"
        )


def score_ids(model: ComplaintModel) -> list[str]:
    """Themes that get a score: the leaves, and every category of a two-level taxonomy."""
    return list(model.taxonomy.ids) if model.taxonomy.is_hierarchical else list(model.themes.labels_)


def output_columns(model: ComplaintModel, scores: str) -> tuple[list[str], dict[str, str]]:
    """The columns labelling adds, and their types, for `scores` = 'columns' or 'json'."""
    if scores == "json":
        return list(OUTPUT_COLUMNS), dict(OUTPUT_TYPES)
    at = OUTPUT_COLUMNS.index("predicted_theme_scores")
    per_theme = [SCORE_PREFIX + t for t in score_ids(model)]
    types = {k: v for k, v in OUTPUT_TYPES.items() if k != "predicted_theme_scores"}
    types.update({c: "float" for c in per_theme})
    return OUTPUT_COLUMNS[:at] + per_theme + OUTPUT_COLUMNS[at + 1 :], types


def _require(columns, name, flag, input_path, sheet, header_row) -> str:
    try:
        return require_column(columns, name, flag)
    except MissingColumnError as exc:
        if table_kind(input_path) != "xlsx":
            raise
        from classifier.io.excel import explain_missing

        raise explain_missing(exc, input_path, sheet, header_row) from None


def label_table(
    input_path,
    output_path,
    model: ComplaintModel,
    text_column="text",
    id_column="id",
    role_column: str | None = None,
    age_column: str | None = None,
    child_output=None,
    taxonomy_column="taxonomy",
    chunk_rows=2000,
    progress: Callable[[int], None] | None = None,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    scores: str = "auto",
    jobs: int = 1,
    model_dir=None,
) -> LabelSummary:
    """Label every row of a table: themes, scores, child flag, kind, status.

    Every input column and row is kept, in order; a row that cannot be labelled
    gets `status` "error: <reason>". Reading and writing go in chunks.

    Parameters
    ----------
    input_path, output_path : str or Path
        .csv / .xlsx / .jsonl; `-` is standard input / output, as CSV.
    model : ComplaintModel
    text_column, id_column : str
        The text; the case reference (optional when it is the default 'id').
    role_column, age_column : str, optional
        Structured columns that decide the child flag where they can.
    child_output : str or Path, optional
        Also write only the child-authored rows here.
    taxonomy_column : str
        A column declaring the rows' taxonomy, checked against the model's.
    chunk_rows : int
    progress : callable, optional
        Called with the number of rows done after each chunk.
    sheet, header_row : optional
        Pick the table in an .xlsx workbook.
    scores : str
        'columns' (one numeric column per theme), 'json' (one JSON column) or
        'auto' (columns for .xlsx output, JSON otherwise).
    jobs : int
        Cores to use. With a model that runs the sentence encoder: threads
        sharing `model`. Otherwise worker processes (> 1 needs `model_dir`,
        which they load the model from); an input of one chunk stays in this process.
    model_dir : str or Path, optional

    Returns
    -------
    LabelSummary
        Rows, errors and their reasons, child-authored count, theme and kind counts, notes.
    """
    if isinstance(input_path, pd.DataFrame):
        raise InputDataError("label_table reads a file: pass its path; for a pandas DataFrame use label_dataframe")
    if scores not in SCORE_MODES:
        raise InputDataError(f"--scores must be one of {', '.join(SCORE_MODES)}, not '{scores}'")
    if child_output is not None and is_stdio(child_output) and is_stdio(output_path):
        raise InputDataError("--output and --child-output cannot both be '-' (standard output)")
    summary = LabelSummary()
    if child_output is not None:
        check_distinct_outputs(input_path, {"--output": output_path, "--child-output": child_output})
    columns, chunks = open_chunks(input_path, chunk_rows, sheet, header_row)
    text_col = _require(columns, text_column, "--text-column", input_path, sheet, header_row)
    # An explicit, missing --id-column is an error; the default 'id' is optional.
    id_col = id_column if id_column in columns else None
    if id_column != "id" and id_col is None:
        _require(columns, id_column, "--id-column", input_path, sheet, header_row)
    role_col = _require(columns, role_column, "--role-column", input_path, sheet, header_row) if role_column else None
    age_col = _require(columns, age_column, "--age-column", input_path, sheet, header_row) if age_column else None
    if role_col or age_col:
        summary.notes.append(
            "child-authored flag uses the "
            + " and ".join(f"'{c}'" for c in (role_col, age_col) if c)
            + " column where it is filled in"
        )
    mode = scores if scores != "auto" else ("columns" if table_kind(output_path) == "xlsx" else "json")
    new_columns, new_types = output_columns(model, mode)
    out_columns, rename = added_columns(columns, new_columns)
    types = {rename[c]: t for c, t in new_types.items()}
    spec = _Spec(text_col, role_col, age_col, rename, score_ids(model) if mode == "columns" else None)
    chunks = iter(chunks)
    first, second = next(chunks, None), next(chunks, None)
    chunks = chain([c for c in (first, second) if c is not None], chunks)
    sheet_name = first.sheet if first is not None else None
    jobs = _jobs(jobs)
    threaded = jobs > 1 and uses_threads(model)
    parallel = jobs > 1 and second is not None and not threaded
    if parallel and model_dir is None:  # checked before any output file is opened
        raise InputDataError("labelling with jobs > 1 needs the model folder (model_dir) for the workers")
    writer = TableWriter(output_path, out_columns, input_path=input_path, types=types, sheet_name=sheet_name)
    child_writer = (
        TableWriter(child_output, out_columns, input_path=input_path, types=types, sheet_name=sheet_name)
        if child_output
        else None
    )
    fed: deque = deque()

    def items():
        for chunk in chunks:
            if taxonomy_column in chunk.frame.columns:
                check_taxonomy(model, set(chunk.frame[taxonomy_column].str.strip()))
            for piece in _pieces(chunk, THREAD_PIECE_ROWS) if threaded else [chunk]:
                fed.append(piece)
                yield piece.frame, piece.problems, spec

    try:
        if threaded:
            from classifier.pipeline.workers import ordered_thread_map

            model.encoder  # noqa: B018 (loaded once here, not raced for by the threads)
            results = ordered_thread_map(label_item, model, items(), jobs)
        elif parallel:
            from classifier.pipeline.workers import ordered_map

            results = ordered_map(label_item, items(), model_dir, jobs, fast=getattr(model, "fast", False))
        else:
            results = (label_item(model, item) for item in items())
        for labelled, part in results:
            chunk = fed.popleft()
            summary.add(part)
            writer.write(labelled, typed=chunk.typed)
            if child_writer is not None:
                mask = (labelled[rename["predicted_child_authored"]] == "true").to_numpy()
                child_writer.write(labelled[mask], typed=None if chunk.typed is None else chunk.typed[mask])
            summary.lines_read = chunk.lines_read
            if progress:
                progress(len(labelled))
        writer.close()
        if child_writer is not None:
            child_writer.close()
    except BaseException:
        writer.abort()
        if child_writer is not None:
            child_writer.abort()
        raise
    return summary


def uses_threads(model: ComplaintModel) -> bool:
    """Whether `jobs` > 1 labels in threads (the encoder's runs) rather than in processes."""
    return bool(model.uses_encoder) and not getattr(model, "fast", False)


def _pieces(chunk, rows: int) -> list:
    """The chunk cut into pieces of at most `rows` rows (same columns, row problems and typed cells)."""
    n = len(chunk.frame)
    if n <= rows:
        return [chunk]
    return [
        replace(
            chunk,
            frame=chunk.frame.iloc[a : a + rows],
            problems=chunk.problems[a : a + rows],
            first_row=chunk.first_row + a,
            typed=None if chunk.typed is None else chunk.typed.iloc[a : a + rows],
        )
        for a in range(0, n, rows)
    ]


def _jobs(jobs: int | None) -> int:
    from classifier.pipeline.workers import available_cores

    if jobs is None or jobs == 0:
        return available_cores()
    if jobs < 0:
        raise InputDataError("--jobs must be 1 or more (0: every core)")
    return jobs


def label_item(model: ComplaintModel, item) -> tuple[pd.DataFrame, LabelSummary]:
    """One chunk (frame, per-row problems, spec) labelled: the output frame and its counts."""
    frame, problems, spec = item
    part = LabelSummary()
    return label_frame(frame, problems, model, spec, part), part


def label_frame(
    frame: pd.DataFrame, problems, model: ComplaintModel, spec: _Spec, summary: LabelSummary
) -> pd.DataFrame:
    """`frame` (text cells) with the output columns added, as text; counts go to `summary`."""
    n = len(frame)
    text_col, role_col, age_col = spec.text_col, spec.role_col, spec.age_col
    texts = [normalise(v) for v in frame[text_col]]
    status = []
    for i in range(n):
        p = problems[i] or unlabelled_reason(texts[i])
        status.append(f"error: {p}" if p else "ok")
    ok = [i for i in range(n) if status[i] == "ok"]
    override = None
    if role_col or age_col:
        override = [
            from_structured(frame[role_col].iat[i] if role_col else None, frame[age_col].iat[i] if age_col else None)
            for i in ok
        ]
    results: dict[int, Analysis] = {}
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
    names = [c for c in OUTPUT_COLUMNS if c != "predicted_theme_scores" or spec.score_ids is None]
    cols = {c: [""] * n for c in names}
    per_theme = {t: [""] * n for t in spec.score_ids or ()}
    tax = model.taxonomy
    for i in range(n):
        cols["model_version"][i] = model.version
        cols["status"][i] = status[i]
        a = results.get(i)
        if a is None:
            summary.errors += 1
            summary.error_reasons[status[i][7:]] += 1
            continue
        cols["predicted_themes"][i] = ";".join(a.themes)
        cols["predicted_theme_labels"][i] = LABEL_SEPARATOR.join(
            tax.label_of(t) if t in tax.ids else t for t in a.themes
        )
        if spec.score_ids is None:
            cols["predicted_theme_scores"][i] = scores_json(a.theme_scores)
        else:
            for t in spec.score_ids:
                per_theme[t][i] = repr(a.theme_scores.get(t, 0.0))
        if a.child_authored is not None:
            cols["predicted_child_authored"][i] = "true" if a.child_authored else "false"
            summary.child_authored += bool(a.child_authored)
        cols["predicted_child_authored_score"][i] = "" if a.child_score is None else f"{a.child_score:.4f}"
        cols["child_authored_evidence"][i] = ";".join(a.child_evidence)
        cols["predicted_kind"][i] = a.kind or ""
        summary.themes.update(a.themes)
        summary.kinds[a.kind or "unknown"] += 1
    summary.rows += n
    added = {}
    for c in OUTPUT_COLUMNS:  # an input column of the same name is kept; ours gets '_new'
        if c == "predicted_theme_scores" and spec.score_ids is not None:
            added.update({spec.rename[SCORE_PREFIX + t]: per_theme[t] for t in spec.score_ids})
        else:
            added[spec.rename[c]] = cols[c]
    return pd.concat([frame.reset_index(drop=True), pd.DataFrame(added, dtype=object)], axis=1)
