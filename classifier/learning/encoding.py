"""The pretrained sentence encoder (ONNX, no torch) as features for the learning extractor.

The extractor keeps only plain settings (`embed_weight`, `encoder_folder`); the
encoder itself is loaded here, on first use, once per process and folder, from
`models/encoder/` beside the package unless a folder is given. It is never part
of a saved model. A missing folder is an `EncoderError` that says what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from classifier.errors import EncoderError

DEFAULT_ENCODER_FOLDER = Path(__file__).resolve().parents[2] / "models" / "encoder"


@lru_cache(maxsize=2)
def _load(folder: str):
    from classifier.features.encoder import SentenceEncoder

    return SentenceEncoder(folder, threads=1)


def sentence_encoder(folder: str | Path | None = None):
    """The `SentenceEncoder` in `folder` (None: models/encoder), loaded once per process."""
    path = Path(folder) if folder else DEFAULT_ENCODER_FOLDER
    if not path.is_dir():
        raise EncoderError(
            f"this learning extractor uses the sentence encoder, but the folder '{path}' does not exist; "
            "restore models/encoder/ from the repository, or train the extractor with embed_weight=0"
        )
    return _load(str(path.resolve()))


def embed(texts: Sequence[str], folder: str | Path | None = None) -> np.ndarray:
    """(n, 384) float32 unit vectors, one per text."""
    return sentence_encoder(folder).encode(list(texts), batch_size=32)
