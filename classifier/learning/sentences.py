"""Cut response letters and reports into sentences, with offsets into the text as given.

Blocks first (blank lines, bullets, headings and terminal punctuation end a
block; a hard-wrapped line does not), then spaCy's rule-based sentencizer
inside each block. Headings are left out: they name a section without being
a statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=1)
def nlp():
    """spaCy without downloaded models: tokenizer, sentencizer, lookup lemmatizer."""
    import spacy

    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    pipeline.add_pipe("lemmatizer", config={"mode": "lookup"})
    pipeline.initialize()
    return pipeline


_MARKER = (
    r"(?:[\u2022\u2023\u2043\u2219\u25aa\u25ab\u25cf\u25cb\u25e6\u25a0\u25a1\u2013\u2014\u00b7\u27a2\u2794"
    r"\u2192\uf0b7\uf0a7\uf076\uf0d8*\-–>]|\(?(?:\d{1,2}|[a-hA-H]|[ivxIVX]{1,4})[.)](?=\s))[ \t]*"
)
_BULLET = re.compile(r"^[ \t]*" + _MARKER)  # a line that starts a list item
_MARKER_AT = re.compile(_MARKER)  # used with .match(text, pos): anchored at pos
_TERMINAL = re.compile(r"[.!?:;][\"')\]’”]*\s*$")
_STARTS_UPPER = re.compile(r"^\s*[\"'(‘“]?[A-Z0-9\u00c0-\u00de]")
_HAS_WORD = re.compile(r"[^\W\d_]{2,}")
# spaCy is given blocks no longer than this, cut at whitespace, so huge inputs stay bounded.
_MAX_BLOCK = 100_000


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


_CELL_SEP = " | "


def cell_spans(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Spans of the cells of the table row text[s:e] ("cell | cell | cell"), empty cells included."""
    out, pos = [], s
    while True:
        k = text.find(_CELL_SEP, pos, e)
        out.append((pos, k if k >= 0 else e))
        if k < 0:
            return out
        pos = k + len(_CELL_SEP)


def blocks(text: str) -> list[tuple[int, int]]:
    """Cut text into blocks no sentence crosses: blank lines, bullets, headings.

    A single newline inside running prose (a hard-wrapped line) does not end a
    block; a newline after terminal punctuation, after a short heading-like
    line, or before a bullet does. Each cell of a table row ("a | b") is a block.
    """
    out: list[tuple[int, int]] = []
    cur_start = cur_end = None
    prev = ""
    for s, e in _line_spans(text):
        line = text[s:e]
        if not line.strip():
            if cur_start is not None:
                out.append((cur_start, cur_end))
                cur_start = None
            prev = ""
            continue
        if _CELL_SEP in line:
            # A table row ("cell | cell"): every cell is a block of its own.
            if cur_start is not None:
                out.append((cur_start, cur_end))
                cur_start = None
            out.extend(cell_spans(text, s, e))
            prev = ""
            continue
        new_block = (
            cur_start is None
            or bool(_BULLET.match(line))
            or bool(_TERMINAL.search(prev))
            or (len(prev.split()) <= 6 and _STARTS_UPPER.match(line) is not None)
        )
        if new_block:
            if cur_start is not None:
                out.append((cur_start, cur_end))
            cur_start = s
        cur_end = e
        prev = line
    if cur_start is not None:
        out.append((cur_start, cur_end))
    final: list[tuple[int, int]] = []
    for s, e in out:
        while e - s > _MAX_BLOCK:
            cut = text.rfind(" ", s + _MAX_BLOCK // 2, s + _MAX_BLOCK)
            cut = cut if cut > s else s + _MAX_BLOCK
            final.append((s, cut))
            s = cut
        final.append((s, e))
    return final


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop surrounding whitespace and a leading bullet/number marker from a span."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    m = _MARKER_AT.match(text, s, e) if s < e else None
    if m and m.end() > s:
        s = m.end()
        while s < e and text[s].isspace():
            s += 1
    return s, e


_HEADING_MAX_WORDS = 6
_PARAGRAPH_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+")
_ENDS_SENTENCE = re.compile(r"[.!?][\"')\]’”]*\s*$")


def is_heading(text: str, block: tuple[int, int], next_block: tuple[int, int] | None) -> bool:
    """A short one-line block that introduces prose: a heading, not a statement.

    "Learning from complaints" above a paragraph is a title; in the team's
    sentences every line of six words or fewer without a full stop is a
    heading, greeting or sign-off. A run of short lines (a terse action list)
    is not taken for headings: the block after a heading must be longer.
    """
    s, e = block
    line = text[s:e].strip()
    if next_block is None or "\n" in line or _ENDS_SENTENCE.search(line):
        return False
    following = text[next_block[0] : next_block[1]]
    marker = _BULLET.match(line)
    if marker:
        # "5. Learning from complaints" is a numbered heading; "• Training" is a list item.
        if not line[: marker.end()].strip().lstrip("(")[:1].isalnum() or _BULLET.match(following):
            return False
        line = line[marker.end() :]
    line = _PARAGRAPH_NUMBER.sub("", line)  # "12.3 Family time in a rural county"
    return len(line.split()) <= _HEADING_MAX_WORDS and len(following.split()) > _HEADING_MAX_WORDS


def split_sentences(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
    """Sentence spans (start, end) for each text; each span has at least one word.

    Headings (see `is_heading`) are left out: they name a section about
    learning without being learning.
    """
    jobs: list[tuple[int, int]] = []  # (text index, block start)
    pieces: list[str] = []
    for i, text in enumerate(texts):
        spans = blocks(text)
        for k, (s, e) in enumerate(spans):
            if is_heading(text, (s, e), spans[k + 1] if k + 1 < len(spans) else None):
                continue
            jobs.append((i, s))
            pieces.append(text[s:e])
    out: list[list[tuple[int, int]]] = [[] for _ in texts]
    pipe = nlp()
    for (i, base), doc in zip(jobs, pipe.pipe(pieces, disable=["lemmatizer"], batch_size=128)):
        text = texts[i]
        for sent in doc.sents:
            s, e = _trim(text, base + sent.start_char, base + sent.end_char)
            if e > s and _HAS_WORD.search(text, s, e):
                out[i].append((s, e))
    return out
