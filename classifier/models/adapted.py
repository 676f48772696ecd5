"""AdaptedThemes: a theme classifier fitted for one trust from its own labelled rows.

Scores are a linear model over TF-IDF features, fitted on a base corpus (when
there is one in the same taxonomy) plus the trust's own rows repeated
`own_weight_` times. In the base model's taxonomy the base model's encoder head
(fitted on the corpus) is kept and averaged in, as the base model does. Where
themes lack examples (another taxonomy), `description_weight_` times the
zero-shot similarity of the text to each theme's description
(`models.zeroshot`) is added, and a theme with no example at all is scored from
its description alone, through one calibration shared by all themes.

The weights come from K-fold cross-validation on the own rows only: each fold's
held-out own rows are scored by a model fitted on the corpus and the other own
rows (the fits run in parallel processes over one TF-IDF matrix). Platt
calibration and decision thresholds are fitted on those out-of-fold scores, so
they describe the trust's text. Themes with fewer than `min_positives` own
examples share pooled calibration instead of noisy per-theme ones. With the base
model's encoder head, a theme keeps the base model's threshold unless it has
`own_threshold_min` own examples (thresholds tuned on 60 own rows lowered macro F1
on the corpus's held-out registers, bench/ADAPT_RESULTS.md); without it, themes
with fewer than `min_positives` own examples are tuned on own and corpus rows together.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from classifier.features.tfidf import TextFeatures
from classifier.models.linear import CalibratedOvR, _fit_binary, _sigmoid, best_f1_threshold, fit_platt
from classifier.models.themes import ThemeClassifier, binarise_themes
from classifier.models.zeroshot import description_similarity, description_vectors
from classifier.text import ensure_prepared


class AdaptedThemes(ThemeClassifier):
    """Hyperparameters in `__init__`; fitted state ends in `_` (see module docstring)."""

    features = "tfidf"  # what ThemeClassifier callers read; descriptions are added on top

    def __init__(
        self,
        taxonomy=None,
        C=4.0,
        class_weight="balanced",
        word_ngrams=(1, 2),
        char_ngrams=(2, 5),
        min_df=3,
        max_word_features=30000,
        max_char_features=40000,
        keyword_floor=0.5,
        nb_alpha=0.3,
        own_weights=(3,),
        description_weights=(0.0, 0.5, 1.0, 2.0),
        cv_folds=5,
        min_positives=8,
        own_threshold_min=30,
        threshold_bounds=(0.05, 0.9),
        random_state=0,
    ):
        self.taxonomy = taxonomy
        self.C = C
        self.class_weight = class_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.keyword_floor = keyword_floor
        self.nb_alpha = nb_alpha
        self.own_weights = own_weights
        self.description_weights = description_weights
        self.cv_folds = cv_folds
        self.min_positives = min_positives
        self.own_threshold_min = own_threshold_min
        self.threshold_bounds = threshold_bounds
        self.random_state = random_state

    # ------------------------------------------------------------ training
    def fit(
        self,
        own_texts,
        own_themes,
        corpus_texts=(),
        corpus_themes=(),
        own_vectors: np.ndarray | None = None,
        base=None,
        n_jobs: int | None = None,
    ):
        """Own rows decide the weights and thresholds; corpus rows add training and calibration data.

        `base`: the base theme model (same taxonomy), whose sentence-encoder head is kept as it is
        (it was fitted on the corpus) and averaged with the adapted TF-IDF head, as the base model
        does; `own_vectors`: the own rows' encoder vectors (needed for that, and reused for the
        description similarity). `n_jobs`: processes for the cross-validation fits (default: all cores).
        """
        tax = self.taxonomy
        self.taxonomy_, self.labels_ = tax, tax.leaf_ids
        own = ensure_prepared(own_texts)
        corpus = ensure_prepared(corpus_texts) if len(corpus_texts) else []
        Yo = binarise_themes(own_themes, tax)
        Yc = binarise_themes(corpus_themes, tax) if corpus else np.zeros((0, len(self.labels_)), np.int8)
        self.features_ = TextFeatures(
            word_ngrams=self.word_ngrams,
            char_ngrams=self.char_ngrams,
            min_df=self.min_df,
            max_word_features=self.max_word_features,
            max_char_features=self.max_char_features,
        ).fit(corpus + own)
        # Computed once: every fold and weight takes rows of this one matrix.
        X = self.features_.transform(corpus + own).tocsr()
        Xc, Xo = (X[: len(corpus)] if corpus else None), X[len(corpus) :]
        self.description_vectors_ = description_vectors(tax)
        # Descriptions stand in for examples: with a corpus holding an example of every theme they
        # are not searched (zero-shot lowered top-1 on the corpus's held-out registers,
        # bench/REAL_TEXT_RESULTS.md) and the corpus is not encoded for them. With themes lacking
        # corpus examples (a mapped taxonomy) the corpus is encoded for their calibration.
        no_corpus_example = Yc.sum(axis=0) == 0
        weights = tuple(self.own_weights) if corpus else (1,)
        d_grid = tuple(self.description_weights) if not corpus or no_corpus_example.any() else (0.0,)
        Zo = description_similarity([d.redacted for d in own], self.description_vectors_, vectors=own_vectors)
        if corpus and no_corpus_example.any():
            Zc = description_similarity([d.redacted for d in corpus], self.description_vectors_)
        else:
            Zc = np.zeros(Yc.shape)
        self.description_scale_ = float(max(np.vstack([Zo, Zc]).std() if Zc.any() else Zo.std(), 1e-6))
        Zo, Zc = Zo / self.description_scale_, Zc / self.description_scale_

        same_labels = base is not None and list(getattr(base, "labels_", [])) == list(self.labels_)
        self.vector_head_ = base.vector_head_ if same_labels and own_vectors is not None else None
        self.zeroshot_ = None
        Pv = self.vector_head_.predict_proba(np.asarray(own_vectors)) if self.vector_head_ is not None else None

        folds = paired_folds(Yo, len(corpus), self.cv_folds, self.random_state)
        tasks = [(w, f) for w in weights for f in range(len(folds))] + [(self._final_weight(weights), None)]
        fitted = parallel_heads(X, Yc, Yo, len(corpus), folds, tasks, self._fit_params(), n_jobs)
        results = []
        for w in weights:
            So, seen_o, Sc, seen_c = self._oof_scores(Xc, Xo, Yc.shape, Yo.shape, folds, fitted, w)
            for d in d_grid:
                cal = self._calibrate((So, seen_o, Zo, Yo), (Sc, seen_c, Zc, Yc), w, d)
                p = cal["own_proba"] if Pv is None else 0.5 * (cal["own_proba"] + Pv)
                results.append((reciprocal_ranks(p, own_themes, self.labels_), w, d, cal))
        rr, self.own_weight_, self.description_weight_, cal = select_setting(
            results, self.default_setting(weights, d_grid)
        )
        self.selection_ = [
            {"own_weight": w, "description_weight": d, "main_theme_mrr": round(float(r.mean()), 4)}
            for r, w, d, _ in results
        ]
        final = fitted.get((self.own_weight_, None))
        if final is None:  # the chosen weight is not the one fitted in advance
            final = parallel_heads(X, Yc, Yo, len(corpus), folds, [(self.own_weight_, None)], self._fit_params(), 1)[
                (self.own_weight_, None)
            ]
        coef, icpt, has_example = final
        self.head_ = CalibratedOvR(
            C=self.C,
            class_weight=self.class_weight,
            cv_folds=len(folds),
            threshold_bounds=self.threshold_bounds,
            nb_alpha=self.nb_alpha,
            random_state=self.random_state,
        )
        self.head_.coef_, self.head_.intercept_ = coef, icpt
        self.head_.calibration_ = cal["calibration"].copy()
        self.has_example_ = has_example
        # No example at all: description only, through the pooled description calibration.
        self.description_weights_ = np.where(has_example, self.description_weight_, 1.0).astype(np.float64)
        self.head_.calibration_[~has_example] = cal["description_only"]
        self.head_.oof_proba_ = cal["own_proba"]
        self.head_.thresholds_ = self._thresholds(cal, Yo, Yc, self.own_weight_)
        self.fast_thresholds_ = dict(zip(self.labels_, map(float, self.head_.thresholds_)))
        if self.vector_head_ is not None:
            self.oof_proba_ = 0.5 * (cal["own_proba"] + Pv)
            base_th = getattr(base, "thresholds_", {})
            self.thresholds_ = {
                l: (
                    best_f1_threshold(self.oof_proba_[:, j], Yo[:, j], self.threshold_bounds)
                    if Yo[:, j].sum() >= self.own_threshold_min
                    else float(base_th.get(l, self.fast_thresholds_[l]))
                )
                for j, l in enumerate(self.labels_)
            }
        else:
            self.oof_proba_ = cal["own_proba"]
            self.thresholds_ = dict(self.fast_thresholds_)
        self.keywords_ = [tax.theme(l).keywords for l in self.labels_]
        self.support_ = dict(zip(self.labels_, map(int, Yo.sum(axis=0) + Yc.sum(axis=0))))
        self.own_support_ = dict(zip(self.labels_, map(int, Yo.sum(axis=0))))
        self.n_train_ = len(own) + len(corpus)
        self.n_own_ = len(own)
        self.uses_descriptions_ = bool(np.any(self.description_weights_ != 0))
        return self

    def default_setting(self, weights, d_grid) -> tuple:
        """The setting kept unless another is clearly better on the own rows: the middle own
        weight (or the only one), no descriptions unless there is nothing else."""
        return (self._final_weight(weights), 0.0 if 0.0 in d_grid else d_grid[0])

    @staticmethod
    def _final_weight(weights) -> int:
        return weights[len(weights) // 2]

    def _fit_params(self) -> dict:
        return {"C": self.C, "class_weight": self.class_weight, "seed": self.random_state, "nb_alpha": self.nb_alpha}

    @staticmethod
    def _oof_scores(Xc, Xo, shape_c, shape_o, folds, fitted, w):
        """Out-of-fold linear scores of own and corpus rows, and which themes had an example in each fold."""
        So, seen_o = np.zeros(shape_o), np.zeros(shape_o, dtype=bool)
        Sc, seen_c = np.zeros(shape_c), np.zeros(shape_c, dtype=bool)
        for f, ((_, te_o), (_, te_c)) in enumerate(folds):
            coef, icpt, has = fitted[(w, f)]
            So[te_o], seen_o[te_o] = np.asarray(Xo[te_o] @ coef.T) + icpt, has
            if Xc is not None and len(te_c):
                Sc[te_c], seen_c[te_c] = np.asarray(Xc[te_c] @ coef.T) + icpt, has
        return So, seen_o, Sc, seen_c

    def _calibrate(self, own, corpus, w, d) -> dict:
        """Platt per theme on score + d * similarity, own rows counted `w` times beside the corpus's.

        A theme with fewer than `min_positives` positives (or negatives) uses one calibration pooled
        over themes; a row scored without any example of a theme uses the description-only calibration.
        """
        S = np.vstack([own[0], corpus[0]])
        seen = np.vstack([own[1], corpus[1]])
        Z = np.vstack([own[2], corpus[2]])
        Y = np.vstack([own[3], corpus[3]])
        rep = np.concatenate([np.full(len(own[0]), int(w)), np.ones(len(corpus[0]), dtype=int)])
        combined = np.where(seen, S + d * Z, Z)

        def platt(mask):
            rows = np.repeat(np.arange(len(Y)), rep)
            m = mask[rows]
            return fit_platt(combined[rows][m], Y[rows][m]) if m.any() else (1.0, 0.0)

        desc_only = platt(~seen) if (~seen).sum() > 50 else platt(np.ones_like(seen))
        pooled = platt(seen)
        L = Y.shape[1]
        calibration = np.zeros((L, 2))
        for j in range(L):
            pos = int((Y[:, j] * rep)[seen[:, j]].sum())
            neg = int(rep[seen[:, j]].sum()) - pos
            if min(pos, neg) >= self.min_positives:
                mask = np.zeros_like(seen)
                mask[:, j] = seen[:, j]
                calibration[j] = platt(mask)
            else:
                calibration[j] = pooled
        a = np.where(seen, calibration[:, 0], desc_only[0])
        b = np.where(seen, calibration[:, 1], desc_only[1])
        proba = _sigmoid(a * combined + b)
        n_own = len(own[0])
        return {
            "own_proba": proba[:n_own],
            "corpus_proba": proba[n_own:],
            "calibration": calibration,
            "description_only": np.array(desc_only),
        }

    def _thresholds(self, cal, Yo, Yc, w) -> np.ndarray:
        """Per theme by F1 on the own rows' out-of-fold probabilities; a theme with few own examples
        uses the own and corpus rows together (own counted `w` times)."""
        P = np.vstack([np.repeat(cal["own_proba"], int(w), axis=0), cal["corpus_proba"]])
        Y = np.vstack([np.repeat(Yo, int(w), axis=0), Yc])
        out = []
        for j in range(Yo.shape[1]):
            if Yo[:, j].sum() >= self.min_positives:
                out.append(best_f1_threshold(cal["own_proba"][:, j], Yo[:, j], self.threshold_bounds))
            else:
                out.append(best_f1_threshold(P[:, j], Y[:, j], self.threshold_bounds))
        return np.array(out)

    # ------------------------------------------------------------ inference
    @property
    def uses_vectors(self) -> bool:
        return getattr(self, "vector_head_", None) is not None

    def predict_proba(self, texts, X=None, vectors: np.ndarray | None = None) -> np.ndarray:
        """Calibrated probabilities from the adapted TF-IDF head (plus description similarity when
        chosen), averaged with the base model's encoder head when it was kept and `vectors` are given."""
        docs = ensure_prepared(texts)
        if X is None:
            X = self.features_.transform(docs)
        s = self.head_.decision_function(X)
        if self.uses_descriptions_:
            z = description_similarity([d.redacted for d in docs], self.description_vectors_, vectors=vectors)
            s = s + z / self.description_scale_ * self.description_weights_
        p = _sigmoid(s * self.head_.calibration_[:, 0] + self.head_.calibration_[:, 1])
        if vectors is None or not self.uses_vectors:
            return p
        return 0.5 * (p + self.vector_head_.predict_proba(np.asarray(vectors)))


