"""Mapping files: where each theme of an old taxonomy goes in a new one.

A mapping file says, for every theme of the old taxonomy, where it goes in the
new one:

    from: {id: two-level-service-complaints, version: 1}
    to: {id: stage1-themes, version: 1}
    themes:
      staff_conduct/bias: {kind: many_to_one, to: [conduct]}
      delay/consult_or_notify: {kind: one_to_many, to: [communication, delay]}

`one_to_one` and `many_to_one` are applied as they stand; `one_to_many` lists
candidates, of which a model trained on the new taxonomy picks one (or an
analyst, when the model is unsure or absent); `retired` themes are dropped.
`from`/`to` may carry `file:` (relative to the mapping file) for taxonomies
that are not bundled.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from classifier.errors import (
    MappingError,  # noqa: F401 (re-exported)
    TaxonomyError,
)
from classifier.taxonomy.schema import Taxonomy, load_taxonomy
from classifier.yamlio import check_keys, parse_yaml

KINDS = ("one_to_one", "many_to_one", "one_to_many", "retired")
MIGRATION_COLUMNS = ["old_themes", "new_themes", "new_taxonomy", "migration", "migration_confidence", "migration_note"]
DEFAULT_THRESHOLD = 0.6
_TOP_KEYS = {"from", "to", "themes", "name", "description"}
_SIDE_KEYS = {"id", "version", "file"}
_ENTRY_KEYS = {"kind", "to", "note"}


@dataclass(frozen=True)
class ThemeMap:
    old: str
    kind: str
    to: tuple[str, ...]
    note: str = ""
    derived: bool = False  # made from a category's sub-categories, not written in the file

    @property
    def needs_choice(self) -> bool:
        return self.kind == "one_to_many"


@dataclass(frozen=True)
class TaxonomyMapping:
    source: Taxonomy
    target: Taxonomy
    themes: dict
    path: str = ""

    def resolve(self, old_id: str) -> ThemeMap:
        """The entry for an old theme; a bare category is resolved from its sub-categories."""
        if old_id in self.themes:
            return self.themes[old_id]
        leaves = [l for l in self.source.leaf_ids if old_id in self.source.ancestors(l)]
        if old_id not in self.source.ids or not leaves:
            raise MappingError(f"theme '{old_id}' is not in taxonomy '{self.source.id}'")
        targets: list[str] = []
        for leaf in leaves:
            targets += [t for t in self.themes[leaf].to if t not in targets]
        kind = "retired" if not targets else "many_to_one" if len(targets) == 1 else "one_to_many"
        return ThemeMap(old_id, kind, tuple(targets), "resolved from its sub-categories", derived=True)


# ------------------------------------------------------------------ loading


def bundled_mappings() -> list[str]:
    folder = resources.files("classifier") / "taxonomies" / "maps"
    try:
        return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".yml"))
    except FileNotFoundError:
        return []


def _taxonomy_for(side: str, spec: dict, given, base: Path | None, where: str) -> Taxonomy:
    if given is not None:
        tax = given if isinstance(given, Taxonomy) else load_taxonomy(given)
    elif spec.get("file"):
        f = Path(str(spec["file"]))
        tax = load_taxonomy(f if f.is_absolute() or base is None else base / f)
    else:
        try:
            tax = load_taxonomy(str(spec["id"]))
        except TaxonomyError:
            raise MappingError(
                f"{where}: '{side}' taxonomy '{spec['id']}' is not bundled; add 'file:' to '{side}' "
                "or pass the taxonomy file"
            ) from None
    if tax.id != str(spec["id"]).strip() or tax.version != str(spec["version"]).strip():
        raise MappingError(
            f"{where}: the mapping's '{side}' taxonomy is '{spec['id']}' version {spec['version']}, "
            f"but the taxonomy given is '{tax.id}' version {tax.version}; use a mapping written for it"
        )
    return tax


def load_mapping(
    path, from_taxonomy: Taxonomy | str | None = None, to_taxonomy: Taxonomy | str | None = None
) -> TaxonomyMapping:
    """Read and validate a mapping file between two taxonomies.

    Parameters
    ----------
    path : str or Path
        A YAML file, or the name of a bundled map.
    from_taxonomy, to_taxonomy : Taxonomy or str, optional
        Checked against the taxonomies the file names (default: load those).

    Returns
    -------
    TaxonomyMapping
    """
    p = Path(path)
    if not p.exists() and str(path) in bundled_mappings():
        text = (resources.files("classifier") / "taxonomies" / "maps" / f"{path}.yml").read_text("utf-8")
        base, where = None, f"mapping 'bundled:{path}'"
    elif not p.exists():
        raise MappingError(
            f"mapping file '{p}' not found; pass a YAML file or one of the bundled maps: "
            + (", ".join(bundled_mappings()) or "(none)")
        )
    else:
        text, base, where = p.read_text(encoding="utf-8"), p.parent, f"mapping '{p}'"
    data = parse_yaml(text, MappingError, where)
    return parse_mapping(data, from_taxonomy, to_taxonomy, base, where)


def parse_mapping(
    data, from_taxonomy=None, to_taxonomy=None, base: Path | None = None, where: str = "mapping"
) -> TaxonomyMapping:
    data = check_keys(data, _TOP_KEYS, (), MappingError, where)
    for side in ("from", "to"):
        spec = data.get(side)
        if not isinstance(spec, dict) or not spec.get("id") or spec.get("version") in (None, ""):
            raise MappingError(
                f"{where}: '{side}' must give the taxonomy's id and version, "
                f"e.g. {side}: {{id: stage1-themes, version: 1}}"
            )
        if set(spec) - _SIDE_KEYS:
            raise MappingError(f"{where}: '{side}' has unknown key(s) {sorted(set(spec) - _SIDE_KEYS)}")
    source = _taxonomy_for("from", data["from"], from_taxonomy, base, where)
    target = _taxonomy_for("to", data["to"], to_taxonomy, base, where)
    raw = data.get("themes")
    if not isinstance(raw, dict) or not raw:
        raise MappingError(f"{where}: 'themes' must map each old theme id to {{kind, to}}")
    themes: dict[str, ThemeMap] = {}
    unknown_old, unknown_new, categories = [], [], []
    target_leaves = set(target.leaf_ids)
    for old, entry in raw.items():
        old = str(old).strip()
        if old not in source.ids:
            unknown_old.append(old)
            continue
        if not isinstance(entry, dict) or set(entry) - _ENTRY_KEYS or entry.get("kind") not in KINDS:
            raise MappingError(
                f"{where}: theme '{old}' needs 'kind' (one of {', '.join(KINDS)}) and 'to' "
                "(a list of new theme ids), optionally 'note'"
            )
        to = entry.get("to") or []
        if not isinstance(to, list):
            raise MappingError(f"{where}: theme '{old}': 'to' must be a list")
        to = [str(t).strip() for t in to]
        unknown_new += [t for t in to if t not in target.ids]
        categories += [t for t in to if t in target.ids and t not in target_leaves]
        if len(set(to)) != len(to):
            raise MappingError(f"{where}: theme '{old}' lists a target twice")
        kind = entry["kind"]
        want = {
            "one_to_one": "exactly one",
            "many_to_one": "exactly one",
            "one_to_many": "two or more",
            "retired": "no",
        }[kind]
        ok = {"one_to_one": len(to) == 1, "many_to_one": len(to) == 1, "one_to_many": len(to) >= 2, "retired": not to}[
            kind
        ]
        if not ok:
            raise MappingError(
                f"{where}: theme '{old}' is {kind}, so 'to' must list {want} theme(s); it lists {len(to)}"
            )
        themes[old] = ThemeMap(old, kind, tuple(to), str(entry.get("note") or "").strip())
    if unknown_old:
        raise MappingError(
            f"{where}: theme id(s) {', '.join(sorted(unknown_old))} are not in the 'from' "
            f"taxonomy '{source.id}' version {source.version}"
        )
    if unknown_new:
        raise MappingError(
            f"{where}: target id(s) {', '.join(sorted(set(unknown_new)))} are not in the 'to' "
            f"taxonomy '{target.id}' version {target.version}"
        )
    if categories:
        raise MappingError(
            f"{where}: {', '.join(sorted(set(categories)))} are categories in '{target.id}'; "
            "map to their sub-categories (a model predicts sub-categories)"
        )
    missing = [l for l in source.leaf_ids if l not in themes]
    if missing:
        raise MappingError(
            f"{where}: no mapping for {', '.join(missing)}; every theme of '{source.id}' "
            "needs an entry (use kind: retired to drop one)"
        )
    # The kind must tell the truth, so that a diff built from it does too.
    single = defaultdict(list)
    for m in themes.values():
        if m.kind in ("one_to_one", "many_to_one"):
            single[m.to[0]].append(m.old)
    for m in themes.values():
        shared = len(single[m.to[0]]) > 1 if m.to else False
        if m.kind == "one_to_one" and shared:
            raise MappingError(
                f"{where}: '{m.old}' is one_to_one but {', '.join(single[m.to[0]])} all map "
                f"to '{m.to[0]}'; call them many_to_one"
            )
        if m.kind == "many_to_one" and not shared:
            raise MappingError(
                f"{where}: '{m.old}' is many_to_one but is the only theme mapped to '{m.to[0]}'; call it one_to_one"
            )
    return TaxonomyMapping(source, target, themes, where)


def _as_mapping(mapping) -> TaxonomyMapping:
    return mapping if isinstance(mapping, TaxonomyMapping) else load_mapping(mapping)
