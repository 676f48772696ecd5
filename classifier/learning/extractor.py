"""LearningExtractor: find learning statements (lessons, reminders, training,
process changes, remedies) in response letters and reports.

Sentences are cut with spaCy's rule-based sentencizer on the text exactly as
given, so every statement carries offsets with `text[start:end] == sentence`.
Each sentence is scored by a logistic regression over TF-IDF of its prepared
(redacted, lemmatised) text plus one feature per pattern group in
`patterns.yml`. Pattern groups for obligation and change language pull a
sentence in even when the words around them are unusual; groups for
statistics, procedure and what the complainant said pull it out, so "we must"
inside a statistic does not make it a statement. A second logistic
regression assigns the type of each statement from the same features plus
the type-only pattern groups (training words, reminder words, money and
record corrections, process words, ...).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import scipy.sparse as sp
import yaml
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ..errors import ComplaintThemesError, LabelError
from ..features import TextFeatures, scrub_for_saving
from ..text import PreparedText, nlp, prepare, spacy_input
from ..yamlio import safe_load as _yaml_load

LEARNING_TYPES = ("lesson", "staff_reminder", "training", "process_change", "remedy", "other")
# The two models a pattern group can feed: sentence detection and type assignment.
MODELS = ("detect", "type")


class LearningError(ComplaintThemesError):
    """Base class for errors raised by the learning extractor."""


class PatternFileError(LearningError):
    """The learning pattern file is missing or malformed."""


class NotFittedError(LearningError):
    """The extractor was used before `fit` (or loading a fitted one)."""


@dataclass(frozen=True)
class LearningStatement:
    sentence: str          # verbatim: text[start:end]
    start: int
    end: int
    type: str
    score: float
    source_id: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def parse_bool(v) -> bool | None:
    """true/false, yes/no, 1/0 (any case) -> bool; anything else -> None."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    key = str(v).strip().lower()
    if key in ("true", "1", "yes", "y", "t", "1.0"):
        return True
    if key in ("false", "0", "no", "n", "f", "0.0"):
        return False
    return None


# ------------------------------------------------------------------ patterns

def default_patterns_path() -> Path:
    return Path(__file__).with_name("patterns.yml")


def load_patterns(path: str | Path | None = None) -> dict[str, dict]:
    """Read and check the pattern file; returns {group: {cue, type_hint, phrases, tokens, models}}."""
    p = Path(path) if path is not None else default_patterns_path()
    try:
        data = _yaml_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PatternFileError(f"pattern file '{p}' not found") from None
    except (OSError, yaml.YAMLError) as exc:
        raise PatternFileError(f"cannot read pattern file '{p.name}' ({type(exc).__name__})") from None
    groups = (data or {}).get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, dict) or not groups:
        raise PatternFileError(f"pattern file '{p.name}' has no 'groups' mapping")
    out: dict[str, dict] = {}
    for name, spec in groups.items():
        if not isinstance(spec, dict):
            raise PatternFileError(f"group '{name}' in '{p.name}' must be a mapping")
        phrases = spec.get("phrases") or []
        tokens = spec.get("tokens") or []
        if not all(isinstance(x, str) and x == x.lower() for x in phrases):
            raise PatternFileError(f"group '{name}': every phrase must be a lower-case string")
        if not all(isinstance(t, list) and t and all(isinstance(d, dict) for d in t) for t in tokens):
            raise PatternFileError(f"group '{name}': each token pattern must be a list of mappings")
        if any(_has_yaml_bool(d) for t in tokens for d in t):
            raise PatternFileError(f"group '{name}': a token pattern holds true/false where a word was meant; "
                                   'quote words such as "on", "off", "yes" and "no"')
        hint = spec.get("type_hint")
        if hint is not None and hint not in LEARNING_TYPES:
            raise PatternFileError(f"group '{name}': unknown type_hint '{hint}'")
        models = spec.get("models", list(MODELS))
        if isinstance(models, str):
            models = [models]
        if not isinstance(models, list) or not models or any(m not in MODELS for m in models):
            raise PatternFileError(f"group '{name}': 'models' must list one or both of {', '.join(MODELS)}")
        out[str(name)] = {"cue": spec.get("cue", "learning"), "type_hint": hint,
                          "phrases": list(phrases), "tokens": tokens, "models": list(models)}
    return out


def _has_yaml_bool(spec) -> bool:
    """True if a token spec holds a bool inside a word list ({LOWER: {IN: [on, by]}} reads `on` as True)."""
    if isinstance(spec, dict):
        return any(_has_yaml_bool(v) for v in spec.values())
    if isinstance(spec, list):
        return any(isinstance(v, bool) or _has_yaml_bool(v) for v in spec)
    return False


