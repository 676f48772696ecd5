import json
import shutil
import warnings

import numpy as np
import pytest

from classifier.errors import ModelIntegrityError, ModelLoadError
from classifier.pipeline.persistence import default_model_dir, load_model, sha256_file
from tests.conftest import CORPUS

TEXTS = [
    "The social worker shouted at me in front of my children.",
    "my pa still hasnt paid my setting up home grant",
    "Nobody has told us when family time with our daughter will restart.",
]


def test_save_load_gives_identical_probabilities(small_model_dir, small_model):
    again = load_model(small_model_dir)
    assert np.array_equal(small_model.themes.predict_proba(TEXTS), again.themes.predict_proba(TEXTS))
    assert np.array_equal(small_model.child.predict_proba(TEXTS), again.child.predict_proba(TEXTS))


def test_meta_records_what_the_issue_asks(small_model_dir):
    meta = json.loads((small_model_dir / "meta.json").read_text())
    for key in ("versions", "taxonomy", "labels", "thresholds", "training_data", "cv_metrics", "created_at", "sha256"):
        assert key in meta, key
    assert {"python", "scikit-learn", "spacy", "complaint-themes"} <= set(meta["versions"])
    assert set(meta["taxonomy"]) >= {"id", "version", "hash"}
    assert meta["sha256"]["model.npz"] == sha256_file(small_model_dir / "model.npz")
    assert meta["training_data"]["rows"] > 100 and len(meta["training_data"]["sha256"]) == 64
    assert (small_model_dir / "MODEL_CARD.md").read_text().startswith("# Model card: ")


def test_tampered_model_is_refused_before_unpickling(small_model_dir, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(small_model_dir, bad)
    with (bad / "model.npz").open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelIntegrityError, match="refusing to load"):
        load_model(bad)


def test_missing_pieces_give_clear_errors(small_model_dir, tmp_path):
    with pytest.raises(ModelLoadError, match="no meta.json"):
        load_model(tmp_path)
    broken = tmp_path / "nohash"
    shutil.copytree(small_model_dir, broken)
    meta = json.loads((broken / "meta.json").read_text())
    meta["sha256"] = {}
    (broken / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelIntegrityError, match="records no SHA-256"):
        load_model(broken)


def test_version_difference_warns(small_model_dir, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(small_model_dir, other)
    meta = json.loads((other / "meta.json").read_text())
    meta["versions"]["spacy"] = "3.0.0"
    (other / "meta.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match="spacy 3.0.0"):
        load_model(other)
    meta["versions"]["scikit-learn"] = "0.24.2"
    (other / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="scikit-learn 0.24.2"):
        load_model(other)


def test_shipped_default_model_matches_training_data_and_is_small():
    d = default_model_dir()
    meta = json.loads((d / "meta.json").read_text())
    assert meta["training_data"]["sha256"] == sha256_file(CORPUS), (
        "training_data/representations.csv changed since models/default was trained: run `make model`"
    )
    learning = CORPUS.parent / "learning_sentences.csv"
    assert meta["learning_data"]["sha256"] == sha256_file(learning), "learning sentences changed: run `make model`"
    size = sum(p.stat().st_size for p in d.iterdir())
    assert size <= 10 * 1024 * 1024
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = load_model(d)
    assert model.taxonomy.id == meta["taxonomy"]["id"]
    assert model.child is not None and model.kind is not None and model.learning is not None


def test_features_give_the_same_matrix_after_pickling_without_their_cache(small_model):
    import pickle

    feats = small_model.themes.features_
    texts = ["The worker shouted at me!!", "", "my pa hasnt paid   my grant", "Ünïcödé 😡 contact"]
    before = feats.transform(texts)  # fills the per-word cache
    assert feats.char_._cache
    saved = pickle.loads(pickle.dumps(feats))
    assert saved.char_._cache == {}
    assert abs(saved.transform(texts) - before).max() < 1e-6


def test_package_copy_of_default_model_is_the_repository_one():
    """classifier/default_model (shipped in the wheel) must point at models/default."""
    from pathlib import Path

    import classifier

    pkg = Path(classifier.__file__).parent / "default_model"
    assert (pkg / "meta.json").read_bytes() == (CORPUS.parents[1] / "models" / "default" / "meta.json").read_bytes()


def test_learning_component_is_checked_when_first_used(tmp_path):
    """learning.npz is loaded lazily, and verified like model.npz."""
    d = tmp_path / "m"
    shutil.copytree(default_model_dir(), d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = load_model(d)
        assert model.learning_loader is not None  # not unpickled yet
        with (d / "learning.npz").open("ab") as fh:
            fh.write(b"\0")
        with pytest.raises(ModelIntegrityError, match="learning.npz"):
            _ = model.learning


def test_training_is_byte_for_byte_reproducible(small_data, small_model_dir, tmp_path):
    """Same data and seed -> the same model file (what `make model` promises)."""
    from classifier.pipeline.training import train_model

    train_model(small_data, tmp_path / "again", seed=0, theme_params={"cv_folds": 3})
    assert sha256_file(tmp_path / "again" / "model.npz") == sha256_file(small_model_dir / "model.npz")


def test_saved_model_files_are_private_and_loadable(small_model, tmp_path):
    import stat

    from classifier.pipeline.persistence import save_model

    out = tmp_path / "ours"
    shared_meta = small_model.meta  # save_model replaces it; other tests read the session fixture's
    try:
        save_model(small_model, out, {}, "# card {model_version}\n")
    finally:
        small_model.meta = shared_meta
    files = [p for p in out.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"model.npz", "meta.json", "MODEL_CARD.md"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files), [oct(p.stat().st_mode) for p in files]
    assert load_model(out).version.startswith("ours-")
