"""ComplaintModel: the components a saved model holds, applied together."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from classifier.errors import InputDataError
from classifier.features.points import complaint_points
from classifier.models.child import ChildAuthoredDetector
from classifier.models.kind import KindClassifier
from classifier.models.themes import ThemeClassifier
from classifier.taxonomy.schema import Taxonomy
from classifier.text import UNLABELLED_MESSAGES, PreparedText, ensure_prepared, lemma_strings, unlabelled_reason

if TYPE_CHECKING:
    from classifier.learning.extractor import LearningExtractor

# How a long text's points join the whole-text score (fixed in advance, see
# bench/REAL_TEXT_RESULTS.md): p = (1 - w) * whole + w * max over points.
POINTS_WEIGHT = 0.5
# Key in `analyse(matrices=)` of the points' (prepared texts, theme feature matrix).
POINTS = "points"


@dataclass
class Analysis:
    themes: list[str]
    theme_scores: dict[str, float]
    child_authored: bool | None
    child_score: float | None
    child_evidence: list[str]
    kind: str | None
    kind_score: float | None
    # Multi-point texts: (start, end) of each point in the redacted text, and per
    # theme the index of the point that scored it highest.
    points: list[tuple[int, int]] = field(default_factory=list)
    best_point: dict[str, int] = field(default_factory=dict)


@dataclass
class Encoded:
    """Sentence-encoder output for a batch: one vector per text, one per point of each text."""

    vectors: np.ndarray
    point_spans: list[list[tuple[int, int]]]
    point_vectors: list[np.ndarray]


@dataclass
class ComplaintModel:
    """The components a saved model holds, applied together to complaint text.

    Parameters
    ----------
    themes : ThemeClassifier
        Theme heads (any taxonomy).
    child : ChildAuthoredDetector, optional
        The child-authored flag.
    kind : KindClassifier, optional
        Complaint / enquiry / compliment.
    learning : LearningExtractor, optional
        Learning statements (read from learning.npz on first use).
    meta : dict
        The model's meta.json (filled by `load_model`).
    points : bool
        Also score each point of a multi-point text (needs the encoder).
    fast : bool
        Label with the TF-IDF heads only, never loading the encoder (`label --fast`).
    learning_loader, encoder_loader : callable, optional
        Set by `load_model`: load the learning extractor / sentence encoder on first use.
    """

    themes: ThemeClassifier
    child: ChildAuthoredDetector | None = None
    kind: KindClassifier | None = None
    learning: LearningExtractor | None = None
    meta: dict = field(default_factory=dict)  # filled from meta.json on load
    # Score the points of multi-point texts too (needs the encoder's vectors).
    points: bool = False
    # Label with the TF-IDF heads only, never loading the encoder (`label --fast`).
    fast: bool = False
    # Set by load_model: reads learning.npz on first use, so labelling and
    # suggest do not pay to unpickle a component they never call.
    learning_loader: Callable[[], LearningExtractor] | None = field(default=None, repr=False)
    # Loads the sentence encoder on first use (so --fast, info and the like never do).
    encoder_loader: Callable[[], object] | None = field(default=None, repr=False)
    _encoder: object | None = field(default=None, repr=False)

    def __getattribute__(self, name):
        if name == "learning":
            loader = object.__getattribute__(self, "learning_loader")
            if loader is not None:
                object.__setattr__(self, "learning", loader())
                object.__setattr__(self, "learning_loader", None)
        return object.__getattribute__(self, name)

    def __getstate__(self):
        # A worker process loads its own encoder (an onnxruntime session does not pickle).
        state = dict(self.__dict__)
        state["_encoder"] = None
        return state

    @property
    def taxonomy(self) -> Taxonomy:
        return self.themes.taxonomy_

    @property
    def version(self) -> str:
        return self.meta.get("model_version", "unsaved")

    @property
    def uses_encoder(self) -> bool:
        return any(getattr(c, "uses_vectors", False) for c in (self.themes, self.child, self.kind))

    @property
    def encoder(self):
        if self._encoder is None:
            if self.encoder_loader is None:
                from classifier.features.encoder import SentenceEncoder, default_encoder_dir

                self._encoder = SentenceEncoder(default_encoder_dir())
            else:
                self._encoder = self.encoder_loader()
        return self._encoder

    def encode(self, docs: list[PreparedText]) -> Encoded:
        """Vectors of the redacted texts (and of their points, from the same model run).

        Parameters
        ----------
        docs : list of PreparedText

        Returns
        -------
        Encoded
            One vector per text, and per text its point spans and their vectors.
        """
        texts = [d.redacted for d in docs]
        if not self.points:  # no token vectors kept
            return Encoded(self.encoder.encode(texts), [[] for _ in docs], [])
        spans = [complaint_points(t) for t in texts]
        spans = [s if len(s) > 1 else [] for s in spans]
        vectors, point_vectors = self.encoder.encode_with_spans(texts, spans)
        return Encoded(vectors, spans, point_vectors)

    def analyse(
        self,
        texts,
        child_override: list[tuple[bool | None, str | None]] | None = None,
        fast: bool | None = None,
        encoded: Encoded | None = None,
        matrices: dict | None = None,
    ) -> list[Analysis]:
        """Themes, child flag and kind per text.

        Parameters
        ----------
        texts : list of str or PreparedText
            Raw texts are prepared (normalised, redacted, lemmatised) here, once.
        child_override : list of (flag or None, evidence), optional
            Per text, a child-authored flag from a structured column, which wins.
        fast : bool, optional
            TF-IDF only, no encoder (default: the model's `fast`).
        encoded : Encoded, optional
            Vectors already computed for these texts (benchmarks).
        matrices : dict, optional
            Filled with the feature matrices built, by `id()` of the features object
            (and the points' under `POINTS`), so a caller can explain from them.

        Returns
        -------
        list of Analysis
            One per text, in order.
        """
        fast = self.fast if fast is None else fast
        docs = ensure_prepared(texts)
        if not docs:
            return []
        if not fast and self.uses_encoder and encoded is None:
            encoded = self.encode(docs)
        if fast or not self.uses_encoder:
            encoded = None
        vectors = encoded.vectors if encoded is not None else None
        # Components trained together share one TextFeatures: transform once per object.
        if matrices is None:
            matrices = {}

        def X(component):
            key = id(component.features_)
            if key not in matrices:
                matrices[key] = component.features_.transform(docs)
            return matrices[key]

        theme_vectors = vectors if getattr(self.themes, "uses_vectors", False) else None
        # A component without vector heads (an adapted theme model, say) is called as before.
        proba = self.themes.predict_proba(
            docs, X=X(self.themes), **({"vectors": theme_vectors} if theme_vectors is not None else {})
        )
        best_point: list[dict[str, int]] = [{} for _ in docs]
        if encoded is not None and self.points and theme_vectors is not None:
            proba, best_point = self._with_points(proba, docs, encoded, matrices)
        kinds = kind_p = None
        if self.kind is not None:
            kp = self.kind.predict_proba(docs, X=X(self.kind), vectors=vectors)
            kinds = [self.kind.classes_[i] for i in kp.argmax(axis=1)]
            kind_p = kp.max(axis=1)
        # Compliments get no themes; complaints and enquiries get at least one.
        need = np.array([k != "compliment" for k in kinds]) if kinds else True
        picked = self.themes.predict(docs, at_least_one=need, proba=proba, fast=theme_vectors is None)
        if kinds:
            picked = [p if k != "compliment" else [] for p, k in zip(picked, kinds)]
        child_p = hits = None
        if self.child is not None:
            hits = self.child.signal_hits(docs)
            child_p = self.child.predict_proba(
                docs, X=X(self.child), signals=self.child.signal_matrix(docs, hits), vectors=vectors
            )
            child_t = self.child.threshold_for(vectors is not None)
        rounded = np.round(np.asarray(proba, dtype=np.float64), 4).tolist()
        out = []
        for i, doc in enumerate(docs):
            scores = dict(zip(self.themes.labels_, rounded[i]))
            if self.taxonomy.is_hierarchical:
                for t in self.taxonomy.themes:
                    if t.id not in scores:
                        kids = [scores[c] for c in self.taxonomy.leaf_ids if t.id in self.taxonomy.ancestors(c)]
                        scores[t.id] = max(kids) if kids else 0.0
            c_flag = c_score = None
            evidence: list[str] = []
            if self.child is not None:
                c_score = float(child_p[i])
                c_flag = bool(c_score >= child_t)
                evidence = self.child.evidence(doc, hits[i])
            if child_override and child_override[i][0] is not None:
                c_flag = child_override[i][0]
                evidence = [child_override[i][1], *evidence]
            out.append(
                Analysis(
                    themes=picked[i],
                    theme_scores=scores,
                    child_authored=c_flag,
                    child_score=None if c_score is None else round(c_score, 4),
                    child_evidence=evidence,
                    kind=kinds[i] if kinds else None,
                    kind_score=None if kind_p is None else round(float(kind_p[i]), 4),
                    points=encoded.point_spans[i] if encoded is not None else [],
                    best_point=best_point[i],
                )
            )
        return out

    def _with_points(self, proba: np.ndarray, docs: list[PreparedText], encoded: Encoded, matrices: dict):
        """Join each multi-point text's whole score with its best point's (POINTS_WEIGHT)."""
        owner, texts, vecs = [], [], []
        for i, (doc, spans) in enumerate(zip(docs, encoded.point_spans)):
            for a, b in spans:
                owner.append(i)
                texts.append(doc.redacted[a:b])
            if spans:
                vecs.append(encoded.point_vectors[i])
        best: list[dict[str, int]] = [{} for _ in docs]
        if not texts:
            return proba, best
        point_docs = [PreparedText(t, l) for t, l in zip(texts, lemma_strings(texts))]
        matrices[POINTS] = (point_docs, self.themes.features_.transform(point_docs))
        pp = self.themes.predict_proba(point_docs, X=matrices[POINTS][1], vectors=np.vstack(vecs))
        owner_arr = np.asarray(owner)
        out = np.array(proba, dtype=np.float64, copy=True)
        for i in np.unique(owner_arr):
            rows = np.flatnonzero(owner_arr == i)
            top = pp[rows].argmax(axis=0)
            out[i] = (1 - POINTS_WEIGHT) * proba[i] + POINTS_WEIGHT * pp[rows].max(axis=0)
            best[i] = {l: int(top[j]) for j, l in enumerate(self.themes.labels_)}
        return out, best

    def explained(self, text, fast: bool | None = None) -> tuple[PreparedText, Analysis, Callable]:
        """One text prepared and analysed once, and a function giving the evidence for themes of it.

        Parameters
        ----------
        text : str
            One complaint, as typed or pasted.
        fast : bool, optional
            TF-IDF only, no encoder (default: the model's `fast`).

        Returns
        -------
        (PreparedText, Analysis, evidence)
            `evidence(themes, point=None)` -> {theme: [(phrase, weight)]}, from the
            whole text or from point `point` (an index into `Analysis.points`),
            using the feature matrices the analysis built.
        """
        doc = ensure_prepared([text])[0]
        matrices: dict = {}
        a = self.analyse([doc], fast=fast, matrices=matrices)[0]

        def evidence(themes: list[str], point: int | None = None) -> dict[str, list[tuple[str, float]]]:
            if point is None:
                return self.themes.explain(doc, themes=themes, X=matrices[id(self.themes.features_)])
            point_docs, X = matrices[POINTS]  # one text: its points are rows 0..n-1
            return self.themes.explain(point_docs[point], themes=themes, X=X[point])

        return doc, a, evidence

    def suggest(self, text: str, top: int = 3, fast: bool | None = None) -> dict:
        """The top themes of one complaint with the words behind each, the kind and the child flag.

        Parameters
        ----------
        text : str
            One complaint.
        top : int
            How many themes to return, most likely first.
        fast : bool, optional
            TF-IDF only, no encoder (default: the model's `fast`).

        Returns
        -------
        dict
            `suggested` (themes above threshold), `top` (theme, label, probability,
            above_threshold, evidence, and for multi-point texts the point that scored
            it), `points`, `kind`, `child_authored` (+ score, evidence), `model_version`.

        Raises
        ------
        InputDataError
            The text is empty, has no words, or is a placeholder such as "N/A" (E100).
        """
        why = unlabelled_reason(text) if isinstance(text, str) else "empty text"
        if why:
            raise InputDataError(f"cannot suggest themes: {UNLABELLED_MESSAGES[why]}")
        doc, a, explain = self.explained(text, fast=fast)
        ranked = sorted(((l, a.theme_scores[l]) for l in self.themes.labels_), key=lambda x: -x[1])[:top]
        themes = [l for l, _ in ranked]
        evidence = explain(themes)
        point_of: dict[str, dict] = {}
        if a.points:
            # Evidence per point: each theme's words are taken from the point that scored it highest.
            for l in themes:
                k = a.best_point.get(l)
                if k is None:
                    continue
                s, e = a.points[k]
                words = explain([l], point=k).get(l, [])
                point_of[l] = {"point": k + 1, "start": s, "end": e, "evidence": [w for w, _ in words]}
        return {
            "suggested": a.themes,
            "top": [
                {
                    "theme": l,
                    "label": self.taxonomy.label_of(l),
                    "probability": p,
                    "above_threshold": l in a.themes,
                    "evidence": [w for w, _ in evidence.get(l, [])],
                    **({"point": point_of[l]} if l in point_of else {}),
                }
                for l, p in ranked
            ],
            "points": len(a.points) or 1,
            "kind": a.kind,
            "child_authored": a.child_authored,
            "child_authored_score": a.child_score,
            "child_authored_evidence": a.child_evidence,
            "model_version": self.version,
        }


def scores_json(scores: dict[str, float]) -> str:
    return json.dumps(scores, separators=(",", ":"))
