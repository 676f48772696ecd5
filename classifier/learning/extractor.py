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

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from classifier.errors import LabelError, LearningError, NotFittedError, PatternFileError  # noqa: F401 (re-exported)
from classifier.features.tfidf import NameFilter, TextFeatures, filter_names, scrub_for_saving
from classifier.learning.patterns import LEARNING_TYPES, MODELS, PatternSet, load_patterns  # noqa: F401
from classifier.learning.sentences import split_sentences  # noqa: F401 (re-exported)
from classifier.learning.threshold import best_threshold
from classifier.text import PreparedText, prepare


@dataclass(frozen=True)
class LearningStatement:
    sentence: str  # verbatim: text[start:end]
    start: int
    end: int
    type: str
    score: float
    source_id: str | None = None
    section: str = ""  # title of the section it is in ("" if none)
    context: str = ""  # the kind it was judged by (sections.yml): learning, compliments, ...
    lead_in: str = ""  # the list lead-in line or table column heading it sits under
    actions: dict = field(default_factory=dict)  # from its table row: action_owner, due_date, status

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


# ------------------------------------------------------------------ model


class LearningExtractor(BaseEstimator):
    """Detect learning statements and their type.

    Hyperparameters are set in __init__; fitted state ends in `_`. They were
    chosen by repeated 5-fold cross-validation on train+dev: pattern features
    at `pattern_weight` 0.5 (1.0 let the broad groups swamp the type model),
    character n-grams at `char_weight` 1.5. `type_pattern_weight` (default:
    `pattern_weight`) scales the pattern features for the type model, which
    also sees the groups marked `models: [type]` in the pattern file.
    `embed_weight` (None/0: off, the default) appends that multiple of the
    sentence-encoder embedding of the redacted text to both matrices; the
    encoder is loaded from `encoder_folder` (None: models/encoder) on first
    use and never saved. Off by default: at 0.5 it gained 0.003 CV F1 but lost
    F1 on the blind documents (bench/LEARNING_RESULTS.md, session 5).
    `frame_words` (0: off) adds word 1-3-grams, times `frame_weight`, of each
    sentence's frame (`frame.py`: its words among the `frame_words` most
    frequent in training, every other run of words one gap), so obligation,
    tense and voice count apart from topic words; 600 gained 0.006 F1 in
    cross-validation that holds out whole writers' batches (session 6).
    `fit(sentences, learning_labels, types)` takes raw sentences, a bool per
    sentence and a type per sentence (ignored where the label is False).
    The decision threshold is tuned on `dev_sentences`/`dev_labels` when
    given, else on out-of-fold scores of the training data.
    """

    def __init__(
        self,
        C=4.0,
        type_C=8.0,
        class_weight="balanced",
        word_ngrams=(1, 2),
        char_ngrams=(2, 5),
        surface_ngrams=(1, 3),
        min_df=2,
        pattern_weight=0.5,
        threshold=None,
        threshold_bounds=(0.15, 0.85),
        patterns=None,
        cv_folds=5,
        random_state=0,
        type_pattern_weight=None,
        type_class_weight="balanced",
        char_weight=1.5,
        context_threshold=0.85,
        lead_in_mode="max",
        embed_weight=None,
        encoder_folder=None,
        frame_words=600,
        frame_ngrams=(1, 3),
        frame_weight=1.0,
    ):
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
        self.context_threshold = context_threshold
        self.lead_in_mode = lead_in_mode
        self.embed_weight = embed_weight
        self.encoder_folder = encoder_folder
        self.frame_words = frame_words
        self.frame_ngrams = frame_ngrams
        self.frame_weight = frame_weight

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
        self.features_ = TextFeatures(
            word_ngrams=self.word_ngrams, char_ngrams=self.char_ngrams, min_df=self.min_df, char_weight=self.char_weight
        ).fit(docs)
        self.surface_ = None
        if self.surface_ngrams:
            # Surface words keep tense and voice ("were reminded", "will now") that lemmas lose.
            self.surface_ = TfidfVectorizer(
                lowercase=True,
                token_pattern=r"(?u)\b\w[\w']*\b",
                ngram_range=tuple(self.surface_ngrams),
                min_df=self.min_df,
                sublinear_tf=True,
                dtype=np.float32,
            ).fit([d.redacted for d in docs])
            if hasattr(self.surface_, "stop_words_"):
                del self.surface_.stop_words_  # pruned rare terms could name a person
            filter_names(self.surface_, NameFilter(docs), "word")  # and so could a frequent missed name
        self._fit_frames(docs)
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
        return LogisticRegression(C=C, class_weight=class_weight, max_iter=5000, random_state=self.random_state)

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
            from classifier.redact.quote import shown_value

            raise LabelError(
                f"row {i + 1}: unknown learning type {shown_value(t)}; use one of {', '.join(LEARNING_TYPES)}"
            )
        return t

    def _tune_threshold(self, X, y, dev_sentences, dev_labels) -> float:
        if self.threshold is not None:
            return float(self.threshold)
        if dev_sentences is not None:
            dev_y = self._bool_labels(dev_labels, "learning")
            prob = self.score_sentences(list(dev_sentences))
        else:
            folds = StratifiedKFold(
                n_splits=min(self.cv_folds, int(min(y.sum(), (~y).sum()))) or 2,
                shuffle=True,
                random_state=self.random_state,
            )
            prob = cross_val_predict(self._new_clf(self.C, self.class_weight), X, y, cv=folds, method="predict_proba")[
                :, 1
            ]
            dev_y = y
        return best_threshold(prob, dev_y, self.threshold_bounds)

    # -------------------------------------------------------------- features
    def _patterns(self) -> PatternSet:
        if getattr(self, "_pattern_set", None) is None:
            self._pattern_set = PatternSet(self.patterns_)
        return self._pattern_set

    def _fit_frames(self, docs: list[PreparedText]) -> None:
        """Frame n-grams (`frame.py`) over the `frame_words` most frequent words; 0: none."""
        self.frame_words_, self.frame_ = None, None
        if getattr(self, "frame_words", 0):
            from classifier.learning.frame import fit_frames

            blocked = NameFilter(docs).blocked
            texts = [d.redacted for d in docs]
            self.frame_words_, self.frame_ = fit_frames(
                texts, self.frame_words, self.frame_ngrams, self.min_df, blocked
            )

    def _parts(self, docs: list[PreparedText]):
        """(text features, pattern matrix over every group, surface and frame features or None,
        sentence-encoder embeddings of the redacted text or None)."""
        S = self.surface_.transform([d.redacted for d in docs]) if self.surface_ is not None else None
        if getattr(self, "frame_", None) is not None:
            from classifier.learning.frame import frame_matrix

            R = frame_matrix(self.frame_, self.frame_words_, [d.redacted for d in docs]) * np.float32(self.frame_weight)
            S = R if S is None else sp.hstack([S, R], format="csr")
        E = None
        if getattr(self, "embed_weight", None):
            from classifier.learning.encoding import embed

            E = embed([d.redacted for d in docs], getattr(self, "encoder_folder", None))
        return self.features_.transform(docs), self._patterns().matrix(docs), S, E

    def _group_columns(self, model: str) -> np.ndarray:
        """Indices of the pattern groups that feed `model` ('detect' or 'type')."""
        names = list(self.patterns_)
        return np.array([j for j, n in enumerate(names) if model in self.patterns_[n].get("models", MODELS)], dtype=int)

    def _assemble(self, parts, model: str = "detect"):
        F, P, S, E = parts
        weight = self.pattern_weight
        if model == "type" and getattr(self, "type_pattern_weight", None) is not None:
            weight = self.type_pattern_weight
        blocks = [F, sp.csr_matrix(P[:, self._group_columns(model)] * np.float32(weight))]
        if S is not None:
            blocks.append(S)
        if E is not None:
            blocks.append(sp.csr_matrix(E * np.float32(self.embed_weight)))
        return sp.hstack(blocks, format="csr")

    def _matrix(self, docs: list[PreparedText], model: str = "detect"):
        return self._assemble(self._parts(docs), model)

    def __setstate__(self, state):
        # Models saved before these settings existed were fitted as if they were these values.
        for key, old in (
            ("type_pattern_weight", None),
            ("type_class_weight", "balanced"),
            ("char_weight", 1.0),
            ("context_threshold", None),
            ("lead_in_mode", "none"),
            ("embed_weight", None),
            ("encoder_folder", None),
            ("frame_words", 0),
            ("frame_", None),
        ):
            state.setdefault(key, old)
        super().__setstate__(state)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_pattern_set", None)  # spaCy Matcher: rebuilt from patterns_ on load
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
        """Whether each sentence is a learning statement (score >= the fitted threshold), as booleans."""
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

    def find_all(
        self,
        texts: Sequence[str],
        source_ids: Sequence[str | None] | None = None,
        item_starts: Sequence[frozenset] | None = None,
        sections: str = "all",
    ) -> list[list[LearningStatement]]:
        """Learning statements in each text, in reading order.

        Each sentence is read in its place in the document (`structure.analyse`):
        headings, list lead-ins and table header rows are never statements; a
        list item is also scored with its lead-in line in front (the higher
        score counts with `lead_in_mode` "max"); a sentence in a compliment
        quote, a summary of what complainants said, a case narrative or a
        section of statistics or procedure is kept only when clearly an
        action (score >= `context_threshold`). `sections="learning"` keeps
        only statements in learning or action sections, in texts that have one.
        `item_starts` marks list items whose bullet glyph was dropped (documents).
        """
        from classifier.learning.structure import CANDIDATE_ROLES, analyse, load_sections

        self._check_fitted()
        if sections not in ("all", "learning"):
            raise LearningError(f"sections must be 'all' or 'learning', not '{sections}'")
        texts = ["" if t is None else str(t) for t in texts]
        ids = list(source_ids) if source_ids is not None else [None] * len(texts)
        segments = analyse(texts, item_starts)
        spec = load_sections()
        mined, never = spec["mined"], spec["never"]
        flat = [(i, g) for i, row in enumerate(segments) for g in row if g.context.role in CANDIDATE_ROLES]
        out: list[list[LearningStatement]] = [[] for _ in texts]
        if not flat:
            return out
        docs = prepare(texts[i][g.start : g.end] for i, g in flat)
        parts = self._parts(docs)
        prob = self.clf_.predict_proba(self._assemble(parts, "detect"))[:, 1]
        mode = getattr(self, "lead_in_mode", "none")
        # List items read with their lead-in line; table cells with their column heading.
        led = [
            k
            for k, (i, g) in enumerate(flat)
            if g.context.lead_in
            and (g.context.role == "item" or (g.context.role == "cell" and g.context.kind in mined))
        ]
        if led and mode in ("max", "join"):
            joined = self.score_sentences(
                [
                    f"{_as_lead_in(flat[k][1].context.lead_in)} {texts[flat[k][0]][flat[k][1].start : flat[k][1].end]}"
                    for k in led
                ]
            )
            prob[led] = np.maximum(prob[led], joined) if mode == "max" else joined
        context_threshold = getattr(self, "context_threshold", None)
        strict = self.threshold_ if context_threshold is None else max(self.threshold_, context_threshold)
        need = np.array(
            [
                np.inf
                if g.context.kind in never
                else self.threshold_
                if (g.context.kind in mined or not g.context.kind)
                else strict
                for _, g in flat
            ]
        )
        ok = prob >= need
        if sections == "learning":
            has = {i for i, row in enumerate(segments) if any(g.context.section_kind in mined for g in row)}
            ok &= np.array(
                [i not in has or g.context.kind in mined or g.context.section_kind in mined for i, g in flat]
            )
        keep = np.flatnonzero(ok)
        if len(keep) == 0:
            return out
        if self.type_clf_ is not None:
            types = [str(t) for t in self.type_clf_.predict(self._assemble(parts, "type")[keep])]
        else:
            types = [self.types_[0] if self.types_ else "other"] * len(keep)
        for k, t in zip(keep, types):
            i, g = flat[k]
            c = g.context
            out[i].append(
                LearningStatement(
                    texts[i][g.start : g.end],
                    g.start,
                    g.end,
                    t,
                    round(float(prob[k]), 4),
                    ids[i],
                    c.section,
                    c.kind,
                    c.lead_in,
                    dict(c.actions),
                )
            )
        return out

    def find(
        self, text: str, source_id: str | None = None, item_starts: frozenset | None = None, sections: str = "all"
    ) -> list[LearningStatement]:
        """The learning statements in one text, in order: each with `sentence` (verbatim), `start` / `end`
        offsets, `type`, `score`, `section`, `lead_in` and `actions`; `sections='learning'` keeps only
        learning and actions sections when the text has them."""
        return self.find_all([text], [source_id], None if item_starts is None else [item_starts], sections)[0]


def _as_lead_in(line: str) -> str:
    """A column heading ("Action taken") reads as a lead-in ("Action taken:")."""
    line = line.strip()
    return line if line.endswith(":") else line + ":"
