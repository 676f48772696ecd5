"""Adapt a model to one trust: its own labelled rows (and stored intake decisions) on top of a base model.

Same taxonomy as the base model: the own rows teach the base model a small
correction of its scores (`models.residual.ResidualThemes`, penalty chosen by
cross-validation on the own rows), and, when the base model's corpus is found,
the same engine is refitted on the corpus plus the own rows x3 (which sees the
trust's own words) and the correction applied over it at half size (a minute or
two; `refit=False`: the correction alone, seconds).
Another taxonomy: the own rows plus description similarity, and the corpus only
through a mapping file (`models.adapted.AdaptedThemes`).

The saved model records how many own rows and intake decisions it learned
from and the own file's SHA-256, never their texts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classifier.errors import AdaptError, LabelError
from classifier.io.tables import read_table, require_column
from classifier.models.adapted import AdaptedThemes
from classifier.models.child import ChildAuthoredDetector
from classifier.models.residual import ResidualThemes
from classifier.models.themes import ThemeClassifier
from classifier.pipeline.adapt_card import adapt_card, before_after
from classifier.pipeline.adapt_corpus import REFIT_OWN_WEIGHT, corpus_rows, find_corpus, refit_on_corpus
from classifier.pipeline.feedback import open_feedback
from classifier.pipeline.model import ComplaintModel
from classifier.pipeline.persistence import load_model, save_model, sha256_file
from classifier.pipeline.training import FALSE_WORDS, TRUE_WORDS
from classifier.redact.quote import DATA_ROWS, values_in_rows
from classifier.taxonomy.schema import Taxonomy, load_taxonomy, shown_theme_value, theme_name_index, theme_name_key
from classifier.text import prepare

MIN_OWN_ROWS = 10


@dataclass
class OwnRows:
    texts: list[str] = field(default_factory=list)
    themes: list[list[str]] = field(default_factory=list)
    child: list[bool | None] = field(default_factory=list)
    unlabelled: int = 0
    file: str = ""
    sha256: str = ""
    rows_read: int = 0


def theme_lookup(tax: Taxonomy) -> dict[str, str]:
    """Name key of every id and label -> id: the same matching as `resolve_theme_names`
    (case, spaces and punctuation ignored), so the workbook `sample` wrote reads back as it is."""
    lookup = theme_name_index(tax)
    lookup.update({theme_name_key(t): t for t in tax.ids})  # an exact id always wins
    return lookup


def parse_themes_cell(value: str, lookup: dict[str, str]) -> tuple[list[str], list[str]]:
    """'Poor Communication; delay' -> (['communication', 'delay'], unknown parts).

    Parts are ';'-separated; a part that is not a name as a whole is split at commas too."""
    found, unknown = [], []
    for part in str(value or "").split(";"):
        part = part.strip()
        if not part:
            continue
        whole = lookup.get(theme_name_key(part))
        pieces = [part] if whole else [p.strip() for p in part.split(",") if p.strip()]
        for p in pieces:
            tid = lookup.get(theme_name_key(p))
            if tid is None:
                unknown.append(p)
            elif tid not in found:
                found.append(tid)
    return found, unknown


def read_own_rows(path, tax: Taxonomy, text_column="text", themes_column="themes") -> OwnRows:
    """A labelled table (.csv/.xlsx/.jsonl, or the workbook `complaints sample` wrote) in `tax`.

    Themes may be ids or labels, ';'-separated, main theme first. Rows without
    themes are skipped and counted. An optional `child_authored` column
    (yes/no, true/false, 1/0; blank = not known) is read too.
    """
    frame, problems = read_table(path)
    cols = list(frame.columns)
    text_col = require_column(cols, text_column, "--text-column")
    theme_col = require_column(cols, themes_column, "--themes-column")
    child_col = next((c for c in cols if c.strip().lower() == "child_authored"), None)
    lookup = theme_lookup(tax)
    own = OwnRows(file=Path(path).name, sha256=sha256_file(Path(path)), rows_read=len(frame))
    bad: dict[str, list[int]] = {}
    for i, (text, cell) in enumerate(zip(frame[text_col], frame[theme_col])):
        if problems[i]:
            raise LabelError(f"row {i + 1} of the own rows is damaged ({DATA_ROWS}); fix it first")
        ids, unknown = parse_themes_cell(cell, lookup)
        for u in unknown:
            bad.setdefault(shown_theme_value(u, tax), []).append(i + 1)
        if not ids or not str(text).strip():
            own.unlabelled += 1
            continue
        own.texts.append(text)
        own.themes.append(ids)
        flag = str(frame[child_col].iat[i]).strip().lower() if child_col else ""
        own.child.append(True if flag in TRUE_WORDS else False if flag in FALSE_WORDS else None)
    if bad:
        detail = values_in_rows(bad, show=str)  # keys are already shown safely (shown_theme_value)
        raise LabelError(
            f"themes not in taxonomy '{tax.id}' v{tax.version}: {detail}. Use its ids or labels "
            f"({', '.join(tax.leaf_ids)}; case and punctuation do not matter), or pass --taxonomy "
            "with the file they come from"
        )
    return own


def read_feedback_rows(path, tax: Taxonomy) -> tuple[OwnRows, int]:
    """Decisions stored by `complaints serve` in this taxonomy, and how many of them were corrections."""
    stored = open_feedback(path, must_exist=True).decisions(tax.id)
    decisions = [d for d in stored if d.themes]
    rows = OwnRows(
        texts=[d.redacted_text for d in decisions],
        themes=[d.themes for d in decisions],
        child=[d.child_authored for d in decisions],
        file=Path(path).name,
        rows_read=len(decisions),
        unlabelled=len(stored) - len(decisions),  # saved with no theme ticked: nothing to learn from
    )
    return rows, sum(d.is_correction for d in decisions)


@dataclass
class AdaptResult:
    model: ComplaintModel
    figures: dict
    notes: list[str]


def adapt_model(
    own_path,
    out_dir,
    base_dir=None,
    feedback=None,
    text_column="text",
    themes_column="themes",
    taxonomy: Taxonomy | str | None = None,
    mapping=None,
    corpus=None,
    seed=0,
    theme_params: dict | None = None,
    refit: bool = True,
) -> AdaptResult:
    """Fit and save a model adapted to a trust's own rows; see the module docstring.

    Parameters
    ----------
    own_path : str or Path, optional
        The own labelled rows (or the workbook `sample` wrote).
    out_dir : str or Path, optional
        Folder to save the adapted model in (None: not saved).
    base_dir : str or Path, optional
        Base model (default: the bundled one).
    feedback : str or Path, optional
        SQLite file of intake decisions written by `serve`.
    text_column, themes_column : str
    taxonomy : Taxonomy or str, optional
        The own taxonomy, when not the base model's.
    mapping : str or Path, optional
        With another taxonomy: mapping from the base taxonomy, to reuse the corpus.
    corpus : str or Path, optional
        The base model's training table, if not found beside the package.
    seed : int
    theme_params : dict, optional
    refit : bool
        Same taxonomy: also refit on the corpus plus the own rows (False: the correction alone).

    Returns
    -------
    AdaptResult
        The model, the before/after figures on the own rows, and notes.
    """
    started = time.perf_counter()
    base = load_model(base_dir)
    tax = base.taxonomy if taxonomy is None else taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    same_taxonomy = tax.content_hash == base.taxonomy.content_hash
    notes: list[str] = []
    own = read_own_rows(own_path, tax, text_column, themes_column) if own_path is not None else OwnRows()
    n_feedback = corrections = 0
    if feedback is not None:
        fb, corrections = read_feedback_rows(feedback, tax)
        n_feedback = len(fb.texts)
        own.texts += fb.texts
        own.themes += fb.themes
        own.child += fb.child
        if fb.unlabelled:
            notes.append(f"{fb.unlabelled} stored intake decisions have no theme ticked and were not used")
    if own.unlabelled:
        notes.append(
            f"{own.unlabelled} rows of {own.file} have no theme (or no text) and were not used; "
            "fill in their themes to use them"
        )
    if len(own.texts) < MIN_OWN_ROWS:
        raise AdaptError(
            f"{len(own.texts)} labelled own rows (and stored decisions) found"
            + (f" ({own.unlabelled} rows without a theme skipped)" if own.unlabelled else "")
            + f"; at least {MIN_OWN_ROWS} are needed. Label more with 'complaints sample'"
        )
    run = (own, n_feedback, corrections, feedback, text_column, themes_column, seed, started)
    if same_taxonomy:
        themes, child, figures, method = _adapt_residual(base, own, theme_params, corpus, seed, notes, refit)
        return _finish(base, themes, child, figures, notes, method, run, out_dir)
    c_texts: list[str] = []
    c_themes: list[list[str]] = []
    c_child: list[bool | None] = []
    if mapping is not None:
        path, found_notes = find_corpus(base.meta, corpus)
        notes += found_notes
        if path is not None:
            if mapping is not None:
                from classifier.taxonomy.mapping import load_mapping

                mapping = load_mapping(mapping, from_taxonomy=base.taxonomy, to_taxonomy=tax)
            c_texts, c_themes, c_child, map_notes = corpus_rows(path, base.taxonomy, tax, mapping)
            notes += map_notes
            keep = [i for i, t in enumerate(c_themes) if t]
            c_texts, c_themes, c_child = (
                [c_texts[i] for i in keep],
                [c_themes[i] for i in keep],
                [c_child[i] for i in keep],
            )
    else:
        notes.append(
            f"taxonomy '{tax.id}' differs from the base model's '{base.taxonomy.id}': the corpus is used "
            "only through a mapping file (--mapping); adapted from own rows and theme descriptions"
        )
    own_docs, c_docs = prepare(own.texts), prepare(c_texts)
    params = {
        k: v for k, v in base.themes.get_params().items() if k in AdaptedThemes._param_names() and k != "taxonomy"
    }
    params.update({k: v for k, v in (theme_params or {}).items() if k in AdaptedThemes._param_names()})
    params["random_state"] = seed
    themes = AdaptedThemes(taxonomy=tax, **params).fit(own_docs, own.themes, c_docs, c_themes)
    missing = [l for l, n in themes.own_support_.items() if n == 0]
    no_example = [l for l, has in zip(themes.labels_, themes.has_example_) if not has]
    if no_example:
        notes.append(f"no labelled example of {', '.join(no_example)}: scored from the theme description alone")
    if missing and len(missing) > len(no_example):
        rest = [l for l in missing if l not in no_example]
        notes.append(f"no own example of {', '.join(rest)}: learned from the corpus only")
    child = _adapt_child(base, own, own_docs, c_docs, c_child, themes, seed, notes)
    figures = before_after(base, themes, own_docs, own.themes, mapping is not None)
    method = {
        "method": "corpus_refit",
        "corpus_rows": len(c_texts),
        "own_weight": themes.own_weight_,
        "description_weight": themes.description_weight_,
        "selection": themes.selection_,
        "themes_without_examples": no_example,
    }
    return _finish(base, themes, child, figures, notes, method, run, out_dir)


def _adapt_residual(base, own: OwnRows, theme_params, corpus, seed, notes, refit: bool = True) -> tuple:
    """The base model's theme scores corrected from the own rows (`ResidualThemes`), over a refit on the
    corpus plus the own rows when `refit` and the corpus is found."""
    own_docs = prepare(own.texts)
    with_vectors = bool(getattr(base.themes, "uses_vectors", False))
    own_vectors = base.encode(own_docs).vectors if with_vectors else None
    flags = [c for c in own.child if c is not None]
    retrain_child = sum(flags) >= 5 and len(flags) - sum(flags) >= 5  # retrained beside the corpus
    # An adapted base model has no corpus of its own (its training table is the own rows): no refit.
    can_refit = refit and type(base.themes) is ThemeClassifier
    c_docs: list = []
    c_themes: list = []
    c_child: list = []
    path = None
    if can_refit or retrain_child:
        path, found_notes = find_corpus(base.meta, corpus)
        notes += found_notes
        if path is not None:
            c_texts, c_themes, c_child, _ = corpus_rows(path, base.taxonomy, base.taxonomy, None)
            c_docs = prepare(c_texts)
    refitted = None
    if can_refit and c_docs:
        refitted = refit_on_corpus(base, c_docs, c_themes, own_docs, own.themes, own_vectors, seed, path)
    params = {k: v for k, v in (theme_params or {}).items() if k in ResidualThemes._param_names()}
    params["random_state"] = seed
    themes = ResidualThemes(taxonomy=base.taxonomy, **params).fit(
        own_docs, own.themes, base.themes, own_vectors, refit=refitted
    )
    missing = [l for l, n in themes.own_support_.items() if n == 0]
    if missing:
        notes.append(
            f"no own example of {', '.join(missing)}: scored by the {'retrained' if refitted else 'base'} model, "
            "corrected only through what the other rows show"
        )
    child = _adapt_child(base, own, own_docs, c_docs if retrain_child else [], c_child, themes, seed, notes)
    figures = before_after(base, themes, own_docs, own.themes, True, own_vectors)
    if refitted is not None:
        figures["after"]["note"] += (
            "; they score the correction over the base model: the refit on the corpus plus the own rows is "
            "not in them (cross-validating it would take a refit per fold)"
        )
    method = {
        "method": "residual",
        "corpus_rows": refitted.n_train_ - REFIT_OWN_WEIGHT * len(own_docs) if refitted is not None else 0,
        "refit": refitted is not None,
        **({"own_weight": REFIT_OWN_WEIGHT, "refit_correction": themes.refit_correction} if refitted else {}),
        "penalty": _finite(themes.penalty_),
        "penalty_without_vectors": _finite(themes.fast_penalty_),
        "themes_without_examples": [],
    }
    return themes, child, figures, method


def _finite(x: float) -> float | None:
    """JSON has no infinity: None stands for 'the base model unchanged'."""
    return float(x) if np.isfinite(x) else None


def _finish(base, themes, child, figures, notes, method: dict, run: tuple, out_dir) -> AdaptResult:
    """meta.json and the model card (counts and a file hash, never texts); saved when `out_dir` is given."""
    own, n_feedback, corrections, feedback, text_column, themes_column, seed, started = run
    model = ComplaintModel(themes=themes, child=child, kind=base.kind, learning=base.learning)
    meta = {
        "training_data": {
            "file": own.file or Path(str(feedback)).name,
            "sha256": own.sha256,
            "rows": own.rows_read,
            "rows_used": {"themes": len(own.texts), "all": len(own.texts)},
            "text_column": text_column,
            "themes_column": themes_column,
        },
        "adapted": {
            "base_model": base.version,
            "own_rows": len(own.texts) - n_feedback,
            "own_rows_unlabelled_skipped": own.unlabelled,
            "feedback_decisions": n_feedback,
            "feedback_corrections": corrections,
            # Which intake database, by name and hash (never its rows).
            "feedback_file": Path(str(feedback)).name if feedback else None,
            "feedback_sha256": sha256_file(Path(str(feedback))) if feedback and Path(str(feedback)).is_file() else None,
            **method,
            "own_support": themes.own_support_,
            "before_after": figures,
            "fit_seconds": round(time.perf_counter() - started, 1),
        },
        "seed": seed,
        "hyperparameters": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in themes.get_params().items() if k != "taxonomy"
        },
        "cv_metrics": figures["after"],
        "notes": notes,
    }
    if child is not None and child is not base.child:
        meta["child_authored"] = {
            "threshold": child.threshold_,
            "recall": child.threshold_recall_,
            "precision": child.threshold_precision_,
            "tuned_on": child.threshold_source_,
        }
    elif base.meta.get("child_authored"):
        meta["child_authored"] = base.meta["child_authored"]
    if out_dir is not None:
        save_model(model, out_dir, meta, adapt_card(model, meta))
    else:
        model.meta = meta
    return AdaptResult(model, figures, notes)


def _adapt_child(base, own: OwnRows, own_docs, c_docs, c_child, themes, seed, notes):
    """Retrain the child-authored detector when the own rows carry enough flags of both kinds."""
    flags = [(d, c) for d, c in zip(own_docs, own.child) if c is not None]
    n_pos = sum(c for _, c in flags)
    if n_pos < 5 or len(flags) - n_pos < 5:
        if base.child is not None:
            notes.append("child-authored detector kept from the base model (fewer than 5 own rows flagged each way)")
        return base.child
    corpus = [(d, c) for d, c in zip(c_docs, c_child) if c is not None]
    # Own rows once: repeated rows would leak across the folds the recall threshold is tuned on.
    docs = [d for d, _ in corpus + flags]
    y = np.array([bool(c) for _, c in corpus + flags], dtype=np.int8)
    notes.append(f"child-authored detector retrained with {len(flags)} own flags beside {len(corpus)} corpus rows")
    return ChildAuthoredDetector(random_state=seed).fit(docs, y, features=themes.features_)
