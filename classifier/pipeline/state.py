"""Fitted state as plain data: a JSON tree plus numpy arrays in one `.npz`, never pickle.

Model files travel between teams and councils, so loading one must not be able
to run code. `dump_state` writes an object graph as JSON (numbers, strings,
lists, tuples, dicts, sets) with every numpy array and sparse matrix stored as
an array in the same `.npz` file (`allow_pickle=False` both ways).
Objects are stored as their class name and attribute dictionary, and
`load_state` rebuilds only classes named in `ALLOWED_CLASSES`: an unknown
class, an object array or a pickled member makes loading fail with
`ModelLoadError`. A tampered file can at worst change predictions; it cannot
execute anything.
"""

from __future__ import annotations

import importlib
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from classifier.errors import ModelLoadError

# "module:qualname" of every class a model file may hold. Fixed in code: a model
# file cannot extend it. scikit-learn classes appear only in the learning extractor.
ALLOWED_CLASSES = frozenset(
    {
        "classifier.features.tfidf:FittedTfidf",
        "classifier.features.tfidf:TextFeatures",
        "classifier.features.fastregex:AnyMatch",
        "classifier.models.linear:CalibratedOvR",
        "classifier.models.themes:ThemeClassifier",
        "classifier.models.child:ChildAuthoredDetector",
        "classifier.models.kind:KindClassifier",
        "classifier.models.zeroshot:ZeroShotThemes",
        "classifier.models.adapted:AdaptedThemes",
        "classifier.models.residual:ResidualThemes",
        "classifier.features.combined:EncodedFeatures",
        "classifier.taxonomy.schema:Taxonomy",
        "classifier.taxonomy.schema:Theme",
        "classifier.learning.extractor:LearningExtractor",
        "sklearn.feature_extraction.text:TfidfVectorizer",
        "sklearn.feature_extraction.text:TfidfTransformer",
        "sklearn.linear_model._logistic:LogisticRegression",
    }
)
_TREE = "__tree__"
FORMAT = "complaint-themes-state/1"


class _Writer:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        # An object held by several components (the shared TF-IDF features) is written
        # once; later mentions are references, so loading gives one shared object again.
        self.seen: dict[int, int] = {}
        self.keep: list = []

    def array(self, a: np.ndarray) -> dict:
        if a.dtype.hasobject:
            raise TypeError("object arrays cannot be saved as plain data")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = a
        return {"__ndarray__": key}

    def enc(self, o: Any) -> Any:
        import scipy.sparse as sp

        if o is None or isinstance(o, (bool, str)):
            return o
        if isinstance(o, int) and not isinstance(o, np.integer):
            return o
        if isinstance(o, float):
            return o if math.isfinite(o) else {"__float__": repr(o)}
        if isinstance(o, np.ndarray):
            return self.array(o)
        if isinstance(o, np.generic):
            return {"__npscalar__": o.dtype.str, "value": self.enc(o.item())}
        if isinstance(o, type) and issubclass(o, np.generic):
            return {"__dtype__": np.dtype(o).str}
        if isinstance(o, np.dtype):
            return {"__dtype__": o.str, "instance": True}
        if sp.issparse(o):
            m = o.tocsr()
            return {
                "__sparse__": "csr",
                "shape": list(m.shape),
                "data": self.array(m.data),
                "indices": self.array(m.indices),
                "indptr": self.array(m.indptr),
            }
        if isinstance(o, tuple):
            return {"__tuple__": [self.enc(v) for v in o]}
        if isinstance(o, list):
            return [self.enc(v) for v in o]
        if isinstance(o, (set, frozenset)):
            return {"__set__": [self.enc(v) for v in sorted(o, key=repr)], "frozen": isinstance(o, frozenset)}
        if isinstance(o, dict):
            if all(isinstance(k, str) for k in o):
                return {"__map__": {k: self.enc(v) for k, v in o.items()}}
            return {"__dict__": [[self.enc(k), self.enc(v)] for k, v in o.items()]}
        if isinstance(o, re.Pattern):
            return {"__regex__": o.pattern, "flags": int(o.flags)}
        name = f"{type(o).__module__}:{type(o).__qualname__}"
        if name not in ALLOWED_CLASSES:
            raise TypeError(f"{name} is not a class a model file may hold (add it to ALLOWED_CLASSES)")
        if id(o) in self.seen:
            return {"__ref__": self.seen[id(o)]}
        ref = self.seen[id(o)] = len(self.seen)
        self.keep.append(o)  # ids stay unique while writing
        getstate = getattr(o, "__getstate__", None)
        state = getstate() if getstate is not None else o.__dict__
        if not isinstance(state, dict):
            raise TypeError(f"{name}: state must be a dict")
        return {"__object__": name, "state": self.enc(state), "ref": ref}


