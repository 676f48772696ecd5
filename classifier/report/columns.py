"""Which header holds which column: a YAML column map, else automatic detection.

Keys are fixed (`KEYS`); header names come from `classifier/data/report_columns.yml`
and are matched ignoring case, spaces and punctuation. Only `received` and
`text` are required; every other key is optional and a table that needs a
missing one is left out of the report with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from classifier.errors import ReportColumnsError, ReportSettingsError
from classifier.redact.quote import shown_columns
from classifier.yamlio import YAMLError, safe_load

KEYS = (
    "id",
    "person",
    "text",
    "stage",
    "received",
    "responded",
    "outcome",
    "service",
    "complainant",
    "kind",
    "themes",
    "ethnicity",
    "method",
    "extended",
    "ombudsman_outcome",
    "procedure",
    "cost",
    "mediation",
)
REQUIRED = ("received", "text")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def squeeze(name: object) -> str:
    """'Date Rec'd ' -> 'daterecd': the form headers are compared in."""
    return _NOT_WORD.sub("", str(name).lower())


def default_headers() -> dict[str, list[str]]:
    text = (resources.files("classifier") / "data" / "report_columns.yml").read_text("utf-8")
    return {k: [str(v) for v in vals] for k, vals in safe_load(text).items()}


@dataclass
class ColumnMap:
    """key -> header in the export, and how each was found."""

    columns: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)  # key -> 'map' | 'detected'

    def get(self, key: str) -> str | None:
        return self.columns.get(key)

    def has(self, key: str) -> bool:
        return key in self.columns


def read_column_map(path: str | Path) -> dict[str, str | None]:
    """A column map file: `key: header` lines; `key: null` stops detection of that key."""
    p = Path(path)
    if not p.is_file():
        raise ReportSettingsError(f"column map '{p}' not found; check the --columns path")
    try:
        data = safe_load(p.read_text(encoding="utf-8")) or {}
    except YAMLError:
        raise ReportSettingsError(
            f"column map '{p.name}' is not valid YAML; write one 'key: header' per line"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("columns"), dict):
        data = data["columns"]
    if not isinstance(data, dict):
        raise ReportSettingsError(f"column map '{p.name}' must be a mapping of key: header")
    unknown = sorted(str(k) for k in data if k not in KEYS)
    if unknown:
        raise ReportSettingsError(
            f"column map '{p.name}' has unknown key(s) {', '.join(unknown)}; keys are: {', '.join(KEYS)}"
        )
    return {k: (None if v is None else str(v)) for k, v in data.items()}


def resolve_columns(
    headers: list[str], mapping: dict[str, str | None] | None = None, synonyms: dict[str, list[str]] | None = None
) -> ColumnMap:
    """Find every key's header; raise ReportColumnsError naming what is missing."""
    mapping = mapping or {}
    synonyms = synonyms if synonyms is not None else default_headers()
    by_squeezed: dict[str, str] = {}
    for h in headers:
        by_squeezed.setdefault(squeeze(h), h)
    result = ColumnMap()
    absent = []
    for key, header in mapping.items():
        if header is None:
            continue
        found = header if header in headers else by_squeezed.get(squeeze(header))
        if found is None:
            absent.append(f"{key} -> '{header}'")
        else:
            result.columns[key], result.how[key] = found, "map"
    if absent:
        raise ReportColumnsError(
            f"the column map names header(s) the export does not have: {'; '.join(absent)}; "
            f"headers in the export: {shown_columns(headers, 40)}"
        )
    used = set(result.columns.values())
    for key in KEYS:  # detection, in key order, never reusing a header
        if key in result.columns or key in mapping:
            continue
        for name in synonyms.get(key, []):
            found = by_squeezed.get(squeeze(name))
            if found is not None and found not in used:
                result.columns[key], result.how[key] = found, "detected"
                used.add(found)
                break
    missing = [k for k in REQUIRED if k not in result.columns]
    if missing:
        example = "; ".join(f"'{k}: <header>'" for k in missing)
        raise ReportColumnsError(
            f"could not find the required column(s) {', '.join(missing)}; write a column map "
            f"(a YAML file with one line per column: {example}) and pass --columns MAP.yml. "
            # A first row of data (no header) is described, never quoted: it holds case text.
            f"Headers in the export: {shown_columns(headers, 40)}. Map keys: {', '.join(KEYS)}"
        )
    return result
