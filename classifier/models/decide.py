"""Decision rules: per-theme thresholds, keyword rules, and at least one theme."""

from __future__ import annotations

import re

import numpy as np


def compile_keywords(keywords_by_label: list[tuple[str, ...]]) -> list[re.Pattern | None]:
    """One case-insensitive whole-word pattern per theme (None for a theme without keywords)."""
    out: list[re.Pattern | None] = []
    for kws in keywords_by_label:
        if not kws:
            out.append(None)
            continue
        out.append(re.compile(r"\b(?:" + "|".join(re.escape(k) for k in kws) + r")\b", re.I))
    return out


def decide(
    proba: np.ndarray,
    thresholds: np.ndarray,
    at_least_one: bool | np.ndarray = True,
    keyword_hits: np.ndarray | None = None,
    keyword_floor: float = 0.5,
) -> list[list[int]]:
    """Column indices chosen per row, most likely first.

    A keyword hit lowers that theme's bar to `keyword_floor` x its threshold
    (rules nudge, the model still has to agree a little). When nothing passes
    and the row needs a theme, the most likely theme is returned alone.
    """
    n, _ = proba.shape
    bars = np.broadcast_to(thresholds, proba.shape).copy()
    if keyword_hits is not None:
        bars = np.where(keyword_hits, bars * keyword_floor, bars)
    chosen = proba >= bars
    need = np.broadcast_to(np.asarray(at_least_one), (n,))
    out = []
    for i in range(n):
        idx = np.flatnonzero(chosen[i])
        if idx.size == 0 and need[i]:
            idx = np.array([int(np.argmax(proba[i]))])
        out.append([int(j) for j in idx[np.argsort(-proba[i, idx])]])
    return out
