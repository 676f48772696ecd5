"""The speed-ups must give exactly what the plain library calls give."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.features.fastregex import AnyMatch, top_level_branches
from classifier.features.tfidf import FittedTfidf, _split
from classifier.models.child import default_signals

WORDS = [
    "my",
    "social",
    "worker",
    "i'm",
    "15",
    "care",
    "im",
    "u",
    "the",
    "mum",
    "rang",
    "xxname",
    "foster",
    "carer",
    "in",
    "year",
    "9",
    "pa",
    "\n",
    ".",
    "MY",
    "Ürsula",
]


def test_branches_respect_groups_classes_and_escapes():
    assert top_level_branches(r"a|b(c|d)|e") == ["a", "b(c|d)", "e"]
    assert top_level_branches(r"[|]x|\|y|(?:p|q)") == ["[|]x", r"\|y", "(?:p|q)"]
    assert top_level_branches(r"[]|]z|w") == ["[]|]z", "w"]


@pytest.mark.parametrize("name,pattern", [(n, p) for pol in default_signals().values() for n, p in pol.items()])
def test_any_match_equals_search_on_every_child_signal(name, pattern, tmp_path):
    rx, fast = re.compile(pattern), AnyMatch(pattern)
    texts = [
        "my social worker never rings",
        "im 15 and in care",
        "xmy social worker",
        "i'm in care",
        "my mum rang",
        "as a teacher i",
        "advocacy service",
        "u never listen",
        "",
        "in year 9 at my school",
        "the young person says",
        "on behalf of the child",
        "dont",
        "my sw",
        "amy social worker",
    ]
    assert [fast.found(t) for t in texts] == [rx.search(t) is not None for t in texts]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join),
    st.sampled_from(
        [p for pol in default_signals().values() for p in pol.values()]
        + [r"\bx|y\b", r"\b(a)\1", r"(?i)\bmy|pa", r"\b", r"\b\w+ care\b"]
    ),
)
def test_any_match_equals_search_on_generated_text(text, pattern):
    assert AnyMatch(pattern).found(text) == (re.compile(pattern).search(text) is not None)


CORPUS = [
    "The worker shouted at me!!",
    "my pa hasnt paid   my grant",
    "Ünïcödé 😡 contact contact",
    "no one rang me back about the meeting",
    "the meeting was cancelled again and again",
    "I want a new social worker",
    "social worker social worker",
    "contact with my brother stopped",
] * 4


def _dense(X):
    return X.toarray() if hasattr(X, "toarray") else np.asarray(X)


@pytest.mark.parametrize("ngrams", [(1, 1), (1, 2), (2, 2), (1, 3)])
@pytest.mark.parametrize("big_batch", [False, True])
def test_word_tfidf_equals_sklearn(ngrams, big_batch, monkeypatch):
    vec = TfidfVectorizer(
        tokenizer=_split, token_pattern=None, lowercase=False, ngram_range=ngrams, sublinear_tf=True, dtype=np.float32
    ).fit([c.lower() for c in CORPUS])
    texts = [c.lower() for c in CORPUS] + ["", "contact", "unseen words only", "social worker social"]
    if big_batch:  # the hash-table path used in batch labelling
        import pandas  # noqa: F401  (loaded, as in `label`)

        texts = texts * 2000
    fast = FittedTfidf.from_sklearn(vec)
    assert np.allclose(_dense(fast.transform(texts)), _dense(vec.transform(texts)), atol=1e-6)
    assert fast.transform([]).shape == (0, len(vec.vocabulary_))
    assert list(fast.get_feature_names_out()) == list(vec.get_feature_names_out())


def test_char_tfidf_equals_sklearn_with_repeated_short_and_unseen_words():
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32).fit(CORPUS)
    texts = CORPUS + ["", "zzzz qqqq", "Contact CONTACT contact", "\t tabs\nand lines ", "a I x", "!!"]
    fast = FittedTfidf.from_sklearn(vec)
    for _ in range(2):  # second pass runs from the word cache
        assert np.allclose(_dense(fast.transform(texts)), _dense(vec.transform(texts)), atol=1e-6)
    assert fast.transform([]).shape == (0, len(vec.vocabulary_))


def test_fitted_tfidf_refuses_settings_it_does_not_reproduce():
    with pytest.raises(ValueError):
        FittedTfidf.from_sklearn(TfidfVectorizer(analyzer="char_wb", sublinear_tf=False).fit(CORPUS))
    with pytest.raises(ValueError):
        FittedTfidf.from_sklearn(TfidfVectorizer(sublinear_tf=True).fit(CORPUS))  # built-in word tokenizer


def test_loading_and_labelling_do_not_import_sklearn(tmp_path):
    """Start-up budget of `complaints suggest`: scikit-learn alone takes ~1 s to import."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom classifier.pipeline.persistence import load_model\n"
        "m = load_model(None)\nm.suggest('my social worker never calls me back')\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] in ('sklearn', 'pandas')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _normalise_reference(text: str) -> str:
    """normalise() before its ASCII shortcut: every regex always applied."""
    import unicodedata

    from classifier.text import _CONTROL, _SPACES, MAX_FEATURE_CHARS

    text = unicodedata.normalize("NFC", text[: MAX_FEATURE_CHARS * 2])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text))
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return text.strip()[:MAX_FEATURE_CHARS]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(list("ab Z\t\n\r\x0b\x0c\x00\x85\u00a0\u2003\u3000’“é") + ["  "]), max_size=40).map(
        "".join
    )
)
def test_normalise_shortcut_equals_full_normalisation(text):
    from classifier.text import normalise

    assert normalise(text) == _normalise_reference(text)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Will",
                "o'neil",
                "step-dad",
                "x-",
                "'",
                "-",
                "’",
                "é",
                "Ünal",
                "9",
                "_",
                " ",
                "\n",
                "a1b",
                "MCS",
                "Mcd",
                "don't",
                "--",
                "a'b-c",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_ascii_word_split_equals_unicode_split(text):
    from classifier.redact.lexicon import _WORD_SPLIT, _WORD_SPLIT_ASCII

    if text.isascii():
        assert _WORD_SPLIT_ASCII.split(text) == _WORD_SPLIT.split(text)


def test_mc_candidates_found_in_every_case():
    """The 'mc' pass is skipped when no spelling of "mc" is in the text: each spelling still counts."""
    from classifier.redact.names import NameFinder as _NameFinder

    for word in ("mcgregor", "Mcgregor", "MCgregor", "mCgregor"):
        f = _NameFinder(f"I spoke to the Worker and then to {word} about it today.", [])
        assert f._setup() and not f.casual
        assert f.low.index(word.lower()) in f.skip, word  # a candidate (skip holds every candidate)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "will",
                "o'neil",
                "step-dad",
                "x-",
                "'",
                "-",
                "’",
                "é",
                "ünal",
                "9",
                "_",
                " ",
                "\n",
                "a1b",
                "xxname",
                "don't",
                "--",
                "a'b-c",
                "12-3",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_ascii_token_pattern_equals_unicode_pattern(text):
    from classifier.text import _TOKEN_ASCII, TOKEN

    if text.isascii():
        assert _TOKEN_ASCII.findall(text) == TOKEN.findall(text)
