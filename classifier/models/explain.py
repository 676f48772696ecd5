"""Evidence: which words in a text pushed a linear model's score up.

A feature's contribution is its value times its weight. Lemma n-gram
contributions go to the tokens with those lemmas; character n-gram
contributions are shared among the words that contain them. Words are then
ranked; adjacent top words are shown as one phrase, never across a line or
sentence break, and a phrase of stop words only ("i", "in", "could") is not
shown: it says nothing to the officer reading it.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from classifier.features.tfidf import TextFeatures
from classifier.text import PreparedText, tokens


class Attribution:
    """Which tokens of one text each of its non-zero features belongs to.

    Built once per text, then reused for every theme explained.
    """

    def __init__(self, doc: PreparedText, X_row, features: TextFeatures):
        toks = tokens(doc.redacted)
        lemma_doc = doc.lemmas.split()
        self.tokens = toks[: len(lemma_doc)]  # defensive: token streams must align
        row = X_row.tocsr()
        self.cols, self.vals = row.indices, row.data.astype(np.float64)
        names = _names(features)
        by_lemma = defaultdict(list)
        for i, lemma in enumerate(lemma_doc[: len(self.tokens)]):
            by_lemma[lemma].append(i)
        by_gram = defaultdict(set)
        if features.char_ is not None:
            lo, hi = features.char_.ngram_range
            for i, t in enumerate(self.tokens):
                w = " " + t.group(0).lower() + " "
                for n in range(lo, hi + 1):
                    for k in range(max(1, len(w) - n + 1)):
                        by_gram[w[k : k + n]].add(i)
        r, c, d = [], [], []
        for j, col in enumerate(self.cols):
            kind, term = names[col]
            if kind == "word":
                parts = term.split()
                hits = [
                    i + k
                    for i in by_lemma.get(parts[0], [])
                    if lemma_doc[i + 1 : i + len(parts)] == parts[1:]
                    for k in range(len(parts))
                ]
            else:
                hits = sorted(by_gram.get(term, ()))
            for i in hits:
                r.append(j)
                c.append(i)
                d.append(1.0 / len(hits))
        self.assign = sp.csr_matrix((d, (r, c)), shape=(len(self.cols), len(self.tokens)))

    def scores(self, weights: np.ndarray) -> np.ndarray:
        """Each token's share of value x weight over the text's features."""
        return self.assign.T @ (self.vals * weights[self.cols])


def token_contributions(doc: PreparedText, X_row, features: TextFeatures, weights: np.ndarray):
    """(tokens, score per token) for one prepared text."""
    att = Attribution(doc, X_row, features)
    return att.tokens, att.scores(weights)


def top_phrases(
    doc: PreparedText,
    X_row,
    features: TextFeatures,
    weights: np.ndarray,
    top_k: int = 5,
    attribution: Attribution | None = None,
) -> list[tuple[str, float]]:
    att = attribution or Attribution(doc, X_row, features)
    toks, scores = att.tokens, att.scores(weights)
    if not toks:
        return []
    # The best 2 x top_k distinct words, every occurrence: a word repeated through a long text is one
    # piece of evidence, shown once, and each occurrence may still join a phrase.
    positive = [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
    forms: set[str] = set()
    for i in positive:
        if len(forms) >= top_k * 2:
            break
        forms.add(toks[i].group(0).lower())
    order = [i for i in positive if toks[i].group(0).lower() in forms]
    chosen = set(order)
    shown: set[str] = set()
    phrases: list = []
    used: set[int] = set()
    text_of = doc.redacted

    def joined(a: int, b: int) -> bool:  # tokens a and b = a + 1 belong to one phrase
        return not _BREAK.search(text_of[toks[a].end() : toks[b].start()])

    for i in order:
        if i in used:
            continue
        start = end = i
        while start - 1 in chosen and start - 1 not in used and joined(start - 1, start):
            start -= 1
        while end + 1 in chosen and end + 1 not in used and joined(end, end + 1):
            end += 1
        used.update(range(start, end + 1))
        while start < end and _stop(toks[start]):  # "to Tuesdays" -> "Tuesdays"
            start += 1
        while end > start and _stop(toks[end]):
            end -= 1
        if _stop(toks[start]) and start == end:
            continue  # a lone stop word
        span = range(start, end + 1)
        text = text_of[toks[start].start() : toks[end].end()]
        if "[" in text or toks[start].group(0).startswith("xx"):
            continue  # never show placeholders as evidence
        if text.lower() in shown:
            continue
        shown.add(text.lower())
        phrases.append((text, round(float(sum(scores[j] for j in span)), 4)))
        if len(phrases) >= top_k:
            break
    return phrases


_BREAK = re.compile(r"[\n.!?;]")


# Function words that say nothing on their own; negations ("not", "never", "nobody") and
# particles ("back", "up") are kept: "was not told" and "rings back" need them.
_FUNCTION_WORDS = frozenset(
    """a an the this that these those i me my mine we us our you your he him his she her it its they them
    their to of in on at by for from with about into onto as than so and or but if then there here
    is am are was were be been being do does did have has had will would shall should can could may
    might must im ive id dont also just very really please which who whom what when where why how
    some any all each every""".split()
)


def _stop(token) -> bool:
    return token.group(0).lower().replace("'", "") in _FUNCTION_WORDS


_NAME_CACHE: dict[int, list] = {}


def _names(features: TextFeatures):
    key = id(features)
    if key not in _NAME_CACHE:
        _NAME_CACHE.clear()
        _NAME_CACHE[key] = features.feature_names()
    return _NAME_CACHE[key]
