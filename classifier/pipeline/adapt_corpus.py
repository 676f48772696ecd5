"""The base model's training corpus for `adapt`: finding it, its rows (mapped to another taxonomy),
and the base model's engine refitted on it plus the own rows."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from classifier.errors import AdaptError
from classifier.features.tfidf import TextFeatures
from classifier.models.themes import ThemeClassifier
from classifier.pipeline.persistence import sha256_file
from classifier.pipeline.training import read_training_data
from classifier.redact.vocabulary import drop_terms
from classifier.taxonomy.schema import Taxonomy

REFIT_OWN_WEIGHT = 3  # own rows counted 3 times in the refit: the owners' plain-training weight
BUNDLED_CORPUS_DIR = Path(__file__).resolve().parents[2] / "training_data"
REDACT_DIR = Path(__file__).resolve().parents[1] / "redact"
DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def find_corpus(base_meta: dict, corpus: str | Path | None) -> tuple[Path | None, list[str]]:
    """The base model's training table: --corpus, else training_data/<file> beside the repo or here."""
    td = base_meta.get("training_data", {})
    if corpus is not None:
        p = Path(corpus)
        if not p.exists():
            raise AdaptError(f"corpus '{p}' not found; pass the table the base model was trained on")
        same = td.get("sha256") == sha256_file(p)
        return p, (
            []
            if same
            else [f"corpus '{p.name}' is not the file the base model was trained on (SHA-256 differs); used as given"]
        )
    name = td.get("file")
    if name:
        for folder in (BUNDLED_CORPUS_DIR, Path.cwd() / "training_data"):
            p = folder / name
            if p.exists() and sha256_file(p) == td.get("sha256"):
                return p, []
    return None, [
        f"the base model's training corpus ({name or 'unknown'}) was not found; adapted from the "
        "own rows and theme descriptions only (pass --corpus FILE to add it)"
    ]


def corpus_rows(path: Path, base_tax: Taxonomy, tax: Taxonomy, mapping) -> tuple[list, list, list, list[str]]:
    """Corpus texts, themes in `tax`, child flags, notes. Another taxonomy: only rows the mapping
    carries over unambiguously (one_to_one / many_to_one), retired themes dropped."""
    data = read_training_data(path)
    splits = data.splits or ["train"] * data.rows_read
    keep = [i for i in range(data.rows_read) if splits[i] != "test"]
    child = [data.child[i] for i in keep] if data.child is not None else [None] * len(keep)
    texts, themes = [data.texts[i] for i in keep], [data.themes[i] for i in keep]
    if mapping is None:
        return texts, themes, child, []
    out_t, out_th, out_c, ambiguous = [], [], [], 0
    for text, row, c in zip(texts, themes, child):
        new, ok = [], True
        for t in row:
            m = mapping.resolve(t)
            if m.needs_choice:
                ok = False
                break
            new += [x for x in m.to if x not in new]
        if ok and new:
            out_t.append(text)
            out_th.append(new)
            out_c.append(c)
        elif row:
            ambiguous += 1
    note = (
        f"corpus mapped to '{tax.id}' through {mapping.path or 'the mapping'}: {len(out_t)} rows used, "
        f"{ambiguous} left out (a theme maps to several, or to none)"
    )
    return out_t, out_th, out_c, [note]


def cache_folder() -> Path:
    """$COMPLAINTS_CACHE_DIR, else the user's cache folder (LOCALAPPDATA on Windows, XDG_CACHE_HOME, ~/.cache)."""
    if os.environ.get("COMPLAINTS_CACHE_DIR"):
        return Path(os.environ["COMPLAINTS_CACHE_DIR"])
    root = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "complaint-themes"


