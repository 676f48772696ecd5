"""The JSON a suggestion returns: themes with probabilities and evidence, child flag, kind, highlights."""

from __future__ import annotations

import re

from classifier.pipeline.model import ComplaintModel


def _spans(text: str, phrase: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    while phrase:
        i = text.find(phrase, start)
        if i < 0:
            return out
        out.append((i, i + len(phrase)))
        start = i + len(phrase)
    return out


def child_spans(model: ComplaintModel, redacted: str, found: list[str]) -> list[tuple[int, int, str]]:
    """Where each explicit child-authored signal that was found matches the (lower-cased) text."""
    if model.child is None:
        return []
    signals = getattr(model.child, "signals_", {}) or {}
    out = []
    low = redacted.lower()
    for name in found:
        polarity = "negative" if name.startswith("not:") else "positive"
        pattern = signals.get(polarity, {}).get(name.removeprefix("not:"))
        if pattern:
            out += [(m.start(), m.end(), name) for m in re.finditer(pattern, low) if m.end() > m.start()]
    return out


def suggestion(model: ComplaintModel, text: str, top: int = 3) -> dict:
    """What the page shows and the API returns for one text (see README: complaints serve)."""
    doc, a, explain = model.explained(text)
    labels = model.themes.labels_
    ranked = sorted(labels, key=lambda l: -a.theme_scores[l])[: max(1, min(int(top), len(labels)))]
    # Evidence for the suggested themes and the top 3 only: words behind an unlikely theme are noise.
    explained = [l for l in ranked if l in a.themes or ranked.index(l) < 3]
    evidence = explain(explained)
    themes, highlights = [], []
    for l in ranked:
        words = [w for w, _ in evidence.get(l, [])]
        themes.append(
            {
                "id": l,
                "label": model.taxonomy.label_of(l),
                "probability": a.theme_scores[l],
                "suggested": l in a.themes,
                "evidence": words,
            }
        )
        for w in words:
            highlights += [{"start": s, "end": e, "kind": "theme", "theme": l} for s, e in _spans(doc.redacted, w)]
    child_marks = child_spans(model, doc.redacted, a.child_evidence)
    # Signals against child authorship ("my son") are their own kind: the page must not show them as for.
    highlights += [
        {"start": s, "end": e, "kind": "not_child" if n.startswith("not:") else "child", "signal": n}
        for s, e, n in child_marks
    ]
    return {
        "themes": themes,
        "suggested": [t for t in a.themes if t in labels],
        "child_authored": {"value": a.child_authored, "score": a.child_score, "evidence": a.child_evidence},
        "kind": a.kind,
        "kind_score": a.kind_score,
        "text": doc.redacted,
        "highlights": sorted(highlights, key=lambda h: (h["start"], h["kind"] == "theme", -h["end"])),
        "model_version": model.version,
    }
