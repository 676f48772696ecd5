"""Theme taxonomies, kept as YAML data files and validated on load.

A taxonomy has an id, a version and a list of themes. A theme may name a
`parent` (two-level category / sub-category schemes); a model is trained on
the leaf themes and a predicted leaf implies its parent.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from classifier.errors import TaxonomyError
from classifier.yamlio import check_keys, parse_yaml
from classifier.yamlio import safe_load as _yaml_load

DEFAULT_TAXONOMY = "stage1-themes"
_TOP_KEYS = {"id", "version", "name", "description", "themes"}
_THEME_KEYS = {"id", "label", "description", "parent", "keywords"}
_REQUIRED_THEME_KEYS = ("id", "label")


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    description: str = ""
    parent: str | None = None
    # Keyword rules kept as data: phrases that, when present, lift this theme.
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """A set of themes, flat or two-level (categories and their sub-categories).

    Parameters
    ----------
    id, version, name : str
        As in the taxonomy file.
    themes : tuple of Theme
        In file order; a sub-category names its `parent`.
    source : str
        The file it was read from.
    """

    id: str
    version: str
    name: str
    themes: tuple[Theme, ...]
    source: str = field(default="", compare=False)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    @property
    def leaf_ids(self) -> list[str]:
        """Themes a model predicts directly: those that are nobody's parent."""
        parents = {t.parent for t in self.themes if t.parent}
        return [t.id for t in self.themes if t.id not in parents]

    @property
    def is_hierarchical(self) -> bool:
        return any(t.parent for t in self.themes)

    def theme(self, theme_id: str) -> Theme:
        """The theme with this id.

        Parameters
        ----------
        theme_id : str

        Returns
        -------
        Theme
        """
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise TaxonomyError(f"theme '{theme_id}' is not in taxonomy '{self.id}'; known: {', '.join(self.ids)}")

    def ancestors(self, theme_id: str) -> list[str]:
        """The theme's parent, its parent, and so on (nearest first).

        Parameters
        ----------
        theme_id : str

        Returns
        -------
        list of str
        """
        out, seen = [], {theme_id}
        parent = self.theme(theme_id).parent
        while parent:
            if parent in seen:
                break
            out.append(parent)
            seen.add(parent)
            parent = self.theme(parent).parent
        return out

    def with_ancestors(self, theme_ids: list[str]) -> list[str]:
        """Theme ids plus every implied parent, order kept, no repeats.

        Parameters
        ----------
        theme_ids : list of str

        Returns
        -------
        list of str
        """
        out: list[str] = []
        for tid in theme_ids:
            for t in [tid, *self.ancestors(tid)]:
                if t not in out:
                    out.append(t)
        return out

    def label_of(self, theme_id: str) -> str:
        """The theme's label as people read it.

        Parameters
        ----------
        theme_id : str

        Returns
        -------
        str
        """
        return self.theme(theme_id).label

    def to_dict(self) -> dict:
        """The taxonomy as the plain data of its file.

        Returns
        -------
        dict
        """
        themes = []
        for t in self.themes:
            d: dict[str, object] = {"id": t.id, "label": t.label, "description": t.description}
            if t.parent:
                d["parent"] = t.parent
            if t.keywords:
                d["keywords"] = list(t.keywords)
            themes.append(d)
        return {"id": self.id, "version": self.version, "name": self.name, "themes": themes}

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def bundled_taxonomies() -> list[str]:
    folder = resources.files("classifier") / "taxonomies"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".yml"))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file, or the id of a bundled taxonomy; None loads the default
        (stage1-themes).

    Returns
    -------
    Taxonomy
    """
    if path is None:
        path = DEFAULT_TAXONOMY
    p = Path(path)
    if not p.exists() and str(path) in bundled_taxonomies():
        text = (resources.files("classifier") / "taxonomies" / f"{path}.yml").read_text("utf-8")
        return parse_taxonomy(_yaml_load(text), source=f"bundled:{path}")
    if not p.exists():
        raise TaxonomyError(
            f"taxonomy file '{p}' not found; pass a YAML file or one of the bundled ids: "
            + ", ".join(bundled_taxonomies())
        )
    data = parse_yaml(p.read_text(encoding="utf-8"), TaxonomyError, f"taxonomy file '{p}'")
    return parse_taxonomy(data, source=str(p))


def parse_taxonomy(data: object, source: str = "") -> Taxonomy:
    where = f"taxonomy '{source}'" if source else "taxonomy"
    data = check_keys(data, _TOP_KEYS, ("id", "version", "themes"), TaxonomyError, where)
    if not isinstance(data["themes"], list) or not data["themes"]:
        raise TaxonomyError(f"{where}: 'themes' must be a non-empty list")
    themes: list[Theme] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["themes"], start=1):
        check_keys(raw, _THEME_KEYS, (), TaxonomyError, f"{where}: theme #{i}")
        for key in _REQUIRED_THEME_KEYS:
            if not str(raw.get(key) or "").strip():
                raise TaxonomyError(f"{where}: theme #{i} is missing required field '{key}'")
        tid = str(raw["id"]).strip()
        if any(c in tid for c in ";,\n") or tid != tid.strip():
            raise TaxonomyError(f"{where}: theme id '{tid}' must not contain ';', ',' or newlines")
        if tid in seen:
            raise TaxonomyError(f"{where}: duplicate theme id '{tid}' (theme #{i})")
        seen.add(tid)
        keywords = raw.get("keywords") or ()
        if not isinstance(keywords, (list, tuple)):
            raise TaxonomyError(f"{where}: theme '{tid}' keywords must be a list")
        themes.append(
            Theme(
                id=tid,
                label=str(raw["label"]).strip(),
                description=str(raw.get("description") or "").strip(),
                parent=(str(raw["parent"]).strip() if raw.get("parent") else None),
                keywords=tuple(str(k).lower() for k in keywords),
            )
        )
    for t in themes:
        if t.parent and t.parent not in seen:
            raise TaxonomyError(f"{where}: theme '{t.id}' has unknown parent '{t.parent}'")
        if t.parent == t.id:
            raise TaxonomyError(f"{where}: theme '{t.id}' is its own parent")
    tax = Taxonomy(
        id=str(data["id"]).strip(),
        version=str(data["version"]).strip(),
        name=str(data.get("name") or data["id"]).strip(),
        themes=tuple(themes),
        source=source,
    )
    for t in themes:  # detect parent cycles
        chain, cur = {t.id}, t.parent
        while cur:
            if cur in chain:
                raise TaxonomyError(f"{where}: parent cycle through theme '{t.id}'")
            chain.add(cur)
            cur = tax.theme(cur).parent
    return tax


def parse_theme_list(value: object) -> list[str]:
    """'a; b;a' -> ['a', 'b'] (order kept, blanks and repeats dropped)."""
    if value is None:
        return []
    if isinstance(value, float) and value != value:  # NaN from pandas
        return []
    out: list[str] = []
    for part in str(value).replace(",", ";").split(";"):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def _name_key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


theme_name_key = _name_key  # public: how `theme_name_index` keys a name (case, spaces, punctuation ignored)


def closest_theme_label(value: str, tax: Taxonomy | None) -> str | None:
    """The label of the theme a near miss such as 'Comunication' is closest to (a label or id within
    two letters of it), or None.

    Parameters
    ----------
    value : str
    tax : Taxonomy or None

    Returns
    -------
    str or None
    """
    import difflib

    if tax is None or len(value) > 60:
        return None
    key = _name_key(value)
    names = {_name_key(n): t.id for t in tax.themes for n in (t.label, t.id)}
    hit = difflib.get_close_matches(key, list(names), n=1, cutoff=0.8)
    if not hit or abs(len(hit[0]) - len(key)) > 2:
        return None
    return tax.label_of(names[hit[0]])


def shown_theme_value(value: str, tax: Taxonomy | None) -> str:
    """An unknown theme value for an error message: quoted when it is a short label the redactor finds
    nothing in, else described by its length (a wrong column could hold case text); a near miss
    names the closest label ("'Comunication' (did you mean 'Poor Communication'?)").

    Parameters
    ----------
    value : str
    tax : Taxonomy or None

    Returns
    -------
    str
    """
    from classifier.redact.quote import is_safe_label, shown_value

    hint = closest_theme_label(value, tax)
    shown = f"'{value}'" if hint or is_safe_label(value) else shown_value(value)
    return shown + (f" (did you mean '{hint}'?)" if hint else "")


def theme_name_index(tax: Taxonomy) -> dict[str, str]:
    """Every theme's id and label (and the label without a bracketed aside), ignoring case, spaces and
    punctuation -> its id (ambiguous names left out)."""
    found: dict[str, set[str]] = {}
    for t in tax.themes:
        # "Financial Assistance" for "Financial Assistance (incl. missing savings)": the label before its aside
        for name in (t.id, t.label, t.label.split("(")[0]):
            found.setdefault(_name_key(name), set()).add(t.id)
    return {k: next(iter(v)) for k, v in found.items() if k and len(v) == 1}


def resolve_theme_names(rows: list[list[str]], tax: Taxonomy) -> list[list[str]]:
    """Theme ids or labels ('Poor Communication', 'poor communication') -> ids, order kept.

    An exact id is kept as it is; a name matching no theme is kept too, so the
    caller's check reports it with its row numbers.
    """
    ids = set(tax.ids)
    index = theme_name_index(tax)
    out = []
    for row in rows:
        resolved: list[str] = []
        for name in row:
            t = name if name in ids else index.get(_name_key(name), name)
            if t not in resolved:
                resolved.append(t)
        out.append(resolved)
    return out
