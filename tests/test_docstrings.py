"""The public API is documented: a docstring on every public callable, with numpy-style
Parameters (when it takes any) and Returns (when it returns a value) sections.

The public API is everything `classifier` exports and every library name the
`complaints` commands import (found in classifier/cli/*.py, so a new command's
library functions are covered without editing this file), with the public
methods of those classes.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import textwrap
from pathlib import Path

import pytest

import classifier

CLI = Path(classifier.__file__).parent / "cli"


def public_api() -> dict[str, object]:
    """Qualified name -> object, for everything the package exports and the CLI calls."""
    api = {f"classifier.{n}": getattr(classifier, n) for n in classifier.__all__}
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("classifier"):
                continue
            if node.module.startswith("classifier.cli"):
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                obj = getattr(module, alias.name)
                if not alias.name.startswith("_") and callable(obj):
                    api[f"{node.module}.{alias.name}"] = obj
    # One entry per object, under its shortest name.
    by_id: dict[int, str] = {}
    for name, obj in sorted(api.items(), key=lambda kv: (len(kv[0]), kv[0])):
        by_id.setdefault(id(obj), name)
    out = {name: api[name] for name in by_id.values()}
    for name, obj in list(out.items()):
        if isinstance(obj, type):
            out.update({f"{name}.{m}": f for m, f in _own_methods(obj)})
    return out


def _own_methods(cls: type):
    """Public methods defined in the package's classes of `cls`'s MRO (not Python's or scikit-learn's)."""
    seen = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("classifier"):
            continue
        for name, member in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            if inspect.isfunction(member):
                yield name, member


def _has_parameters(obj) -> bool:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return False
    return any(p.name not in ("self", "cls") for p in sig.parameters.values())


def _returns_value(fn) -> bool:
    """A `return <value>` in the function's own body (not in nested functions)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return False
    top = tree.body[0]

    def walk(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            if isinstance(child, ast.Return) and child.value is not None:
                if not (isinstance(child.value, ast.Constant) and child.value.value is None):
                    return True
            if walk(child):
                return True
        return False

    return walk(top)


def _own_init(cls: type) -> bool:
    """`cls` (or a base of the package) defines __init__: dataclass fields count."""
    return any("__init__" in vars(k) for k in cls.__mro__ if k.__module__.startswith("classifier"))


def problems(name: str, obj) -> list[str]:
    """What is missing from `obj`'s docstring ([] when it is complete)."""
    doc = obj.__doc__ if isinstance(obj, type) else inspect.getdoc(obj)
    if isinstance(obj, type) and dataclasses.is_dataclass(obj) and (doc or "").startswith(f"{obj.__name__}("):
        doc = None  # the signature dataclasses write when there is no docstring
    if not doc or not doc.strip():
        return [f"{name}: no docstring"]
    doc = inspect.cleandoc(doc)
    out = []
    if isinstance(obj, type):
        takes = _own_init(obj) and _has_parameters(obj)
    else:
        takes = _has_parameters(obj)
    if takes and "Parameters\n----------" not in doc:
        out.append(f"{name}: takes parameters but has no 'Parameters' section")
    if not isinstance(obj, type) and _returns_value(obj) and "Returns\n-------" not in doc:
        out.append(f"{name}: returns a value but has no 'Returns' section")
    return out


def test_the_public_api_is_found():
    api = public_api()
    for expected in (
        "classifier.label_table",
        "classifier.train_model",
        "classifier.evaluate_model",
        "classifier.ComplaintModel.suggest",
        "classifier.pipeline.relabel.relabel_history",
        "classifier.taxonomy.migrate.migrate_labels",
        "classifier.learning.api.extract_learning_table",
        "classifier.report.build_report",
        "classifier.pipeline.adapt.adapt_model",
        "classifier.pipeline.sample.sample_rows",
    ):
        assert expected in api, expected
    assert not any(n.rsplit(".", 1)[-1].startswith("_") for n in api)


def test_every_public_callable_has_a_numpy_docstring():
    missing = [p for name, obj in sorted(public_api().items()) for p in problems(name, obj)]
    assert not missing, "document these (numpy style, short):\n" + "\n".join(missing)


# The checker itself: it must fail on what it is meant to catch.


def _undocumented(texts, top=3):
    return texts[:top]


def _no_parameters_section(texts):
    """Documented, but the parameters are not."""
    return texts


def _documented(texts, top=3):
    """First texts.

    Parameters
    ----------
    texts : list of str
    top : int

    Returns
    -------
    list of str
    """
    return texts[:top]


@dataclasses.dataclass
class _UndocumentedData:
    rows: int = 0


class _Plain:
    """No parameters, nothing to list."""


@pytest.mark.parametrize(
    "obj,expected",
    [
        (_undocumented, "no docstring"),
        (_no_parameters_section, "no 'Parameters' section"),
        (_UndocumentedData, "no docstring"),
    ],
)
def test_the_check_catches_missing_docs(obj, expected):
    found = problems("x", obj)
    assert found and expected in found[0]


def test_the_check_passes_complete_docs():
    assert problems("x", _documented) == [] and problems("x", _Plain) == []
    without_returns = _documented.__doc__.split("Returns")[0]
    _documented.__doc__, saved = without_returns, _documented.__doc__
    try:
        assert problems("x", _documented) == ["x: returns a value but has no 'Returns' section"]
    finally:
        _documented.__doc__ = saved
