"""Clean and prepare text: normalise, redact, lemmatise.

Every model component sees text only through `prepare`, so names and other
personal data are removed before any feature is built.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from classifier.redact.redactor import Redactor

# Features look at the first part of very long texts only: a 1 MB paste is
# still labelled, in bounded time.
MAX_FEATURE_CHARS = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_PLACEHOLDER = re.compile(r"\[([A-Z_]+)\]")


@dataclass(frozen=True)
class PreparedText:
    redacted: str  # normalised, redacted text (what evidence is shown from)
    lemmas: str  # space-joined lower-case lemmas of `redacted`
    # Lower-case words the redactor took for names: training keeps them out of
    # every vocabulary (features.tfidf.name_filter). In memory only, never saved.
    names: tuple[str, ...] = ()


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
    # Most texts are plain ASCII with single spaces: skip the regex scans then.
    if not text.isascii():
        text = _SPACES.sub(" ", text)
        text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    elif "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()[:MAX_FEATURE_CHARS]


def spacy_input(text: str) -> str:
    """'[NAME]' -> 'xxname': one token, same length, so offsets still match."""
    if "[" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: f"xx{m.group(1).lower()}", text)


# Words with inner apostrophes or hyphens stay whole ("don't", "step-dad").
TOKEN = re.compile(r"\w+(?:['\-]\w+)*")
# The same tokens for ASCII text, where \w is exactly [A-Za-z0-9_]: a plain class is faster.
_TOKEN_ASCII = re.compile(r"[A-Za-z0-9_]+(?:['\-][A-Za-z0-9_]+)*")


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """spaCy's English lookup lemmas (spacy-lookups-data), the table spaCy's lookup
    lemmatizer uses. Read directly so that features need no spaCy pipeline: its
    tokenizer ran at ~1,000 docs/s here, too slow for batch labelling."""
    import gzip
    import json

    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def tokens(text: str) -> list[re.Match]:
    """Word tokens of a redacted text (placeholders count as one word)."""
    return list(TOKEN.finditer(spacy_input(text)))


def lemma_strings(texts: Sequence[str]) -> list[str]:
    table = lemma_table()
    get = table.get
    out = []
    for t in texts:
        low = spacy_input(t).lower()
        words = (_TOKEN_ASCII if low.isascii() else TOKEN).findall(low)
        out.append(" ".join(map(get, words, words)))  # a word without a lemma stays itself
    return out


_REDACTOR = Redactor()


def prepare(texts: Iterable[object], redact: bool = True) -> list[PreparedText]:
    """Normalise and redact each text, then lemmatise: the only way into features."""
    cleaned = [normalise(t) for t in texts]
    if not redact:
        return [PreparedText(r, l) for r, l in zip(cleaned, lemma_strings(cleaned))]
    done = [_REDACTOR.redact_with_names(t) for t in cleaned]
    redacted = [r for r, _ in done]
    return [PreparedText(r, l, n) for (r, n), l in zip(done, lemma_strings(redacted))]


def ensure_prepared(texts) -> list[PreparedText]:
    """`texts` as PreparedText: a batch already prepared passes through untouched.

    The pipeline prepares text once, where it comes in (`ComplaintModel.analyse`,
    training, evaluation); the estimators' own methods also accept raw strings
    (scikit-learn's contract) and go through this, which costs nothing then.

    Parameters
    ----------
    texts : iterable of str or PreparedText

    Returns
    -------
    list of PreparedText
    """
    texts = list(texts)
    raw = [i for i, t in enumerate(texts) if not isinstance(t, PreparedText)]
    if not raw:
        return texts
    # A mixed batch: prepare only the raw texts (preparing a PreparedText again would garble it).
    for i, p in zip(raw, prepare([texts[i] for i in raw])):
        texts[i] = p
    return texts


@lru_cache(maxsize=1)
def _placeholder_rules() -> tuple[int, frozenset[str]]:
    from importlib import resources

    from classifier.yamlio import safe_load

    spec = safe_load(resources.files("classifier").joinpath("data/placeholder_words.yml").read_text("utf-8"))
    return int(spec["max_words"]), frozenset(spec["words"].lower().split())


_WORD = re.compile(r"[^\W_]+")


def is_placeholder(text: str) -> bool:
    """True for text a case system holds instead of a complaint ("N/A", "see attached").

    Parameters
    ----------
    text : str

    Returns
    -------
    bool
        True when the text has at least one letter, at most a few words, and every word is
        one of `classifier/data/placeholder_words.yml`'s.
    """
    max_words, words = _placeholder_rules()
    tokens = _WORD.findall(text.lower().replace("/", ""))
    words_only = [t for t in tokens if not any(c.isdigit() for c in t)]  # "see attached ref 4471"
    return 0 < len(words_only) and len(tokens) <= max_words and all(t in words for t in words_only)


def unlabelled_reason(text: str) -> str | None:
    """Why a text cannot be labelled ("empty text", "no words to label", "placeholder, not
    complaint text"), or None when it can. One rule for `label`, `suggest` and the intake page.

    Parameters
    ----------
    text : str

    Returns
    -------
    str or None
    """
    if not text.strip():
        return "empty text"
    if not any(ch.isalpha() for ch in text):
        return "no words to label"
    if is_placeholder(text):
        return "placeholder, not complaint text"
    return None


# What the library and the intake API say for each reason (the CLI adds how to pass text).
UNLABELLED_MESSAGES = {
    "empty text": "the text is empty",
    "no words to label": "the text has no words (only digits or punctuation)",
    "placeholder, not complaint text": "the text is a placeholder (such as 'N/A' or 'see attached'), not a complaint",
}
