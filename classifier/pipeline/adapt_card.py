"""Figures and model card for `adapt`: the own rows before and after, with how sure they are."""

from __future__ import annotations

import numpy as np

from classifier.metrics import theme_intervals, theme_report
from classifier.models.decide import decide

MEASURES = (
    ("top1_any", "top suggestion is one of the right themes"),
    ("main_theme_top1", "main theme ranked first"),
    ("main_theme_top3", "main theme in the top 3"),
    ("macro_f1", "macro F1 of the themes chosen"),
)


def figures(
    gold: list[list[str]],
    pred: list[list[str]],
    proba: np.ndarray,
    labels: list[str],
    seed: int = 0,
    resamples: int = 300,
) -> dict:
    """theme_report with 95% intervals: Wilson for rates, bootstrap over rows for F1."""
    rep = theme_report(gold, pred, labels, proba)
    rep.setdefault("top1_any", 0.0)
    rep["intervals"] = theme_intervals(gold, pred, proba, labels, seed=seed, resamples=resamples)
    return rep


def before_after(base, themes, own_docs, own_themes, base_comparable: bool, own_vectors=None) -> dict:
    """The own rows scored by the base model as it labels (with its encoder head when it has one) or, in
    another taxonomy, by descriptions alone; and by the adapted model's out-of-fold predictions."""
    labels = themes.labels_
    after_p = themes.oof_proba_
    after_th = np.array([themes.thresholds_[l] for l in labels])
    after_pred = [[labels[j] for j in row] for row in decide(after_p, after_th)]
    after = figures(own_themes, after_pred, after_p, labels)
    after["note"] = (
        f"{getattr(themes, 'cv_folds', themes.head_.cv_folds)}-fold cross-validation on the own rows; the "
        "settings and thresholds were chosen on the same folds, so these figures are slightly optimistic"
    )
    if base_comparable and base.themes.labels_ == labels:
        with_vectors = own_vectors is not None and getattr(base.themes, "uses_vectors", False)
        p = base.themes.predict_proba(own_docs, **({"vectors": own_vectors} if with_vectors else {}))
        pred = base.themes.predict(own_docs, proba=p, fast=not with_vectors)
        pred = [[t for t in row if t in labels] for row in pred]
        before = figures(own_themes, pred, p, labels)
        before["what"] = f"base model {base.version}"
    else:
        from classifier.models.zeroshot import description_similarity

        sims = description_similarity([d.redacted for d in own_docs], themes.description_vectors_)
        before = figures(own_themes, [[labels[int(i)]] for i in sims.argmax(axis=1)], sims, labels)
        before["what"] = "theme descriptions alone (zero-shot), the top theme only"
    after["what"] = "adapted model (cross-validated)"
    return {"rows": len(own_docs), "before": before, "after": after}


def format_before_after(fig: dict) -> str:
    """The before/after table as Markdown text (the model card and the `adapt` command print it).

    Parameters
    ----------
    fig : dict
        `AdaptResult.figures`.

    Returns
    -------
    str
    """
    b, a = fig["before"], fig["after"]
    lines = [
        f"On the {fig['rows']} own rows (95% intervals in brackets):",
        f"| measure | before: {b['what']} | after: {a['what']} |",
        "|---|---|---|",
    ]

    def cell(r, key):
        lo, hi = r["intervals"][key]
        return f"{r.get(key, 0):.3f} [{lo:.2f}-{hi:.2f}]"

    for key, name in MEASURES:
        lines.append(f"| {name} | {cell(b, key)} | {cell(a, key)} |")
    n = fig["rows"]
    sure = (
        "few rows: the intervals are wide, treat the figures as rough"
        if n < 100
        else "enough rows for the figures to be a fair guide"
    )
    lines.append(f"{a['note']}; {sure}.")
    return "\n".join(lines)