class PatternSet:
    """Compiled spaCy Matcher for the pattern groups (built lazily, never pickled)."""

    def __init__(self, groups: dict[str, dict]):
        from spacy.matcher import Matcher

        self.names = list(groups)
        pipe = nlp()
        self._matcher = Matcher(pipe.vocab, validate=True)
        for name, spec in groups.items():
            pats = [[{"LOWER": t.text} for t in pipe.make_doc(ph)] for ph in spec["phrases"]]
            pats += spec["tokens"]
            if not pats:
                continue
            try:
                self._matcher.add(name, pats)
            except (ValueError, KeyError, TypeError) as exc:
                raise PatternFileError(f"group '{name}' has an invalid token pattern ({type(exc).__name__})") from None
        self._index = {pipe.vocab.strings[n]: j for j, n in enumerate(self.names)}

    def matrix(self, docs: Sequence[PreparedText]) -> np.ndarray:
        """One row per text, one 0/1 column per group (in `names` order)."""
        out = np.zeros((len(docs), len(self.names)), dtype=np.float32)
        # Lower-cased so sentence-initial words lemmatise ("Reminders" -> "reminder").
        texts = (spacy_input(d.redacted).lower() for d in docs)
        for i, doc in enumerate(nlp().pipe(texts, disable=["sentencizer"], batch_size=256)):
            for match_id, _, _ in self._matcher(doc):
                out[i, self._index[match_id]] = 1.0
        return out


# ------------------------------------------------------------------ sentences

_MARKER = (
    r"(?:[\u2022\u2023\u2043\u2219\u25aa\u25ab\u25cf\u25cb\u25e6\u25a0\u25a1\u2013\u2014\u00b7\u27a2\u2794"
    r"\u2192\uf0b7\uf0a7\uf076\uf0d8*\-–>]|\(?(?:\d{1,2}|[a-hA-H]|[ivxIVX]{1,4})[.)](?=\s))[ \t]*"
)
_BULLET = re.compile(r"^[ \t]*" + _MARKER)       # a line that starts a list item
_MARKER_AT = re.compile(_MARKER)                  # used with .match(text, pos): anchored at pos
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


