"""Child-authored detector: was this made by a child or young person about their own care?

Learned signals (TF-IDF over lemmas) are combined with explicit ones kept as
data in data/child_signals.yml. The decision threshold is set for a recall
target on held-out data, because missing a child's complaint matters more
than a false alarm.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import numpy as np
import scipy.sparse as sp
import yaml
from sklearn.base import BaseEstimator

from .features import TextFeatures
from .linear import CalibratedOvR
from .text import PreparedText, ensure_prepared

CHILD_ROLES = {"young_person", "young person", "child", "care_leaver", "care leaver", "advocate",
               "yp", "cyp", "looked after child", "child in care"}
ADULT_ROLES = {"parent", "mother", "father", "foster_carer", "foster carer", "kinship_carer",
               "kinship carer", "special guardian", "grandparent", "extended_family", "relative",
               "professional", "other", "mp", "solicitor"}


@lru_cache(maxsize=1)
def default_signals() -> dict[str, dict[str, str]]:
    return yaml.safe_load((resources.files("classifier") / "data" / "child_signals.yml").read_text("utf-8"))


class ChildAuthoredDetector(BaseEstimator):
    def __init__(self, C=16.0, signal_weight=0.3, recall_target=0.95, min_df=3, char_ngrams=(2, 4),
                 random_state=0, signals: dict | None = None):
        self.C = C
        self.char_ngrams = char_ngrams
        self.signal_weight = signal_weight
        self.recall_target = recall_target
        self.min_df = min_df
        self.random_state = random_state
        self.signals = signals

    def _compiled(self):
        sig = self.signals_
        return [(name, re.compile(p, re.I), polarity)
                for polarity in ("positive", "negative") for name, p in sig.get(polarity, {}).items()]

    def signal_matrix(self, docs: list[PreparedText]) -> sp.csr_matrix:
        comp = self._compiled()
        rows = [[1.0 if rx.search(d.redacted) else 0.0 for _, rx, _ in comp] for d in docs]
        return sp.csr_matrix(np.asarray(rows, dtype=np.float32).reshape(len(docs), len(comp)))

    def _X(self, docs):
        return sp.hstack([self.features_.transform(docs),
                          self.signal_matrix(docs) * self.signal_weight], format="csr")

    def fit(self, texts, y, dev_texts=None, dev_y=None):
        self.signals_ = self.signals or default_signals()
        docs = ensure_prepared(texts)
        y = np.asarray(y, dtype=np.int8)
        self.features_ = TextFeatures(word_ngrams=(1, 3), char_ngrams=self.char_ngrams, min_df=self.min_df,
                                      max_word_features=20000, max_char_features=20000).fit(docs)
        self.head_ = CalibratedOvR(C=self.C, random_state=self.random_state).fit(self._X(docs), y)
        # Out-of-fold scores on train are held-out evidence too: the threshold must
        # reach the recall target on them and on dev, so take the lower of the two.
        oof_t, _, _ = threshold_for_recall(self.head_.oof_proba_[:, 0], y, self.recall_target)
        if dev_texts is not None and len(dev_texts):
            prob, truth = self.predict_proba(dev_texts), np.asarray(dev_y, dtype=np.int8)
            dev_t, _, _ = threshold_for_recall(prob, truth, self.recall_target)
            self.threshold_ = min(dev_t, oof_t)
            source = "dev split (threshold: the lower of the dev and cross-validated choices)"
        else:
            prob, truth, source = self.head_.oof_proba_[:, 0], y, "cross-validation"
            self.threshold_ = oof_t
        pred = prob >= self.threshold_
        self.threshold_recall_ = float((pred & (truth == 1)).sum() / max(truth.sum(), 1))
        self.threshold_precision_ = float((pred & (truth == 1)).sum() / max(pred.sum(), 1))
        self.threshold_source_ = source
        return self

    def predict_proba(self, texts) -> np.ndarray:
        """Probability that each text is child-authored (1-D)."""
        return self.head_.predict_proba(self._X(ensure_prepared(texts)))[:, 0]

    def predict(self, texts) -> np.ndarray:
        return self.predict_proba(texts) >= self.threshold_

    def evidence(self, doc: PreparedText) -> list[str]:
        """Names of explicit signals found; negative ones prefixed with 'not:'."""
        return [name if pol == "positive" else f"not:{name}"
                for name, rx, pol in self._compiled() if rx.search(doc.redacted)]


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
