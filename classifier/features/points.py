"""Complaint points: the separate matters a long complaint raises, as character spans.

An investigator's statement ("Mrs X complains the Council failed to…; did not…;
and…"), a numbered list or a long letter raises several matters; scored as a
whole, the third and fourth get lost. `complaint_points` cuts a text at
sentence ends, semicolons, line breaks and list markers, then merges pieces
too short to stand alone into their neighbour. Spans index the text given
(the redacted text), so evidence can point back into it.
"""

from __future__ import annotations

import re

# A cut after a sentence end, a semicolon or a line break; before a list marker
# such as "(a)", "2.", "iii)" or a bullet.
_CUT = re.compile(
    r"(?<=[.!?;])\s+(?=\S)"
    r"|\s*\n+\s*"
    r"|\s+(?=(?:\(?(?:[1-9]|[a-h]|i{1,3}|iv|v)\)|[1-9]\.|[•\u2022*-])\s)"
)
_WORD = re.compile(r"[A-Za-z]+")
MIN_WORDS = 5  # shorter pieces join their neighbour ("Secondly," "She says:")
MAX_POINTS = 12  # a very long letter: the longest pieces are kept as points


def complaint_points(text: str, min_words: int = MIN_WORDS, max_points: int = MAX_POINTS) -> list[tuple[int, int]]:
    """(start, end) of each point of `text`, in order; one span for a single-point text."""
    pieces, start = [], 0
    for m in _CUT.finditer(text):
        if m.start() > start:
            pieces.append((start, m.start()))
        start = m.end()
    if start < len(text):
        pieces.append((start, len(text)))
    merged: list[list[int]] = []
    short_prefix: int | None = None  # start of short pieces waiting for the next point
    for a, b in pieces:
        if len(_WORD.findall(text[a:b])) < min_words:
            if merged:
                merged[-1][1] = b
            elif short_prefix is None:
                short_prefix = a
            continue
        merged.append([short_prefix if short_prefix is not None else a, b])
        short_prefix = None
    if short_prefix is not None:
        merged.append([short_prefix, len(text)])
    if len(merged) > max_points:
        keep = sorted(sorted(range(len(merged)), key=lambda k: merged[k][0] - merged[k][1])[:max_points])
        merged = [merged[k] for k in keep]
    return [(a, b) for a, b in merged] or [(0, len(text))]
