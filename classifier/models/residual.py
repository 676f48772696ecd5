"""ResidualThemes: a trust's own rows learnt as a small correction on top of a whole base model.

The base theme model is kept as it is and its calibrated probabilities are the prior. For theme k

    z_k(x) = logit p_base_k(x) + b_k + w_k . phi(x),    p_k(x) = sigmoid(z_k(x))

where phi(x) = [`base_scale` x the base model's K theme probabilities; `vector_scale` x the text's
sentence-encoder vector; `word_scale` x the text's TF-IDF row, restricted to the base vocabulary
columns the own rows use]. Weights on the base probabilities let "this trust files delay under
communication" be learnt from a few rows (communication's score takes delay's probability); the
vector and the words let the house style move a theme (a word the own rows use that the corpus
never did is not in the base vocabulary, so it teaches nothing). The word block is sparse and its
scale sets its own prior strength (penalty / word_scale^2). b and w are fitted by L2-penalised
logistic loss on the own rows, all themes in one L-BFGS run (about a second); the penalty is chosen
by K-fold cross-validation on the own rows (`select_penalty`). With no own rows, or no penalty clearly better
than an infinite one, it IS the base model: it cannot forget the corpus and needs no corpus refit.
Labelling without vectors (`--fast`) uses a second correction fitted the same way on the base
model's TF-IDF head alone (phi = its probabilities and the words).

A refit base (`fit(..., refit=)`: the same engine retrained on the corpus plus the own rows x3, which
sees the trust's new words) takes the base model's place as the offset, and the correction, still
fitted against the original base model (fitted against the refit's in-sample scores of the own rows it
would learn nothing) and still fed the original base model's phi, is added at `refit_correction` of its
size: the refit has already learnt part of what the correction learns, and on dev the full correction
over a refit lost to the refit alone under a style shift (bench/ADAPT_RESULTS.md, "Refit, then correct").

Thresholds: the base model's (the refit's, with a refit), except for a theme with `own_threshold_min`
own examples, which is tuned on the own rows' out-of-fold probabilities.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from classifier.errors import AdaptError
from classifier.models.linear import _sigmoid, best_f1_threshold
from classifier.models.themes import ThemeClassifier, binarise_themes
from classifier.text import ensure_prepared

LOGIT_CLIP = 1e-4  # base probabilities are kept in [1e-4, 1 - 1e-4] before the logit


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, LOGIT_CLIP, 1.0 - LOGIT_CLIP)
    return np.log(p) - np.log1p(-p)


def fit_correction(offset, phi, Y, penalty: float, bias_penalty: float = 1.0, start=None):
    """(b, W) minimising sum of logistic losses of offset + b + phi @ W.T, plus penalty/2 |W|^2 + bias_penalty/2 |b|^2.

    offset, Y: (rows, themes); phi: (rows, d). Losses are summed over rows (not averaged), so the
    penalty acts as a Gaussian prior whose pull weakens as own rows accumulate.
    """
    from scipy.optimize import minimize

    n, K = Y.shape
    d = phi.shape[1]
    if not np.isfinite(penalty) or n == 0:
        return np.zeros(K), np.zeros((K, d))
    ones = np.ones((n, 1))
    # Sparse phi (the word block) stays sparse: products only, never densified.
    if sp.issparse(phi):
        A = sp.hstack([sp.csr_matrix(ones), phi], format="csr")
        At = A.T.tocsr()
    else:
        A = np.hstack([ones, phi])
        At = A.T
    reg = np.r_[bias_penalty, np.full(d, penalty)]
    Yf = Y.astype(np.float64)

    def loss(theta):
        T = theta.reshape(K, d + 1)
        Z = offset + np.asarray(A @ T.T)
        value = np.logaddexp(0.0, Z).sum() - (Yf * Z).sum() + 0.5 * float((reg * T * T).sum())
        grad = np.asarray(At @ (_sigmoid(Z) - Yf)).T + reg * T
        return value, grad.ravel()

    x0 = np.zeros(K * (d + 1)) if start is None else np.hstack([start[0][:, None], start[1]]).ravel()
    res = minimize(loss, x0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    T = res.x.reshape(K, d + 1)
    return T[:, 0].copy(), T[:, 1:].copy()


def own_folds(Y: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """K folds of the own rows, stratified by main theme when every main theme allows it."""
    from sklearn.model_selection import KFold, StratifiedKFold

    n = len(Y)
    k = max(2, min(k, n))
    main = Y.argmax(axis=1)
    counts = np.bincount(main)
    if counts[counts > 0].min() >= k:
        return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(n), main))
    return list(KFold(k, shuffle=True, random_state=seed).split(np.zeros(n)))


def select_penalty(offset, phi, Y, penalties, folds, bias_penalty=1.0, standard_errors=1.0):
    """Out-of-fold log loss per row of each penalty; the largest penalty within `standard_errors`
    standard errors of the best (the one-standard-error rule: with a few dozen rows the best of a grid
    looks better than it is, and the largest penalty stays closest to the base model).

    Returns (chosen penalty, out-of-fold probabilities at each penalty, mean log loss of each)."""
    # The base model (infinite penalty) is always a candidate; fits go from it down, each starting from the last.
    order = sorted(set(penalties) | {float("inf")}, reverse=True)
    n = len(Y)
    oof = {p: np.zeros(Y.shape) for p in order}
    for train, test in folds:
        start = None
        for p in order:
            b, W = fit_correction(offset[train], phi[train], Y[train], p, bias_penalty, start)
            start = (b, W)
            oof[p][test] = _sigmoid(offset[test] + b + np.asarray(phi[test] @ W.T))
    row_loss = {
        p: -(Y * np.log(np.clip(P, 1e-9, 1)) + (1 - Y) * np.log(np.clip(1 - P, 1e-9, 1))).sum(axis=1)
        for p, P in oof.items()
    }
    mean = {p: float(v.mean()) for p, v in row_loss.items()}
    best = min(order, key=lambda p: mean[p])
    chosen = best
    for p in order:  # largest first
        diff = row_loss[p] - row_loss[best]
        se = diff.std(ddof=1) / np.sqrt(n) if n > 1 else 0.0
        if diff.mean() <= standard_errors * se:
            chosen = p
            break
    return chosen, oof, mean


class ResidualThemes(ThemeClassifier):
    """A base ThemeClassifier plus a per-theme correction learnt from own rows (see module docstring).

    Parameters
    ----------
    taxonomy : Taxonomy, optional
        Must be the base model's.
    penalties : tuple of float
        L2 penalties searched by cross-validation; the base model unchanged (an infinite penalty) is
        always a candidate too.
    bias_penalty : float
        L2 penalty of each theme's bias shift.
    vector_scale : float
        Scale of the encoder vector in phi (its entries are ~1/sqrt(384) otherwise); 0: base logits only.
    word_scale : float
        Scale of the TF-IDF row (L2-normalised) in phi; 0 (default): no words. The word block's prior
        strength is penalty / word_scale^2. Off by default: on dev, words x4 gained 0.002 top suggestion
        at 60 own rows (within noise), did not close the gap to plain training under a style shift, and
        made the fit 20-40 times slower (bench/ADAPT_RESULTS.md, "A trust's wording").
    use_logits : bool
        Include the base model's K theme scores in phi.
    base_feature : str
        How they enter phi: "probability" (on dev, a trust's filing convention was learnt better from
        probabilities than from logits, bench/ADAPT_RESULTS.md) or "logit".
    base_scale : float
        Their scale in phi (a larger scale: a weaker pull toward zero for the same penalty).
    standard_errors : float
        A smaller penalty is taken only when its out-of-fold log loss beats every larger one's by this
        many standard errors (0: the best one).
    cv_folds : int
        Folds of the own rows for the penalty and the out-of-fold figures.
    own_threshold_min : int
        Own examples a theme needs before its threshold is tuned on them.
    refit_correction : float
        Share of the correction added over a refit base (`fit(..., refit=)`); 1 without one.
    threshold_bounds : (float, float)
    keyword_floor : float
    random_state : int
    """

    def __init__(
        self,
        taxonomy=None,
        penalties=(1.0, 3.0, 10.0, 30.0, 100.0),
        bias_penalty=1.0,
        vector_scale=4.0,
        word_scale=0.0,
        use_logits=True,
        base_scale=4.0,
        base_feature="probability",
        standard_errors=1.0,
        cv_folds=5,
        own_threshold_min=30,
        refit_correction=0.5,
        threshold_bounds=(0.05, 0.9),
        keyword_floor=0.5,
        random_state=0,
    ):
        self.taxonomy = taxonomy
        self.penalties = penalties
        self.bias_penalty = bias_penalty
        self.vector_scale = vector_scale
        self.word_scale = word_scale
        self.use_logits = use_logits
        self.base_scale = base_scale
        self.base_feature = base_feature
        self.standard_errors = standard_errors
        self.cv_folds = cv_folds
        self.own_threshold_min = own_threshold_min
        self.refit_correction = refit_correction
        self.threshold_bounds = threshold_bounds
        self.keyword_floor = keyword_floor
        self.random_state = random_state

    # ------------------------------------------------------------ training
    def fit(self, texts, themes, base=None, vectors: np.ndarray | None = None, X=None, refit=None):
        """Learn the correction of `base` from own rows.

        Parameters
        ----------
        texts : list of str or PreparedText
            The own rows (redacted text is what the base model reads).
        themes : list of lists of theme ids (main first), or a 0/1 matrix
        base : ThemeClassifier
            The base theme model, in the same taxonomy; kept whole.
        vectors : ndarray, optional
            The own rows' encoder vectors (needed when the base model has an encoder head).
        X : sparse matrix, optional
            `base.features_.transform(texts)`, when the caller has it.
        refit : ThemeClassifier, optional
            The same engine retrained on the base model's corpus plus these rows (the offset in place of
            `base`; the correction is still fitted against `base`). Its features and heads then label
            and explain, so `predict_proba`'s X is `refit.features_.transform(texts)`.
        """
        if base is None:
            raise AdaptError("a residual head corrects a base theme model: pass base=")
        self.base_ = base
        tax = base.taxonomy_
        self.taxonomy_, self.labels_ = tax, list(base.labels_)
        docs = ensure_prepared(texts)
        Y = binarise_themes(themes, tax).astype(np.float64)
        if X is None:
            X = base.features_.transform(docs)
        self.refit_ = refit
        top = base if refit is None else refit
        self.features_, self.head_ = top.features_, top.head_  # explain() and shared matrices
        self.vector_head_ = top.vector_head_ if vectors is not None else None
        self.zeroshot_ = getattr(top, "zeroshot_", None)
        from threadpoolctl import threadpool_limits  # installed with scikit-learn

        with threadpool_limits(1):  # tiny matrices: BLAS threads only contend (many times slower on a busy machine)
            self._fit_corrections(docs, Y, base, vectors, X)
        return self

    def _fit_corrections(self, docs, Y, base, vectors, X):
        folds = own_folds(Y, self.cv_folds, self.random_state) if len(Y) >= 4 else []
        # Only vocabulary columns some own row uses can get a weight (the others' gradient is the penalty's).
        used = np.unique(sp.csr_matrix(X).indices) if self.word_scale and len(Y) else np.zeros(0, dtype=np.int64)
        self.word_columns_ = used.astype(np.int64)
        # Fast path (TF-IDF head alone, no vectors): its probabilities and the words.
        fast_offset = logit(base.head_.predict_proba(X))
        self.fast_penalty_, self.fast_bias_, self.fast_coef_, fast_oof = self._fit_one(
            fast_offset, self._phi(fast_offset, None, X), Y, folds
        )
        if self.vector_head_ is not None:
            offset = logit(base.predict_proba(docs, X=X, vectors=vectors))
            self.penalty_, self.bias_, self.coef_, oof = self._fit_one(offset, self._phi(offset, vectors, X), Y, folds)
        else:
            self.penalty_, self.bias_, self.coef_, oof = self.fast_penalty_, self.fast_bias_, self.fast_coef_, fast_oof
        self.oof_proba_ = oof
        n_own = Y.sum(axis=0)
        top = base if self.refit_ is None else self.refit_
        base_full = top.thresholds_
        base_fast = getattr(top, "fast_thresholds_", base_full)

        def tuned(P, base_th):
            return {
                l: (
                    best_f1_threshold(P[:, j], Y[:, j], self.threshold_bounds)
                    if n_own[j] >= self.own_threshold_min
                    else float(base_th[l])
                )
                for j, l in enumerate(self.labels_)
            }

        self.thresholds_ = tuned(oof, base_full)
        self.fast_thresholds_ = tuned(fast_oof, base_fast) if self.vector_head_ is not None else self.thresholds_
        self.keywords_ = list(base.keywords_)
        self.own_support_ = dict(zip(self.labels_, map(int, n_own)))
        self.support_ = {l: int(base.support_.get(l, 0)) + self.own_support_[l] for l in self.labels_}
        self.n_own_ = len(Y)
        self.n_train_ = int(getattr(base, "n_train_", 0)) + len(Y)

    def _phi(self, offset: np.ndarray, vectors: np.ndarray | None, X=None):
        """Dense phi, or sparse (CSR) when the word block is in it."""
        base = offset if self.base_feature == "logit" else _sigmoid(offset)
        parts = [base * self.base_scale] if self.use_logits else []
        if vectors is not None and self.vector_scale:
            parts.append(np.asarray(vectors, dtype=np.float64) * self.vector_scale)
        dense = np.hstack(parts) if parts else np.zeros((len(offset), 0))
        columns = getattr(self, "word_columns_", None)
        if X is None or columns is None or not len(columns):
            return dense
        words = sp.csr_matrix(X)[:, columns] * float(self.word_scale)
        return sp.hstack([sp.csr_matrix(dense), words], format="csr")

    def _fit_one(self, offset, phi, Y, folds):
        """Penalty by cross-validation, then (b, W) on every own row; and the out-of-fold probabilities."""
        if not folds:  # too few rows to cross-validate: the base model
            return float("inf"), np.zeros(Y.shape[1]), np.zeros((Y.shape[1], phi.shape[1])), _sigmoid(offset)
        penalty, oof, _ = select_penalty(offset, phi, Y, self.penalties, folds, self.bias_penalty, self.standard_errors)
        b, W = fit_correction(offset, phi, Y, penalty, self.bias_penalty)
        return float(penalty), b, W, oof[penalty]

    # ------------------------------------------------------------ inference
    @property
    def uses_vectors(self) -> bool:
        return getattr(self, "vector_head_", None) is not None

    def predict_proba(self, texts, X=None, vectors: np.ndarray | None = None) -> np.ndarray:
        """The base (or refit) model's probabilities, corrected; with `vectors` the full correction, else
        the fast one. X: `features_.transform(texts)` (the refit's features when there is a refit)."""
        refit = getattr(self, "refit_", None)
        docs = ensure_prepared(texts) if X is None or refit is not None else texts
        if X is None:
            X = self.features_.transform(docs)
        Xb = X if refit is None else self.base_.features_.transform(docs)
        fast = vectors is None or not self.uses_vectors
        if fast:
            offset = logit(self.base_.head_.predict_proba(Xb))
            bias, coef, phi = self.fast_bias_, self.fast_coef_, self._phi(offset, None, Xb)
        else:
            offset = logit(self.base_.predict_proba(docs, X=Xb, vectors=vectors))
            bias, coef, phi = self.bias_, self.coef_, self._phi(offset, vectors, Xb)
        correction = bias + (np.asarray(phi @ coef.T) if phi.shape[1] else 0.0)
        if refit is None:
            return _sigmoid(offset + correction)
        top = refit.head_.predict_proba(X) if fast else refit.predict_proba(docs, X=X, vectors=vectors)
        return _sigmoid(logit(top) + self.refit_correction * correction)