def blocks(text: str) -> list[tuple[int, int]]:
    """Cut text into blocks no sentence crosses: blank lines, bullets, headings.

    A single newline inside running prose (a hard-wrapped line) does not end a
    block; a newline after terminal punctuation, after a short heading-like
    line, or before a bullet does.
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
        new_block = cur_start is None or bool(_BULLET.match(line)) or bool(_TERMINAL.search(prev)) or (
            len(prev.split()) <= 6 and _STARTS_UPPER.match(line) is not None)
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
    following = text[next_block[0]:next_block[1]]
    marker = _BULLET.match(line)
    if marker:
        # "5. Learning from complaints" is a numbered heading; "• Training" is a list item.
        if not line[:marker.end()].strip().lstrip("(")[:1].isalnum() or _BULLET.match(following):
            return False
        line = line[marker.end():]
    return len(line.split()) <= _HEADING_MAX_WORDS and len(following.split()) > _HEADING_MAX_WORDS


def split_sentences(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
    """Sentence spans (start, end) for each text; each span has at least one word.

    Headings (see `is_heading`) are left out: they name a section about
    learning without being learning.
    """
    jobs: list[tuple[int, int]] = []   # (text index, block start)
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


# ------------------------------------------------------------------ model

class LearningExtractor(BaseEstimator):
    """Detect learning statements and their type.

    Hyperparameters are set in __init__; fitted state ends in `_`. They were
    chosen by repeated 5-fold cross-validation on train+dev: pattern features
    at `pattern_weight` 0.5 (1.0 let the broad groups swamp the type model),
    character n-grams at `char_weight` 1.5. `type_pattern_weight` (default:
    `pattern_weight`) scales the pattern features for the type model, which
    also sees the groups marked `models: [type]` in the pattern file.
    `fit(sentences, learning_labels, types)` takes raw sentences, a bool per
    sentence and a type per sentence (ignored where the label is False).
    The decision threshold is tuned on `dev_sentences`/`dev_labels` when
    given, else on out-of-fold scores of the training data.
    """

    def __init__(self, C=4.0, type_C=8.0, class_weight="balanced", word_ngrams=(1, 2),
                 char_ngrams=(2, 5), surface_ngrams=(1, 3), min_df=2, pattern_weight=0.5, threshold=None,
                 threshold_bounds=(0.15, 0.85), patterns=None, cv_folds=5, random_state=0,
                 type_pattern_weight=None, type_class_weight="balanced", char_weight=1.5):
        self.C = C
        self.type_C = type_C
        self.class_weight = class_weight
        self.type_pattern_weight = type_pattern_weight
        self.type_class_weight = type_class_weight
        self.char_weight = char_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.surface_ngrams = surface_ngrams
        self.min_df = min_df
        self.pattern_weight = pattern_weight
        self.threshold = threshold
        self.threshold_bounds = threshold_bounds
        self.patterns = patterns
        self.cv_folds = cv_folds
        self.random_state = random_state

    # -------------------------------------------------------------- training
    def fit(self, sentences, learning_labels, types=None, dev_sentences=None, dev_labels=None):
        sentences = list(sentences)
        y = self._bool_labels(learning_labels, "learning")
        if len(y) != len(sentences):
            raise LabelError(f"{len(sentences)} sentences but {len(y)} learning labels")
        if len(set(y.tolist())) < 2:
            raise LabelError("learning labels need both true and false examples")
        types = list(types) if types is not None else [None] * len(sentences)
        if len(types) != len(sentences):
            raise LabelError(f"{len(sentences)} sentences but {len(types)} types")
        self.patterns_ = load_patterns(self.patterns)
        self._pattern_set = None
        docs = prepare(sentences)
        self.features_ = TextFeatures(word_ngrams=self.word_ngrams, char_ngrams=self.char_ngrams,
                                      min_df=self.min_df, char_weight=self.char_weight).fit(docs)
        self.surface_ = None
        if self.surface_ngrams:
            # Surface words keep tense and voice ("were reminded", "will now") that lemmas lose.
            self.surface_ = TfidfVectorizer(
                lowercase=True, token_pattern=r"(?u)\b\w[\w']*\b", ngram_range=tuple(self.surface_ngrams),
                min_df=self.min_df, sublinear_tf=True, dtype=np.float32).fit([d.redacted for d in docs])
            if hasattr(self.surface_, "stop_words_"):
                del self.surface_.stop_words_   # pruned rare terms could name a person
        parts = self._parts(docs)
        X = self._assemble(parts, "detect")
        self.clf_ = self._new_clf(self.C, self.class_weight).fit(X, y)
        self.threshold_ = self._tune_threshold(X, y, dev_sentences, dev_labels)

        pos = np.flatnonzero(y)
        type_y = [self._check_type(types[i], i) for i in pos]
        self.types_ = sorted(set(type_y))
        self.type_clf_ = None
        if len(self.types_) > 1:
            Xt = self._assemble(parts, "type")[pos]
            self.type_clf_ = self._new_clf(self.type_C, self.type_class_weight).fit(Xt, type_y)
        self.n_train_ = len(sentences)
        return self

    def _new_clf(self, C, class_weight):
        return LogisticRegression(C=C, class_weight=class_weight, max_iter=5000,
                                  random_state=self.random_state)

    @staticmethod
    def _bool_labels(labels, what) -> np.ndarray:
        out = []
        for i, v in enumerate(labels):
            b = parse_bool(v)
            if b is None:
                raise LabelError(f"row {i + 1}: {what} label must be true or false")
            out.append(b)
        return np.array(out, dtype=bool)

    @staticmethod
    def _check_type(t, i) -> str:
        t = (str(t).strip() if t is not None and t == t else "") or "other"
        if t not in LEARNING_TYPES:
            raise LabelError(f"row {i + 1}: unknown learning type '{t[:40]}'; "
                             f"use one of {', '.join(LEARNING_TYPES)}")
        return t

    def _tune_threshold(self, X, y, dev_sentences, dev_labels) -> float:
        if self.threshold is not None:
            return float(self.threshold)
        if dev_sentences is not None:
            dev_y = self._bool_labels(dev_labels, "learning")
            prob = self.score_sentences(list(dev_sentences))
        else:
            folds = StratifiedKFold(n_splits=min(self.cv_folds, int(min(y.sum(), (~y).sum()))) or 2,
                                    shuffle=True, random_state=self.random_state)
            prob = cross_val_predict(self._new_clf(self.C, self.class_weight), X, y, cv=folds,
                                     method="predict_proba")[:, 1]
            dev_y = y
        return best_threshold(prob, dev_y, self.threshold_bounds)

    # -------------------------------------------------------------- features
    def _patterns(self) -> PatternSet:
        if getattr(self, "_pattern_set", None) is None:
            self._pattern_set = PatternSet(self.patterns_)
        return self._pattern_set

    def _parts(self, docs: list[PreparedText]):
        """(text features, pattern matrix over every group, surface features or None)."""
        S = self.surface_.transform([d.redacted for d in docs]) if self.surface_ is not None else None
        return self.features_.transform(docs), self._patterns().matrix(docs), S

    def _group_columns(self, model: str) -> np.ndarray:
        """Indices of the pattern groups that feed `model` ('detect' or 'type')."""
        names = list(self.patterns_)
        return np.array([j for j, n in enumerate(names) if model in self.patterns_[n].get("models", MODELS)],
                        dtype=int)

    def _assemble(self, parts, model: str = "detect"):
        F, P, S = parts
        weight = self.pattern_weight
        if model == "type" and getattr(self, "type_pattern_weight", None) is not None:
            weight = self.type_pattern_weight
        blocks = [F, sp.csr_matrix(P[:, self._group_columns(model)] * np.float32(weight))]
        if S is not None:
            blocks.append(S)
        return sp.hstack(blocks, format="csr")

    def _matrix(self, docs: list[PreparedText], model: str = "detect"):
        return self._assemble(self._parts(docs), model)

    def __setstate__(self, state):
        # Models saved before these settings existed were fitted as if they were these values.
        for key, old in (("type_pattern_weight", None), ("type_class_weight", "balanced"), ("char_weight", 1.0)):
            state.setdefault(key, old)
        super().__setstate__(state)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_pattern_set", None)   # spaCy Matcher: rebuilt from patterns_ on load
        scrub_for_saving(state.get("surface_"))
        return state

    def _check_fitted(self):
        if not hasattr(self, "clf_"):
            raise NotFittedError("the learning extractor is not trained; call fit or train one first")

    # -------------------------------------------------------------- inference
    def score_sentences(self, sentences: Sequence[str]) -> np.ndarray:
        """Probability that each (already cut) sentence is a learning statement."""
        self._check_fitted()
        sentences = list(sentences)
        if not sentences:
            return np.zeros(0)
        return self.clf_.predict_proba(self._matrix(prepare(sentences)))[:, 1]

    def predict(self, sentences: Sequence[str]) -> np.ndarray:
        return self.score_sentences(sentences) >= self.threshold_

    def predict_types(self, sentences: Sequence[str]) -> list[str]:
        self._check_fitted()
        sentences = list(sentences)
        if not sentences:
            return []
        if self.type_clf_ is None:
            return [self.types_[0] if self.types_ else "other"] * len(sentences)
        return [str(t) for t in self.type_clf_.predict(self._matrix(prepare(sentences), "type"))]

    def pattern_groups(self, sentence: str) -> list[str]:
        """Names of the pattern groups that match a sentence (for explaining a score)."""
        self._check_fitted()
        row = self._patterns().matrix(prepare([sentence]))[0]
        return [n for n, v in zip(self._patterns().names, row) if v]

    def find_all(self, texts: Sequence[str], source_ids: Sequence[str | None] | None = None
                 ) -> list[list[LearningStatement]]:
        """Learning statements in each text, in reading order."""
        self._check_fitted()
        texts = ["" if t is None else str(t) for t in texts]
        ids = list(source_ids) if source_ids is not None else [None] * len(texts)
        spans = split_sentences(texts)
        flat = [(i, s, e) for i, row in enumerate(spans) for s, e in row]
        out: list[list[LearningStatement]] = [[] for _ in texts]
        if not flat:
            return out
        docs = prepare(texts[i][s:e] for i, s, e in flat)
        parts = self._parts(docs)
        prob = self.clf_.predict_proba(self._assemble(parts, "detect"))[:, 1]
        keep = np.flatnonzero(prob >= self.threshold_)
        if len(keep) == 0:
            return out
        if self.type_clf_ is not None:
            types = [str(t) for t in self.type_clf_.predict(self._assemble(parts, "type")[keep])]
        else:
            types = [self.types_[0] if self.types_ else "other"] * len(keep)
        for k, t in zip(keep, types):
            i, s, e = flat[k]
            out[i].append(LearningStatement(texts[i][s:e], s, e, t, round(float(prob[k]), 4), ids[i]))
        return out

    def find(self, text: str, source_id: str | None = None) -> list[LearningStatement]:
        return self.find_all([text], [source_id])[0]


def best_threshold(prob: np.ndarray, y: np.ndarray, bounds=(0.15, 0.85), window: float = 0.05) -> float:
    """Threshold with the best F1 averaged over +/- `window` around it.

    A dev split of a hundred sentences gives a jagged F1 curve; the
    smoothed peak is the threshold least likely to have won by chance.
    """
    prob = np.asarray(prob, dtype=float)
    y = np.asarray(y, dtype=bool)
    lo, hi = bounds
    grid = np.round(np.arange(lo, hi + 1e-9, 0.01), 4)
    f1 = []
    for t in grid:
        pred = prob >= t
        denom = pred.sum() + y.sum()
        f1.append(2 * float((pred & y).sum()) / denom if denom else 0.0)
    f1 = np.array(f1)
    k = int(round(window / 0.01))
    smooth = np.array([f1[max(0, i - k): i + k + 1].mean() for i in range(len(f1))])
    best = np.flatnonzero(smooth >= smooth.max() - 1e-12)
    return float(grid[best[len(best) // 2]])
