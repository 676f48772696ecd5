"""DataFrames labelled: a pandas DataFrame in memory (`label_dataframe`), or a Dask DataFrame partition
by partition on any Dask cluster, past one machine (`label_dask`).

    from classifier import label_dataframe, load_model
    labelled = label_dataframe(cases, load_model(), text_column="Details")   # a pandas DataFrame

    import dask.dataframe as dd
    from distributed import Client
    from classifier.parallel import label_dask

    client = Client("tcp://scheduler:8786")          # or LocalCluster() on one machine
    cases = dd.read_parquet("cases/")                  # any Dask DataFrame with a text column
    label_dask(cases, "models/default", text_column="Details").to_parquet("labelled/")

Every worker needs this package (`pip install 'complaint-themes[dask]'`) and
the model folder at the same path (a shared drive, or copied beside each
worker). Each worker process loads the model once and keeps it. The added
columns are those of `complaints label` (scores as one float column per theme,
or `scores="json"`), with real types: strings, nullable booleans and floats,
so the result writes straight to Parquet. Dask does the
scheduling; nothing here distributes work itself.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from classifier.errors import InputDataError
from classifier.io.tables import added_columns, require_column
from classifier.pipeline.labelling import LabelSummary, _Spec, label_frame, output_columns, score_ids

__all__ = ["label_dask", "label_dataframe", "label_partition"]

_MODELS: dict[str, object] = {}
_DTYPES = {"bool": "boolean", "float": "float64", "int": "Int64"}


def _model(model_dir: str):
    """The model in `model_dir`, loaded once per worker process."""
    if model_dir not in _MODELS:
        from classifier.pipeline.persistence import load_model

        _MODELS[model_dir] = load_model(model_dir)
    return _MODELS[model_dir]


def _text(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    from classifier.io.tables import _cell_to_str

    return _cell_to_str(v)


def _typed(values: list[str], kind: str | None) -> pd.Series:
    if kind == "bool":
        return pd.Series([None if v == "" else v == "true" for v in values], dtype="boolean")
    if kind == "float":
        return pd.Series([float(v) if v else float("nan") for v in values], dtype="float64")
    return pd.Series(values, dtype="string")


def label_partition(part: pd.DataFrame, model_dir: str, spec: _Spec, types: dict[str, str]) -> pd.DataFrame:
    """One pandas partition with the label columns added (runs on the worker)."""
    return _labelled(part, _model(model_dir), spec, types)


def _plan(model, columns: list[str], text_column, role_column, age_column, scores: str):
    """The spec and column types shared by both entry points; a missing column or bad `scores` is an error."""
    if scores not in ("columns", "json"):
        raise InputDataError(f"scores must be 'columns' or 'json', not '{scores}'")
    text_col = require_column(columns, text_column, "text_column")
    role_col = require_column(columns, role_column, "role_column") if role_column else None
    age_col = require_column(columns, age_column, "age_column") if age_column else None
    new_columns, new_types = output_columns(model, scores)
    _, rename = added_columns(columns, new_columns)
    types = {rename[c]: t for c, t in new_types.items()}
    spec = _Spec(text_col, role_col, age_col, rename, score_ids(model) if scores == "columns" else None)
    return spec, types, new_columns, rename


def label_dataframe(
    frame: pd.DataFrame,
    model=None,
    text_column: str = "text",
    role_column: str | None = None,
    age_column: str | None = None,
    scores: str = "columns",
) -> pd.DataFrame:
    """A copy of `frame` (a pandas DataFrame) with the columns `complaints label` adds, typed.

    Parameters
    ----------
    frame : pandas.DataFrame
    model : ComplaintModel, optional
        Default: the bundled model.
    text_column, role_column, age_column : str
        As `label_table`'s.
    scores : str
        'columns' (a float column per theme) or 'json'.

    Returns
    -------
    pandas.DataFrame
        Every input row and column, in order, then label's columns; a row that cannot be labelled has
        `status` "error: <reason>".

    Raises
    ------
    InputDataError
        `frame` is not a DataFrame, or `scores` is unknown (E100).
    MissingColumnError
        A named column is not in `frame`.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(
            f"label_dataframe takes a pandas DataFrame, not {type(frame).__name__}; for a file use label_table"
        )
    if model is None:
        from classifier.pipeline.persistence import load_model

        model = load_model(None)
    spec, types, _, _ = _plan(model, [str(c) for c in frame.columns], text_column, role_column, age_column, scores)
    return _labelled(frame.rename(columns=str), model, spec, types)


def _labelled(part: pd.DataFrame, model, spec: _Spec, types: dict[str, str]) -> pd.DataFrame:
    used = [c for c in (spec.text_col, spec.role_col, spec.age_col) if c]
    strings = pd.DataFrame({c: [_text(v) for v in part[c].tolist()] for c in used}, dtype=object)
    labelled = label_frame(strings, [None] * len(part), model, spec, LabelSummary())
    out = part.copy()
    for name in labelled.columns[len(used) :]:
        column = _typed(labelled[name].tolist(), types.get(name))
        column.index = part.index
        out[name] = column
    return out


def label_dask(
    ddf,
    model_dir=None,
    text_column: str = "text",
    role_column: str | None = None,
    age_column: str | None = None,
    scores: str = "columns",
):
    """`ddf` (a dask.dataframe.DataFrame) with the label columns added, lazily (call .compute() or write it).

    `model_dir` (default: the bundled model) must be readable at the same path on every worker.
    """
    from classifier.pipeline.persistence import default_model_dir, load_model

    if scores not in ("columns", "json"):
        raise InputDataError(f"scores must be 'columns' or 'json', not '{scores}'")
    model_dir = str(Path(model_dir) if model_dir else default_model_dir())
    model = load_model(model_dir)  # here too: fail early on a bad folder, and know the themes
    columns = [str(c) for c in ddf.columns]
    spec, types, new_columns, rename = _plan(model, columns, text_column, role_column, age_column, scores)
    meta = ddf._meta.copy()
    for c in new_columns:
        meta[rename[c]] = pd.Series([], dtype=_DTYPES.get(types.get(rename[c]), "string"))
    return ddf.map_partitions(label_partition, model_dir, spec, types, meta=meta)
