"""Compare two taxonomies: added, removed, renamed, re-parented, split and merged themes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from classifier.errors import MappingError  # noqa: F401 (re-exported)
from classifier.taxonomy.mapping import TaxonomyMapping
from classifier.taxonomy.schema import Taxonomy, Theme


@dataclass
class TaxonomyDiff:
    """How two taxonomies differ, as data (the CLI formats it).

    Parameters
    ----------
    old, new : str
        "id vVERSION" of each.
    added, removed : list of str
        Theme ids only in the new / only in the old taxonomy.
    renamed : list of (old id, new id, old label, new label)
    reparented : list of (id, old parent, new parent)
    split : list of (old id, candidate new ids)
    merged : list of (old ids, new id)
    retired : list of str
        Old ids the mapping retires.
    """

    old: str
    new: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str, str]] = field(default_factory=list)  # old id, new id, old label, new label
    reparented: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    split: list[tuple[str, list[str]]] = field(default_factory=list)
    merged: list[tuple[list[str], str]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.added or self.removed or self.renamed or self.reparented or self.split or self.merged or self.retired
        )

    def to_dict(self) -> dict:
        """The differences as plain data (for JSON).

        Returns
        -------
        dict
        """
        return {
            k: getattr(self, k)
            for k in ("old", "new", "added", "removed", "renamed", "reparented", "split", "merged", "retired")
        }


def _norm_label(label: str) -> str:
    return " ".join(label.lower().replace("&", "and").split())


def diff_taxonomies(old: Taxonomy, new: Taxonomy, mapping: TaxonomyMapping | None = None) -> TaxonomyDiff:
    """Added, removed, renamed (same id new label, or same label new id) and, with a mapping, split themes.

    Parameters
    ----------
    old, new : Taxonomy
    mapping : TaxonomyMapping, optional
        From `old` to `new`: adds split, merged and retired themes.

    Returns
    -------
    TaxonomyDiff
    """
    if mapping is not None and (mapping.source.id, mapping.target.id) != (old.id, new.id):
        raise MappingError(
            f"{mapping.path} maps '{mapping.source.id}' to '{mapping.target.id}', not '{old.id}' to '{new.id}'"
        )
    d = TaxonomyDiff(old=f"{old.id} v{old.version}", new=f"{new.id} v{new.version}")
    old_ids, new_ids = set(old.ids), set(new.ids)
    for t in old.themes:
        if t.id in new_ids:
            n = new.theme(t.id)
            if _norm_label(n.label) != _norm_label(t.label):
                d.renamed.append((t.id, t.id, t.label, n.label))
            if n.parent != t.parent:
                d.reparented.append((t.id, t.parent, n.parent))
    gone = [t for t in old.themes if t.id not in new_ids]
    fresh = [t for t in new.themes if t.id not in old_ids]
    by_label: dict[str, Theme] = {}
    for t in fresh:
        by_label.setdefault(_norm_label(t.label), t)
    matched_new = set()
    for t in gone:
        same = by_label.get(_norm_label(t.label))
        if same is None or same.id in matched_new:
            continue
        # With a mapping, a shared label is a rename only if the mapping says one_to_one.
        m = mapping.themes.get(t.id) if mapping is not None else None
        if m is not None and (m.kind != "one_to_one" or m.to != (same.id,)):
            continue
        d.renamed.append((t.id, same.id, t.label, same.label))
        matched_new.add(same.id)
    accounted = set()
    if mapping is not None:
        into = defaultdict(list)
        for m in mapping.themes.values():
            if m.kind == "one_to_many":
                d.split.append((m.old, list(m.to)))
            elif m.kind == "retired":
                d.retired.append(m.old)
            elif m.kind == "many_to_one":
                into[m.to[0]].append(m.old)
            elif m.old not in new_ids and m.old not in {r[0] for r in d.renamed}:
                # one_to_one to a new id is a rename, whatever the labels say.
                d.renamed.append((m.old, m.to[0], old.label_of(m.old), new.label_of(m.to[0])))
                matched_new.add(m.to[0])
        d.merged = [(olds, new_id) for new_id, olds in into.items()]
        accounted = {o for o, _ in d.split} | set(d.retired) | {o for os, _ in d.merged for o in os}
    renamed_old = {r[0] for r in d.renamed}
    d.removed = [t.id for t in gone if t.id not in renamed_old and t.id not in accounted]
    d.added = [t.id for t in fresh if t.id not in matched_new]
    return d