def corpus_vectors(encoder, texts: list[str], path: Path | None) -> np.ndarray:
    """Encoder vectors of corpus texts (most of a refit's time). Those of the bundled corpus (team-written,
    not complaint data) are kept in `cache_folder()`, numbers only, keyed by the SHA-256 of the file, the
    encoder's files and the encoder's and redactor's code, so a rerun of `adapt` skips encoding; any other corpus is encoded each
    time, never cached."""
    from classifier.features import encoder as encoder_module

    cache = None
    if path is not None and Path(path).resolve().parent == BUNDLED_CORPUS_DIR.resolve():
        # The encoder's and the redactor's code are in the key too: how a text is read can change without
        # the encoder's files changing.
        readers = [Path(encoder_module.__file__), *sorted(REDACT_DIR.glob("*.py")), *sorted(DATA_DIR.glob("redact_*"))]
        code = [sha256_file(p) for p in readers]
        key = json.dumps([sha256_file(Path(path)), encoder_module.expected_hashes(), code, len(texts)], sort_keys=True)
        cache = cache_folder() / f"corpus_vectors_{hashlib.sha256(key.encode()).hexdigest()[:24]}.npy"
        try:
            cached = np.load(cache, allow_pickle=False)
            if cached.shape[0] == len(texts):
                return cached
        except (OSError, ValueError):
            pass
    vectors = np.asarray(encoder.encode(texts), dtype=np.float32)
    if cache is not None:
        try:  # a cache that cannot be written only costs time
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_suffix(f".{os.getpid()}.part")
            with partial.open("wb") as fh:
                np.save(fh, vectors, allow_pickle=False)
            partial.replace(cache)
        except OSError:
            pass
    return vectors


def refit_on_corpus(
    base, c_docs, c_themes, own_docs, own_themes, own_vectors, seed, corpus_path: Path | None = None
) -> ThemeClassifier:
    """The base model's engine retrained on its corpus rows with themes plus the own rows x3
    (`corpus_path`: the corpus file, whose vectors are cached when it is the bundled one)."""
    keep = [i for i, t in enumerate(c_themes) if t]
    c_vectors = encode = None
    if own_vectors is not None:
        c_vectors = corpus_vectors(base.encoder, [c_docs[i].redacted for i in keep], corpus_path)
        if getattr(base.themes, "zeroshot_", None) is not None:
            encode = base.encoder.encode
    params = {k: v for k, v in base.themes.get_params().items() if k != "taxonomy"}
    params["random_state"] = seed
    return refit_themes(
        base.taxonomy,
        params,
        [c_docs[i] for i in keep],
        [c_themes[i] for i in keep],
        own_docs,
        own_themes,
        c_vectors,
        own_vectors,
        encode,
    )


def refit_themes(
    tax, params: dict, c_docs, c_themes, own_docs, own_themes, c_vectors=None, own_vectors=None, encode=None
) -> ThemeClassifier:
    """`ThemeClassifier(**params)` on corpus rows plus the own rows counted `REFIT_OWN_WEIGHT` times.

    The vocabulary is fitted as plain training on those rows fits it (the repeats weigh in the caps
    and idf), then every term fewer than `min_df` distinct texts use is dropped: repeated, a word that
    only one own row uses (a name the redactor missed) would pass `min_df`; it stays out, as in `train`."""
    w = REFIT_OWN_WEIGHT
    docs, themes = list(c_docs) + list(own_docs) * w, list(c_themes) + list(own_themes) * w
    vectors = None if own_vectors is None else np.vstack([c_vectors] + [own_vectors] * w)
    shared = None
    if params.get("features", "tfidf") == "tfidf":
        names = ("word_ngrams", "char_ngrams", "min_df", "max_word_features", "max_char_features")
        shared = TextFeatures(**{k: params[k] for k in names if k in params}).fit(docs)
        distinct = list(c_docs) + list(own_docs)
        if len(distinct) >= 4 * shared.min_df:  # TextFeatures applies min_df from that size on
            _drop_rare_terms(shared, distinct)
    return ThemeClassifier(taxonomy=tax, **params).fit(
        docs, themes, shared_features=shared, vectors=vectors, encode=encode
    )


def _drop_rare_terms(features: TextFeatures, docs) -> None:
    """Remove, in place, the terms of `features` that fewer than `min_df` of `docs` use."""
    parts = [(features.word_, [d.lemmas for d in docs])]
    if features.char_ is not None:
        parts.append((features.char_, [d.redacted for d in docs]))
    for vec, texts in parts:
        X = vec.transform(texts).tocsr()
        used_by = np.bincount(X.indices, minlength=len(vec.vocabulary_))  # one entry per row and term
        common = {t for t, c in vec.vocabulary_.items() if used_by[c] >= features.min_df}
        vocab, idf = drop_terms(vec.vocabulary_, vec.idf_, common.__contains__)
        vec.vocabulary_, vec.idf_, vec._cache = vocab, idf.astype(np.asarray(vec.idf_).dtype), {}
    features.n_word_features_ = len(features.word_.vocabulary_)
