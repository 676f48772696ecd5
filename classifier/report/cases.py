"""A case export, read into one canonical frame the tables are computed from.

Columns of the result (always present; empty when the export lacks the column):
`id`, `person`, `text`, `stage` (1/2/3, 0 when not recorded or not readable), `received`, `responded`
(datetime64), `stage_written` (the stage cell was not blank), `responded_blank` (no response date
written), `outcome`, `service`, `complainant`, `method`, `ethnicity`,
`ombudsman_outcome` (strings as written, stripped; in the category columns spelling variants are one
value and a value that may hold personal data reads `values.HIDDEN_VALUE`), `kind` (complaint /
compliment / enquiry / other; '' when not recorded), `themes` (lists of theme ids, or the words as
written when they match no theme), `extended` (bool), `working_days` (float).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from classifier.errors import ReportSettingsError
from classifier.report.columns import ColumnMap
from classifier.report.dates import parse_dates
from classifier.report.labels import is_label_output
from classifier.report.settings import ReportSettings, load_settings, words
from classifier.report.values import (
    HIDDEN_VALUE,
    hide_unsafe,
    is_label,
    merge_variants,
    reads_as_sentence,
    shown_value,
    value_key,
)
from classifier.report.workdays import working_days_taken
from classifier.taxonomy.schema import closest_theme_label, theme_name_index

AS_WRITTEN = (
    "id",
    "person",
    "text",
    "outcome",
    "service",
    "complainant",
    "method",
    "ethnicity",
    "ombudsman_outcome",
    "procedure",
    "cost",
    "mediation",
)
# Columns whose values the report prints as row labels (see values.py).
CATEGORIES = tuple(k for k in AS_WRITTEN if k not in ("id", "person", "text", "cost"))
_STAGE = re.compile(r"^(?:stage|stg|st|s|level|l)?\s*[-:.]?\s*([123])(?!\d)")
_STAGE_ANYWHERE = re.compile(r"\bstage\s*([123])(?!\d)")
_NUMBER_WORD = re.compile(r"\b(one|two|three)\b")
_FOOTER_LABEL = re.compile(r"^(?:grand\s+|sub[-\s]?)?totals?\s*:?$", re.IGNORECASE)
_FIGURE = re.compile(r"^-?[\d,]*\.?\d+\s*%?$")
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3"}


@dataclass
class CaseProblems:
    """Counts for the report's data-quality note (row positions, never cell text)."""

    received_unparseable: int = 0
    received_shapes: dict = field(default_factory=dict)  # shape of an unreadable date ('nn.nn.nn') -> rows
    received_not_real: int = 0  # of received_unparseable: in a form that is read, naming no real day
    received_blank: int = 0
    responded_unparseable: int = 0
    responded_before_received: int = 0
    stage_unrecognised: int = 0
    kind_unrecognised: dict = field(default_factory=dict)  # word as written -> rows
    themes_unknown: dict = field(default_factory=dict)  # value as shown (HIDDEN_VALUE if unsafe) -> rows
    theme_hints: dict = field(default_factory=dict)  # unknown theme value -> the closest taxonomy label
    hidden_values: dict = field(default_factory=dict)  # column header -> (rows, distinct values) not shown
    informal: int = 0  # rows whose stage said 'informal', counted as stage 1
    outside_year: int = 0
    blank_rows: int = 0  # wholly empty rows, dropped
    footer_rows: int = 0  # 'Total' rows with no case data, dropped
    repeated_refs: int = 0  # case references on more than one row of the same stage and kind
    repeated_rows: int = 0  # the rows holding them (each still counted)
    min_rows: int = 1  # rows a category value needs to be shown (settings `category_min_rows`)


