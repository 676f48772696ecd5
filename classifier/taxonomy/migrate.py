"""Migrate historic labels into a new taxonomy through a mapping (see `mapping`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from classifier.errors import (
    LabelError,
    MappingError,  # noqa: F401 (re-exported)
    TaxonomyMismatchError,
)
from classifier.io.tables import added_columns, open_chunks, require_column
from classifier.io.writer import TableWriter
from classifier.redact.quote import DATA_ROWS
from classifier.taxonomy.diff import TaxonomyDiff, diff_taxonomies  # noqa: F401 (re-exported)
from classifier.taxonomy.mapping import DEFAULT_THRESHOLD, MIGRATION_COLUMNS, TaxonomyMapping, _as_mapping, load_mapping  # noqa: F401
from classifier.taxonomy.schema import Taxonomy, parse_theme_list, resolve_theme_names
from classifier.text import normalise

# ------------------------------------------------------------------ migrate


@dataclass
class MigrationSummary:
    """What `migrate_labels` did (the CLI formats it).

    Parameters
    ----------
    rows : int
    outcomes : Counter
        Rows per outcome: mapped, model_choice, needs_review.
    unlabelled : int
        Of the mapped rows, those that had no theme.
    old_themes, new_themes : Counter
        Theme counts before and after.
    mapping : str
        The mapping file.
    model_version : str, optional
        The model that chose among candidates.
    threshold : float
        Below this confidence a model choice needs review.
    """

    rows: int = 0
    outcomes: Counter = field(default_factory=Counter)  # mapped / model_choice / needs_review
    unlabelled: int = 0  # rows with no theme (counted as mapped: there was nothing to map)
    old_themes: Counter = field(default_factory=Counter)
    new_themes: Counter = field(default_factory=Counter)
    mapping: str = ""
    model_version: str | None = None
    threshold: float = DEFAULT_THRESHOLD


def _theme_head(model):
    """The ThemeClassifier of a ComplaintModel (or the classifier itself)."""
    return getattr(model, "themes", model)


def check_model_for_mapping(model, mapping: TaxonomyMapping) -> None:
    tax = _theme_head(model).taxonomy_
    if (tax.id, tax.version) != (mapping.target.id, mapping.target.version):
        raise TaxonomyMismatchError(
            f"the mapping migrates to '{mapping.target.id}' version {mapping.target.version} but the model "
            f"was trained on '{tax.id}' version {tax.version}; pass --model with a model trained on the new "
            "taxonomy, or none to leave the choices to an analyst"
        )
    missing = {t for m in mapping.themes.values() for t in m.to} - set(_theme_head(model).labels_)
    if missing:
        raise TaxonomyMismatchError(
            f"the model does not predict {', '.join(sorted(missing))}; retrain it "
            f"on the current '{tax.id}' taxonomy file"
        )


def _declared_ok(value: str, tax: Taxonomy) -> bool:
    return value in ("", tax.id, f"{tax.id}@{tax.version}", f"{tax.id}:{tax.version}")


def choose(proba_row: np.ndarray, labels: list[str], candidates: tuple[str, ...]) -> tuple[str, float]:
    """The model's pick among the candidates and its share of their probability.

    Probabilities are per-theme (one-vs-rest), so they are renormalised over the
    candidates: the share is the model's confidence that this candidate, rather
    than the others, is the one meant, given that one of them is.
    """
    p = np.array([proba_row[labels.index(c)] for c in candidates], dtype=float)
    total = float(p.sum())
    if total <= 0:
        return candidates[0], 0.0
    j = int(p.argmax())
    return candidates[j], float(p[j] / total)


def migrate_labels(
    data_path,
    mapping,
    output_path,
    model=None,
    themes_column="themes",
    text_column="text",
    threshold: float = DEFAULT_THRESHOLD,
    taxonomy_column="taxonomy",
    chunk_rows: int = 2000,
) -> MigrationSummary:
    """Rewrite historic labels into the mapping's new taxonomy; one output row per input row, in order.

    Adds old_themes, new_themes, new_taxonomy (id@version, so the output can be
    relabelled or trained on), migration (mapped / model_choice / needs_review),
    migration_confidence (the weakest model choice on the row) and migration_note.

    Parameters
    ----------
    data_path, output_path : str or Path
    mapping : TaxonomyMapping or str or Path
        A mapping, its file, or a bundled map name.
    model : ComplaintModel or ThemeClassifier, optional
        Trained on the new taxonomy: picks among one-to-many candidates.
    themes_column, text_column : str
    threshold : float
        Below this confidence a choice needs review.
    taxonomy_column : str
        A column declaring the rows' taxonomy, checked against the mapping's source.
    chunk_rows : int

    Returns
    -------
    MigrationSummary
    """
    mapping = _as_mapping(mapping)
    if not 0.0 <= threshold <= 1.0:
        raise LabelError(f"threshold must be between 0 and 1, got {threshold}")
    head = None
    if model is not None:
        check_model_for_mapping(model, mapping)
        head = _theme_head(model)
    summary = MigrationSummary(
        mapping=mapping.path,
        threshold=threshold,
        model_version=getattr(model, "version", None) if model is not None else None,
    )
    columns, chunks = open_chunks(data_path, chunk_rows)
    theme_col = require_column(columns, themes_column, "--themes-column")
    text_col = require_column(columns, text_column, "--text-column") if head is not None else None
    out_columns, rename = added_columns(columns, MIGRATION_COLUMNS)
    first = next(chunks, None)
    chunks = chain([first] if first is not None else [], chunks)
    # As `label` does: the confidence a number in .xlsx (sortable), the input's dates and numbers kept
    # typed, and the input's sheet name.
    writer = TableWriter(
        output_path,
        out_columns,
        input_path=data_path,
        types={rename["migration_confidence"]: "float"},
        sheet_name=first.sheet if first is not None else None,
    )
    try:
        for chunk in chunks:
            writer.write(
                _migrate_frame(chunk, mapping, head, theme_col, text_col, taxonomy_column, threshold, summary, rename),
                typed=chunk.typed,
            )
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return summary


def _migrate_frame(
    chunk,
    mapping: TaxonomyMapping,
    head,
    theme_col,
    text_col,
    taxonomy_col,
    threshold,
    summary: MigrationSummary,
    rename,
):
    frame, n = chunk.frame, len(chunk.frame)
    src, tgt = mapping.source, mapping.target
    if taxonomy_col in frame.columns:
        bad = [chunk.first_row + i for i, v in enumerate(frame[taxonomy_col]) if not _declared_ok(v.strip(), src)]
        if bad:
            raise TaxonomyMismatchError(
                f"rows {', '.join(map(str, bad[:10]))} ({DATA_ROWS}) declare a taxonomy other than '{src.id}', which the "
                f"mapping migrates from; use a mapping from that taxonomy"
            )
    olds = resolve_theme_names([parse_theme_list(v) for v in frame[theme_col]], src)  # labels as well as ids
    damaged = [bool(p) for p in chunk.problems]
    unknown = defaultdict(list)
    for i, row in enumerate(olds):
        for t in [] if damaged[i] else row:
            if t not in src.ids:
                unknown[t].append(chunk.first_row + i)
    if unknown:
        from classifier.redact.quote import values_in_rows
        from classifier.taxonomy.schema import shown_theme_value

        detail = values_in_rows(unknown, show=lambda v: shown_theme_value(v, src))
        raise LabelError(
            f"theme(s) not in '{src.id}' version {src.version}: {detail}. "
            "Fix the data or use the mapping for the taxonomy it was labelled in"
        )
    plans = []  # per row: list of ThemeMap, in label order
    for i, row in enumerate(olds):
        # A category next to one of its own sub-categories adds nothing.
        keep = [] if damaged[i] else [t for t in row if not any(t in src.ancestors(o) for o in row if o != t)]
        plans.append([mapping.resolve(t) for t in keep])
    need = [i for i in range(n) if any(m.needs_choice for m in plans[i])]
    texts = {i: normalise(frame[text_col].iat[i]) for i in need} if head is not None else {}
    askable = [i for i in need if texts.get(i, "").strip()]
    proba = dict(zip(askable, head.predict_proba([texts[i] for i in askable]))) if askable else {}
    cols = {c: [""] * n for c in MIGRATION_COLUMNS}
    for i in range(n):
        new, notes, confs, review = [], [], [], damaged[i]
        if damaged[i]:
            notes.append(f"row damaged ({chunk.problems[i]}); migrate it by hand")
        for m in plans[i]:
            if not m.needs_choice:
                new += [t for t in m.to if t not in new]
                continue
            options = " | ".join(m.to)
            if i in proba:
                pick, conf = choose(proba[i], head.labels_, m.to)
                confs.append(conf)
                if conf >= threshold:
                    new += [pick] if pick not in new else []
                    notes.append(f"{m.old}: model chose {pick} from {options}")
                else:
                    review = True
                    notes.append(f"{m.old}: choose from {options} (model suggests {pick}, {conf:.2f})")
            else:
                review = True
                why = "no model given" if head is None else "empty text"
                notes.append(f"{m.old}: choose from {options} ({why})")
        if not olds[i] and not damaged[i]:  # nothing to migrate; said, so a blank is not read as "mapped to nothing"
            notes.append("no theme on the row: nothing to migrate")
            summary.unlabelled += 1
        if plans[i] and not new and not review:
            review = True
            notes.append("every theme on the row is retired")
        if tgt.is_hierarchical:
            new = tgt.with_ancestors(new)
        outcome = "needs_review" if review else "model_choice" if confs else "mapped"
        cols["old_themes"][i] = ";".join(olds[i])
        cols["new_themes"][i] = ";".join(new)
        cols["new_taxonomy"][i] = f"{tgt.id}@{tgt.version}"
        cols["migration"][i] = outcome
        cols["migration_confidence"][i] = f"{min(confs):.3f}" if confs else ""
        cols["migration_note"][i] = "; ".join(notes)
        summary.outcomes[outcome] += 1
        summary.old_themes.update(olds[i])
        summary.new_themes.update(new)
    summary.rows += n
    out = frame.copy()
    for c in MIGRATION_COLUMNS:
        out[rename[c]] = cols[c]
    return out
