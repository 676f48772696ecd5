"""Child-authored detector: was this made by a child or young person about their own care?

Learned signals (TF-IDF over lemmas) are combined with explicit ones kept as
data in data/child_signals.yml. The decision threshold is set for a recall
target on held-out data, because missing a child's complaint matters more
than a false alarm.

With sentence-encoder vectors (`fit(..., vectors=)`), a second head reads
the vectors and the same explicit signals; the probability is the mean of the
two heads (rule fixed in advance), with its own threshold. Without vectors
(--fast) the TF-IDF head and its threshold are used alone.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import scipy.sparse as sp

from classifier.estimator import ClassifierMixin, Estimator
from classifier.features.fastregex import AnyMatch
from classifier.features.tfidf import TextFeatures
from classifier.models.linear import CalibratedOvR
from classifier.text import PreparedText, ensure_prepared
from classifier.yamlio import safe_load as _yaml_load

CHILD_ROLES = {
    "young_person",
    "young person",
    "child",
    "care_leaver",
    "care leaver",
    "advocate",
    "yp",
    "cyp",
    "looked after child",
    "child in care",
}
ADULT_ROLES = {
    "parent",
    "mother",
    "father",
    "foster_carer",
    "foster carer",
    "kinship_carer",
    "kinship carer",
    "special guardian",
    "grandparent",
    "extended_family",
    "relative",
    "professional",
    "other",
    "mp",
    "solicitor",
}


@lru_cache(maxsize=1)
def default_signals() -> dict[str, dict[str, str]]:
    return _yaml_load((resources.files("classifier") / "data" / "child_signals.yml").read_text("utf-8"))


class ChildAuthoredDetector(ClassifierMixin, Estimator):
    def __init__(
        self,
        C=16.0,
        signal_weight=0.3,
        recall_target=0.95,
        min_df=3,
        char_ngrams=(2, 4),
        random_state=0,
        signals: dict | None = None,
        vector_C=4.0,
    ):
        self.C = C
        self.vector_C = vector_C
        self.char_ngrams = char_ngrams
        self.signal_weight = signal_weight
        self.recall_target = recall_target
        self.min_df = min_df
        self.random_state = random_state
        self.signals = signals

    def _compiled(self):
        # Patterns are lower-case and texts are lowered once: faster than re.I.
        if getattr(self, "_compiled_cache", None) is None:
            sig = self.signals_
            self._compiled_cache = [
                (name, AnyMatch(p), polarity)
                for polarity in ("positive", "negative")
                for name, p in sig.get(polarity, {}).items()
            ]
        return self._compiled_cache

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_compiled_cache", None)  # compiled patterns are rebuilt on first use
        return state

    def signal_hits(self, docs: list[PreparedText]) -> np.ndarray:
        """Boolean matrix: which explicit signal each text shows."""
        comp = self._compiled()
        lowered = [d.redacted.lower() for d in docs]
        return np.array([[rx.found(t) for _, rx, _ in comp] for t in lowered], dtype=bool).reshape(len(docs), len(comp))

    def signal_matrix(self, docs: list[PreparedText], hits: np.ndarray | None = None) -> sp.csr_matrix:
        hits = self.signal_hits(docs) if hits is None else hits
        return sp.csr_matrix(hits.astype(np.float32))

    def _X(self, docs, X=None, signals=None):
        if X is None:
            X = self.features_.transform(docs)
        if signals is None:
            signals = self.signal_matrix(docs)
        return sp.hstack([X, signals * self.signal_weight], format="csr")

    def _V(self, docs, vectors, signals=None):
        if signals is None:
            signals = self.signal_matrix(docs)
        return np.hstack([np.asarray(vectors, dtype=np.float32), signals.toarray() * np.float32(self.signal_weight)])

    @property
    def uses_vectors(self) -> bool:
        return getattr(self, "vector_head_", None) is not None

    def fit(
        self,
        texts,
        y,
        dev_texts=None,
        dev_y=None,
        features: TextFeatures | None = None,
        vectors: np.ndarray | None = None,
        dev_vectors: np.ndarray | None = None,
    ):
        """`features`: an already fitted TextFeatures to share with other components.
        `vectors`, `dev_vectors`: sentence-encoder vectors of `texts` and `dev_texts`."""
        self.signals_ = self.signals or default_signals()
        docs = ensure_prepared(texts)
        y = np.asarray(y, dtype=np.int8)
        self.features_ = features or TextFeatures(
            word_ngrams=(1, 3),
            char_ngrams=self.char_ngrams,
            min_df=self.min_df,
            max_word_features=20000,
            max_char_features=20000,
        ).fit(docs)
        self.head_ = CalibratedOvR(C=self.C, random_state=self.random_state).fit(self._X(docs), y)
        self.vector_head_ = None
        has_dev = dev_texts is not None and len(dev_texts) > 0
        dev_docs = ensure_prepared(dev_texts) if has_dev else None
        self.fast_threshold_, _ = self._tune(self.head_.oof_proba_[:, 0], y, dev_docs, dev_y, None)
        if vectors is not None:
            self.vector_head_ = CalibratedOvR(C=self.vector_C, random_state=self.random_state).fit(
                self._V(docs, vectors), y
            )
            oof = 0.5 * (self.head_.oof_proba_[:, 0] + self.vector_head_.oof_proba_[:, 0])
            self.threshold_, (prob, truth, source) = self._tune(oof, y, dev_docs, dev_y, dev_vectors)
        else:
            self.threshold_, (prob, truth, source) = self._tune(self.head_.oof_proba_[:, 0], y, dev_docs, dev_y, None)
        pred = prob >= self.threshold_
        self.threshold_recall_ = float((pred & (truth == 1)).sum() / max(truth.sum(), 1))
        self.threshold_precision_ = float((pred & (truth == 1)).sum() / max(pred.sum(), 1))
        self.threshold_source_ = source
        return self

    def _tune(self, oof, y, dev_docs, dev_y, dev_vectors):
        """Threshold for the recall target. Out-of-fold scores on train are held-out
        evidence too: it must reach the target on them and on dev, so take the lower."""
        oof_t, _, _ = threshold_for_recall(oof, y, self.recall_target)
        if dev_docs is None:
            return oof_t, (oof, y, "cross-validation")
        prob, truth = self.predict_proba(dev_docs, vectors=dev_vectors), np.asarray(dev_y, dtype=np.int8)
        dev_t, _, _ = threshold_for_recall(prob, truth, self.recall_target)
        return min(dev_t, oof_t), (
            prob,
            truth,
            "dev split (threshold: the lower of the dev and cross-validated choices)",
        )

    def predict_proba(self, texts, X=None, signals=None, vectors: np.ndarray | None = None) -> np.ndarray:
        """Probability that each text is child-authored (1-D).

        X, signals: `features_.transform` and `signal_matrix` of texts, if already computed.
        vectors: the texts' sentence-encoder vectors (both heads), or None (TF-IDF head)."""
        docs = ensure_prepared(texts)
        if signals is None:
            signals = self.signal_matrix(docs)
        p = self.head_.predict_proba(self._X(docs, X, signals))[:, 0]
        if vectors is None or not self.uses_vectors:
            return p
        return 0.5 * (p + self.vector_head_.predict_proba(self._V(docs, vectors, signals))[:, 0])

    def threshold_for(self, vectors_used: bool) -> float:
        return self.threshold_ if vectors_used and self.uses_vectors else self.fast_threshold_

    def predict(self, texts, vectors: np.ndarray | None = None) -> np.ndarray:
        return self.predict_proba(texts, vectors=vectors) >= self.threshold_for(vectors is not None)

    def evidence(self, doc: PreparedText, hits: np.ndarray | None = None) -> list[str]:
        """Names of explicit signals found; negative ones prefixed with 'not:'."""
        hits = self.signal_hits([doc])[0] if hits is None else hits
        return [
            name if pol == "positive" else f"not:{name}" for (name, _, pol), hit in zip(self._compiled(), hits) if hit
        ]


def threshold_for_recall(prob: np.ndarray, y: np.ndarray, target: float) -> tuple[float, float, float]:
    """Highest threshold whose recall >= target (so the best precision that allows)."""
    if y.sum() == 0:
        return 0.5, float("nan"), float("nan")
    best = (float(np.min(prob[y == 1])), 1.0, float(y.mean()))
    for t in np.unique(prob)[::-1]:
        pred = prob >= t
        recall = float((pred & (y == 1)).sum() / y.sum())
        if recall >= target:
            precision = float((pred & (y == 1)).sum() / max(pred.sum(), 1))
            best = (float(t), recall, precision)
            break
    return best


def from_structured(role: str | None, age: str | None) -> tuple[bool | None, str | None]:
    """Decision from a complainant-role or age column, when the data has one."""
    if role:
        r = role.strip().lower()
        if r in CHILD_ROLES:
            return True, f"column role={r}"
        if r in ADULT_ROLES:
            return False, f"column role={r}"
    if age:
        try:
            a = float(age)
        except ValueError:
            return None, None
        if 0 < a < 18:
            return True, f"column age={int(a)}"
    return None, None
