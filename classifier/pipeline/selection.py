"""Rules that choose which rows to label (`complaints sample --strategy`); numbers in, row indices out.

Every rule but "random" leaves out the rows not `eligible` (placeholders, compliments: the caller decides)
and is deterministic for a seed. The rules and how they were compared against random rows:
bench/ADAPT_RESULTS.md, section "sample".
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from classifier.errors import InputDataError

STRATEGIES = ("uncertainty", "representative", "density", "hybrid", "typical", "proportional", "stratified", "random")
NEEDS_VECTORS = frozenset(
    {"representative", "density", "hybrid", "typical", "proportional"}
)  # encoder vectors help these
# `complaints sample`'s default, chosen on dev by a rule fixed beforehand (bench/ADAPT_RESULTS.md).
SHIPPED_STRATEGY = "proportional"


def choose_rows(
    proba: np.ndarray,
    X,
    n: int,
    eligible: np.ndarray | None = None,
    vectors: np.ndarray | None = None,
    strategy: str = SHIPPED_STRATEGY,
    seed: int = 0,
) -> list[int]:
    """Indices of up to `n` rows.

    Parameters
    ----------
    proba : ndarray (rows, themes)
        The model's theme probabilities.
    X : matrix (rows, features)
        The rows' TF-IDF features (near-duplicates are told apart on them).
    n : int
    eligible : ndarray of bool, optional
        Rows that may be chosen (default: all).
    vectors : ndarray (rows, dims), optional
        Encoder vectors; without them the rules that use them fall back as said below.
    strategy : str
        "uncertainty": uncertain (1 - margin of the two likeliest themes) x unlike the rows already
        chosen (TF-IDF), the likely themes visited in turn.
        "representative": the row nearest each centre of `n` k-means clusters of `vectors`, largest
        cluster first (without vectors: "uncertainty").
        "density": "uncertainty" weighted by each row's cosine to the pool's mean vector (information
        density, Settles & Craven 2008), so outliers are not preferred.
        "hybrid": half the rows by "representative" (cold start), the rest by "uncertainty", unlike them.
        "typical": within each likely theme, the rows nearest the theme's centre (a row per theme
        first, the rest in proportion to the themes' sizes), unlike each other.
        "random": eligible rows drawn at random.
        Without vectors, "density" and "typical" use the TF-IDF rows.
    seed : int
        For "random", "stratified" and the k-means of "representative" and "hybrid".
    """
    if strategy not in STRATEGIES:
        raise InputDataError(f"unknown strategy '{strategy}'; use one of {', '.join(STRATEGIES)}")
    rows = proba.shape[0]
    eligible = np.ones(rows, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool).copy()
    if rows == 0 or n <= 0 or not eligible.any():
        return []
    if strategy == "random":
        pool = np.flatnonzero(eligible)
        return [int(i) for i in np.random.default_rng(seed).choice(pool, min(n, len(pool)), replace=False)]
    if strategy == "stratified":
        draws: np.ndarray = np.random.default_rng(seed).random(size=(rows,))
        return proportional_rows(proba, None, n, eligible, draws)
    T = unit_rows(X)
    S = unit_rows(vectors) if vectors is not None else T
    if strategy == "representative" and vectors is not None:
        return representative_rows(np.asarray(vectors, dtype=np.float64), n, eligible, seed)
    if strategy == "typical":
        return typical_rows(proba, S, n, eligible)
    score = uncertainty(proba)
    first: list[int] = []
    if strategy in ("density", "proportional"):
        score = score * np.clip(similarities(S, np.asarray(S[eligible].mean(axis=0)).ravel()), 0.0, None)
    if strategy == "proportional":
        return proportional_rows(proba, T, n, eligible, score + 1e-6)
    if strategy == "hybrid" and vectors is not None:
        first = representative_rows(np.asarray(vectors, dtype=np.float64), n // 2, eligible, seed)
    return spread_rows(proba, T, n, eligible, score + 1e-6, first)


def uncertainty(proba: np.ndarray) -> np.ndarray:
    """1 minus the margin between the two likeliest themes (1: a toss-up, 0: sure)."""
    rows, L = proba.shape
    top2 = np.sort(proba, axis=1)[:, -2:] if L > 1 else np.hstack([np.zeros((rows, 1)), proba])
    return 1.0 - (top2[:, 1] - top2[:, 0])


def unit_rows(M):
    """Rows scaled to unit length (sparse stays sparse)."""
    if sp.issparse(M):
        M = sp.csr_matrix(M, dtype=np.float64)
        norms = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
        return sp.csr_matrix(sp.diags(1.0 / np.maximum(norms, 1e-12)) @ M)
    M = np.asarray(M, dtype=np.float64)
    return M / np.maximum(np.linalg.norm(M, axis=1, keepdims=True), 1e-12)


def similarities(S, target) -> np.ndarray:
    """Cosine-like similarity of every row of `S` (unit rows) to one row index or one dense vector."""
    v = S[target] if isinstance(target, (int, np.integer)) else target
    v = v.toarray().ravel() if sp.issparse(v) else np.asarray(v).ravel()
    return np.asarray(S @ v).ravel()


def spread_rows(proba, T, n: int, eligible: np.ndarray, score: np.ndarray, first=()) -> list[int]:
    """Greedy: the likely themes in turn (the least served first), in each the row with the highest
    score x distance (1 - the largest cosine to a row already chosen, on `T`); `first` counts as chosen."""
    rows, L = proba.shape
    eligible = eligible.copy()
    likely = proba.argmax(axis=1)
    taken = np.zeros(L, dtype=int)
    distance = np.ones(rows)
    chosen: list[int] = []

    def take(pick: int) -> None:
        nonlocal distance
        chosen.append(pick)
        taken[likely[pick]] += 1
        eligible[pick] = False
        distance = np.clip(np.minimum(distance, 1.0 - similarities(T, pick)), 0.0, 1.0)

    for pick in first:
        take(int(pick))
    while len(chosen) < n and eligible.any():
        open_themes = np.unique(likely[eligible])
        theme = min(open_themes, key=lambda j: (taken[j], j))
        pool = np.flatnonzero(eligible & (likely == theme))
        take(int(pool[np.argmax(score[pool] * distance[pool])]))
    return chosen


def typical_rows(proba, S, n: int, eligible: np.ndarray) -> list[int]:
    """Within each likely theme, the rows most like the theme's centre (mean of its eligible unit rows
    in `S`) and unlike the rows already chosen; one row per theme first, the rest in proportion."""
    likely = proba.argmax(axis=1)
    themes, sizes = np.unique(likely[eligible], return_counts=True)
    quota = allocate(sizes, n)
    eligible = eligible.copy()
    distance = np.ones(proba.shape[0])
    chosen: list[int] = []
    centre_sim = {}
    for j in themes:
        members = eligible & (likely == j)
        centre_sim[j] = similarities(S, np.asarray(S[members].mean(axis=0)).ravel())
    # Round by round (a row of every theme with quota left), so the first rows cover the themes.
    while len(chosen) < n and eligible.any():
        progressed = False
        for j, q in zip(themes, quota):
            pool = np.flatnonzero(eligible & (likely == j))
            if sum(likely[c] == j for c in chosen) >= q or len(pool) == 0:
                continue
            pick = int(pool[np.argmax((centre_sim[j][pool] + 1.0) * distance[pool])])
            chosen.append(pick)
            eligible[pick] = False
            distance = np.clip(np.minimum(distance, 1.0 - similarities(S, pick)), 0.0, 1.0) + 1e-6
            progressed = True
            if len(chosen) == n:
                break
        if not progressed:
            break
    return chosen


def allocate(sizes: np.ndarray, n: int) -> np.ndarray:
    """Rows per group: one each while `n` allows (largest groups first), the rest in proportion to
    the sizes (largest remainder), never more than a group has."""
    sizes = np.asarray(sizes, dtype=int)
    quota = np.zeros(len(sizes), dtype=int)
    order = np.argsort(-sizes, kind="stable")
    quota[order[: min(n, len(sizes))]] = 1
    left = min(n, int(sizes.sum())) - int(quota.sum())
    while left > 0:
        room = sizes - quota
        want = sizes * (quota.sum() + left) / sizes.sum() - quota
        want[room <= 0] = -np.inf
        quota[int(np.argmax(want))] += 1
        left -= 1
    return quota


def share_quota(sizes: np.ndarray, n: int) -> np.ndarray:
    """Rows per group in proportion to the sizes, by largest remainder (Hamilton): no group is promised a
    row, none gets more than it has; ties go to the larger group, then the first."""
    sizes = np.asarray(sizes, dtype=int)
    total = int(sizes.sum())
    n = min(n, total)
    if n <= 0:
        return np.zeros(len(sizes), dtype=int)
    exact = sizes * n / total
    quota = np.floor(exact).astype(int)
    order = np.lexsort((np.arange(len(sizes)), -sizes, -(exact - quota)))  # last key sorts first
    quota[order[: n - int(quota.sum())]] += 1  # ceil(exact) <= size, so never more than a group has
    return quota


def proportional_rows(proba, T, n: int, eligible: np.ndarray, score: np.ndarray) -> list[int]:
    """`share_quota` rows per likely theme; in a theme the highest score (x distance to the rows already
    chosen, 1 - largest cosine on `T`, when `T` is given). Themes take turns in proportion to their quotas,
    so the first rows of the list follow the mix too (an analyst may label only those)."""
    likely = proba.argmax(axis=1)
    themes, sizes = np.unique(likely[eligible], return_counts=True)
    quota = share_quota(sizes, n)
    eligible = eligible.copy()
    taken = np.zeros(len(themes), dtype=int)
    distance = np.ones(proba.shape[0])
    chosen: list[int] = []
    while len(chosen) < int(quota.sum()):
        open_ = np.flatnonzero(taken < quota)
        # The theme whose next row is due soonest (Sainte-Lague order); ties go to the first theme.
        t = int(open_[np.argmin((taken[open_] + 0.5) / quota[open_])])
        pool = np.flatnonzero(eligible & (likely == themes[t]))
        pick = int(pool[np.argmax(score[pool] * distance[pool])])
        chosen.append(pick)
        taken[t] += 1
        eligible[pick] = False
        if T is not None:
            distance = np.clip(np.minimum(distance, 1.0 - similarities(T, pick)), 0.0, 1.0)
    return chosen


def representative_rows(vectors: np.ndarray, n: int, eligible: np.ndarray, seed: int = 0) -> list[int]:
    """The eligible row nearest each centre of `n` k-means clusters of the (unit-length) vectors, largest
    cluster first: rows that stand for many others, so a few labels cover the trust's usual complaints."""
    from sklearn.cluster import KMeans

    idx = np.flatnonzero(eligible)
    if n <= 0:
        return []
    if len(idx) <= n:
        return [int(i) for i in idx]
    V = unit_rows(vectors[idx])
    km = KMeans(n_clusters=n, n_init=3, random_state=seed).fit(V)
    dist = np.column_stack([((V - c) ** 2).sum(axis=1) for c in km.cluster_centers_])
    sizes = np.bincount(km.labels_, minlength=n)
    chosen: list[int] = []
    for c in np.argsort(-sizes, kind="stable"):
        order = np.argsort(dist[:, c])
        pick = next(int(idx[i]) for i in order if int(idx[i]) not in chosen)
        chosen.append(pick)
    return chosen
