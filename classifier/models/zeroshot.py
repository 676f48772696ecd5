"""Zero-shot theme evidence: how close a text is to each theme's "label: description".

The one place description similarity is computed. The taxonomy file's own
words are encoded with the sentence encoder (`classifier.features.encoder`);
a text's similarity to a theme is the cosine of the two unit vectors, taken
relative to the text's mean cosine over all themes (some descriptions are
closer to every complaint than others). Used three ways:

- `ZeroShotThemes`: a per-theme sigmoid turns the similarity into a probability
  (fitted on labelled rows when a theme has enough of them, else the
  taxonomy-wide default below), one opinion in `ThemeClassifier`;
- `description_similarity`: the raw relative similarity, which `adapt` adds to
  its scores and uses for themes with no labelled example, and `sample` uses to
  suggest themes of a taxonomy the model was not trained on.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from classifier.estimator import Estimator
from classifier.models.linear import _sigmoid, dense_dot, fit_platt
from classifier.taxonomy.schema import Taxonomy

# Sigmoid for a theme with too few labelled rows: the median of the per-theme fits on
# the project corpus (stage1-themes, every third train row with themes: 945 rows).
# Alone, zero-shot puts a right theme first for 0.55 of those rows (trained heads: ~0.9).
DEFAULT_SIGMOID = (18.6, -2.7)

_LOCK = threading.Lock()
_ENCODERS: dict[str, Any] = {}


def theme_prompts(taxonomy: Taxonomy) -> list[str]:
    """The text encoded for each leaf theme, in `leaf_ids` order: "[parent - ]label: description"."""
    out = []
    for tid in taxonomy.leaf_ids:
        t = taxonomy.theme(tid)
        parent = f"{taxonomy.theme(t.parent).label} - " if t.parent else ""
        out.append(f"{parent}{t.label}: {t.description}" if t.description else f"{parent}{t.label}")
    return out


def relative_cosines(vectors: np.ndarray, theme_vectors: np.ndarray) -> np.ndarray:
    """(texts, themes) cosine of each unit vector to each theme's, minus the text's mean over themes."""
    cos = dense_dot(vectors, theme_vectors)
    return cos - cos.mean(axis=1, keepdims=True)


def shared_encode(texts: list[str]) -> np.ndarray:
    """Unit vectors of (already redacted) texts from the default encoder, loaded once per process."""
    from classifier.features.encoder import SentenceEncoder, default_encoder_dir

    key = str(default_encoder_dir())
    with _LOCK:  # one onnxruntime session shared by the server's threads
        if key not in _ENCODERS:
            _ENCODERS[key] = SentenceEncoder(default_encoder_dir())
        return _ENCODERS[key].encode(list(texts))


def description_vectors(taxonomy: Taxonomy, encode=shared_encode) -> np.ndarray:
    """(themes, dim) unit vectors of `theme_prompts`."""
    return np.asarray(encode(theme_prompts(taxonomy)), dtype=np.float32)


def description_similarity(
    redacted_texts: list[str], theme_vectors: np.ndarray, encode=shared_encode, vectors: np.ndarray | None = None
) -> np.ndarray:
    """(texts, themes) relative cosine of each (already redacted) text to each description;
    `vectors`: the texts' encoder vectors when the caller has them (no second encoder run)."""
    if vectors is None:
        if not len(redacted_texts):
            return np.zeros((0, theme_vectors.shape[0]), dtype=np.float64)
        vectors = encode(list(redacted_texts))
    return relative_cosines(vectors, theme_vectors)


class ZeroShotThemes(Estimator):
    """Theme probabilities from encoder vectors, with no trained weights but a sigmoid per theme.

    `fit(taxonomy, encode, vectors=None, Y=None)`: `encode` turns texts into unit
    vectors (the model's sentence encoder); `vectors` / `Y` are labelled rows'
    vectors and 0/1 theme matrix for the sigmoids (optional).
    """

    def __init__(self, min_positives=10, default_sigmoid=DEFAULT_SIGMOID):
        self.min_positives = min_positives
        self.default_sigmoid = default_sigmoid

    def fit(self, taxonomy: Taxonomy, encode, vectors: np.ndarray | None = None, Y: np.ndarray | None = None):
        self.labels_ = list(taxonomy.leaf_ids)
        self.theme_vectors_ = description_vectors(taxonomy, encode)
        L = len(self.labels_)
        self.sigmoid_ = np.tile(np.asarray(self.default_sigmoid, dtype=np.float64), (L, 1))
        self.fitted_from_rows_ = [False] * L
        if vectors is not None and Y is not None and len(vectors):
            rel = self.relative_cosines(vectors)
            Y = np.asarray(Y)
            for j in range(L):
                if Y[:, j].sum() >= self.min_positives and (1 - Y[:, j]).sum() >= self.min_positives:
                    self.sigmoid_[j] = fit_platt(rel[:, j], Y[:, j])
                    self.fitted_from_rows_[j] = True
        return self

    def relative_cosines(self, vectors: np.ndarray) -> np.ndarray:
        return relative_cosines(vectors, self.theme_vectors_)

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        rel = self.relative_cosines(vectors)
        return _sigmoid(rel * self.sigmoid_[:, 0] + self.sigmoid_[:, 1])
