"""Evidence: which words in a text pushed a linear model's score up.

A feature's contribution is its value times its weight. Lemma n-gram
contributions go to the tokens with those lemmas; character n-gram
contributions are shared among the words that contain them. Words are then
ranked; adjacent top words are shown as one phrase.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from .features import TextFeatures
from .text import PreparedText, tokens


def token_contributions(doc: PreparedText, X_row, features: TextFeatures, weights: np.ndarray):
    """(tokens, score per token) for one prepared text."""
    toks = tokens(doc.redacted)
    lemma_doc = doc.lemmas.split()
    if len(lemma_doc) != len(toks):  # defensive: token streams must align
        toks = toks[: len(lemma_doc)]
    scores = np.zeros(len(toks))
    row = X_row.tocsr()
    names = _names(features)
    by_lemma = defaultdict(list)
    for i, lemma in enumerate(lemma_doc[: len(toks)]):
        by_lemma[lemma].append(i)
    lowered = [" " + t.group(0).lower() + " " for t in toks]
    for col, val in zip(row.indices, row.data):
        contrib = float(val) * float(weights[col])
        if contrib == 0.0:
            continue
        kind, term = names[col]
        if kind == "word":
            parts = term.split()
            if len(parts) == 1:
                hits = by_lemma.get(term, [])
            else:
                hits = [i for i in by_lemma.get(parts[0], [])
                        if lemma_doc[i + 1: i + len(parts)] == parts[1:]]
                hits = [i + k for i in hits for k in range(len(parts))]
        else:
            hits = [i for i, w in enumerate(lowered) if term in w]
        for i in hits:
            scores[i] += contrib / len(hits)
    return toks, scores


def top_phrases(doc: PreparedText, X_row, features: TextFeatures, weights: np.ndarray,
                top_k: int = 5) -> list[tuple[str, float]]:
    toks, scores = token_contributions(doc, X_row, features, weights)
    if not toks:
        return []
    order = [i for i in np.argsort(-scores) if scores[i] > 0][: top_k * 2]
    chosen = set(order)
    phrases, used = [], set()
    for i in order:
        if i in used:
            continue
        start = end = i
        while start - 1 in chosen and start - 1 not in used:
            start -= 1
        while end + 1 in chosen and end + 1 not in used:
            end += 1
        span = range(start, end + 1)
        used.update(span)
        text = doc.redacted[toks[start].start(): toks[end].end()]
        if "[" in text or toks[start].group(0).startswith("xx"):
            continue  # never show placeholders as evidence
        phrases.append((text, round(float(sum(scores[j] for j in span)), 4)))
        if len(phrases) >= top_k:
            break
    return phrases


_NAME_CACHE: dict[int, list] = {}


def _names(features: TextFeatures):
    key = id(features)
    if key not in _NAME_CACHE:
        _NAME_CACHE.clear()
        _NAME_CACHE[key] = features.feature_names()
    return _NAME_CACHE[key]
