"""Evaluation figures for themes, the child flag, kind and learning statements. Pure functions.

Every precision / recall / F1 in the package comes from `precision_recall_f1`,
so the figures in model cards, bench results and the CLI are computed one way.
"""

from __future__ import annotations

import math

import numpy as np


def precision_recall_f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 where a denominator is zero).

    Parameters
    ----------
    tp, fp, fn : true positives, false positives, false negatives.

    Returns
    -------
    (precision, recall, f1)
    """
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _indicators(gold, pred, idx: dict) -> tuple[np.ndarray, np.ndarray]:
    """Row x theme indicator matrices of gold and predicted themes (themes outside `idx` ignored)."""
    G = np.zeros((len(gold), len(idx)), dtype=bool)
    P = np.zeros_like(G)
    for i, (g, p) in enumerate(zip(gold, pred)):
        G[i, [idx[t] for t in g if t in idx]] = True
        P[i, [idx[t] for t in p if t in idx]] = True
    return G, P


def theme_report(
    gold: list[list[str]], pred: list[list[str]], labels: list[str], proba: np.ndarray | None = None
) -> dict:
    """Per-theme P/R/F1/support, micro and macro F1, main-theme top-1 / top-3."""
    idx = {l: j for j, l in enumerate(labels)}
    G, P = _indicators(gold, pred, idx)
    per = {}
    f1s = []
    for l, j in idx.items():
        tp = int((G[:, j] & P[:, j]).sum())
        fp = int((~G[:, j] & P[:, j]).sum())
        fn = int((G[:, j] & ~P[:, j]).sum())
        prec, rec, f1 = precision_recall_f1(tp, fp, fn)
        per[l] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(f1, 4),
            "support": int(G[:, j].sum()),
            "predicted": int(P[:, j].sum()),
        }
        if G[:, j].sum():
            f1s.append(f1)
    tp, fp, fn = (G & P).sum(), (~G & P).sum(), (G & ~P).sum()
    micro = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0
    out = {
        "rows": len(gold),
        "per_theme": per,
        "micro_f1": round(float(micro), 4),
        "macro_f1": round(float(np.mean(f1s)) if f1s else 0.0, 4),
        "samples_f1": round(float(np.mean([_set_f1(set(g), set(p)) for g, p in zip(gold, pred)])) if gold else 0.0, 4),
    }
    if proba is not None and len(gold):
        order = np.argsort(-proba, axis=1)
        main = [idx.get(g[0]) if g else None for g in gold]
        rows = [i for i, m in enumerate(main) if m is not None]
        labelled = [i for i, g in enumerate(gold) if g]
        if labelled:  # the owners' first measure: the top suggestion is one of the right themes
            out["top1_any"] = round(float(np.mean([bool(G[i, order[i, 0]]) for i in labelled])), 4)
        if rows:
            out["main_theme_top1"] = round(float(np.mean([order[i, 0] == main[i] for i in rows])), 4)
            out["main_theme_top3"] = round(float(np.mean([main[i] in order[i, :3] for i in rows])), 4)
        out["brier"] = round(float(np.mean((proba - G) ** 2)), 4)
    return out


def _set_f1(g: set, p: set) -> float:
    if not g and not p:
        return 1.0
    return 2 * len(g & p) / (len(g) + len(p))


def wilson(successes: float, n: int, z: float = 1.96) -> list[float]:
    """95% Wilson score interval of a proportion (sound for small n and for rates near 0 or 1)."""
    if n == 0:
        return [0.0, 1.0]
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(max(0.0, centre - half), 3), round(min(1.0, centre + half), 3)]


def theme_intervals(
    gold: list[list[str]],
    pred: list[list[str]],
    proba: np.ndarray | None,
    labels: list[str],
    seed: int = 0,
    resamples: int = 300,
) -> dict:
    """95% intervals of the theme figures: Wilson for top-1 / top-3 rates, a bootstrap over rows for
    micro and macro F1 (macro averages the themes present in each resample, as `theme_report` does)."""
    idx = {l: j for j, l in enumerate(labels)}
    G, P = _indicators(gold, pred, idx)
    out: dict = {}
    if proba is not None and len(gold):
        order = np.argsort(-proba, axis=1)
        labelled = [i for i, g in enumerate(gold) if g]
        out["top1_any"] = wilson(sum(bool(G[i, order[i, 0]]) for i in labelled), len(labelled))
        main = [(i, idx[g[0]]) for i, g in enumerate(gold) if g and g[0] in idx]
        out["main_theme_top1"] = wilson(sum(order[i, 0] == m for i, m in main), len(main))
        out["main_theme_top3"] = wilson(sum(m in order[i, :3] for i, m in main), len(main))
    if len(gold) and resamples:
        rng = np.random.default_rng(seed)
        tp, fp, fn = (G & P).astype(np.int32), (~G & P).astype(np.int32), (G & ~P).astype(np.int32)
        micro, macro = [], []
        for _ in range(resamples):
            s = rng.integers(0, len(gold), len(gold))
            a, b, c = tp[s].sum(axis=0), fp[s].sum(axis=0), fn[s].sum(axis=0)
            denom = 2 * a + b + c
            micro.append(2 * a.sum() / denom.sum() if denom.sum() else 0.0)
            present = (a + c) > 0
            f1 = np.divide(2 * a, denom, out=np.zeros(len(labels)), where=denom > 0)
            macro.append(float(f1[present].mean()) if present.any() else 0.0)
        for key, boot in (("micro_f1", micro), ("macro_f1", macro)):
            out[key] = [round(float(np.percentile(boot, 2.5)), 3), round(float(np.percentile(boot, 97.5)), 3)]
    return out


def binary_report(truth, pred) -> dict:
    """Precision, recall, F1, support and counts of a yes/no prediction."""
    t = np.asarray(truth, dtype=bool)
    p = np.asarray(pred, dtype=bool)
    tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
    prec, rec, f1 = precision_recall_f1(tp, fp, fn)
    return {
        "precision": round(prec, 4),
        "recall": round(rec, 4),
        "f1": round(f1, 4),
        "support": int(t.sum()),
        "predicted": int(p.sum()),
        "rows": int(len(t)),
        "intervals": {"precision": wilson(tp, tp + fp), "recall": wilson(tp, tp + fn)},
    }


def confusion(truth: list[str], pred: list[str], classes: list[str]) -> dict:
    """Accuracy and the confusion matrix {gold: {predicted: count}} over `classes`."""
    m = {g: {p: 0 for p in classes} for g in classes}
    for g, p in zip(truth, pred):
        if g in m and p in m[g]:
            m[g][p] += 1
    acc = float(np.mean([g == p for g, p in zip(truth, pred)])) if truth else 0.0
    return {"accuracy": round(acc, 4), "matrix": m, "rows": len(truth)}