class _Reader:
    def __init__(self, arrays, where: str) -> None:
        self.arrays = arrays
        self.where = where
        self.objects: dict[int, Any] = {}

    def fail(self, what: str):
        raise ModelLoadError(f"'{self.where}' holds {what}; refusing to load it. Restore the file or retrain")

    def array(self, key) -> np.ndarray:
        if not isinstance(key, str) or key not in self.arrays:
            self.fail("a reference to a missing array")
        return self.arrays[key]

    def dec(self, o: Any) -> Any:
        if o is None or isinstance(o, (bool, int, float, str)):
            return o
        if isinstance(o, list):
            return [self.dec(v) for v in o]
        if not isinstance(o, dict) or len(o) == 0:
            self.fail("an unknown value")
        tag = next(iter(o))
        if tag == "__map__":
            return {k: self.dec(v) for k, v in o[tag].items()}
        if tag == "__dict__":
            return {self.dec(k): self.dec(v) for k, v in o[tag]}
        if tag == "__tuple__":
            return tuple(self.dec(v) for v in o[tag])
        if tag == "__ndarray__":
            return self.array(o[tag])
        if tag == "__float__":
            return float(o[tag])
        if tag == "__npscalar__":
            return np.dtype(o[tag]).type(self.dec(o["value"]))
        if tag == "__dtype__":
            dt = np.dtype(o[tag])
            if dt.hasobject:
                self.fail("an object dtype")
            return dt if o.get("instance") else dt.type
        if tag == "__set__":
            items = [self.dec(v) for v in o[tag]]
            return frozenset(items) if o.get("frozen") else set(items)
        if tag == "__sparse__":
            import scipy.sparse as sp

            return sp.csr_matrix(
                (self.array(o["data"]), self.array(o["indices"]), self.array(o["indptr"])), shape=tuple(o["shape"])
            )
        if tag == "__regex__":
            return re.compile(o[tag], o["flags"])
        if tag == "__object__":
            return self.obj(o[tag], o.get("state"), o.get("ref"))
        if tag == "__ref__":
            if o[tag] not in self.objects:
                self.fail("a reference to an object not yet read")
            return self.objects[o[tag]]
        self.fail("an unknown tag")

    def obj(self, name, state, ref=None):
        if name not in ALLOWED_CLASSES:
            self.fail(f"a class that is not allowed ({str(name)[:80]})")
        module, _, qualname = name.partition(":")
        cls = getattr(importlib.import_module(module), qualname)
        inst = cls.__new__(cls)
        if isinstance(ref, int) and not isinstance(ref, bool):
            self.objects[ref] = inst
        state = self.dec(state)
        if not isinstance(state, dict):
            self.fail("an object whose state is not a mapping")
        setstate = getattr(inst, "__setstate__", None)
        if setstate is not None and type(inst).__setstate__ is not getattr(object, "__setstate__", None):
            setstate(state)
        else:
            inst.__dict__.update(state)
        return inst


def dumps_state(obj: Any) -> bytes:
    """The bytes of a `.npz` holding `obj` as plain data (see module docstring)."""
    w = _Writer()
    tree = {"format": FORMAT, "root": w.enc(obj)}
    blob = json.dumps(tree, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    buf = io.BytesIO()
    members: dict[str, np.ndarray] = {_TREE: np.frombuffer(blob, dtype=np.uint8), **w.arrays}
    np.savez_compressed(buf, **members)  # type: ignore[arg-type]
    return buf.getvalue()


def loads_state(data: bytes, where: str = "model file") -> Any:
    """Rebuild an object from `dumps_state` bytes; never unpickles."""
    try:
        npz = np.load(io.BytesIO(data), allow_pickle=False)
        arrays = {k: npz[k] for k in npz.files}
    except Exception as exc:  # not an npz, damaged, or an object array (which needs pickle)
        raise ModelLoadError(
            f"'{where}' is not a readable model file ({type(exc).__name__}); restore it or retrain"
        ) from None
    if _TREE not in arrays:
        raise ModelLoadError(f"'{where}' has no state tree; restore it or retrain")
    try:
        tree = json.loads(arrays.pop(_TREE).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelLoadError(f"'{where}' has a damaged state tree; restore it or retrain") from None
    if not isinstance(tree, dict) or tree.get("format") != FORMAT:
        raise ModelLoadError(f"'{where}' is in an unknown state format; retrain with this version")
    return _Reader(arrays, where).dec(tree.get("root"))


def dump_state(obj: Any, path: str | Path) -> bytes:
    """Write `obj` to `path` as plain data; returns the bytes written (for hashing)."""
    data = dumps_state(obj)
    Path(path).write_bytes(data)
    return data
