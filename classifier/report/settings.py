"""Report settings (timescales, kind and outcome words, who counts as a child or
young person): `classifier/data/report_settings.yml`, sections overridable by a trust's file."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from classifier.errors import ReportSettingsError
from classifier.taxonomy.schema import theme_name_key as value_key
from classifier.yamlio import YAMLError, safe_load

SECTIONS = (
    "timescales",
    "kinds",
    "outcomes",
    "upheld_outcomes",
    "children_and_young_people",
    "yes_words",
    "suppress_below",
    "theme_aliases",
    "shown_values",
    "procedures",
    "mediation",
    "category_min_rows",
    "known_values",
    "left_out_of_upheld_share",
    "stages",
    "category_names",
)
# Columns whose values `known_values` may list (and the report prints as row labels).
VALUE_COLUMNS = (
    "outcome",
    "service",
    "complainant",
    "method",
    "ethnicity",
    "ombudsman_outcome",
    "procedure",
    "mediation",
    "kind",
    "themes",
)


def words(value: object) -> str:
    """Lower-case with spaces squeezed: how export words are compared to settings."""
    return " ".join(str(value).lower().replace("_", " ").split())


@dataclass(frozen=True)
class Timescale:
    base: int | None
    extended: int | None


@dataclass(frozen=True)
class CategoryNames:
    """What a value not listed must look like to be printed (settings `category_names`, values.py)."""

    suffixes: frozenset[str] = frozenset()  # last words naming a team, service or method (lower-case)
    joining_words: frozenset[str] = frozenset()  # lower-case words a Title Case name may hold ('of', 'and')
    sentence_words: frozenset[str] = frozenset()  # words that make a value a sentence, in any case
    max_words: int = 6


@dataclass
class ReportSettings:
    timescales: dict[int, Timescale]
    kind_words: dict[str, str]  # export word (squeezed) -> complaint | compliment | enquiry
    upheld: frozenset[str]
    cyp: frozenset[str]
    yes: frozenset[str]
    suppress_below: int
    outcome_names: dict[str, str] = field(default_factory=dict)  # value key of a word -> the outcome it names
    procedure_names: dict[str, str] = field(default_factory=dict)  # value key -> Statutory / Corporate ...
    mediation_names: dict[str, str] = field(default_factory=dict)  # value key -> what came of mediation
    theme_aliases: dict[str, str] = field(default_factory=dict)  # value as written -> theme id or label
    shown_values: frozenset[str] = frozenset()  # value keys of category values always shown
    category_min_rows: int = 3  # rows a value not listed needs before it is shown (values.py)
    known_values: dict[str, frozenset[str]] = field(default_factory=dict)  # column key -> value keys shown
    not_decided: frozenset[str] = frozenset()  # value keys of outcomes left out of the upheld share
    stage_words: dict[str, int] = field(default_factory=dict)  # words (squeezed) -> the stage they name
    category_names: CategoryNames = field(default_factory=lambda: CategoryNames())

    def shown(self, column: str) -> frozenset[str]:
        """Value keys always shown in `column`: its known values, the settings' standard wording, and the
        words the settings give the column's values (complainants counted as children, kinds)."""
        own = {
            "complainant": frozenset(value_key(w) for w in self.cyp),
            "kind": frozenset(value_key(w) for w in self.kind_words),
        }.get(column, frozenset())
        return self.shown_values | self.known_values.get(column, frozenset()) | own

    def timescale(self, stage: int) -> Timescale:
        """The stage's timescale; no target when the settings give none."""
        return self.timescales.get(stage) or Timescale(None, None)


def _bundled() -> dict:
    return safe_load((resources.files("classifier") / "data" / "report_settings.yml").read_text("utf-8"))


def load_settings(path: str | Path | None = None) -> ReportSettings:
    data = _bundled()
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ReportSettingsError(f"settings file '{p}' not found; check the --settings path")
        try:
            local = safe_load(p.read_text(encoding="utf-8")) or {}
        except YAMLError:
            raise ReportSettingsError(f"settings file '{p.name}' is not valid YAML") from None
        if not isinstance(local, dict):
            raise ReportSettingsError(f"settings file '{p.name}' must be a mapping of sections")
        unknown = sorted(set(map(str, local)) - set(SECTIONS))
        if unknown:
            raise ReportSettingsError(
                f"settings file '{p.name}' has unknown section(s) {', '.join(unknown)}; "
                f"sections are: {', '.join(SECTIONS)}"
            )
        known = local.get("known_values")
        _check_known(known, p.name)
        if isinstance(known, dict):  # a trust's own values add to the bundled lists, column by column
            bundled = data.get("known_values") or {}
            local = {
                **local,
                "known_values": {k: [*(bundled.get(k) or []), *(known.get(k) or [])] for k in {*bundled, *known}},
            }
        scales = local.get("timescales")
        if isinstance(scales, dict):  # per stage: a trust changing stage 1 keeps the statutory stage 2 and 3
            local = {**local, "timescales": {**_by_stage(data.get("timescales")), **_by_stage(scales)}}
        data.update(local)
    return _parse(data)