def drop_non_cases(frame: pd.DataFrame, received: str | None) -> tuple[pd.DataFrame, int, int]:
    """The export without wholly blank rows and footer rows: (rows kept, blank dropped, footers dropped).

    A footer row has a 'Total' / 'Totals' / 'Grand total' / 'Sub-total' label and no case data: its
    other cells are blank or figures, and its received cell holds no readable date.
    """
    if frame.empty:
        return frame, 0, 0
    # `complaints label` fills its own columns (status 'error: empty', model version) on every row,
    # a blank or Total row too: they say nothing about whether the row is a case.
    own = [c for c in frame.columns if not is_label_output(c)] or list(frame.columns)
    empty = frame.index  # rows blank in every column so far: narrows fast, as most rows have a first cell
    labelled = pd.Series(False, index=frame.index)
    for c in own:
        v = frame[c].loc[empty]
        empty = v.index[v.isna() | v.astype(str).str.strip().eq("")]
        # The pattern runs on each distinct value once, not on every row.
        labels = [u for u in pd.unique(frame[c].dropna()) if _FOOTER_LABEL.match(str(u).strip())]
        if labels:
            labelled |= frame[c].isin(labels)
    blank = pd.Series(False, index=frame.index)
    blank[empty] = True
    footer = labelled & ~blank
    for i in footer[footer].index:
        row = ["" if pd.isna(x) else str(x).strip() for x in frame.loc[i, own]]
        dated = received is not None and parse_dates([row[own.index(received)]]).values.notna().any()
        if dated or not all(x == "" or _FOOTER_LABEL.match(x) or _FIGURE.match(x) for x in row):
            footer.at[i] = False
    kept = frame[~(blank | footer)].reset_index(drop=True)
    return kept, int(blank.sum()), int(footer.sum())


def informal_rows(values: pd.Series) -> int:
    """Rows whose stage says 'informal' (which `parse_stage` counts as stage 1)."""
    return int(values.fillna("").astype(str).str.contains("informal", case=False).sum())


def parse_stage(values: pd.Series, stage_words: dict[str, int] | None = None) -> tuple[pd.Series, int]:
    """'Stage 1', 'S2', '3', 'Stage two' -> 1, 2, 3, and the settings' `stages` words ('Independent review
    panel' -> 3: a phrase it equals or ends with, longest first); anything else -> 0 (counted unless blank)."""
    if stage_words is None:
        stage_words = load_settings().stage_words
    text = values.fillna("").astype(str).str.strip().str.lower()
    phrases = sorted(stage_words.items(), key=lambda kv: -len(kv[0]))
    table = {}
    for u in pd.unique(text):
        v = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(0)], u)
        m = _STAGE.match(v) or _STAGE_ANYWHERE.search(v)
        said = words(u)
        named = next((s for p, s in phrases if re.search(rf"(?<!\w){re.escape(p)}$", said)), None)
        table[u] = int(m.group(1)) if m else named
    stage = text.map(table).fillna(0).astype("int64")
    unrecognised = int((stage.eq(0) & text.ne("")).sum())
    return stage, unrecognised


def theme_resolver(taxonomy, aliases: dict[str, str] | None = None):
    """A function: cell -> list of theme ids (labels, ids and `aliases` accepted; an unknown word as
    written), and the unknown words. Names are compared ignoring case, spaces and punctuation."""
    lookup = theme_name_index(taxonomy) if taxonomy is not None else {}
    for written, target in (aliases or {}).items():
        tid = lookup.get(value_key(target))
        if tid is None:
            shown = target if is_label(target) else f"a value of {len(target)} characters"
            raise ReportSettingsError(
                f"theme_aliases: '{shown}' is not a theme id or label of the model's taxonomy; "
                "map each value to one of its themes"
            )
        lookup[value_key(written)] = tid
    cache: dict[str, tuple[list[str], list[str]]] = {}

    def resolve(cell: str) -> tuple[list[str], list[str]]:
        if cell not in cache:
            ids, unknown = [], []
            for part in cell.split(";"):
                part = part.strip()
                if not part:
                    continue
                tid = lookup.get(value_key(part))
                if tid is None:
                    unknown.append(part)
                    tid = part
                if tid not in ids:
                    ids.append(tid)
            cache[cell] = (ids, unknown)
        return cache[cell]

    return resolve


def _unknown_themes(unknown: pd.Series, taxonomy, settings: ReportSettings, probs: CaseProblems) -> dict[str, str]:
    """Each unknown theme word -> as shown: kept when a near miss of a theme label ('Comunication') or a
    category (values.py), else HIDDEN_VALUE. Counts them, and names the closest label of each near miss."""
    shown_as = {}
    for word, n in unknown.value_counts().items():
        hint = None if reads_as_sentence(word) else closest_theme_label(word, taxonomy)
        shown = (
            word
            if hint
            or shown_value(word, int(n), settings.shown("themes"), settings.category_min_rows, settings.category_names)
            else HIDDEN_VALUE
        )
        shown_as[word] = shown
        probs.themes_unknown[shown] = probs.themes_unknown.get(shown, 0) + int(n)
        if hint:
            probs.theme_hints[shown] = hint
    return shown_as


