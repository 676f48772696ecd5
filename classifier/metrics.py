"""Evaluation figures for themes, the child flag, kind and learning statements. Pure functions.

Every precision / recall / F1 in the package comes from `precision_recall_f1`,
so the figures in model cards, bench results and the CLI are computed one way.
"""

from __future__ import annotations

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


def theme_report(
    gold: list[list[str]], pred: list[list[str]], labels: list[str], proba: np.ndarray | None = None
) -> dict:
    """Per-theme P/R/F1/support, micro and macro F1, main-theme top-1 / top-3."""
    idx = {l: j for j, l in enumerate(labels)}
    G = np.zeros((len(gold), len(labels)), dtype=bool)
    P = np.zeros_like(G)
    for i, (g, p) in enumerate(zip(gold, pred)):
        for t in g:
            if t in idx:
                G[i, idx[t]] = True
        for t in p:
            if t in idx:
                P[i, idx[t]] = True
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
        if rows:
            out["main_theme_top1"] = round(float(np.mean([order[i, 0] == main[i] for i in rows])), 4)
            out["main_theme_top3"] = round(float(np.mean([main[i] in order[i, :3] for i in rows])), 4)
        out["brier"] = round(float(np.mean((proba - G) ** 2)), 4)
    return out


def _set_f1(g: set, p: set) -> float:
    if not g and not p:
        return 1.0
    return 2 * len(g & p) / (len(g) + len(p))


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
    }


def confusion(truth: list[str], pred: list[str], classes: list[str]) -> dict:
    """Accuracy and the confusion matrix {gold: {predicted: count}} over `classes`."""
    m = {g: {p: 0 for p in classes} for g in classes}
    for g, p in zip(truth, pred):
        if g in m and p in m[g]:
            m[g][p] += 1
    acc = float(np.mean([g == p for g, p in zip(truth, pred)])) if truth else 0.0
    return {"accuracy": round(acc, 4), "matrix": m, "rows": len(truth)}
