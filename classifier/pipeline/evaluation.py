"""Evaluate a saved model on labelled data, or cross-validate training on it."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import KFold

from classifier.metrics import binary_report, confusion, theme_intervals, theme_report
from classifier.models.kind import KIND_CLASSES
from classifier.models.themes import ThemeClassifier, binarise_themes
from classifier.pipeline.labelling import check_taxonomy
from classifier.pipeline.model import ComplaintModel
from classifier.pipeline.training import read_training_data
from classifier.taxonomy.schema import Taxonomy, load_taxonomy, resolve_theme_names
from classifier.text import prepare


def evaluate_model(
    data_path,
    model: ComplaintModel,
    text_column="text",
    themes_column="themes",
    split: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
) -> dict:
    """Theme, child-flag and kind figures of a model on every row (or one split) of a labelled table.

    The scores are the ones labelling gives (encoder, zero-shot and points unless the model is fast).

    Parameters
    ----------
    data_path : str or Path
        Labelled table.
    model : ComplaintModel
    text_column, themes_column : str
    split : str, optional
        Only rows whose `split` column has this value.
    sheet, header_row : optional
        Pick the table in an .xlsx workbook.

    Returns
    -------
    dict
        `rows`, `model_version`, `split`, `engine`; `themes` (per-theme P/R/F1, micro and
        macro F1, top-1 / top-3), `child_authored` and `kind` when the data has them.
    """
    data = read_training_data(data_path, text_column, themes_column, sheet, header_row)
    check_taxonomy(model, set(data.declared_taxonomies))  # another taxonomy's ids may share names
    data.themes = resolve_theme_names(data.themes, model.taxonomy)  # labels as well as ids
    binarise_themes(data.themes, model.taxonomy)  # unknown theme ids: a clear error, not a silent zero
    keep = [True] * data.rows_read
    if split and data.splits:
        keep = [s == split for s in data.splits]
    idx = [i for i, k in enumerate(keep) if k]
    docs = prepare([data.texts[i] for i in idx])
    analyses = model.analyse(docs)
    report: dict = {"rows": len(idx), "model_version": model.version, "split": split or "all"}
    theme_rows = [k for k, i in enumerate(idx) if data.themes[i]]
    if theme_rows:
        # The scores and themes labelling gives (encoder, zero-shot, points unless the model is fast).
        labels = model.themes.labels_
        proba = np.array([[analyses[k].theme_scores[l] for l in labels] for k in theme_rows])
        gold = [data.themes[idx[k]] for k in theme_rows]
        pred = [analyses[k].themes for k in theme_rows]
        report["themes"] = theme_report(gold, pred, labels, proba)
        report["themes"]["intervals"] = theme_intervals(gold, pred, proba, labels)
    report["engine"] = "fast (TF-IDF only)" if model.fast or not model.uses_encoder else model.meta.get("engine", "")
    if data.child is not None and model.child is not None:
        flagged = [k for k, i in enumerate(idx) if data.child[i] is not None]  # a blank cell is not a "no"
        if flagged:
            report["child_authored"] = binary_report(
                [data.child[idx[k]] for k in flagged], [analyses[k].child_authored for k in flagged]
            )
    if data.kinds is not None and model.kind is not None:
        report["kind"] = confusion([data.kinds[i] for i in idx], [a.kind for a in analyses], list(KIND_CLASSES))
    return report


def cross_validate(
    data_path,
    k=5,
    taxonomy: Taxonomy | str | None = None,
    text_column="text",
    themes_column="themes",
    seed=0,
    theme_params: dict | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
) -> dict:
    """K-fold: train a theme model on K-1 folds, score the held-out fold, pool the predictions.

    Rows with split == 'test' are left out.

    Parameters
    ----------
    data_path : str or Path
        Labelled table.
    k : int
        Folds.
    taxonomy : Taxonomy or str, optional
    text_column, themes_column : str
    seed : int
    theme_params : dict, optional
        `ThemeClassifier` hyperparameters.
    sheet, header_row : optional

    Returns
    -------
    dict
        `rows` and `themes` (the figures of `metrics.theme_report`, and `cv_folds`).
    """
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    data = read_training_data(data_path, text_column, themes_column, sheet, header_row)
    data.themes = resolve_theme_names(data.themes, tax)
    rows = [i for i, t in enumerate(data.themes) if t and (not data.splits or data.splits[i] != "test")]
    docs = prepare([data.texts[i] for i in rows])
    gold = [data.themes[i] for i in rows]
    labels = tax.leaf_ids
    proba = np.zeros((len(rows), len(labels)))
    pred: list[list[str]] = [[] for _ in rows]
    for train, test in KFold(k, shuffle=True, random_state=seed).split(rows):
        clf = ThemeClassifier(taxonomy=tax, random_state=seed, **(theme_params or {}))
        clf.fit([docs[i] for i in train], [gold[i] for i in train])
        p = clf.predict_proba([docs[i] for i in test])
        proba[test] = p
        for j, labs in zip(test, clf.predict([docs[i] for i in test], proba=p)):
            pred[j] = labs
    rep = theme_report(gold, pred, labels, proba)
    rep["cv_folds"] = k
    return {"rows": len(rows), "themes": rep}