def _check_known(known, source: str) -> None:
    """known_values must map column keys to lists: a string would be read letter by letter."""
    example = "known_values: {service: [Kinship Care Team, Virtual School]}"
    if known is None:
        return
    if not isinstance(known, dict):
        raise ReportSettingsError(
            f"settings file '{source}': known_values must map column keys to lists of values, e.g. '{example}'"
        )
    for key, values in known.items():
        if key not in VALUE_COLUMNS:
            raise ReportSettingsError(
                f"settings file '{source}': known_values has '{key}', not a column key; use {', '.join(VALUE_COLUMNS)}"
            )
        if values is not None and not isinstance(values, list):
            raise ReportSettingsError(
                f"settings file '{source}': known_values '{key}' must be a list in square brackets "
                f"(e.g. '{key}: [Kinship Care Team]'), not a {type(values).__name__}"
            )


def _by_stage(section) -> dict:
    return {str(k): v for k, v in (section or {}).items()}


def _int_or_none(value, where: str) -> int | None:
    if value is None:
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ReportSettingsError(f"{where} must be a whole number of working days or null") from None
    if days < 0:
        raise ReportSettingsError(f"{where} must not be negative")
    return days


def _names(data: dict, section: str) -> dict[str, str]:
    """value key of each word -> the name it means, from a `Name: [words]` section."""
    names = {}
    for name, spoken in (data.get(section) or {}).items():
        if not isinstance(spoken, list):
            raise ReportSettingsError(f"{section}: '{name}' must list the words that mean it")
        for w in [name, *spoken]:
            names[value_key(w)] = str(name)
    return names


def _parse(data: dict) -> ReportSettings:
    scales = {}
    for stage, spec in (data.get("timescales") or {}).items():
        if str(stage) not in {"1", "2", "3"} or not isinstance(spec, dict):
            raise ReportSettingsError("timescales: use stages 1, 2, 3, each with base and extended")
        scales[int(stage)] = Timescale(
            _int_or_none(spec.get("base"), f"timescales {stage} base"),
            _int_or_none(spec.get("extended"), f"timescales {stage} extended"),
        )
    kind_words = {}
    for kind, spoken in (data.get("kinds") or {}).items():
        if kind not in ("complaint", "compliment", "enquiry"):
            raise ReportSettingsError(f"kinds: '{kind}' is not complaint, compliment or enquiry")
        for w in spoken or []:
            kind_words[words(w)] = kind
        kind_words[kind] = kind
    outcome_names = _names(data, "outcomes")
    procedure_names = _names(data, "procedures")
    mediation_names = _names(data, "mediation")
    aliases = data.get("theme_aliases") or {}
    if not isinstance(aliases, dict):
        raise ReportSettingsError("theme_aliases must map a value as written to a theme id or label")
    known = data.get("known_values") or {}
    if not isinstance(known, dict) or any(k not in VALUE_COLUMNS for k in known):
        raise ReportSettingsError(f"known_values: give lists of values under column keys ({', '.join(VALUE_COLUMNS)})")
    min_rows = data.get("category_min_rows", 3)
    if not isinstance(min_rows, int) or isinstance(min_rows, bool) or min_rows < 1:
        raise ReportSettingsError("category_min_rows must be a whole number of rows, 1 or more")
    return ReportSettings(
        stage_words=_stage_words(data.get("stages")),
        category_names=_category_names(data.get("category_names")),
        timescales=scales,
        kind_words=kind_words,
        upheld=frozenset(words(w) for w in data.get("upheld_outcomes") or []),
        cyp=frozenset(words(w) for w in data.get("children_and_young_people") or []),
        yes=frozenset(words(w) for w in data.get("yes_words") or []),
        suppress_below=int(data.get("suppress_below") or 5),
        outcome_names=outcome_names,
        procedure_names=procedure_names,
        mediation_names=mediation_names,
        theme_aliases={str(k): str(v) for k, v in aliases.items()},
        shown_values=frozenset(value_key(v) for v in data.get("shown_values") or [])
        | frozenset(outcome_names)
        | frozenset(procedure_names)
        | frozenset(mediation_names),
        category_min_rows=min_rows,
        known_values={str(k): frozenset(value_key(v) for v in (vals or [])) for k, vals in known.items()},
        not_decided=frozenset(value_key(v) for v in data.get("left_out_of_upheld_share") or []),
    )


def _stage_words(section) -> dict[str, int]:
    """`stages: {1: [local resolution, ...], 3: [review panel, ...]}` -> words -> stage."""
    if section is None:
        return {}
    if not isinstance(section, dict) or any(str(k) not in {"1", "2", "3"} for k in section):
        raise ReportSettingsError("stages: give lists of words under stages 1, 2 and 3, e.g. '3: [review panel]'")
    out = {}
    for stage, spoken in section.items():
        if not isinstance(spoken, list):
            raise ReportSettingsError(f"stages: stage {stage} must list the words that mean it, in square brackets")
        out.update({words(w): int(stage) for w in spoken})
    return out


def _category_names(section) -> CategoryNames:
    section = section or {}
    if not isinstance(section, dict):
        raise ReportSettingsError("category_names: give suffixes, joining_words, sentence_words and max_words")
    lists = {}
    for key in ("suffixes", "joining_words", "sentence_words"):
        value = section.get(key) or []
        if not isinstance(value, list):
            raise ReportSettingsError(f"category_names: '{key}' must be a list of words in square brackets")
        lists[key] = frozenset(str(w).lower() for w in value)
    most = section.get("max_words", 6)
    if not isinstance(most, int) or isinstance(most, bool) or most < 1:
        raise ReportSettingsError("category_names: max_words must be a whole number, 1 or more")
    return CategoryNames(max_words=most, **lists)