def fit_heads(Xc, Yc, Xo, Yo, own_weight: int, params: dict):
    """One binary logistic regression per theme on corpus rows plus own rows repeated `own_weight` times.

    Repeating a row is the same as weighting it for the loss, the class balance and
    the naive Bayes ratios alike. A theme without a positive gets zero weights.
    """
    blocks_X = ([Xc] if Xc is not None else []) + [Xo] * int(own_weight)
    blocks_Y = ([Yc] if Xc is not None else []) + [Yo] * int(own_weight)
    X = sp.vstack(blocks_X, format="csr")
    Y = np.vstack(blocks_Y)
    L = Y.shape[1]
    coef = np.zeros((L, X.shape[1]), dtype=np.float32)
    icpt = np.zeros(L, dtype=np.float32)
    has = Y.sum(axis=0) > 0
    for j in np.flatnonzero(has):
        if Y[:, j].all():
            icpt[j] = 10.0
            continue
        coef[j], icpt[j] = _fit_binary(
            X, Y[:, j], params["C"], params["class_weight"], params["seed"], params["nb_alpha"]
        )
    return coef, icpt, has


def _fit_task(X, Yc, Yo, n_corpus, folds, task, params):
    w, f = task
    own_rows = np.arange(len(Yo)) if f is None else folds[f][0][0]
    corpus_rows = np.arange(n_corpus) if f is None else folds[f][1][0]
    Xc = X[corpus_rows] if n_corpus else None
    return task, fit_heads(Xc, Yc[corpus_rows], X[n_corpus + own_rows], Yo[own_rows], w, params)


