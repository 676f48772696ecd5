"""Cross-validated variants of the learning extractor's sentence model (session 3).

Each variant is scored by 5-fold cross-validation on the train and dev splits of
training_data/learning_sentences.csv, two seeds, with 200 complaint sentences
added to every training fold as negatives, as `make model` trains. The table in
bench/LEARNING_RESULTS.md ("Model variants tried") came from this code, run on the
2,162-sentence corpus. It takes about 5 minutes per variant on 2 cores.

    .venv/bin/python bench/learning_variants.py [--only NAME ...] [--seeds 0 1]
"""

from __future__ import annotations

import argparse
import csv
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neural_network import MLPClassifier

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.learning import LearningExtractor  # noqa: E402
from classifier.learning.api import complaint_sentences  # noqa: E402
from classifier.learning.extractor import best_threshold  # noqa: E402
from classifier.models.linear import nb_log_ratio  # noqa: E402
from classifier.text import prepare  # noqa: E402


class NBLR(BaseEstimator, ClassifierMixin):
    """Logistic regression on features scaled by their naive Bayes log-count ratio."""

    def __init__(self, C=4.0, alpha=0.3, class_weight="balanced", random_state=0):
        self.C, self.alpha, self.class_weight, self.random_state = C, alpha, class_weight, random_state

    def fit(self, X, y):
        self.r_ = nb_log_ratio(X, np.asarray(y).astype(bool), self.alpha).astype(np.float32)
        self.lr_ = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=5000, random_state=self.random_state
        ).fit(X @ sp.diags(self.r_), y)
        self.classes_ = self.lr_.classes_
        return self

    def predict_proba(self, X):
        return self.lr_.predict_proba(X @ sp.diags(self.r_))

    def predict(self, X):
        return self.lr_.predict(X @ sp.diags(self.r_))


class LRandMLP(BaseEstimator, ClassifierMixin):
    """Mean of a logistic regression's and a one-layer MLP's probabilities."""

    def __init__(self, C=4.0, class_weight="balanced", random_state=0):
        self.C, self.class_weight, self.random_state = C, class_weight, random_state

    def fit(self, X, y):
        self.lr_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=5000).fit(X, y)
        self.mlp_ = MLPClassifier(
            hidden_layer_sizes=(64,), alpha=1e-3, max_iter=60, random_state=self.random_state
        ).fit(X, y)
        self.classes_ = self.lr_.classes_
        return self

    def predict_proba(self, X):
        return 0.5 * self.lr_.predict_proba(X) + 0.5 * self.mlp_.predict_proba(X)

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


def with_detector(make_clf):
    """A LearningExtractor whose detection model (not the type model) is `make_clf(self)`."""

    class Extractor(LearningExtractor):
        def _new_clf(self, C, class_weight):
            if C is self.C and class_weight is self.class_weight:
                return make_clf(self)
            return super()._new_clf(C, class_weight)

    return Extractor


class PairExtractor(LearningExtractor):
    """Adds the products of every pair of detection pattern groups."""

    def _assemble(self, parts, model="detect"):
        X = super()._assemble(parts, model)
        if model != "detect":
            return X
        P = parts[1][:, self._group_columns("detect")]
        iu = np.triu_indices(P.shape[1], 1)
        return sp.hstack([X, sp.csr_matrix(P[:, iu[0]] * P[:, iu[1]] * np.float32(self.pattern_weight))], format="csr")


def multinomial_predict(train_s, train_y, train_t, test_s, seed):
    """One multinomial model over the six types plus 'none'; learning score = 1 - P(none)."""
    m = LearningExtractor(threshold=0.5).fit(train_s, train_y, train_t)
    X, Xt = m._matrix(prepare(train_s)), m._matrix(prepare(test_s))
    ym = np.array([t if (y and t) else ("other" if y else "none") for y, t in zip(train_y, train_t)])
    clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=5000)
    oof = cross_val_predict(clf, X, ym, cv=StratifiedKFold(5, shuffle=True, random_state=0), method="predict_proba")
    t = best_threshold(1 - oof[:, sorted(set(ym)).index("none")], np.asarray(train_y))
    clf.fit(X, ym)
    return 1 - clf.predict_proba(Xt)[:, list(clf.classes_).index("none")] >= t


VARIANTS = {
    "baseline": lambda: LearningExtractor(),
    "C=2": lambda: LearningExtractor(C=2.0),
    "C=8": lambda: LearningExtractor(C=8.0),
    "char_weight=1": lambda: LearningExtractor(char_weight=1.0),
    "char_weight=2": lambda: LearningExtractor(char_weight=2.0),
    "pattern_weight=1": lambda: LearningExtractor(pattern_weight=1.0),
    "pattern_weight=0.25": lambda: LearningExtractor(pattern_weight=0.25),
    "word 1-3-grams": lambda: LearningExtractor(word_ngrams=(1, 3)),
    "min_df=1": lambda: LearningExtractor(min_df=1),
    "no class weights": lambda: LearningExtractor(class_weight=None),
    "NB-LR alpha 0.3": lambda: with_detector(
        lambda self: NBLR(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
    )(),
    "pattern pairs": lambda: PairExtractor(),
    "LR + MLP": lambda: with_detector(
        lambda self: LRandMLP(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
    )(),
    "multinomial": None,  # see multinomial_predict
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=None, help="variant names (default: all)")
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1])
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    with (ROOT / "training_data" / "representations.csv").open(encoding="utf-8") as fh:
        complaints = [r["text"] for r in csv.DictReader(fh) if r["split"] == "train"]
    neg = complaint_sentences(complaints, limit=200, seed=0)
    frame = pd.read_csv(ROOT / "training_data" / "learning_sentences.csv", dtype=str, keep_default_na=False)
    frame = frame[frame["split"] != "test"].reset_index(drop=True)
    s, types = frame["sentence"].tolist(), frame["type"].tolist()
    y = frame["learning"].str.lower().eq("true").to_numpy()
    for name in args.only or list(VARIANTS):
        f1s = []
        for seed in args.seeds:
            pred = np.zeros(len(y), bool)
            for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(s, y):
                tr_s, tr_y = [s[i] for i in tr] + neg, np.concatenate([y[tr], np.zeros(len(neg), bool)])
                tr_t = [types[i] for i in tr] + [""] * len(neg)
                te_s = [s[i] for i in te]
                if VARIANTS[name] is None:
                    pred[te] = multinomial_predict(tr_s, list(tr_y), tr_t, te_s, seed)
                else:
                    pred[te] = VARIANTS[name]().fit(tr_s, tr_y, tr_t).predict(te_s)
            f1s.append(2 * (pred & y).sum() / (pred.sum() + y.sum()))
        print(f"{name}: F1 by seed {np.round(f1s, 4).tolist()}, mean {np.mean(f1s):.4f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
