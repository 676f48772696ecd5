"""Document structure for learning extraction: sections, list lead-ins, table cells, paragraph kinds.

A report is not a bag of sentences. "We must ensure…" under *Learning* is a
commitment; the same words in a compliment quote or a summary of what
complainants said are not. `analyse` cuts each text into sentences (as
`sentences.split_sentences` does) and gives each one its `Context`: the
section title and kind, the lead-in line of a list item ("This led to the
following:") or the column heading of a table cell, and the kind of its
paragraph. Headings, lead-ins and table header rows are returned with a role
that says they are not candidates. The words that name kinds live in
`sections.yml` (data).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from classifier.errors import PatternFileError
from classifier.learning.sentences import (
    _BULLET,
    _CELL_SEP,
    _ENDS_SENTENCE,
    _HAS_WORD,
    _trim,
    blocks,
    cell_spans,
    is_heading,
    nlp,
)
from classifier.yamlio import safe_load

# Roles: candidates are "sentence", "item" and "cell"; the rest are structure.
CANDIDATE_ROLES = ("sentence", "item", "cell")
# Greetings and sign-offs look like short title lines, but are never section titles.
_SIGN_OFF = re.compile(r"(?i)\s*(yours (sincerely|faithfully|truly)|kind regards|best wishes|with regards|regards)\b")
_GREETING = re.compile(r"(?i)\s*(dear\b|yours\b|kind regards|best wishes|with regards|regards\b|many thanks)|.*,\s*$")
_QUOTE_OPEN = re.compile(r"^\s*[\"\u201c\u2018']")
_ENDS_COLON = re.compile(r":\s*$")
_ENDS_STOP = re.compile(r"[.!?][\"')\]\u2019\u201d]*\s*$")
# "We did: ...", "What we changed: ...", "You said: ..." (up to five words before the colon).
_LABEL = re.compile(r"^\s*([A-Za-z][\w'\u2019]*(?: [\w'\u2019]+){0,4}):\s+(?=\S)")
_SECTION_NUMBER = re.compile(
    r"^\s*(?:(?:section|part|chapter)\s+\d+[.:]?\s*|\d{1,2}(?:\.\d{1,2})*\.?\s+)", re.IGNORECASE
)

# "Our ref: CSC/2024/0153", "Complaint reference 24-118": a label, then a code with a digit in it.
COMPLAINT_REF = re.compile(
    r"\b(?:our|your|complaint|case|file)?\s*ref(?:erence)?(?:\s*(?:no\.?|number))?\s*[:.]?\s*"
    r"((?=[A-Z0-9/\-]*\d)[A-Z0-9][A-Z0-9/\-]{2,}[A-Z0-9])\b",
    re.IGNORECASE,
)

# "5 Complaints", "5. Complaints", "Section 5: ..." but not "5.2 ...": a top-level section.
_TOP_LEVEL = re.compile(r"^\s*(?:(?:section|part|chapter)\s+\d+|\d{1,2}\.?(?!\d))\b", re.IGNORECASE)


@dataclass(frozen=True)
class Context:
    role: str = "sentence"  # sentence, item, cell | heading, lead_in, header
    section: str = ""  # title of the section the text is in
    section_kind: str = ""  # kind of that section (sections.yml), "" if not recognised
    lead_in: str = ""  # list lead-in line, or a table cell's column heading
    kind: str = ""  # what the sentence is judged by: label, column, paragraph or section kind
    paragraph: int = 0  # paragraph number in the text (blank-line separated), from 0
    # A table cell's row: (field, cell) for its owner / due date / status columns, and its issue.
    actions: tuple = ()


@dataclass
class Segment:
    start: int
    end: int
    context: Context


def sections_path() -> Path:
    return Path(__file__).with_name("sections.yml")


@lru_cache(maxsize=4)
def load_sections(path: str | None = None) -> dict:
    """{'mined': set of kinds, 'sections': [(kind, compiled regex)], 'paragraphs': [(kind, regex)],
    'lead_ins': [(kind, regex)]}."""
    p = Path(path) if path else sections_path()
    try:
        data = safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, ValueError) as exc:
        raise PatternFileError(f"cannot read section file '{p.name}' ({type(exc).__name__})") from None

    def compiled(mapping, what):
        if not isinstance(mapping, dict):
            raise PatternFileError(f"section file '{p.name}': '{what}' must map kinds to lists of phrases")
        out = []
        for kind, phrases in mapping.items():
            if not isinstance(phrases, list) or not all(isinstance(x, str) and x == x.lower() for x in phrases):
                raise PatternFileError(f"section file '{p.name}': '{what}.{kind}' must be lower-case phrases")
            words = sorted(phrases, key=len, reverse=True)
            out.append((str(kind), re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")))
        return out

    columns = data.get("column_kinds") or {}
    compiled(columns, "column_kinds")  # checks the shape
    actions = data.get("action_columns") or {}
    compiled(actions, "action_columns")
    return {
        "mined": set(data.get("mined_kinds") or ["learning"]),
        "never": set(data.get("never_mined_kinds") or []),
        "sections": compiled(data.get("section_kinds") or {}, "section_kinds"),
        "paragraphs": compiled(data.get("paragraph_kinds") or {}, "paragraph_kinds"),
        "lead_ins": compiled(data.get("lead_in_kinds") or {}, "lead_in_kinds"),
        "columns": {name: str(kind) for kind, names in columns.items() for name in names},
        "actions": {name: str(field) for field, names in actions.items() for name in names},
        "issues": set(_lower_phrases(data.get("issue_columns") or [], "issue_columns", p.name)),
    }


def _lower_phrases(phrases, what: str, file: str) -> list[str]:
    if not isinstance(phrases, list) or not all(isinstance(x, str) and x == x.lower() for x in phrases):
        raise PatternFileError(f"section file '{file}': '{what}' must be a list of lower-case phrases")
    return phrases


def title_kind(title: str, spec: dict) -> str:
    """The kind a heading, column heading or label names, or ""."""
    low = _SECTION_NUMBER.sub("", title.lower().replace("\u2019", "'"))
    for kind, rx in spec["sections"]:
        if rx.search(low):
            return kind
    return ""


def column_kind(heading: str, spec: dict) -> str:
    """The kind a table column heading names as a whole ("Complaint", "You said"), or ""."""
    low = " ".join(heading.lower().replace("\u2019", "'").strip(" :").split())
    return spec["columns"].get(low, "")


def lead_in_kind(line: str, spec: dict) -> str:
    """The kind a list lead-in of any length names by its phrases ("... were put in place:"), or ""."""
    low = line.lower().replace("\u2019", "'")
    for kind, rx in spec["lead_ins"]:
        if rx.search(low):
            return kind
    return ""


def paragraph_kind(first_words: str, spec: dict) -> str:
    low = first_words.lower().replace("\u2019", "'").lstrip(" \"'\u201c\u2018(")
    for kind, rx in spec["paragraphs"]:
        m = rx.match(low)
        if m:
            return kind
    return ""


def _is_title_line(line: str) -> bool:
    """A short line without closing punctuation: may name a section."""
    return (
        bool(line)
        and "\n" not in line
        and len(line.split()) <= 8
        and not _ENDS_STOP.search(line)
        and not _ENDS_COLON.search(line)
        and (line[:1].isupper() or line[:1].isdigit())
    )


def _layout(text: str, item_starts: frozenset) -> list[dict]:
    """Blocks with what the layout says about them (before any kinds)."""
    spans = blocks(text)
    out: list[dict[str, Any]] = []
    para = 0
    prev_end = 0
    rows: dict[int, list[tuple[int, int]]] = {}  # line start -> its cells (table rows)
    for k, (s, e) in enumerate(spans):
        if "\n\n" in text[prev_end:s] or (text[prev_end:s].count("\n") >= 2):
            para += 1
        prev_end = e
        line_start = text.rfind("\n", 0, s) + 1
        line_end = text.find("\n", s)
        line_end = len(text) if line_end < 0 else line_end
        raw = text[s:e]
        in_row = _CELL_SEP in text[line_start:line_end]
        if in_row and line_start not in rows:
            rows[line_start] = cell_spans(text, line_start, line_end)
        item = (not in_row) and (bool(_BULLET.match(raw)) or s in item_starts)
        out.append(
            {
                "span": (s, e),
                "para": para,
                "line": line_start,
                "row": in_row,
                "item": item,
                "heading": (not in_row) and is_heading(text, (s, e), spans[k + 1] if k + 1 < len(spans) else None),
                "text": raw.strip(),
            }
        )
    # Table rows: the first row of a run of rows with the same number of cells is the header.
    header_of: dict[int, list[str]] = {}
    run_header, prev_line, prev_cells = None, None, -1
    for line_start in sorted(rows):
        cells = rows[line_start]
        gap = text[prev_line_end(text, prev_line) : line_start] if prev_line is not None else "\n\n\n"
        contiguous = prev_line is not None and gap.count("\n") <= 2 and len(cells) == prev_cells
        if not contiguous:
            run_header = [text[a:b].strip() for a, b in cells]
            header_of[line_start] = []  # this row is the header itself
        else:
            header_of[line_start] = run_header
        prev_line, prev_cells = line_start, len(cells)
    for b in out:
        if b["row"]:
            heads = header_of[b["line"]]
            b["header_row"] = not heads
            col = text[b["line"] : b["span"][0]].count(_CELL_SEP)
            b["column"] = heads[col] if heads and col < len(heads) else ""
            b["cells"] = [
                (heads[j] if j < len(heads) else "", text[x:y].strip()) for j, (x, y) in enumerate(rows[b["line"]])
            ]
    return out


def _row_actions(b: dict, spec: dict) -> tuple:
    """(field, cell) for the cells of a row under an owner, due date or status column heading,
    and ("issue", cell) for its cell under an issue column ("Issue | Finding | Action")."""
    names = spec.get("actions") or {}
    issues = spec.get("issues") or set()
    found = {}
    for head, cell in b.get("cells") or ():
        key = " ".join(head.lower().rstrip(":?").split())
        field = names.get(key) or ("issue" if key in issues and head != b.get("column") else None)
        if field and cell.strip("-– ") and field not in found:  # an empty .docx cell reads "-"
            found[field] = cell
    return tuple(found.items())


def is_reference_line(line: str) -> bool:
    """'Complaint reference CS-2024-1187', 'Our ref: CSC/2024/0153': a line that only gives a reference."""
    m = COMPLAINT_REF.search(line)
    return m is not None and not (line[: m.start()] + line[m.end() :]).strip(" .:-–()")


# Where a sentence starts inside a block: after . ! ? (and a closing quote), before a capital.
_SENTENCE_START = re.compile(r"(?<=[.!?])[\"')\]\u2019\u201d]*\s+(?=[\"'\u201c\u2018(]?[A-Z])")


def _last_sentence_start(text: str, span: tuple[int, int]) -> int | None:
    """Offset where the last sentence of a block starts, or None if it has one sentence."""
    starts = [m.end() for m in _SENTENCE_START.finditer(text, span[0], span[1])]
    return starts[-1] if starts else None


def prev_line_end(text: str, line_start: int) -> int:
    k = text.find("\n", line_start)
    return len(text) if k < 0 else k


def _contexts(text: str, layout: list[dict], spec: dict) -> list[tuple[dict, Context]]:
    mined = spec["mined"]
    section, section_kind = "", ""
    para_kind: dict[int, str] = {}
    lead_in, lead_kind = "", ""
    out = []
    signed_off = False
    for b in layout:
        line = b["text"]
        # Below "Yours sincerely," short lines are a name and a role, never statements.
        if signed_off and len(line.split()) <= 6 and not _ENDS_SENTENCE.search(line):
            out.append((b, Context("heading", section, section_kind, "", section_kind, b["para"])))
            continue
        signed_off = bool(_SIGN_OFF.match(line))
        # A paragraph's kind comes from its first block.
        if b["para"] not in para_kind:
            pk = paragraph_kind(line, spec)
            if not pk and _QUOTE_OPEN.match(line) and len(line.split()) > 3:
                pk = "quote"
            para_kind[b["para"]] = pk
        pk = para_kind[b["para"]]
        if b["row"]:
            if b.get("header_row"):
                out.append((b, Context("header", section, section_kind, "", title_kind(line, spec), b["para"])))
                continue
            col = b.get("column", "")
            ck = (column_kind(col, spec) or title_kind(col, spec)) if col else ""
            if col and " ".join(col.lower().rstrip(":?").split()) in (spec.get("actions") or {}):
                ck = "action_detail"  # "Team Manager" under Owner is who acts, not what changes
            ctx = Context("cell", section, section_kind, col, ck or section_kind, b["para"], _row_actions(b, spec))
            out.append((b, ctx))
            continue
        # "11. What we learned and what we changed" is a numbered heading, not a list item.
        numbered = b["item"] and not lead_in and bool(_TOP_LEVEL.match(line))
        is_title = not _ENDS_COLON.search(line) and (
            b["heading"] or ((not b["item"] or numbered) and _is_title_line(line) and bool(title_kind(line, spec)))
        )
        if is_title and is_reference_line(line):
            # A reference is no section title: the section stays the title line above it.
            out.append((b, Context("heading", section, section_kind, "", section_kind, b["para"])))
            continue
        if is_title and _GREETING.match(line):
            # "Dear Mr Osei," / "Yours sincerely," is no section title (and would carry a name to every row).
            out.append((b, Context("heading", section, section_kind, "", section_kind, b["para"])))
            continue
        if is_title:
            section = _SECTION_NUMBER.sub("", line).strip() or line
            tk = title_kind(line, spec)
            if tk:
                section_kind = tk
            elif _TOP_LEVEL.match(line):
                section_kind = ""  # a new numbered section of a kind we do not know
            # else: an unrecognised sub-heading stays in its section's kind
            lead_in, lead_kind = "", ""
            out.append((b, Context("heading", section, section_kind, "", section_kind, b["para"])))
            continue
        if _ENDS_COLON.search(line) and not b["item"]:
            # "This led to the following:" carries to the items below it; sentences before
            # it in the same paragraph ("We reviewed ... As a result we introduced:") do not.
            cut = _last_sentence_start(text, b["span"])
            if cut is not None:
                kind = pk or section_kind
                before = dict(b, span=(b["span"][0], cut))
                out.append((before, Context("sentence", section, section_kind, "", kind, b["para"])))
                b = dict(b, span=(cut, b["span"][1]))
                line = text[cut : b["span"][1]].strip()
            lead_in = line
            lead_kind = title_kind(line, spec) if len(line.split()) <= 8 else ""
            lead_kind = lead_kind or lead_in_kind(line, spec)
            out.append((b, Context("lead_in", section, section_kind, "", lead_kind or section_kind, b["para"])))
            continue
        m = _LABEL.match(line)
        label_kind = title_kind(m.group(1), spec) if m else ""
        if b["item"]:
            kind = label_kind or lead_kind or (pk if pk and pk != "quote" else "") or section_kind
            if pk == "quote" and section_kind not in mined:
                kind = "quote"
            out.append((b, Context("item", section, section_kind, lead_in, kind, b["para"])))
            continue
        lead_in, lead_kind = "", ""
        kind = label_kind or pk or section_kind
        if pk == "quote" and section_kind in mined and not label_kind:
            kind = section_kind
        out.append((b, Context("sentence", section, section_kind, "", kind, b["para"])))
    return out


def analyse(
    texts: Sequence[str], item_starts: Sequence[frozenset] | None = None, sections_file: str | None = None
) -> list[list[Segment]]:
    """Sentences of each text with their `Context`, in reading order.

    `item_starts` (one set per text) gives offsets where a list item starts
    when the bullet glyph is no longer in the text (documents drop it).
    Headings, lead-ins and table header rows are returned as one segment
    each, with their role; candidates are cut into sentences.
    """
    spec = load_sections(sections_file)
    out: list[list[Segment]] = [[] for _ in texts]
    jobs, pieces = [], []
    for i, text in enumerate(texts):
        starts = item_starts[i] if item_starts is not None else frozenset()
        for b, ctx in _contexts(text, _layout(text, frozenset(starts)), spec):
            s, e = b["span"]
            if ctx.role in CANDIDATE_ROLES:
                jobs.append((i, s, ctx))
                pieces.append(text[s:e])
            else:
                s, e = _trim(text, s, e)
                if e > s:
                    out[i].append(Segment(s, e, ctx))
    pipe = nlp()
    for (i, base, ctx), doc in zip(jobs, pipe.pipe(pieces, disable=["lemmatizer"], batch_size=128)):
        text = texts[i]
        for sent in doc.sents:
            s, e = _trim(text, base + sent.start_char, base + sent.end_char)
            if e > s and _HAS_WORD.search(text, s, e):
                out[i].append(Segment(s, e, ctx))
    for segs in out:
        segs.sort(key=lambda g: g.start)
    return out
