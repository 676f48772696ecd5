"""Library functions behind the `learning` and `evaluate-learning` commands."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from classifier.errors import InputDataError, LabelError, OutputError
from classifier.io.tables import TABLE_SUFFIXES, TableWriter, iter_table, read_table, require_column, write_table
from classifier.io.documents import DOCUMENT_SUFFIXES, iter_documents
from classifier.learning.extractor import LEARNING_TYPES, LearningError, LearningExtractor, LearningStatement, parse_bool
from classifier.learning.register import register_from_rows

log = logging.getLogger(__name__)

OUTPUT_COLUMNS = ["id", "sentence", "start", "end", "type", "themes", "score"]
# Package data (a link to training_data/ in the repository, a copy in the wheel).
BUNDLED_SENTENCES = Path(__file__).resolve().parents[1] / "data" / "learning_sentences.csv"
_BATCH = 200   # sources per extractor call: bounded memory on big tables


@dataclass
class LearningSummary:
    input_path: str
    output_path: str
    kind: str                       # "table" or "documents"
    sources: int = 0                # rows or files read
    sources_with_statements: int = 0
    statements: int = 0
    rows_skipped: list[int] = field(default_factory=list)   # damaged table rows (1-based)
    ids_from_row_numbers: bool = False
    register_path: str | None = None
    register_entries: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        what = "rows" if self.kind == "table" else "documents"
        out = (f"{self.statements} learning statement(s) from {self.sources_with_statements} of "
               f"{self.sources} {what} -> {self.output_path}")
        if self.by_type:
            out += " (" + ", ".join(f"{k} {v}" for k, v in sorted(self.by_type.items())) + ")"
        if self.register_path:
            out += f"; register of {self.register_entries} entries -> {self.register_path}"
        if self.rows_skipped:
            shown = ", ".join(map(str, self.rows_skipped[:10])) + (" …" if len(self.rows_skipped) > 10 else "")
            out += f"; skipped damaged rows {shown}"
        if self.ids_from_row_numbers:
            out += "; no id column, so ids are row numbers"
        return out


def _check_output(path: Path, what: str) -> None:
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise OutputError(f"{what} '{path.name}' must end in one of {', '.join(TABLE_SUFFIXES)}")


def _rows(statements: list[LearningStatement], theme_model) -> list[dict]:
    if not statements:
        return []
    if theme_model is not None:
        themes = [";".join(map(str, t)) for t in theme_model.predict([s.sentence for s in statements])]
    else:
        themes = [""] * len(statements)
    return [{"id": "" if s.source_id is None else str(s.source_id), "sentence": s.sentence,
             "start": s.start, "end": s.end, "type": s.type, "themes": th, "score": s.score}
            for s, th in zip(statements, themes)]


def _batches_from_table(path: Path, text_column: str, id_column: str, summary: LearningSummary):
    id_col = None
    for chunk in iter_table(path):
        cols = list(chunk.frame.columns)
        text_col = require_column(cols, text_column, "--text-column")
        if id_col is None and not summary.ids_from_row_numbers:
            try:
                id_col = require_column(cols, id_column, "--id-column")
            except InputDataError:
                if id_column != "id":
                    raise
                summary.ids_from_row_numbers = True   # default column absent: fall back quietly
        texts, ids = [], []
        for k, problem in enumerate(chunk.problems):
            row_no = chunk.first_row + k
            summary.sources += 1
            if problem is not None:
                summary.rows_skipped.append(row_no)
                log.warning("row %d skipped: %s", row_no, problem)
                continue
            texts.append(chunk.frame.iat[k, cols.index(text_col)])
            ids.append(str(row_no) if id_col is None else chunk.frame.iat[k, cols.index(id_col)])
        for s in range(0, len(texts), _BATCH):
            yield texts[s:s + _BATCH], ids[s:s + _BATCH]


def _batches_from_documents(path: Path, summary: LearningSummary):
    texts, ids = [], []
    for doc in iter_documents(path):
        summary.sources += 1
        texts.append(doc.text)
        ids.append(doc.id)
        if len(texts) >= _BATCH:
            yield texts, ids
            texts, ids = [], []
    if texts:
        yield texts, ids


def extract_learning_table(input_path, output_path, text_column: str = "text", id_column: str = "id",
                           extractor: LearningExtractor | None = None, theme_model=None,
                           register_path=None) -> LearningSummary:
    """Find learning statements in a table's text column or in documents; write one row each.

    `theme_model` is any object with `predict(texts) -> list[list[theme id]]`
    (the loaded ThemeClassifier); without it the `themes` column is empty.
    """
    if extractor is None:
        raise LearningError("no learning extractor given; load a model or call train_learning_extractor")
    inp, out = Path(input_path), Path(output_path)
    _check_output(out, "output")
    reg = Path(register_path) if register_path is not None else None
    if reg is not None:
        _check_output(reg, "register")
        if reg.resolve() == out.resolve():
            raise OutputError("--register must be a different file from --output")
    if inp.is_dir() or inp.suffix.lower() in DOCUMENT_SUFFIXES:
        summary = LearningSummary(str(inp), str(out), "documents")
        batches = _batches_from_documents(inp, summary)
    elif inp.suffix.lower() in TABLE_SUFFIXES:
        summary = LearningSummary(str(inp), str(out), "table")
        batches = _batches_from_table(inp, text_column, id_column, summary)
    else:
        raise InputDataError(f"'{inp.name}' is neither a table ({', '.join(TABLE_SUFFIXES)}) nor a "
                             f"document ({', '.join(DOCUMENT_SUFFIXES)}) nor a folder")
    kept: list[dict] = []
    with TableWriter(out, OUTPUT_COLUMNS, input_path=inp if inp.is_file() else None) as writer:
        for texts, ids in batches:
            found = extractor.find_all(texts, ids)
            summary.sources_with_statements += sum(1 for f in found if f)
            rows = _rows([s for f in found for s in f], theme_model)
            summary.statements += len(rows)
            for r in rows:
                summary.by_type[r["type"]] = summary.by_type.get(r["type"], 0) + 1
            if rows:
                writer.write(pd.DataFrame(rows, columns=OUTPUT_COLUMNS))
            if reg is not None:
                kept.extend(rows)
    if reg is not None:
        register = register_from_rows(kept)
        write_table(register, reg, input_path=inp if inp.is_file() else None)
        summary.register_path, summary.register_entries = str(reg), len(register)
    return summary


# ------------------------------------------------------------------ training and evaluation

def _labelled(path, split: str | None) -> tuple[pd.DataFrame, str | None]:
    frame, problems = read_table(path)
    if frame.empty:
        raise InputDataError(f"'{Path(path).name}' has no rows")
    bad = [i + 1 for i, p in enumerate(problems) if p]
    if bad:
        raise InputDataError(f"'{Path(path).name}' has damaged rows: {', '.join(map(str, bad[:10]))}")
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    sent = lowered.get("sentence", lowered.get("text"))
    lab = lowered.get("learning")
    if sent is None or lab is None:
        shown = ", ".join(map(str, list(frame.columns)[:30]))
        raise InputDataError(f"'{Path(path).name}' needs a 'sentence' (or 'text') column and a "
                             f"'learning' column of true/false; found: {shown}")
    frame = frame.rename(columns={sent: "sentence", lab: "learning"})
    for c in ("type", "split"):
        if c not in frame.columns:
            frame[c] = ""
    frame["row"] = np.arange(1, len(frame) + 1)
    used = None
    if split and (frame["split"].str.strip() != "").any():
        frame = frame[frame["split"].str.strip().str.lower() == split]
        used = split
        if frame.empty:
            raise InputDataError(f"'{Path(path).name}' has no rows with split '{split}'")
    return frame, used


def _labels(frame: pd.DataFrame) -> np.ndarray:
    out = []
    for row, v in zip(frame["row"], frame["learning"]):
        b = parse_bool(v)
        if b is None:
            raise LabelError(f"row {row}: 'learning' must be true or false")
        out.append(b)
    return np.array(out, dtype=bool)


def complaint_sentences(texts, limit: int = 1500, seed: int = 0) -> list[str]:
    """Sentences from complaints: what complainants write is never a learning statement."""
    from classifier.learning.sentences import nlp
    from classifier.text import normalise

    rng = np.random.default_rng(seed)
    out = [s.text.strip() for doc in nlp().pipe(normalise(t) for t in texts) for s in doc.sents]
    out = [s for s in out if len(s.split()) >= 4]
    if len(out) > limit:
        out = [out[i] for i in sorted(rng.choice(len(out), limit, replace=False))]
    return out


def train_learning_extractor(csv_path=None, seed: int = 0, extra_negatives: list[str] | None = None,
                             tune_on_dev: bool = False, **params) -> LearningExtractor:
    """Fit on splits 'train' and 'dev'; the 'test' split is never read.

    The decision threshold comes from 5-fold cross-validation of the fitted
    sentences (out-of-fold scores, F1 smoothed over a window): in
    cross-validation on train+dev this gave higher and steadier F1 than
    holding 'dev' out to set the threshold, since the dev split alone is small.
    `tune_on_dev=True` restores that older protocol: fit on 'train' only and
    tune the threshold on 'dev'. A file without a split column is all used for
    fitting.
    """
    path = Path(csv_path) if csv_path is not None else BUNDLED_SENTENCES
    if not path.is_file():
        raise LearningError(f"learning training data '{path}' not found; pass the labelled sentences file")
    frame, _ = _labelled(path, None)
    split = frame["split"].str.strip().str.lower()
    dev = frame[split == "dev"]
    kwargs = {}
    if tune_on_dev and (split == "train").any() and len(dev) and len(set(_labels(dev).tolist())) == 2:
        train = frame[split == "train"]
        kwargs = {"dev_sentences": dev["sentence"].tolist(), "dev_labels": _labels(dev)}
    else:
        train = frame[split != "test"]
    model = LearningExtractor(random_state=seed, **params)
    sentences, labels, types = train["sentence"].tolist(), _labels(train), train["type"].tolist()
    if extra_negatives:
        sentences = sentences + list(extra_negatives)
        labels = np.concatenate([labels, np.zeros(len(extra_negatives), dtype=bool)])
        types = types + [""] * len(extra_negatives)
    return model.fit(sentences, labels, types, **kwargs)


def evaluate_learning(data_path, extractor: LearningExtractor, split: str | None = "test") -> dict:
    """Sentence detection P/R/F1 and type accuracy against a labelled file.

    If the file has a `split` column, only rows of `split` are scored (the
    held-out part); pass split=None to score every row.
    """
    frame, used = _labelled(data_path, split)
    y = _labels(frame)
    sentences = frame["sentence"].tolist()
    scores = extractor.score_sentences(sentences)
    pred = scores >= extractor.threshold_
    tp, fp = int((pred & y).sum()), int((pred & ~y).sum())
    fn, tn = int((~pred & y).sum()), int((~pred & ~y).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
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
        "data": str(data_path), "split": used, "sentences": len(y), "learning": int(y.sum()),
        "threshold": r(extractor.threshold_),
        "precision": r(precision), "recall": r(recall), "f1": r(f1),
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "type_accuracy": r(correct / len(typed)) if typed else None,
        "type_accuracy_detected": r(correct_detected / n_detected) if n_detected else None,
        "typed_sentences": len(typed), "per_type": per_type,
    }


# ------------------------------------------------------------------ whole documents

GOLD_FILE = "gold.jsonl"


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


def match_spans(gold: list[tuple[int, int]], found: list[tuple[int, int]],
                min_overlap: float = 0.5) -> list[tuple[int, int]]:
    """One-to-one (gold index, found index) pairs, best overlaps first, each >= min_overlap."""
    pairs = sorted(((_overlap(g, f), i, j) for i, g in enumerate(gold) for j, f in enumerate(found)),
                   key=lambda t: (-t[0], t[1], t[2]))
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


def evaluate_learning_documents(directory, extractor: LearningExtractor, min_overlap: float = 0.5) -> dict:
    """Statement-level P/R/F1 and type accuracy on whole documents with gold statements.

    `directory` holds documents (.txt/.docx/.pdf) and `gold.jsonl`, one line
    per gold learning statement: {"doc": file name, "sentence": verbatim
    text, "type": ...}. Each document is read and cleaned as the `learning`
    command reads it, the extractor runs on the whole text, and each
    extracted statement is matched one-to-one to a gold sentence whose span
    overlaps it by at least `min_overlap` of the longer of the two. Every
    document in the folder is scored, including ones with no gold statements.
    """
    import json

    from classifier.io.documents import document_paths, read_document

    folder = Path(directory)
    gold_path = folder / GOLD_FILE
    if not folder.is_dir() or not gold_path.is_file():
        raise InputDataError(f"'{folder}' must be a folder with documents and a {GOLD_FILE} of gold statements")
    gold: dict[str, list[dict]] = {}
    for n, line in enumerate(gold_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            doc, sentence = str(row["doc"]), str(row["sentence"])
        except (ValueError, KeyError, TypeError):
            raise InputDataError(f"{GOLD_FILE} line {n}: needs a JSON object with 'doc' and 'sentence'") from None
        gold.setdefault(doc, []).append({"sentence": sentence, "type": str(row.get("type") or "").strip()})
    paths = {p.relative_to(folder).as_posix(): p for p in document_paths(folder)}
    missing = sorted(set(gold) - set(paths))
    if missing:
        raise InputDataError(f"{GOLD_FILE} names documents that are not in the folder: {', '.join(missing[:5])}")

    per_doc, misses, false_alarms = [], [], []
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
                span = (-1, -1)            # cannot overlap anything: counts as missed
            spans.append(span)
        found = extractor.find(doc.text, source_id=name)
        pairs = match_spans(spans, [(s.start, s.end) for s in found], min_overlap)
        hit_g, hit_f = {i for i, _ in pairs}, {j for _, j in pairs}
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
        misses += [{"doc": name, "sentence": golds[i]["sentence"], "type": golds[i]["type"]}
                   for i in range(len(golds)) if i not in hit_g]
        false_alarms += [{"doc": name, "sentence": found[j].sentence, "type": found[j].type,
                          "score": found[j].score} for j in range(len(found)) if j not in hit_f]
        per_doc.append({"doc": name, "gold": len(golds), "found": len(found), "matched": d_tp,
                        "type_correct": d_ok})
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    r = lambda v: round(float(v), 4)
    return {
        "data": str(folder), "documents": len(paths), "gold": tp + fn, "found": tp + fp,
        "threshold": r(extractor.threshold_), "min_overlap": min_overlap,
        "precision": r(precision), "recall": r(recall), "f1": r(f1), "tp": tp, "fp": fp, "fn": fn,
        "type_accuracy": r(typed_ok / typed) if typed else None, "typed_matches": typed,
        "gold_not_located": unlocated, "per_type": per_type, "per_doc": per_doc,
        "misses": misses, "false_alarms": false_alarms,
    }
