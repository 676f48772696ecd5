"""Save and load models: model.npz (+ learning.npz) + meta.json + MODEL_CARD.md.

Fitted state is plain data (`pipeline.state`: JSON and numpy arrays, never
pickle), so a model file cannot run code however it was altered. The SHA-256
of each file recorded in meta.json catches corruption and accidental edits;
it is not a signature (anyone who can edit the folder can edit meta.json too).
Each file is read once: the bytes that are hashed are the bytes that are loaded.
A folder holding any other file is refused. Library versions are recorded; a
difference on load is a warning.

A model that uses the sentence encoder does not hold it: the encoder is data
shipped with the package (models/encoder/, 23 MB, shared by every model and
hash-checked against the package when it loads). meta.json records the
SHA-256 of the encoder files the model was trained with; loading refuses a
model whose encoder differs from the installed one (its vectors would mean
something else), and the encoder itself is read only when first used.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import warnings
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path

from classifier.errors import (
    LibraryVersionWarning,  # noqa: F401 (re-exported)
    ModelIntegrityError,
    ModelLoadError,
    OutputError,
)
from classifier.io.safety import describe_os_error, output_mode
from classifier.pipeline.model import ComplaintModel
from classifier.pipeline.state import dumps_state, loads_state

MODEL_FILE = "model.npz"
LEARNING_FILE = "learning.npz"
META_FILE = "meta.json"
CARD_FILE = "MODEL_CARD.md"
# 2: components hold their own fitted TF-IDF state (no scikit-learn objects),
#    so loading and labelling do not import scikit-learn.
# 3: plain data (.npz with a JSON tree), no pickle anywhere.
# 4: sentence-encoder heads, zero-shot scores and complaint points beside TF-IDF.
FORMAT_VERSION = 4
# Files a model folder may hold; anything else is refused.
KNOWN_FILES = frozenset({MODEL_FILE, LEARNING_FILE, META_FILE, CARD_FILE})


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("complaint-themes", "scikit-learn", "spacy", "numpy", "scipy", "joblib"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_model_dir() -> Path:
    """Where the default model is: COMPLAINTS_MODEL, else the repository's models/default, else the package's copy.

    Returns
    -------
    Path
    """
    env = os.environ.get("COMPLAINTS_MODEL")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2] / "models" / "default"
    if (repo / META_FILE).exists():
        return repo
    return Path(str(resources.files("classifier") / "default_model"))


def check_model_folder(out_dir: str | Path, option: str = "--out") -> None:
    """Refuse, before any work, a model folder that cannot be written (a file, a read-only place).

    Parameters
    ----------
    out_dir : str or Path
        The folder the model will be saved in (created later, with its parents).
    option : str
        The command's option naming it, for the message.

    Raises
    ------
    OutputError
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{option} '{out}' is a file; give a folder for the model")
    probe = out.absolute()
    while not probe.exists():  # the folder is created with its parents: the nearest existing one is written in
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"{option} '{out}' is inside '{probe.name}', which is a file; give a folder for the model")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".write-check.", dir=probe)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise OutputError(describe_os_error(exc, out / MODEL_FILE, option=option)) from None


