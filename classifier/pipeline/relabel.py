"""Relabel a labelled history with a model and rank the likely labelling errors.

Each row gets the model's themes beside the historic ones, a `disagrees` flag,
and a `label_issue_score` in [0, 1]: how confident the model is that the
historic label is wrong. `review_rank` 1 is the row to review first. Rows with text but no usable
historic theme (e.g. `needs_review` after a migration) are not scored, but
get the model's suggestion in `model_themes`, and come first in the review
file: a person has to choose their label anyway.

Scores come from cleanlab's multi-label label-quality scores (score = 1 -
quality) when cleanlab is installed (`pip install complaint-themes[relabel]`).
Without it, a confident-learning-style score of our own is used: per theme
the self-confidence is p if the history has the theme and 1 - p if not, and
the score is 1 - the smallest self-confidence on the row (the theme the model
contradicts most); a row is flagged as a label issue when a historic theme
scores below that theme's average probability on rows labelled with it AND a
missing theme scores above its average on rows that have it (the per-class
thresholds of confident learning).
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections import defaultdict

import numpy as np

from classifier.errors import (
    LabelError,
    RelabelError,  # noqa: F401 (re-exported)
)
from classifier.io.tables import read_whole_table, require_column
from classifier.io.writer import TableWriter
from classifier.pipeline.labelling import check_taxonomy
from classifier.taxonomy.schema import parse_theme_list, resolve_theme_names
from classifier.text import normalise

RELABEL_COLUMNS = [
    "model_themes",
    "history_only_themes",
    "model_only_themes",
    "disagrees",
    "label_issue",
    "label_issue_score",
    "review_rank",
    "relabel_status",
]
RELABEL_TYPES = {"disagrees": "bool", "label_issue": "bool", "label_issue_score": "float", "review_rank": "int"}
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_HAS_WORD = re.compile(r"[^\W\d_]", re.UNICODE)


def cleanlab_available() -> bool:
    # cleanlab's import pulls in tqdm, which warns in notebooks; the library stays silent.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import cleanlab.multilabel_classification  # noqa: F401
        except ImportError:
            return False
    return True


def label_issue_scores(
    labels: list[list[int]], proba: np.ndarray, method: str = "auto"
) -> tuple[np.ndarray, np.ndarray, str]:
    """(score per row, label-issue flag per row, method used); higher score = more likely mislabelled."""
    if method not in ("auto", "cleanlab", "fallback"):
        raise RelabelError(f"unknown scoring method '{method}'; use auto, cleanlab or fallback")
    if method in ("auto", "cleanlab") and cleanlab_available():
        try:
            return (*_cleanlab_scores(labels, proba), "cleanlab")
        except Exception:  # too few rows per theme for cleanlab's estimates: use ours
            if method == "cleanlab":
                raise RelabelError(
                    "cleanlab could not score this history (too few rows per theme?); use the fallback method"
                ) from None
    elif method == "cleanlab":
        raise RelabelError("cleanlab is not installed; pip install 'complaint-themes[relabel]'")
    return (*_fallback_scores(labels, proba), "fallback")


def _cleanlab_scores(labels, proba):
    from cleanlab.multilabel_classification import filter as ml_filter
    from cleanlab.multilabel_classification import rank as ml_rank

    # cleanlab reports progress and data warnings itself; the library stays silent.
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        quality = ml_rank.get_label_quality_scores(labels, proba)
        # n_jobs=1: cleanlab's pool forks, and a fork of a process with threads (the encoder's,
        # a web server's) can deadlock; one process is fast enough for a history table.
        issues = ml_filter.find_label_issues(labels, proba, n_jobs=1)
    return 1.0 - np.asarray(quality, dtype=float), np.asarray(issues, dtype=bool)


def _fallback_scores(labels, proba):
    n, k = proba.shape
    Y = np.zeros((n, k), dtype=bool)
    for i, row in enumerate(labels):
        Y[i, row] = True
    self_conf = np.where(Y, proba, 1.0 - proba)
    score = 1.0 - self_conf.min(axis=1)
    # Per-theme thresholds: average probability on rows that carry the theme.
    with np.errstate(invalid="ignore"):
        t = np.where(Y.any(axis=0), (proba * Y).sum(axis=0) / np.maximum(Y.sum(axis=0), 1), np.inf)
    doubted = (Y & (proba < t)).any(axis=1)
    missing = (~Y & (proba >= t)).any(axis=1)
    return score, doubted & missing


def _year(value: str) -> str:
    m = _YEAR.search(value or "")
    return m.group(1) if m else "unknown"


def relabel_history(
    data_path,
    model,
    output_path,
    themes_column="themes",
    text_column="text",
    date_column: str | None = "date",
    taxonomy_column: str | None = None,
    review_output=None,
    method: str = "auto",
    id_column: str = "id",
    sheet: str | None = None,
    header_row: int | None = None,
    progress=None,
) -> dict:
    """Add model labels and a review ranking to a labelled history.

    One output row per input row, in order. Rows without text are kept,
    unscored, with the reason in `relabel_status`; rows with text but no
    historic theme get the model's themes as a suggestion (unscored).

    Parameters
    ----------
    data_path, output_path : str or Path
    model : ComplaintModel
    themes_column, text_column : str
        Historic themes (ids or labels) and text.
    date_column : str, optional
        For agreement per year, when present.
    taxonomy_column : str, optional
        The column declaring the labels' taxonomy (default `taxonomy`, or
        `new_taxonomy` when relabelling the `new_themes` of a migrated table).
    review_output : str or Path, optional
        Also write the rows to review: suggestions first, then by `review_rank`.
    method : str
        'auto', 'cleanlab' or 'fallback' (see the module docstring).
    id_column : str
        Names rows in the summary (row numbers when the table has none).
    sheet, header_row : optional
    progress : callable, optional

    Returns
    -------
    dict
        `rows`, `scored`, `suggested`, `skipped`, `disagreements`, `label_issues`,
        `agreement`, `method`, `model_version`, `taxonomy`, `per_theme`, `per_year`
        (with dates), `review_first`, `needs_label`.
    """
    if taxonomy_column is None:
        taxonomy_column = "new_taxonomy" if themes_column == "new_themes" else "taxonomy"
    whole = read_whole_table(data_path, sheet=sheet, header_row=header_row)
    frame, problems = whole.frame, whole.problems
    columns = list(frame.columns)
    theme_col = require_column(columns, themes_column, "--themes-column")
    text_col = require_column(columns, text_column, "--text-column")
    id_col = id_column if id_column in columns else None
    if id_column != "id" and id_col is None:
        id_col = require_column(columns, id_column, "--id-column")
    # The default date column is optional; one named on purpose must exist.
    date_col = date_column if date_column in columns else None
    if date_column and date_column != "date" and date_col is None:
        require_column(columns, date_column, "--date-column")
    if taxonomy_column in columns:
        check_taxonomy(model, set(frame[taxonomy_column].str.strip()))
    tax, head = model.taxonomy, model.themes
    leaves = head.labels_
    index = {l: j for j, l in enumerate(leaves)}
    n = len(frame)
    history = resolve_theme_names([parse_theme_list(v) for v in frame[theme_col]], tax)
    unknown = defaultdict(list)
    for i, row in enumerate(history):
        for t in row:
            if t not in tax.ids and not problems[i]:
                unknown[t].append(i + 1)
    if unknown:
        from classifier.redact.quote import values_in_rows
        from classifier.taxonomy.schema import shown_theme_value

        detail = values_in_rows(unknown, show=lambda v: shown_theme_value(v, tax))
        raise LabelError(
            f"historic theme id(s) not in the model's taxonomy '{tax.id}' version {tax.version}: "
            f"{detail}. Migrate the history first ('complaints taxonomy migrate') or pass "
            "--themes-column with the migrated labels"
        )
    # A historic category only says 'one of its sub-categories': score on leaves.
    hist_leaves = [[t for t in row if t in index] for row in history]
    texts = [normalise(v) for v in frame[text_col]]
    status = []
    for i in range(n):
        if problems[i]:
            status.append(f"skipped: row damaged ({problems[i]})")
        elif not _HAS_WORD.search(texts[i]):
            status.append("skipped: no text")
        elif not hist_leaves[i]:
            why = "no historic themes" if not history[i] else "historic label is a category only"
            if "migration" in columns and frame["migration"].iat[i].strip() == "needs_review":
                why = "needs_review after migration"
            status.append(f"suggested: {why}; model_themes is the model's suggestion")
        else:
            status.append("ok")
    ok = [i for i in range(n) if status[i] == "ok"]
    suggest = [i for i in range(n) if status[i].startswith("suggested")]
    if not ok and not suggest:
        raise RelabelError("no row has text to relabel")
    labelled = ok + suggest
    proba_all = head.predict_proba([texts[i] for i in labelled])
    predicted_all = head.predict([texts[i] for i in labelled], proba=proba_all)
    if progress:
        progress(len(labelled))
    proba, predicted = proba_all[: len(ok)], predicted_all[: len(ok)]
    if ok:
        scores, issues, used = label_issue_scores([[index[t] for t in hist_leaves[i]] for i in ok], proba, method)
    else:
        scores, issues, used = np.zeros(0), np.zeros(0, dtype=bool), "none"
    order = sorted(range(len(ok)), key=lambda k: -scores[k])  # stable: ties keep row order
    rank = {ok[k]: r for r, k in enumerate(order, start=1)}

    cols = {c: [""] * n for c in RELABEL_COLUMNS}
    per_theme: defaultdict[str, dict[str, int]] = defaultdict(lambda: {"history": 0, "model": 0, "both": 0})
    per_year: defaultdict[str, dict[str, int]] = defaultdict(lambda: {"rows": 0, "agree": 0})
    for k, i in enumerate(ok):
        hist = tax.with_ancestors(hist_leaves[i]) if tax.is_hierarchical else hist_leaves[i]
        pred = predicted[k]
        h_leaf, p_leaf = set(hist_leaves[i]), {t for t in pred if t in index}
        cols["model_themes"][i] = ";".join(pred)
        cols["history_only_themes"][i] = ";".join(t for t in hist_leaves[i] if t not in p_leaf)
        cols["model_only_themes"][i] = ";".join(t for t in pred if t in index and t not in h_leaf)
        cols["disagrees"][i] = "true" if h_leaf != p_leaf else "false"
        cols["label_issue"][i] = "true" if issues[k] else "false"
        cols["label_issue_score"][i] = f"{scores[k]:.4f}"
        cols["review_rank"][i] = str(rank[i])
        for t in set(hist) | set(pred):
            per_theme[t]["history"] += t in hist
            per_theme[t]["model"] += t in pred
            per_theme[t]["both"] += t in hist and t in pred
        if date_col:
            y = per_year[_year(frame[date_col].iat[i])]
            y["rows"] += 1
            y["agree"] += h_leaf == p_leaf
    for k, i in enumerate(suggest, start=len(ok)):
        cols["model_themes"][i] = ";".join(predicted_all[k])
        cols["model_only_themes"][i] = ";".join(t for t in predicted_all[k] if t in index)
    cols["relabel_status"] = status
    out = frame.copy()
    out_names = {c: c if c not in columns else f"{c}_new" for c in RELABEL_COLUMNS}
    for c in RELABEL_COLUMNS:
        out[out_names[c]] = cols[c]
    # Flags, scores and ranks are typed in .xlsx: sorting by rank must go 1, 2, ... 10, not 1, 10, 2.
    types = {out_names[c]: kind for c, kind in RELABEL_TYPES.items()}
    # The input's own dates and numbers stay typed in .xlsx, on its sheet name, as `label` keeps them.
    _write(out, output_path, data_path, types, whole.typed, whole.sheet)
    if review_output is not None:
        picked = suggest + [ok[k] for k in order]
        ranked = out.iloc[picked]
        typed = None if whole.typed is None else whole.typed.iloc[picked].reset_index(drop=True)
        _write(ranked.reset_index(drop=True), review_output, data_path, types, typed, whole.sheet)

    def name(i: int) -> str:
        return frame[id_col].iat[i] if id_col else f"row {i + 1}"

    disagreements = sum(cols["disagrees"][i] == "true" for i in ok)
    summary = {
        "rows": n,
        "scored": len(ok),
        "suggested": len(suggest),
        "skipped": n - len(ok) - len(suggest),
        "disagreements": disagreements,
        "label_issues": int(np.sum(issues)),
        "agreement": round(1 - disagreements / len(ok), 4) if ok else None,
        "method": used,
        "model_version": model.version,
        "taxonomy": f"{tax.id} v{tax.version}",
        "per_theme": {
            t: {**v, "agreement": round(v["both"] / (v["history"] + v["model"] - v["both"]), 4)}
            for t, v in sorted(per_theme.items(), key=lambda kv: tax.ids.index(kv[0]))
        },
        "review_first": [name(ok[k]) for k in order[:10]],
        "needs_label": [name(i) for i in suggest[:10]],
    }
    if date_col:
        summary["per_year"] = {
            y: {**v, "agreement": round(v["agree"] / v["rows"], 4)} for y, v in sorted(per_year.items())
        }
    return summary


def _write(frame, path, input_path, types: dict[str, str], typed=None, sheet: str | None = None) -> None:
    writer = TableWriter(path, list(frame.columns), input_path=input_path, types=types, sheet_name=sheet)
    try:
        writer.write(frame, typed=typed)
        writer.close()
    except BaseException:
        writer.abort()
        raise