def canonical_cases(
    frame: pd.DataFrame, cols: ColumnMap, settings: ReportSettings, taxonomy=None
) -> tuple[pd.DataFrame, CaseProblems]:
    """The canonical frame of an export (every cell read as text) and what could not be read."""
    n = len(frame)
    probs = CaseProblems(min_rows=settings.category_min_rows)
    out = pd.DataFrame(index=pd.RangeIndex(n))

    def col(key: str) -> pd.Series:
        name = cols.get(key)
        if name is None:
            return pd.Series([""] * n, dtype="object")
        return frame[name].reset_index(drop=True).fillna("").astype(str).str.strip()

    for key in AS_WRITTEN:
        out[key] = col(key)
    for key in CATEGORIES:
        if cols.has(key):
            named = {
                "outcome": settings.outcome_names,
                "procedure": settings.procedure_names,
                "mediation": settings.mediation_names,
            }.get(key)
            merged = merge_variants(out[key], named)
            out[key], hidden = hide_unsafe(
                merged, settings.shown(key), settings.category_min_rows, settings.category_names
            )
            if hidden:
                values = int(merged[out[key].eq(HIDDEN_VALUE) & merged.ne(HIDDEN_VALUE)].nunique())
                probs.hidden_values[str(cols.get(key))] = (hidden, values)
    rec = parse_dates(col("received"))
    out["received"] = rec.values
    probs.received_unparseable, probs.received_blank = rec.unparseable, rec.blank
    probs.received_shapes, probs.received_not_real = rec.unparseable_shapes, rec.not_real
    if cols.has("responded"):
        resp = parse_dates(col("responded"))
        out["responded"] = resp.values
        out["responded_blank"] = col("responded").eq("")
        probs.responded_unparseable = resp.unparseable
    else:
        out["responded"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
        out["responded_blank"] = False
    if cols.has("stage"):
        out["stage"], probs.stage_unrecognised = parse_stage(col("stage"), settings.stage_words)
        out["stage_written"] = col("stage").ne("")
        probs.informal = informal_rows(col("stage"))
    else:
        out["stage"], out["stage_written"] = 0, False
    if cols.has("kind"):
        raw = col("kind")
        mapped = raw.map(lambda v: settings.kind_words.get(words(v), "other" if v else ""))
        other, _ = hide_unsafe(raw, settings.shown("kind"), settings.category_min_rows, settings.category_names)
        probs.kind_unrecognised = other[mapped.eq("other")].value_counts().to_dict()
        out["kind"] = mapped
    else:
        out["kind"] = ""
    if cols.has("themes"):
        resolve = theme_resolver(taxonomy, settings.theme_aliases)
        pairs = col("themes").map(resolve)
        unknown = pd.Series([u for p in pairs for u in p[1]], dtype="object")
        shown_as = _unknown_themes(unknown, taxonomy, settings, probs)
        out["themes"] = pairs.map(lambda p: list(dict.fromkeys(shown_as.get(t, t) for t in p[0])))
    else:
        out["themes"] = pd.Series([[] for _ in range(n)], dtype="object")
    out["extended"] = col("extended").map(lambda v: words(v) in settings.yes) if cols.has("extended") else False
    if cols.has("id"):
        # One reference at stage 1 and again at stage 2 is an escalation; twice at the same stage and kind
        # is usually a case entered twice. Said, not removed: the export is the record.
        key = pd.DataFrame({"ref": out["id"].str.casefold(), "stage": out["stage"], "kind": out["kind"]})
        key = key[key["ref"].ne("")]
        twice = key.duplicated(keep=False)
        probs.repeated_rows = int(twice.sum())
        probs.repeated_refs = int(key[twice].drop_duplicates().shape[0])
    days = working_days_taken(out["received"], out["responded"])
    negative = days < 0
    probs.responded_before_received = int(negative.sum())
    out["working_days"] = days.mask(negative)
    return out, probs