def save_model(model: ComplaintModel, out_dir: str | Path, meta: dict, card: str) -> dict:
    """Write a model folder: model.npz (and learning.npz), meta.json with every file's SHA-256, MODEL_CARD.md.

    Parameters
    ----------
    model : ComplaintModel
    out_dir : str or Path
        Created if missing.
    meta : dict
        What meta.json records besides what is read off the model (training data, metrics, notes).
    card : str
        The model card, as Markdown.

    Returns
    -------
    dict
        The meta.json written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parts = {
        "format": FORMAT_VERSION,
        "themes": model.themes,
        "child": model.child,
        "kind": model.kind,
        "points": bool(model.points),
    }
    digests = {MODEL_FILE: _dump(parts, out / MODEL_FILE)}
    if model.learning is not None:
        digests[LEARNING_FILE] = _dump(model.learning, out / LEARNING_FILE)
    else:
        (out / LEARNING_FILE).unlink(missing_ok=True)
    components = ["themes"] + [k for k in ("child", "kind", "learning") if getattr(model, k) is not None]
    tax = model.taxonomy
    full = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "versions": library_versions(),
        "taxonomy": {"id": tax.id, "version": tax.version, "hash": tax.content_hash, "themes": tax.to_dict()["themes"]},
        "labels": model.themes.labels_,
        "thresholds": model.themes.thresholds_,
        "components": components,
        **({"encoder": encoder_record()} if model.uses_encoder else {}),
        **meta,
        "sha256": digests,
    }
    full["model_version"] = f"{out.name}-{tax.id}.v{tax.version}-{digests[MODEL_FILE][:8]}"
    _write_atomic((json.dumps(full, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), out / META_FILE)
    _write_atomic(card.replace("{model_version}", full["model_version"]).encode("utf-8"), out / CARD_FILE)
    model.meta = full
    return full


def encoder_record() -> dict:
    """What meta.json says about the sentence encoder a model was trained with."""
    from classifier.features.encoder import DIM, expected_hashes

    return {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (int8 ONNX, per-channel)",
        "dim": DIM,
        "location": "shipped with the package (models/encoder/); not in the model folder",
        "sha256": expected_hashes(),
    }


def _check_encoder(d: Path, meta: dict) -> None:
    recorded = (meta.get("encoder") or {}).get("sha256")
    if not recorded:
        return
    from classifier.features.encoder import expected_hashes

    if recorded != expected_hashes():
        raise ModelLoadError(
            f"'{d}' was trained with another sentence encoder than the one installed; retrain it with "
            "'complaints train' (or install the version of the tool that made it)"
        )


def _dump(obj, path: Path) -> str:
    """Write atomically; return the SHA-256 of what was written."""
    data = dumps_state(obj)
    _write_atomic(data, path)
    return hashlib.sha256(data).hexdigest()


def _write_atomic(data: bytes, path: Path) -> None:
    # A model learned from a trust's own rows is theirs: private (0600) like every output
    # unless --umask says otherwise; a file overwritten keeps its mode.
    mode = output_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _verified_load(path: Path, expected: str | None, meta: dict):
    """Load a state file whose bytes match the SHA-256 in meta.json (read once: no swap between check and load)."""
    if not path.exists():
        raise ModelLoadError(f"'{path}' is missing; retrain or restore the model folder")
    if not expected:
        raise ModelIntegrityError(
            f"'{path.parent / META_FILE}' records no SHA-256 for {path.name}; refusing to load it"
        )
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ModelIntegrityError(
            f"'{path}' does not match the SHA-256 in meta.json (expected {expected[:12]}…, "
            f"found {actual[:12]}…); refusing to load a modified model file. Restore it or retrain"
        )
    return loads_state(data, str(path))


def model_folder(model_dir: str | Path | None) -> Path:
    """The folder a --model value names: None, or "default" when no folder of that name is here, is the
    bundled model (so help examples work from any folder)."""
    if not model_dir or (str(model_dir) == "default" and not Path("default").exists()):
        return default_model_dir()
    return Path(model_dir)


def read_meta(model_dir: str | Path) -> dict:
    """A model folder's meta.json, without loading the model.

    Parameters
    ----------
    model_dir : str or Path

    Returns
    -------
    dict
    """
    d = model_folder(model_dir)
    meta_path = d / META_FILE
    if not d.is_dir():
        what = "is a file, not a model folder" if d.exists() else "does not exist"
        raise ModelLoadError(
            f"'{d}' {what}; give a model folder made by 'complaints train' or 'adapt' (--model on the command line)"
        )
    if not meta_path.exists():
        raise ModelLoadError(
            f"no {META_FILE} in '{d}'; give a model folder made by 'complaints train' (--model on the command line)"
        )
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        raise ModelLoadError(f"'{meta_path}' is not valid JSON; retrain or restore the model folder") from None


def load_model(model_dir: str | Path | None = None) -> ComplaintModel:
    """Load a model folder, checking every file against meta.json first (plain data only, never pickle).

    Parameters
    ----------
    model_dir : str or Path, optional
        Default: `default_model_dir()`; so is the name "default" when no folder of that name is here.

    Returns
    -------
    ComplaintModel
    """
    d = model_folder(model_dir)
    meta = read_meta(d)
    extra = sorted(p.name for p in d.iterdir() if p.name not in KNOWN_FILES)
    if extra:
        raise ModelIntegrityError(
            f"'{d}' holds files a model folder never has ({', '.join(extra[:5])}); refusing to load it. "
            "Remove them or restore the folder"
        )
    if meta.get("format") != FORMAT_VERSION:
        raise ModelLoadError(
            f"'{d}' was saved in model format {meta.get('format')}, this version reads format "
            f"{FORMAT_VERSION}; retrain it with 'complaints train' (or use the version that made it)"
        )
    hashes = meta.get("sha256") or {}
    _check_versions(meta.get("versions", {}))
    _check_encoder(d, meta)
    parts = _verified_load(d / MODEL_FILE, hashes.get(MODEL_FILE), meta)
    if not isinstance(parts, dict) or parts.get("format") != FORMAT_VERSION:
        raise ModelLoadError(f"'{d / MODEL_FILE}' has an unknown format; retrain with this version of the tool")
    loader = None
    if LEARNING_FILE in hashes:

        def loader():
            return _verified_load(d / LEARNING_FILE, hashes[LEARNING_FILE], meta)

    return ComplaintModel(
        themes=parts["themes"],
        child=parts.get("child"),
        kind=parts.get("kind"),
        meta=meta,
        points=bool(parts.get("points")),
        learning_loader=loader,
    )


def _check_versions(saved: dict) -> None:
    now = library_versions()
    sk_saved, sk_now = saved.get("scikit-learn", ""), now["scikit-learn"]
    if sk_saved and sk_saved.split(".")[0] != sk_now.split(".")[0]:
        raise ModelLoadError(
            f"model was saved with scikit-learn {sk_saved}, installed is {sk_now}; "
            "retrain the model or install a matching scikit-learn"
        )
    differ = [
        f"{k} {saved[k]} (now {now[k]})"
        for k in ("scikit-learn", "spacy", "numpy", "python")
        if saved.get(k) and now.get(k) and saved[k] != now[k]
    ]
    if differ:
        warnings.warn(
            "model saved with other library versions: "
            + ", ".join(differ)
            + "; predictions may differ slightly - retrain to silence this",
            LibraryVersionWarning,
            stacklevel=3,
        )
