"""The frame of a sentence: its frequent words kept, every other run of words shown as one "_".

"We must ensure that _ are _ before _ is _" is what makes a commitment,
whatever the topic. Word n-grams over frames let the detector weigh the
obligation, tense and voice of a sentence apart from its topic words: the
team's sentences cover some topics more in learning than in other sentences,
and real reports commit to topics the training data never pairs with
learning. The kept words are the `size` most frequent in the training
sentences (function words, modals, the common verbs of action and report
prose); a topic word is rarely among them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from classifier.text import spacy_input

# Words (with an inner apostrophe), numbers, and the punctuation that marks a question or a lead-in.
_TOKEN = re.compile(r"[^\W\d_][\w']*|\d[\d.,:/%]*|[?:;£%]")
GAP = "_"
_MARKS = frozenset("?:;£%")  # always kept: a question, a lead-in, money, a rate


def words(text: str) -> list[str]:
    """Lower-case tokens of a redacted text; every number becomes '0'."""
    return ["0" if t[0].isdigit() else t for t in _TOKEN.findall(spacy_input(text).lower())]


def frequent_words(texts: Iterable[str], size: int, blocked=lambda w: False) -> list[str]:
    """The `size` words found in most texts (ties by word), none that `blocked` calls a name."""
    df: Counter = Counter()
    for t in texts:
        df.update(set(words(t)))
    ranked = sorted((w for w in df if not blocked(w)), key=lambda w: (-df[w], w))
    return sorted(ranked[:size])


def frame(text: str, kept: frozenset[str] | set[str]) -> str:
    """`text` with each run of words not in `kept` replaced by one GAP."""
    out: list[str] = []
    for w in words(text):
        if w in kept or w == "0" or w in _MARKS:
            out.append(w)
        elif not out or out[-1] != GAP:
            out.append(GAP)
    return " ".join(out)


def fit_frames(texts: list[str], size: int, ngram_range, min_df: int, blocked):
    """(kept words, TF-IDF over frame n-grams) fitted on redacted `texts`."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from classifier.features.tfidf import scrub_for_saving

    kept = frequent_words(texts, size, blocked)
    vectorizer = TfidfVectorizer(
        lowercase=False,
        token_pattern=r"\S+",
        ngram_range=tuple(ngram_range),
        min_df=min_df,
        sublinear_tf=True,
        dtype=np.float32,
    ).fit([frame(t, frozenset(kept)) for t in texts])
    scrub_for_saving(vectorizer)  # pruned n-grams hold only kept words and gaps, but keep files stable
    return kept, vectorizer


def frame_matrix(vectorizer, kept: list[str], texts: list[str]):
    words = frozenset(kept)
    return vectorizer.transform([frame(t, words) for t in texts])
