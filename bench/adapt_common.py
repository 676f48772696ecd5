"""Shared pieces of the `adapt` benchmarks (bench/adapt_dev.py, bench/adapt_curve.py).

Vectors of a table's texts are computed once and kept in out/ (numbers only, no
text), keyed by the table's SHA-256, so a rerun does not re-encode the corpus.
Every method is scored as the shipped model labels: TF-IDF and encoder heads
together (engine tfidf+embed), with the thresholds that go with them.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from classifier.features.encoder import SentenceEncoder, default_encoder_dir  # noqa: E402
from classifier.models.adapted import AdaptedThemes  # noqa: E402
from classifier.models.residual import ResidualThemes  # noqa: E402
from classifier.models.themes import ThemeClassifier  # noqa: E402
from classifier.pipeline.adapt_card import figures  # noqa: E402
from classifier.taxonomy.schema import parse_theme_list  # noqa: E402
from classifier.text import prepare  # noqa: E402

KEYS = ("top1_any", "main_theme_top1", "main_theme_top3", "macro_f1")


def read_rows(path: Path, keep=lambda r: True) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if keep(r)]


def prepared(path: Path, rows: list[dict]):
    """Prepared docs, gold themes and encoder vectors of `rows` (vectors cached in out/)."""
    docs = prepare([r["text"] for r in rows])
    ids = hashlib.sha256(("\n".join(r.get("id", "") for r in rows)).encode()).hexdigest()[:12]
    sha = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    cache = ROOT / "out" / f"adapt_vectors_{path.stem}_{sha}_{ids}.npy"
    if cache.exists():
        V = np.load(cache)
    else:
        V = SentenceEncoder(default_encoder_dir()).encode([d.redacted for d in docs])
        cache.parent.mkdir(exist_ok=True)
        np.save(cache, V)
    return docs, [parse_theme_list(r["themes"]) for r in rows], V


def dev_corpus():
    """The corpus's non-test rows with themes, prepared, with encoder vectors; the shipped model's
    taxonomy and theme hyperparameters: (rows, docs, gold, V, tax, params) for the dev benches."""
    from classifier.pipeline.persistence import load_model

    path = ROOT / "training_data" / "representations.csv"
    rows = read_rows(path, lambda r: r["split"] != "test" and r["themes"].strip())
    docs, gold, V = prepared(path, rows)
    shipped = load_model(ROOT / "models" / "default")
    return rows, docs, gold, V, shipped.taxonomy, theme_params(shipped.themes)


def theme_params(base_themes) -> dict:
    return {k: v for k, v in base_themes.get_params().items() if k != "taxonomy"}


def plain_train(tax, params, docs, gold, V):
    """The owners' method with the default engine: `complaints train` on corpus + own rows x3."""
    return ThemeClassifier(taxonomy=tax, **params).fit(docs, gold, vectors=V)


def residual(tax, own_docs, own_gold, own_V, base_themes, seed=0, refit=None, **extra):
    """As `complaints adapt` does in the base model's taxonomy: the base model corrected by the own rows
    (`refit`: over plain training on corpus + own rows x3, as `adapt` does when it finds the corpus)."""
    return ResidualThemes(taxonomy=tax, random_state=seed, **extra).fit(
        own_docs, own_gold, base_themes, own_V, refit=refit
    )


def adapt(tax, params, own_docs, own_gold, own_V, c_docs, c_gold, base_themes, **extra):
    """The corpus-refit adapt (what `complaints adapt` did before the residual head; now only another taxonomy)."""
    p = {k: v for k, v in params.items() if k in AdaptedThemes._param_names()}
    p.update(extra)
    return AdaptedThemes(taxonomy=tax, **p).fit(own_docs, own_gold, c_docs, c_gold, own_vectors=own_V, base=base_themes)


def score(model, docs, gold, V) -> dict:
    p = model.predict_proba(docs, vectors=V)
    pred = model.predict(docs, proba=p, fast=False)
    r = figures(gold, pred, p, model.labels_, resamples=1)
    return {k: r[k] for k in KEYS}


def table(results: list[dict], group_keys=("k", "how"), extra=None) -> str:
    """Markdown: mean ± sd over the rows of each group."""
    groups: dict[tuple, list] = {}
    for r in results:
        groups.setdefault(tuple(r[k] for k in group_keys), []).append(r)
    head = (
        list(group_keys)
        + ["runs", "top suggestion one of the right themes", "main theme top-1", "main theme in top 3", "macro F1"]
        + ([extra[0]] if extra else [])
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, rows in groups.items():
        cells = [str(k) for k in key] + [str(len(rows))]
        for m in KEYS:
            v = np.array([r[m] for r in rows])
            cells.append(f"{v.mean():.3f}" + (f" ± {v.std(ddof=1):.3f}" if len(v) > 1 else ""))
        if extra:
            cells.append(extra[1](rows))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
