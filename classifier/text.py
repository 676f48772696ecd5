"""Clean and prepare text: normalise, redact, lemmatise.

Every model component sees text only through `prepare`, so names and other
personal data are removed before any feature is built.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from .redact import Redactor

# Features look at the first part of very long texts only: a 1 MB paste is
# still labelled, in bounded time.
MAX_FEATURE_CHARS = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_PLACEHOLDER = re.compile(r"\[([A-Z_]+)\]")


@dataclass(frozen=True)
class PreparedText:
    redacted: str   # normalised, redacted text (what evidence is shown from)
    lemmas: str     # space-joined lower-case lemmas of `redacted`


def normalise(text: object) -> str:
    """Make any cell value into clean text: NFC, no control chars, tidy spaces."""
    if text is None:
        return ""
    if not isinstance(text, str):
        if isinstance(text, float) and text != text:
            return ""
        text = str(text)
    text = unicodedata.normalize("NFC", text[: MAX_FEATURE_CHARS * 2])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return text.strip()[:MAX_FEATURE_CHARS]


@lru_cache(maxsize=1)
def nlp():
    """spaCy without downloaded models: tokenizer, sentencizer, lookup lemmatizer."""
    import spacy

    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    pipeline.add_pipe("lemmatizer", config={"mode": "lookup"})
    pipeline.initialize()
    return pipeline


def spacy_input(text: str) -> str:
    """'[NAME]' -> 'xxname': one token, same length, so offsets still match."""
    return _PLACEHOLDER.sub(lambda m: f"xx{m.group(1).lower()}", text)


def lemma_strings(texts: Sequence[str]) -> list[str]:
    out = []
    pipe = nlp()
    for doc in pipe.pipe((spacy_input(t) for t in texts),
                         disable=["sentencizer"], batch_size=256):
        out.append(" ".join(
            (tok.lemma_ or tok.text).lower() for tok in doc if not tok.is_space and not tok.is_punct
        ))
    return out


_REDACTOR = Redactor()


def prepare(texts: Iterable[object], redact: bool = True) -> list[PreparedText]:
    """Normalise and redact each text, then lemmatise: the only way into features."""
    cleaned = [normalise(t) for t in texts]
    redacted = [_REDACTOR.redact(t) for t in cleaned] if redact else cleaned
    return [PreparedText(r, l) for r, l in zip(redacted, lemma_strings(redacted))]


def ensure_prepared(texts) -> list[PreparedText]:
    texts = list(texts)
    if texts and all(isinstance(t, PreparedText) for t in texts):
        return texts
    return prepare(texts)