def parallel_heads(X, Yc, Yo, n_corpus: int, folds, tasks, params: dict, n_jobs: int | None = None) -> dict:
    """fit_heads for every (own weight, fold) task (fold None: all rows), in `n_jobs` processes.

    X holds the corpus rows then the own rows, computed once; each task takes its rows of it
    (joblib shares the large arrays with the workers through memory maps)."""
    from joblib import Parallel, delayed

    jobs = min(len(tasks), n_jobs or -1) if n_jobs and n_jobs > 0 else -1
    if len(tasks) == 1 or jobs == 1:
        return dict(_fit_task(X, Yc, Yo, n_corpus, folds, t, params) for t in tasks)
    # Processes, not threads: liblinear holds the GIL.
    done = Parallel(n_jobs=jobs, max_nbytes="1M")(
        delayed(_fit_task)(X, Yc, Yo, n_corpus, folds, t, params) for t in tasks
    )
    return dict(done)


def paired_folds(Yo: np.ndarray, n_corpus: int, k: int, seed: int):
    """K folds of the own rows (stratified by main theme when every theme allows it), each paired
    with a fold of the corpus rows, so one fit scores held-out rows of both."""
    from sklearn.model_selection import KFold, StratifiedKFold

    n = len(Yo)
    k = max(2, min(k, n))
    main = Yo.argmax(axis=1)
    counts = np.bincount(main)
    if counts[counts > 0].min() >= k:
        own = StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(n), main)
    else:
        own = KFold(k, shuffle=True, random_state=seed).split(np.zeros(n))
    corpus = (
        KFold(k, shuffle=True, random_state=seed).split(np.zeros(n_corpus))
        if n_corpus >= k
        else [(np.arange(n_corpus), np.arange(0))] * k
    )
    return list(zip(own, corpus))


def reciprocal_ranks(proba: np.ndarray, gold: list[list[str]], labels: list[str]) -> np.ndarray:
    """1 / rank of each row's main (first) theme; rows without a leaf main theme are skipped."""
    idx = {l: j for j, l in enumerate(labels)}
    return np.array(
        [1.0 / (1 + int((proba[i] > proba[i, idx[g[0]]]).sum())) for i, g in enumerate(gold) if g and g[0] in idx]
    )


def select_setting(results: list[tuple], default: tuple, standard_errors: float = 2.0):
    """The best setting by mean reciprocal rank, unless it beats the default by less than two
    standard errors of the paired difference: the best of a dozen settings on a few dozen rows
    looks better than it is, so the default is kept unless the evidence is clear.

    `results`: (per-row reciprocal ranks, own weight, description weight, calibration)."""
    best = max(results, key=lambda r: r[0].mean())
    base = next((r for r in results if (r[1], r[2]) == default), best)
    diff = best[0] - base[0]
    if len(diff) < 2 or diff.mean() <= standard_errors * diff.std(ddof=1) / np.sqrt(len(diff)):
        best = base
    return best
