"""ComplaintModel: the components a saved model holds, applied together."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from classifier.models.child import ChildAuthoredDetector
from classifier.models.kind import KindClassifier
from classifier.taxonomy.schema import Taxonomy
from classifier.text import ensure_prepared
from classifier.models.themes import ThemeClassifier


@dataclass
class Analysis:
    themes: list[str]
    theme_scores: dict[str, float]
    child_authored: bool | None
    child_score: float | None
    child_evidence: list[str]
    kind: str | None
    kind_score: float | None


@dataclass
class ComplaintModel:
    themes: ThemeClassifier
    child: ChildAuthoredDetector | None = None
    kind: KindClassifier | None = None
    learning: object | None = None           # classifier.learning.LearningExtractor
    meta: dict = field(default_factory=dict)  # filled from meta.json on load
    # Set by load_model: reads learning.npz on first use, so labelling and
    # suggest do not pay to unpickle a component they never call.
    learning_loader: Callable[[], object] | None = field(default=None, repr=False)

    def __getattribute__(self, name):
        if name == "learning":
            loader = object.__getattribute__(self, "learning_loader")
            if loader is not None:
                object.__setattr__(self, "learning", loader())
                object.__setattr__(self, "learning_loader", None)
        return object.__getattribute__(self, name)

    @property
    def taxonomy(self) -> Taxonomy:
        return self.themes.taxonomy_

    @property
    def version(self) -> str:
        return self.meta.get("model_version", "unsaved")

    def analyse(self, texts, child_override: list[tuple[bool | None, str | None]] | None = None) -> list[Analysis]:
        docs = ensure_prepared(texts)
        if not docs:
            return []
        # Components trained together share one TextFeatures: transform once per object.
        matrices: dict[int, object] = {}

        def X(component):
            key = id(component.features_)
            if key not in matrices:
                matrices[key] = component.features_.transform(docs)
            return matrices[key]

        proba = self.themes.predict_proba(docs, X=X(self.themes))
        kinds = kind_p = None
        if self.kind is not None:
            kp = self.kind.predict_proba(docs, X=X(self.kind))
            kinds = [self.kind.classes_[i] for i in kp.argmax(axis=1)]
            kind_p = kp.max(axis=1)
        # Compliments get no themes; complaints and enquiries get at least one.
        need = np.array([k != "compliment" for k in kinds]) if kinds else True
        picked = self.themes.predict(docs, at_least_one=need, proba=proba)
        if kinds:
            picked = [p if k != "compliment" else [] for p, k in zip(picked, kinds)]
        child_p = hits = None
        if self.child is not None:
            hits = self.child.signal_hits(docs)
            child_p = self.child.predict_proba(docs, X=X(self.child), signals=self.child.signal_matrix(docs, hits))
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
                c_flag = bool(c_score >= self.child.threshold_)
                evidence = self.child.evidence(doc, hits[i])
            if child_override and child_override[i][0] is not None:
                c_flag = child_override[i][0]
                evidence = [child_override[i][1], *evidence]
            out.append(Analysis(
                themes=picked[i], theme_scores=scores, child_authored=c_flag,
                child_score=None if c_score is None else round(c_score, 4), child_evidence=evidence,
                kind=kinds[i] if kinds else None,
                kind_score=None if kind_p is None else round(float(kind_p[i]), 4),
            ))
        return out

    def suggest(self, text: str, top: int = 3) -> dict:
        doc = ensure_prepared([text])[0]
        a = self.analyse([doc])[0]
        ranked = sorted(((l, a.theme_scores[l]) for l in self.themes.labels_), key=lambda x: -x[1])[:top]
        evidence = self.themes.explain(doc, themes=[l for l, _ in ranked])
        return {
            "suggested": a.themes,
            "top": [{"theme": l, "label": self.taxonomy.label_of(l), "probability": p,
                     "above_threshold": l in a.themes,
                     "evidence": [w for w, _ in evidence.get(l, [])]} for l, p in ranked],
            "kind": a.kind, "child_authored": a.child_authored, "child_authored_score": a.child_score,
            "child_authored_evidence": a.child_evidence, "model_version": self.version,
        }


def scores_json(scores: dict[str, float]) -> str:
    return json.dumps(scores, separators=(",", ":"))
