"""Evaluate the learning extractor: labelled sentences, and whole documents with gold statements."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from classifier.errors import InputDataError
from classifier.learning.extractor import LEARNING_TYPES, LearningExtractor
from classifier.learning.training import _labelled, _labels
from classifier.metrics import precision_recall_f1


def evaluate_learning(data_path, extractor: LearningExtractor, split: str | None = "test") -> dict:
    """Sentence detection P/R/F1 and type accuracy against a labelled sentences file.

    Parameters
    ----------
    data_path : str or Path
        Columns `sentence` and `learning`, optionally `type` and `split`.
    extractor : LearningExtractor
    split : str, optional
        Only rows of this split are scored (the held-out part) when the file has
        a `split` column; None scores every row.

    Returns
    -------
    dict
        `sentences`, `learning`, `threshold`, `precision`, `recall`, `f1`, the
        counts, `type_accuracy` (None without typed rows), `per_type`.
    """
    frame, used = _labelled(data_path, split)
    y = _labels(frame)
    sentences = frame["sentence"].tolist()
    scores = extractor.score_sentences(sentences)
    pred = scores >= extractor.threshold_
    tp, fp = int((pred & y).sum()), int((pred & ~y).sum())
    fn, tn = int((~pred & y).sum()), int((~pred & ~y).sum())
    precision, recall, f1 = precision_recall_f1(tp, fp, fn)
    gold = frame["type"].str.strip().tolist()
    typed = [i for i in np.flatnonzero(y) if gold[i] in LEARNING_TYPES]
    per_type: dict[str, dict[str, int]] = {}
    correct = correct_detected = n_detected = 0
    if typed:
        got = extractor.predict_types([sentences[i] for i in typed])
        for i, g in zip(typed, got):
            cell = per_type.setdefault(gold[i], {"n": 0, "correct": 0})
            cell["n"] += 1
            hit = int(g == gold[i])
            cell["correct"] += hit
            correct += hit
            if pred[i]:
                n_detected += 1
                correct_detected += hit
    r = lambda v: round(float(v), 4)
    return {
        "data": str(data_path),
        "split": used,
        "sentences": len(y),
        "learning": int(y.sum()),
        "threshold": r(extractor.threshold_),
        "precision": r(precision),
        "recall": r(recall),
        "f1": r(f1),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "type_accuracy": r(correct / len(typed)) if typed else None,
        "type_accuracy_detected": r(correct_detected / n_detected) if n_detected else None,
        "typed_sentences": len(typed),
        "per_type": per_type,
    }


# ------------------------------------------------------------------ whole documents

GOLD_FILE = "gold.jsonl"
# Sets written by several writers keep one gold file each: gold-a.jsonl, gold-b.jsonl, ...
GOLD_GLOB = "gold*.jsonl"


def _squeeze(text: str) -> tuple[str, list[int]]:
    """Text without whitespace, and the offset in `text` of each kept character."""
    keep = [i for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(text[i] for i in keep), keep


def _locate_squeezed(sentence: str, flat: str, start: int = 0) -> tuple[int, int] | None:
    from difflib import SequenceMatcher

    from classifier.io.documents import _PAGE_NUMBER

    lines = [l for l in sentence.split("\n") if not _PAGE_NUMBER.match(l.strip())]
    needle, _ = _squeeze("\n".join(lines))
    if not needle or not flat:
        return None
    k = flat.find(needle, start)
    if k < 0:
        k = flat.find(needle)
    if k >= 0:
        return k, k + len(needle)
    m = SequenceMatcher(None, flat, needle, autojunk=False).find_longest_match(0, len(flat), 0, len(needle))
    if m.size < 0.5 * len(needle):
        return None
    s = max(0, m.a - m.b)
    return s, min(len(flat), s + len(needle))


def locate_sentence(sentence: str, text: str) -> tuple[int, int] | None:
    """Where a gold sentence lies in a cleaned document text, as (start, end), or None.

    Whitespace is ignored (document cleaning re-joins wrapped lines) and lines
    that are only a page number are dropped from the sentence (cleaning drops
    them from the text). If the sentence is still not found verbatim, the
    longest stretch it shares with the text anchors it, when that stretch
    covers at least half of it.
    """
    flat, keep = _squeeze(text)
    return _locate_in(sentence, flat, keep)[0]


def _locate_in(sentence: str, flat: str, keep: list[int], start: int = 0):
    """(span in the original text or None, where in `flat` it starts): `locate_sentence`
    on an already squeezed text, searching on from `start` first."""
    found = _locate_squeezed(sentence, flat, start)
    if found is None:
        return None, start
    return (keep[found[0]], keep[found[1] - 1] + 1), found[0]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Shared characters as a share of the longer span (>= 0.5: each covers half the other)."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(0, inter) / max(a[1] - a[0], b[1] - b[0], 1)


def match_spans(
    gold: list[tuple[int, int]], found: list[tuple[int, int]], min_overlap: float = 0.5
) -> list[tuple[int, int]]:
    """One-to-one (gold index, found index) pairs, best overlaps first, each >= min_overlap."""
    pairs = sorted(
        ((_overlap(g, f), i, j) for i, g in enumerate(gold) for j, f in enumerate(found)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_g, used_f, out = set(), set(), []
    for ov, i, j in pairs:
        if ov < min_overlap:
            break
        if i in used_g or j in used_f:
            continue
        used_g.add(i)
        used_f.add(j)
        out.append((i, j))
    return sorted(out)


def _segment_kind(segments, span: tuple[int, int]) -> str:
    """Kind of the structure segment that overlaps `span` most ("none" if none)."""
    best, kind = 0, "none"
    for g in segments:
        ov = min(span[1], g.end) - max(span[0], g.start)
        if ov > best:
            best, kind = ov, g.context.kind or "none"
    return kind


def evaluate_learning_documents(
    directory, extractor: LearningExtractor, min_overlap: float = 0.5, sections: str = "all"
) -> dict:
    """Statement-level P/R/F1 and type accuracy on whole documents with gold statements.

    `directory` holds documents (.txt/.docx/.pdf) and `gold.jsonl` (or one
    `gold-*.jsonl` per writer, read together), one line
    per gold learning statement: {"doc": file name, "sentence": verbatim
    text, "type": ...}. Each document is read and cleaned as the `learning`
    command reads it, the extractor runs on the whole text, and each
    extracted statement is matched one-to-one to a gold sentence whose span
    overlaps it by at least `min_overlap` of the longer of the two. Every
    document in the folder is scored, including ones with no gold statements.
    `per_kind` splits the counts by the kind of section, paragraph, list or
    table column each gold or found statement sits in ("none" where no kind
    was recognised).
    """
    import json

    from classifier.io.documents import document_paths, read_document
    from classifier.learning.structure import analyse

    folder = Path(directory)
    gold_paths = sorted(folder.glob(GOLD_GLOB)) if folder.is_dir() else []
    if not gold_paths:
        raise InputDataError(
            f"'{folder}' must be a folder with documents and a {GOLD_FILE} (or gold-*.jsonl) of gold statements"
        )
    gold: dict[str, list[dict]] = {}
    for gold_path in gold_paths:
        for n, line in enumerate(gold_path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                doc_name, sentence = str(row["doc"]), str(row["sentence"])
            except (ValueError, KeyError, TypeError):
                raise InputDataError(
                    f"{gold_path.name} line {n}: needs a JSON object with 'doc' and 'sentence'"
                ) from None
            gold.setdefault(doc_name, []).append({"sentence": sentence, "type": str(row.get("type") or "").strip()})
    paths = {p.relative_to(folder).as_posix(): p for p in document_paths(folder)}
    missing = sorted(set(gold) - set(paths))
    if missing:
        raise InputDataError(f"the gold file names documents that are not in the folder: {', '.join(missing[:5])}")

    per_doc, misses, false_alarms = [], [], []
    per_kind: dict[str, dict[str, int]] = {}
    per_type: dict[str, dict[str, int]] = {}
    tp = fp = fn = typed = typed_ok = unlocated = 0
    for name in sorted(paths):
        doc = read_document(paths[name])
        flat, keep = _squeeze(doc.text)
        golds, spans, pos = gold.get(name, []), [], 0
        for g in golds:
            # Gold statements are in reading order: search on from the previous one.
            span, pos = _locate_in(g["sentence"], flat, keep, pos)
            if span is None:
                unlocated += 1
                span = (-1, -1)  # cannot overlap anything: counts as missed
            spans.append(span)
        items = doc.item_starts()
        found = extractor.find(doc.text, source_id=name, item_starts=items, sections=sections)
        pairs = match_spans(spans, [(s.start, s.end) for s in found], min_overlap)
        hit_g, hit_f = {i for i, _ in pairs}, {j for _, j in pairs}
        segments = analyse([doc.text], [items])[0]
        for i, span in enumerate(spans):
            cell = per_kind.setdefault(_segment_kind(segments, span), {"tp": 0, "fp": 0, "fn": 0})
            cell["tp" if i in hit_g else "fn"] += 1
        for j, st in enumerate(found):
            if j not in hit_f:
                cell = per_kind.setdefault(st.context or "none", {"tp": 0, "fp": 0, "fn": 0})
                cell["fp"] += 1
        d_tp = len(pairs)
        tp, fp, fn = tp + d_tp, fp + len(found) - d_tp, fn + len(golds) - d_tp
        d_ok = 0
        for i, j in pairs:
            want = golds[i]["type"]
            if want in LEARNING_TYPES:
                cell = per_type.setdefault(want, {"n": 0, "correct": 0})
                hit = int(found[j].type == want)
                cell["n"] += 1
                cell["correct"] += hit
                typed += 1
                typed_ok += hit
                d_ok += hit
        misses += [
            {"doc": name, "sentence": golds[i]["sentence"], "type": golds[i]["type"]}
            for i in range(len(golds))
            if i not in hit_g
        ]
        false_alarms += [
            {
                "doc": name,
                "sentence": found[j].sentence,
                "type": found[j].type,
                "score": found[j].score,
                "context": found[j].context,
            }
            for j in range(len(found))
            if j not in hit_f
        ]
        per_doc.append({"doc": name, "gold": len(golds), "found": len(found), "matched": d_tp, "type_correct": d_ok})
    precision, recall, f1 = precision_recall_f1(tp, fp, fn)
    r = lambda v: round(float(v), 4)
    return {
        "data": str(folder),
        "documents": len(paths),
        "gold": tp + fn,
        "found": tp + fp,
        "threshold": r(extractor.threshold_),
        "min_overlap": min_overlap,
        "precision": r(precision),
        "recall": r(recall),
        "f1": r(f1),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "type_accuracy": r(typed_ok / typed) if typed else None,
        "typed_matches": typed,
        "gold_not_located": unlocated,
        "per_type": per_type,
        "per_doc": per_doc,
        "per_kind": per_kind,
        "sections": sections,
        "misses": misses,
        "false_alarms": false_alarms,
    }
