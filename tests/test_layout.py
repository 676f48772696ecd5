"""The package reads as the pipeline: rooms by stage, imports only point down, no cycles, small modules."""

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "classifier"

# Rank of each room in the data flow (read -> redact -> text -> features -> models -> ...).
# A module may import from its own rank or below, never above.
RANKS = {
    "errors": 0,
    "yamlio": 0,
    "metrics": 0,
    "estimator": 0,
    "io": 1,
    "redact": 2,
    "text": 3,
    "features": 4,
    "taxonomy": 4,
    "models": 5,
    "learning": 6,
    "pipeline": 7,
    "parallel": 8,
    "report": 8,
    "serve": 8,
    "cli": 9,
    "__main__": 9,
}
MAX_TOP_LEVEL_MODULES = 12
MAX_LINES = 450


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).with_suffix("")
        yield ".".join(("classifier",) + rel.parts).removesuffix(".__init__"), path


def _imports(path: Path, module: str) -> set[str]:
    """Every classifier.* module imported anywhere in the file (top level or inside functions)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = (
                    module.split(".")[: -node.level]
                    if not path.name == "__init__.py"
                    else module.split(".")[: len(module.split(".")) - node.level + 1]
                )
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.startswith("classifier"):
                out.add(name)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("classifier"))
    return out


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _top_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.module for n in tree.body if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("classifier")
    ]


MODULES = dict(_modules())


def test_every_room_has_a_rank():
    rooms = {_room(m) for m in MODULES} - {""}
    assert rooms <= set(RANKS), f"give these rooms a rank in RANKS: {sorted(rooms - set(RANKS))}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_never_point_up_the_pipeline(module):
    if module == "classifier":  # the package's lazy re-exports
        return
    mine = RANKS[_room(module)]
    upward = sorted(m for m in _imports(MODULES[module], module) if _room(m) and RANKS.get(_room(m), 99) > mine)
    assert not upward, f"{module} (rank {mine}) imports from a later stage: {upward}"


def test_no_import_cycles_between_modules():
    graph = {m: {i for i in _top_level_imports(p) if i in MODULES and i != m} for m, p in MODULES.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m):
        state[m] = 1
        path.append(m)
        for n in graph[m]:
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(n) :] + [n]))
            if n not in state:
                visit(n)
        path.pop()
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m)


def test_few_modules_directly_in_the_package_and_none_too_long():
    top = [p.name for p in PKG.glob("*.py")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
    long = {
        str(p.relative_to(PKG)): n
        for p in PKG.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules (over {MAX_LINES} lines): {long}"


def _how_it_works_rows() -> list[tuple[str, str]]:
    readme = (PKG.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return [(step, where.strip().strip("`")) for step, where in rows[1:]]


def test_readme_how_it_works_names_what_is_in_the_tree_in_pipeline_order():
    rows = _how_it_works_rows()
    rooms = []
    for step, where in rows:
        target = PKG.parent / where
        assert target.exists(), f"README 'How it works' names {where}, which is not in the tree"
        for name in re.findall(r"`([^`]+)`", step):
            if "/" in name:
                assert (PKG.parent / name).exists(), f"README 'How it works' names {name}, which is not in the tree"
            elif target.is_dir() and re.fullmatch(r"\w+(\.\w+)?", name):
                file = name if "." in name else f"{name}.py"
                assert (target / file).exists(), f"README 'How it works': no {file} in {where}"
        if where != "classifier/":
            rooms.append(Path(where).stem if where.endswith(".py") else Path(where).name)
    assert set(rooms) == {r for r in RANKS if r not in ("errors", "yamlio", "metrics", "estimator", "__main__")}
    ranks = [RANKS[r] for r in rooms]
    assert ranks == sorted(ranks), f"README 'How it works' rows are not in pipeline order: {rooms}"
