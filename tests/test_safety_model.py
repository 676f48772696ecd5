"""Finding 1: a model folder cannot run code, even when its meta.json hashes are updated to match."""

import hashlib
import io
import json
import pickle
import shutil

import numpy as np
import pytest

from classifier.errors import ModelLoadError
from classifier.pipeline.persistence import default_model_dir, load_model
from classifier.pipeline.state import dumps_state, loads_state


class _Payload:
    """Unpickling this writes a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('ran')",))


def _plant(folder, name, data: bytes) -> None:
    """Replace `name` with `data` AND update its hash in meta.json, as an attacker with folder access would."""
    (folder / name).write_bytes(data)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["sha256"][name] = hashlib.sha256(data).hexdigest()
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


@pytest.fixture()
def model_copy(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(default_model_dir(), folder)
    return folder


def _pickle_variants(marker):
    raw = pickle.dumps(_Payload(marker))
    buf = io.BytesIO()  # the payload as an object array inside a genuine .npz
    arr = np.empty(1, dtype=object)
    arr[0] = _Payload(marker)
    np.savez(buf, __tree__=np.frombuffer(b'{"format":"complaint-themes-state/1","root":null}', np.uint8), a0=arr)
    return {"raw pickle": raw, "object array in npz": buf.getvalue()}


@pytest.mark.parametrize("variant", ["raw pickle", "object array in npz"])
def test_planted_pickle_with_matching_hash_never_runs_in_model_file(model_copy, tmp_path, variant):
    marker = tmp_path / "pwned"
    _plant(model_copy, "model.npz", _pickle_variants(marker)[variant])
    with pytest.raises(ModelLoadError):
        m = load_model(model_copy)
        m.analyse(["a test"])  # in case loading were lazy
    assert not marker.exists()


@pytest.mark.parametrize("variant", ["raw pickle", "object array in npz"])
def test_planted_pickle_with_matching_hash_never_runs_in_learning_file(model_copy, tmp_path, variant):
    marker = tmp_path / "pwned"
    _plant(model_copy, "learning.npz", _pickle_variants(marker)[variant])
    m = load_model(model_copy)  # the learning file is read when first used
    with pytest.raises(ModelLoadError):
        _ = m.learning
    assert not marker.exists()


def _tree_npz(tree: dict, **arrays) -> bytes:
    buf = io.BytesIO()
    blob = json.dumps(tree).encode()
    np.savez(buf, __tree__=np.frombuffer(blob, np.uint8), **arrays)
    return buf.getvalue()


@pytest.mark.parametrize(
    "root",
    [
        {"__object__": "os:system", "state": {}},
        {"__object__": "builtins:eval", "state": {}},
        {"__object__": "subprocess:Popen", "state": {"args": "touch x"}},
        {"__map__": {"themes": {"__object__": "classifier.pipeline.persistence:ModelLoadError", "state": {}}}},
        {"__dtype__": "|O"},
        {"__unknown__": 1},
    ],
)
def test_tree_naming_a_class_off_the_allow_list_or_an_object_dtype_is_refused(root):
    data = _tree_npz({"format": "complaint-themes-state/1", "root": root})
    with pytest.raises(ModelLoadError):
        loads_state(data, "planted")


def test_object_array_behind_an_allowed_reference_is_refused(tmp_path):
    arr = np.empty(2, dtype=object)
    arr[:] = ["a", "b"]
    data = _tree_npz({"format": "complaint-themes-state/1", "root": {"__ndarray__": "a0"}}, a0=arr)
    with pytest.raises(ModelLoadError):
        loads_state(data, "planted")
    with pytest.raises(TypeError):
        dumps_state({"x": arr})  # and we never write one


def test_planted_tree_with_matching_hash_is_refused_by_load_model(model_copy):
    _plant(
        model_copy,
        "model.npz",
        _tree_npz({"format": "complaint-themes-state/1", "root": {"__object__": "os:system", "state": {}}}),
    )
    with pytest.raises(ModelLoadError, match="not allowed"):
        load_model(model_copy)


def test_extra_file_in_model_folder_is_refused(model_copy):
    (model_copy / "model.joblib").write_bytes(b"anything")
    with pytest.raises(ModelLoadError, match="files a model folder never has"):
        load_model(model_copy)
