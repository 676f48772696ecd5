"""Taxonomy change: compare two taxonomies and migrate historic labels.

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

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from .errors import LabelError, TaxonomyError, TaxonomyMismatchError
from .tables import TableWriter, added_columns, open_chunks, require_column
from .taxonomy import Taxonomy, load_taxonomy, parse_theme_list
from .text import normalise
from .yamlio import safe_load as _yaml_load

KINDS = ("one_to_one", "many_to_one", "one_to_many", "retired")
MIGRATION_COLUMNS = ["old_themes", "new_themes", "new_taxonomy", "migration", "migration_confidence", "migration_note"]
DEFAULT_THRESHOLD = 0.6
_TOP_KEYS = {"from", "to", "themes", "name", "description"}
_SIDE_KEYS = {"id", "version", "file"}
_ENTRY_KEYS = {"kind", "to", "note"}


class MappingError(TaxonomyError):
    """A mapping file is invalid or does not fit the taxonomies it names."""


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
                "or pass the taxonomy file") from None
    if tax.id != str(spec["id"]).strip() or tax.version != str(spec["version"]).strip():
        raise MappingError(
            f"{where}: the mapping's '{side}' taxonomy is '{spec['id']}' version {spec['version']}, "
            f"but the taxonomy given is '{tax.id}' version {tax.version}; use a mapping written for it")
    return tax


def load_mapping(path, from_taxonomy: Taxonomy | str | None = None,
                 to_taxonomy: Taxonomy | str | None = None) -> TaxonomyMapping:
    """Read and validate a mapping file (a path, or the name of a bundled map)."""
    p = Path(path)
    if not p.exists() and str(path) in bundled_mappings():
        text = (resources.files("classifier") / "taxonomies" / "maps" / f"{path}.yml").read_text("utf-8")
        base, where = None, f"mapping 'bundled:{path}'"
    elif not p.exists():
        raise MappingError(f"mapping file '{p}' not found; pass a YAML file or one of the bundled maps: "
                           + (", ".join(bundled_mappings()) or "(none)"))
    else:
        text, base, where = p.read_text(encoding="utf-8"), p.parent, f"mapping '{p}'"
    try:
        data = _yaml_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MappingError(f"{where} is not valid YAML"
                           + (f" at line {mark.line + 1}" if mark else "") + "; fix the syntax") from None
    return parse_mapping(data, from_taxonomy, to_taxonomy, base, where)


def parse_mapping(data, from_taxonomy=None, to_taxonomy=None, base: Path | None = None,
                  where: str = "mapping") -> TaxonomyMapping:
    if not isinstance(data, dict):
        raise MappingError(f"{where}: expected keys from, to, themes")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise MappingError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
    for side in ("from", "to"):
        spec = data.get(side)
        if not isinstance(spec, dict) or not spec.get("id") or spec.get("version") in (None, ""):
            raise MappingError(f"{where}: '{side}' must give the taxonomy's id and version, "
                               f"e.g. {side}: {{id: stage1-themes, version: 1}}")
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
            raise MappingError(f"{where}: theme '{old}' needs 'kind' (one of {', '.join(KINDS)}) and 'to' "
                               "(a list of new theme ids), optionally 'note'")
        to = entry.get("to") or []
        if not isinstance(to, list):
            raise MappingError(f"{where}: theme '{old}': 'to' must be a list")
        to = [str(t).strip() for t in to]
        unknown_new += [t for t in to if t not in target.ids]
        categories += [t for t in to if t in target.ids and t not in target_leaves]
        if len(set(to)) != len(to):
            raise MappingError(f"{where}: theme '{old}' lists a target twice")
        kind = entry["kind"]
        want = {"one_to_one": "exactly one", "many_to_one": "exactly one", "one_to_many": "two or more",
                "retired": "no"}[kind]
        ok = {"one_to_one": len(to) == 1, "many_to_one": len(to) == 1, "one_to_many": len(to) >= 2,
              "retired": not to}[kind]
        if not ok:
            raise MappingError(f"{where}: theme '{old}' is {kind}, so 'to' must list {want} theme(s); "
                               f"it lists {len(to)}")
        themes[old] = ThemeMap(old, kind, tuple(to), str(entry.get("note") or "").strip())
    if unknown_old:
        raise MappingError(f"{where}: theme id(s) {', '.join(sorted(unknown_old))} are not in the 'from' "
                           f"taxonomy '{source.id}' version {source.version}")
    if unknown_new:
        raise MappingError(f"{where}: target id(s) {', '.join(sorted(set(unknown_new)))} are not in the 'to' "
                           f"taxonomy '{target.id}' version {target.version}")
    if categories:
        raise MappingError(f"{where}: {', '.join(sorted(set(categories)))} are categories in '{target.id}'; "
                           "map to their sub-categories (a model predicts sub-categories)")
    missing = [l for l in source.leaf_ids if l not in themes]
    if missing:
        raise MappingError(f"{where}: no mapping for {', '.join(missing)}; every theme of '{source.id}' "
                           "needs an entry (use kind: retired to drop one)")
    # The kind must tell the truth, so that a diff built from it does too.
    single = defaultdict(list)
    for m in themes.values():
        if m.kind in ("one_to_one", "many_to_one"):
            single[m.to[0]].append(m.old)
    for m in themes.values():
        shared = len(single[m.to[0]]) > 1 if m.to else False
        if m.kind == "one_to_one" and shared:
            raise MappingError(f"{where}: '{m.old}' is one_to_one but {', '.join(single[m.to[0]])} all map "
                               f"to '{m.to[0]}'; call them many_to_one")
        if m.kind == "many_to_one" and not shared:
            raise MappingError(f"{where}: '{m.old}' is many_to_one but is the only theme mapped to "
                               f"'{m.to[0]}'; call it one_to_one")
    return TaxonomyMapping(source, target, themes, where)


def _as_mapping(mapping) -> TaxonomyMapping:
    return mapping if isinstance(mapping, TaxonomyMapping) else load_mapping(mapping)


# ------------------------------------------------------------------ diff

@dataclass
class TaxonomyDiff:
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
        return not (self.added or self.removed or self.renamed or self.reparented or self.split
                    or self.merged or self.retired)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("old", "new", "added", "removed", "renamed", "reparented",
                                               "split", "merged", "retired")}


def _norm_label(label: str) -> str:
    return " ".join(label.lower().replace("&", "and").split())


def diff_taxonomies(old: Taxonomy, new: Taxonomy, mapping: TaxonomyMapping | None = None) -> TaxonomyDiff:
    """Added, removed, renamed (same id new label, or same label new id) and, with a mapping, split themes."""
    if mapping is not None and (mapping.source.id, mapping.target.id) != (old.id, new.id):
        raise MappingError(f"{mapping.path} maps '{mapping.source.id}' to '{mapping.target.id}', "
                           f"not '{old.id}' to '{new.id}'")
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
    by_label = {}
    for t in fresh:
        by_label.setdefault(_norm_label(t.label), t)
    matched_new = set()
    for t in gone:
        n = by_label.get(_norm_label(t.label))
        if n is None or n.id in matched_new:
            continue
        # With a mapping, a shared label is a rename only if the mapping says one_to_one.
        m = mapping.themes.get(t.id) if mapping is not None else None
        if m is not None and (m.kind != "one_to_one" or m.to != (n.id,)):
            continue
        d.renamed.append((t.id, n.id, t.label, n.label))
        matched_new.add(n.id)
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


def format_diff(d: TaxonomyDiff) -> str:
    lines = [f"{d.old} -> {d.new}"]
    if d.is_empty:
        return lines[0] + "\nNo differences."
    def block(title, items):
        if items:
            lines.append(f"{title} ({len(items)}):")
            lines.extend(f"  {i}" for i in items)
    block("Added", d.added)
    block("Removed", d.removed)
    block("Renamed", [f"{o} '{ol}' -> {n} '{nl}'" if o != n else f"{o}: '{ol}' -> '{nl}'"
                      for o, n, ol, nl in d.renamed])
    block("Moved to another parent", [f"{i}: {a or '(top level)'} -> {b or '(top level)'}"
                                      for i, a, b in d.reparented])
    block("Split (one old theme, several candidates)", [f"{o} -> {' | '.join(ns)}" for o, ns in d.split])
    block("Merged", [f"{', '.join(os)} -> {n}" for os, n in d.merged])
    block("Retired", d.retired)
    return "\n".join(lines)


# ------------------------------------------------------------------ migrate

@dataclass
class MigrationSummary:
    rows: int = 0
    outcomes: Counter = field(default_factory=Counter)      # mapped / model_choice / needs_review
    old_themes: Counter = field(default_factory=Counter)
    new_themes: Counter = field(default_factory=Counter)
    mapping: str = ""
    model_version: str | None = None
    threshold: float = DEFAULT_THRESHOLD


def _theme_head(model):
    """The ThemeClassifier of a ComplaintModel (or the classifier itself)."""
    return getattr(model, "themes", model)


def check_model_for_mapping(model, mapping: TaxonomyMapping) -> None:
    tax = _theme_head(model).taxonomy_
    if (tax.id, tax.version) != (mapping.target.id, mapping.target.version):
        raise TaxonomyMismatchError(
            f"the mapping migrates to '{mapping.target.id}' version {mapping.target.version} but the model "
            f"was trained on '{tax.id}' version {tax.version}; pass --model with a model trained on the new "
            "taxonomy, or none to leave the choices to an analyst")
    missing = {t for m in mapping.themes.values() for t in m.to} - set(_theme_head(model).labels_)
    if missing:
        raise TaxonomyMismatchError(f"the model does not predict {', '.join(sorted(missing))}; retrain it "
                                    f"on the current '{tax.id}' taxonomy file")


def _declared_ok(value: str, tax: Taxonomy) -> bool:
    return value in ("", tax.id, f"{tax.id}@{tax.version}", f"{tax.id}:{tax.version}")


def choose(proba_row: np.ndarray, labels: list[str], candidates: tuple[str, ...]) -> tuple[str, float]:
    """The model's pick among the candidates and its share of their probability.

    Probabilities are per-theme (one-vs-rest), so they are renormalised over the
    candidates: the share is the model's confidence that this candidate, rather
    than the others, is the one meant, given that one of them is.
    """
    p = np.array([proba_row[labels.index(c)] for c in candidates], dtype=float)
    total = float(p.sum())
    if total <= 0:
        return candidates[0], 0.0
    j = int(p.argmax())
    return candidates[j], float(p[j] / total)


def migrate_labels(data_path, mapping, output_path, model=None, themes_column="themes", text_column="text",
                   threshold: float = DEFAULT_THRESHOLD, taxonomy_column="taxonomy",
                   chunk_rows: int = 2000) -> MigrationSummary:
    """Rewrite historic labels into the mapping's new taxonomy; one output row per input row, in order.

    Adds old_themes, new_themes, new_taxonomy (id@version, so the output can be
    relabelled or trained on), migration (mapped / model_choice / needs_review),
    migration_confidence (the weakest model choice on the row) and migration_note.
    """
    mapping = _as_mapping(mapping)
    if not 0.0 <= threshold <= 1.0:
        raise LabelError(f"threshold must be between 0 and 1, got {threshold}")
    head = None
    if model is not None:
        check_model_for_mapping(model, mapping)
        head = _theme_head(model)
    summary = MigrationSummary(mapping=mapping.path, threshold=threshold,
                               model_version=getattr(model, "version", None) if model is not None else None)
    columns, chunks = open_chunks(data_path, chunk_rows)
    theme_col = require_column(columns, themes_column, "--themes-column")
    text_col = require_column(columns, text_column, "--text-column") if head is not None else None
    out_columns, rename = added_columns(columns, MIGRATION_COLUMNS)
    writer = TableWriter(output_path, out_columns, input_path=data_path)
    try:
        for chunk in chunks:
            writer.write(_migrate_frame(chunk, mapping, head, theme_col, text_col, taxonomy_column,
                                        threshold, summary, rename))
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return summary


def _migrate_frame(chunk, mapping: TaxonomyMapping, head, theme_col, text_col, taxonomy_col, threshold,
                   summary: MigrationSummary, rename):
    frame, n = chunk.frame, len(chunk.frame)
    src, tgt = mapping.source, mapping.target
    if taxonomy_col in frame.columns:
        bad = [chunk.first_row + i for i, v in enumerate(frame[taxonomy_col]) if not _declared_ok(v.strip(), src)]
        if bad:
            raise TaxonomyMismatchError(
                f"rows {', '.join(map(str, bad[:10]))} declare a taxonomy other than '{src.id}', which the "
                f"mapping migrates from; use a mapping from that taxonomy")
    olds = [parse_theme_list(v) for v in frame[theme_col]]
    damaged = [bool(p) for p in chunk.problems]
    unknown = defaultdict(list)
    for i, row in enumerate(olds):
        for t in ([] if damaged[i] else row):
            if t not in src.ids:
                unknown[t].append(chunk.first_row + i)
    if unknown:
        detail = "; ".join(f"'{t}' in rows {', '.join(map(str, r[:8]))}" for t, r in sorted(unknown.items()))
        raise LabelError(f"theme id(s) not in '{src.id}' version {src.version}: {detail}. "
                         "Fix the data or use the mapping for the taxonomy it was labelled in")
    plans = []  # per row: list of ThemeMap, in label order
    for i, row in enumerate(olds):
        # A category next to one of its own sub-categories adds nothing.
        keep = [] if damaged[i] else [t for t in row if not any(t in src.ancestors(o) for o in row if o != t)]
        plans.append([mapping.resolve(t) for t in keep])
    need = [i for i in range(n) if any(m.needs_choice for m in plans[i])]
    texts = {i: normalise(frame[text_col].iat[i]) for i in need} if head is not None else {}
    askable = [i for i in need if texts.get(i, "").strip()]
    proba = dict(zip(askable, head.predict_proba([texts[i] for i in askable]))) if askable else {}
    cols = {c: [""] * n for c in MIGRATION_COLUMNS}
    for i in range(n):
        new, notes, confs, review = [], [], [], damaged[i]
        if damaged[i]:
            notes.append(f"row damaged ({chunk.problems[i]}); migrate it by hand")
        for m in plans[i]:
            if not m.needs_choice:
                new += [t for t in m.to if t not in new]
                continue
            options = " | ".join(m.to)
            if i in proba:
                pick, conf = choose(proba[i], head.labels_, m.to)
                confs.append(conf)
                if conf >= threshold:
                    new += [pick] if pick not in new else []
                    notes.append(f"{m.old}: model chose {pick} from {options}")
                else:
                    review = True
                    notes.append(f"{m.old}: choose from {options} (model suggests {pick}, {conf:.2f})")
            else:
                review = True
                why = "no model given" if head is None else "empty text"
                notes.append(f"{m.old}: choose from {options} ({why})")
        if plans[i] and not new and not review:
            review = True
            notes.append("every theme on the row is retired")
        if tgt.is_hierarchical:
            new = tgt.with_ancestors(new)
        outcome = "needs_review" if review else "model_choice" if confs else "mapped"
        cols["old_themes"][i] = ";".join(olds[i])
        cols["new_themes"][i] = ";".join(new)
        cols["new_taxonomy"][i] = f"{tgt.id}@{tgt.version}"
        cols["migration"][i] = outcome
        cols["migration_confidence"][i] = f"{min(confs):.3f}" if confs else ""
        cols["migration_note"][i] = "; ".join(notes)
        summary.outcomes[outcome] += 1
        summary.old_themes.update(olds[i])
        summary.new_themes.update(new)
    summary.rows += n
    out = frame.copy()
    for c in MIGRATION_COLUMNS:
        out[rename[c]] = cols[c]
    return out


def format_migration_summary(s: MigrationSummary, output) -> str:
    lines = [f"Migrated {s.rows} rows to {output}: " + ", ".join(
        f"{s.outcomes.get(k, 0)} {k}" for k in ("mapped", "model_choice", "needs_review"))]
    if s.model_version:
        lines.append(f"One-to-many choices by {s.model_version} (needs_review below confidence {s.threshold:.2f}).")
    elif s.outcomes.get("needs_review"):
        lines.append("No --model given: rows with a one-to-many theme are left for review.")
    if s.new_themes:
        lines.append("New themes: " + ", ".join(f"{t} {c}" for t, c in s.new_themes.most_common()))
    return "\n".join(lines)
