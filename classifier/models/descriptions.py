"""Zero-shot theme evidence: how close a text is to each theme's "label: description".

Used by `adapt` for a taxonomy the base model was not trained on and for
themes with no labelled example. Texts and descriptions are embedded by the
ONNX sentence encoder (`classifier.features.encoder`); the similarity is the
cosine of the two unit vectors. Everything that touches the encoder is behind
`description_similarity`, so another zero-shot scorer can replace it in one place.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from classifier.taxonomy.schema import Taxonomy

_LOCK = threading.Lock()
_ENCODERS: dict[str, object] = {}


def encoder_dir() -> Path:
    """COMPLAINTS_ENCODER, else the repository's models/encoder."""
    env = os.environ.get("COMPLAINTS_ENCODER")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "models" / "encoder"


def _encoder(folder: Path | None = None):
    from classifier.features.encoder import SentenceEncoder

    key = str(folder or encoder_dir())
    with _LOCK:
        if key not in _ENCODERS:
            _ENCODERS[key] = SentenceEncoder(Path(key))
        return _ENCODERS[key]


def description_texts(taxonomy: Taxonomy) -> list[str]:
    """One "label: description" per leaf theme, in `leaf_ids` order."""
    out = []
    for tid in taxonomy.leaf_ids:
        t = taxonomy.theme(tid)
        parent = f"{taxonomy.theme(t.parent).label} - " if t.parent else ""
        out.append(f"{parent}{t.label}: {t.description}".strip().rstrip(":"))
    return out


def description_vectors(taxonomy: Taxonomy) -> np.ndarray:
    """(themes, dim) unit vectors of the descriptions."""
    return _encode(description_texts(taxonomy))


def _encode(texts: list[str]) -> np.ndarray:
    enc = _encoder()
    with _LOCK:  # one onnxruntime session shared by the server's threads
        return enc.encode(texts)


def description_similarity(redacted_texts: list[str], vectors: np.ndarray) -> np.ndarray:
    """(texts, themes) cosine similarity of each (already redacted) text to each description."""
    if not redacted_texts:
        return np.zeros((0, vectors.shape[0]), dtype=np.float32)
    return _encode(list(redacted_texts)) @ vectors.T