def adapt_card(model, meta: dict) -> str:
    ad, tax, th = meta["adapted"], model.taxonomy, model.themes
    lines = [
        "# Model card: {model_version}",
        "",
        f"Adapted from `{ad['base_model']}` to one trust's own labelled complaints.",
        "",
        "## Taxonomy",
        f"`{tax.id}` version {tax.version} (hash `{tax.content_hash[:12]}`), {len(tax.leaf_ids)} themes.",
        "",
        "## What it learned from",
        f"- {ad['own_rows']} own labelled rows from `{meta['training_data']['file']}` (sha256 "
        f"`{(meta['training_data']['sha256'] or '-')[:12]}`); {ad['own_rows_unlabelled_skipped']} rows without "
        "themes were skipped.",
        f"- {ad['feedback_decisions']} decisions stored by the intake page, {ad['feedback_corrections']} of them "
        "corrections of the suggestion.",
        *([f"- {ad['corpus_rows']} rows of the base model's training corpus."] if ad["corpus_rows"] else []),
        "No text of the own rows or decisions is kept in the model, only counts and a file hash.",
        "",
        "## Method",
        *(_residual_method(ad, th) if ad.get("method") == "residual" else _refit_method(ad, th)),
        "",
        "## Before and after, own rows",
        format_before_after(ad["before_after"]),
        "",
        "| theme | own examples | all examples | threshold |",
        "|---|---|---|---|",
    ]
    for l in th.labels_:
        lines.append(f"| {l} | {ad['own_support'][l]} | {th.support_[l]} | {th.thresholds_[l]:.2f} |")
    if ad.get("method") == "residual":
        lines.append("('all examples': the base model's training rows plus the own rows.)")
    if "child_authored" in meta:
        c = meta["child_authored"]
        lines += [
            "",
            "## Child-authored flag",
            f"Threshold {c['threshold']:.3f} (recall {c['recall']:.3f}, precision {c['precision']:.3f} "
            f"on {c['tuned_on']}).",
        ]
    lines += (
        ["", "## Notes"]
        + [f"- {n}" for n in meta.get("notes", [])]
        + ["- Review suggestions; do not file complaints automatically.", ""]
    )
    return "\n".join(lines)


def _residual_method(ad: dict, th) -> list[str]:
    penalty = ad.get("penalty")
    chosen = (
        f"Chosen penalty: {penalty:g}."
        if penalty is not None
        else "Chosen: no correction (no penalty did clearly better than the base model on the own rows), so"
        " this model scores like the base model."
    )
    return [
        "The base model is kept whole; the own rows teach it a small correction of each theme's score:",
        "z_k(x) = logit p_base_k(x) + b_k + w_k . phi(x), phi(x) = [the base model's theme probabilities;",
        "the text's sentence-encoder vector]. Weights on the base probabilities learn how this trust files",
        "themes (for example 'delay' under 'communication'); the vector learns its house style. b and w are",
        "fitted by L2-penalised logistic loss on the own rows; the penalty is chosen by cross-validation on",
        "the own rows, and the base model unchanged is kept unless a penalty is better by one standard error.",
        chosen,
        *(
            [
                f"The same engine was then retrained on the corpus plus the own rows counted {ad['own_weight']} times",
                "(this learns the trust's own words), and the correction is added over the retrained model's",
                f"scores at {ad['refit_correction']:g} of its size (the retrained model has already learnt part of it).",
            ]
            if ad.get("refit")
            else []
        ),
        f"A theme with fewer than {th.own_threshold_min} own examples keeps the "
        + ("retrained" if ad.get("refit") else "base")
        + " model's threshold.",
        "Labelling without the encoder (--fast) uses a second correction fitted on the TF-IDF head alone.",
    ]


def _refit_method(ad: dict, th) -> list[str]:
    return [
        "TF-IDF (lemma 1-2 grams, character 2-5 grams), one logistic regression per theme on the corpus plus the",
        f"own rows counted {ad['own_weight']} times"
        + (
            f", plus {ad['description_weight']} x the similarity of the text to each theme's description"
            if ad["description_weight"]
            else ""
        )
        + ".",
        "The Platt calibration and the thresholds come from cross-validation on the own rows (the own weight",
        "and description weight too, where there is a choice: another setting is kept over the default only",
        "if it is better by more than two standard errors).",
    ]
