"""Zero-shot theme scores: how close a text is to each theme's "label: description".

The taxonomy file's own words are encoded once with the sentence encoder; a
text's score for a theme is the cosine of its vector to the theme's, taken
relative to the text's mean cosine over all themes (some descriptions are
closer to every complaint than others). A per-theme sigmoid turns that into
a probability: fitted on labelled rows when a theme has enough of them, else
the taxonomy-wide default below. So any custom taxonomy gets theme scores
before a single row is labelled, and better ones as rows come in.
"""

from __future__ import annotations

import numpy as np

from classifier.estimator import Estimator
from classifier.models.linear import _sigmoid, dense_dot, fit_platt
from classifier.taxonomy.schema import Taxonomy

# Sigmoid for a theme with too few labelled rows: the median of the per-theme fits on
# the project corpus (stage1-themes, every third train row with themes: 945 rows).
# Alone, zero-shot puts a right theme first for 0.55 of those rows (trained heads: ~0.9).
DEFAULT_SIGMOID = (18.6, -2.7)


def theme_prompts(taxonomy: Taxonomy) -> list[str]:
    """The text encoded for each leaf theme, in `leaf_ids` order."""
    out = []
    for tid in taxonomy.leaf_ids:
        t = taxonomy.theme(tid)
        out.append(f"{t.label}: {t.description}" if t.description else t.label)
    return out


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
        self.theme_vectors_ = np.asarray(encode(theme_prompts(taxonomy)), dtype=np.float32)
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
        cos = dense_dot(vectors, self.theme_vectors_)
        return cos - cos.mean(axis=1, keepdims=True)

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        rel = self.relative_cosines(vectors)
        return _sigmoid(rel * self.sigmoid_[:, 0] + self.sigmoid_[:, 1])
