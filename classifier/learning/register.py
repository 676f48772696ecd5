"""Learning register: statements grouped by theme, near-duplicates merged.

The register is what a team acts on and pastes into an annual report, so each
entry shows the statement with personal data redacted (the verbatim sentences
stay in the statement-level output), how many times it was found and where
(sources, pages, sections, complaint references), the issue each answers
where it sat in an "Issue | Finding | Action" table, and action owner, due
date and status columns to fill in (filled where the statement sat in an
action table with such columns; issue and owner cells are redacted like the
statement). The theme is blank where no theme was clear: no default theme
is put in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from classifier.errors import LearningError
from classifier.text import prepare

REGISTER_COLUMNS = [
    "theme",
    "statement",
    "type",
    "count",
    "sources",
    "pages",
    "sections",
    "issues",
    "complaint_refs",
    "score",
    "action_owner",
    "due_date",
    "status",
]
UNTHEMED = ""
# Where an entry was found, and what its action-table rows said (owner, due date, status).
PLACE_KEYS = ("pages", "sections", "issues", "complaint_refs", "action_owner", "due_date", "status")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


@dataclass
class RegisterEntry:
    theme: str
    statement: str
    type: str
    score: float
    source_ids: list[str] = field(default_factory=list)
    count: int = 1
    _shingles: frozenset = field(default=frozenset(), repr=False)
    places: dict = field(default_factory=lambda: {key: [] for key in PLACE_KEYS})

    def add_place(self, where: dict) -> None:
        for key, seen in self.places.items():
            v = where.get(key)
            v = "" if v is None or v != v else str(v)
            if v and v not in seen:
                seen.append(v)


def _shingles(text: str) -> frozenset:
    """Words and word pairs of a redacted, lower-cased statement."""
    words = _WORD.findall(text.lower())
    return frozenset(words) | frozenset(zip(words, words[1:]))


def similarity(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def build_register(
    sentences: Sequence[str],
    types: Sequence[str],
    themes: Sequence[Sequence[str]],
    source_ids: Sequence[object],
    scores: Sequence[float],
    min_similarity: float = 0.75,
    redact: bool = True,
    places: Sequence[dict] | None = None,
) -> pd.DataFrame:
    """One row per distinct statement per main theme (the first theme listed).

    Statements whose word/word-pair overlap (Jaccard) with an entry is at
    least `min_similarity` are merged into it; the entry keeps the
    highest-scoring wording, its type, a count and every source id (and,
    from `places`, one dict per statement, every page, section and complaint
    reference: pages are "source p.N").
    """
    n = len(sentences)
    if not (len(types) == len(themes) == len(source_ids) == len(scores) == n):
        raise LearningError("build_register: all inputs must have the same length")
    shown = [d.redacted for d in prepare(sentences)] if redact else [str(s) for s in sentences]
    order = sorted(range(n), key=lambda i: -float(scores[i]))
    groups: dict[str, list[RegisterEntry]] = {}
    for i in order:
        theme = (list(themes[i]) or [UNTHEMED])[0]
        sh = _shingles(shown[i])
        sid = "" if source_ids[i] is None else str(source_ids[i])
        entries = groups.setdefault(theme, [])
        for e in entries:
            if similarity(sh, e._shingles) >= min_similarity:
                e.count += 1
                if sid and sid not in e.source_ids:
                    e.source_ids.append(sid)
                break
        else:
            e = RegisterEntry(theme, shown[i], str(types[i]), round(float(scores[i]), 4), [sid] if sid else [], 1, sh)
            entries.append(e)
        if places is not None:
            e.add_place(places[i])
    rows = []
    for theme in sorted(groups, key=lambda t: (t == UNTHEMED, t)):
        for e in sorted(groups[theme], key=lambda e: (-e.count, -e.score)):
            rows.append(
                {
                    "theme": e.theme,
                    "statement": e.statement,
                    "type": e.type,
                    "count": e.count,
                    "sources": ";".join(e.source_ids),
                    "pages": "; ".join(e.places["pages"]),
                    "sections": "; ".join(e.places["sections"]),
                    "issues": "; ".join(e.places["issues"]),
                    "complaint_refs": ";".join(e.places["complaint_refs"]),
                    "score": e.score,
                    "action_owner": "; ".join(e.places["action_owner"]),
                    "due_date": "; ".join(e.places["due_date"]),
                    "status": "; ".join(e.places["status"]),
                }
            )
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def register_from_rows(rows: Iterable[dict], **kwargs) -> pd.DataFrame:
    """Build a register from output rows (source, page, section, sentence, type, themes ';'-joined,
    complaint_ref, score)."""
    rows = list(rows)
    sections = [str(r.get("section") or "") for r in rows]
    owners = [str(r.get("action_owner") or "") for r in rows]
    issues = [str(r.get("issue") or "") for r in rows]
    if kwargs.get("redact", True):  # a section title, issue or owner cell can name someone ("Mr Osei's complaint")
        titles = sorted(set(filter(None, sections + owners + issues)))
        shown = dict(zip(titles, (d.redacted for d in prepare(titles))))
        sections = [shown.get(t, t) for t in sections]
        owners = [shown.get(t, t) for t in owners]
        issues = [shown.get(t, t) for t in issues]
    places = [
        {
            "pages": f"{r['source']} p.{r['page']}" if r.get("page") not in (None, "") else "",
            "sections": section,
            "issues": issue,
            "complaint_refs": r.get("complaint_ref", ""),
            "action_owner": owner,
            "due_date": str(r.get("due_date") or ""),
            "status": str(r.get("status") or ""),
        }
        for r, section, owner, issue in zip(rows, sections, owners, issues)
    ]
    return build_register(
        [r["sentence"] for r in rows],
        [r["type"] for r in rows],
        [[t for t in str(r.get("themes") or "").split(";") if t] for r in rows],
        [r["source"] for r in rows],
        [float(r["score"]) for r in rows],
        places=places,
        **kwargs,
    )
