"""Train the learning extractor from labelled sentences (splits 'train' and 'dev'; 'test' is never read)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from classifier.errors import InputDataError, LabelError
from classifier.io.tables import read_table
from classifier.learning.extractor import LearningError, LearningExtractor, parse_bool
from classifier.redact.quote import shown_columns

# Package data (a link to training_data/ in the repository, a copy in the wheel).
BUNDLED_SENTENCES = Path(__file__).resolve().parents[1] / "data" / "learning_sentences.csv"
# The decision threshold for the bundled sentences, chosen by cross-validation whose folds hold out
# whole writers' part files (bench/learning_calibrate.py; bench/LEARNING_RESULTS.md, session 8):
# inner cross-validation by row picks ~0.47 because it scores writers the model has already read.
# Other data gets its threshold from its own cross-validation.
BUNDLED_THRESHOLD = 0.55


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
        shown = shown_columns(list(frame.columns))  # a first row of data is not quoted
        raise InputDataError(
            f"'{Path(path).name}' needs a 'sentence' (or 'text') column and a "
            f"'learning' column of true/false; found: {shown}"
        )
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


def train_learning_extractor(
    csv_path=None, seed: int = 0, extra_negatives: list[str] | None = None, tune_on_dev: bool = False, **params
) -> LearningExtractor:
    """Fit the learning extractor on the 'train' and 'dev' splits; the 'test' split is never read.

    The decision threshold comes from 5-fold cross-validation of the fitted
    sentences (out-of-fold scores, F1 smoothed over a window): in
    cross-validation on train+dev this gave higher and steadier F1 than
    holding 'dev' out to set the threshold, since the dev split alone is small.
    The bundled sentences use `BUNDLED_THRESHOLD` instead (unless `threshold`
    is passed), chosen where folds hold out whole writers.
    A file without a split column is all used for fitting.

    Parameters
    ----------
    csv_path : str or Path, optional
        Labelled sentences (default: the bundled learning_sentences.csv).
    seed : int
    extra_negatives : list of str, optional
        More sentences that are not learning (e.g. complaint text).
    tune_on_dev : bool
        The older protocol: fit on 'train' only and tune the threshold on 'dev'.
    **params
        `LearningExtractor` hyperparameters.

    Returns
    -------
    LearningExtractor
    """
    path = Path(csv_path) if csv_path is not None else BUNDLED_SENTENCES
    if not path.is_file():
        raise LearningError(f"learning training data '{path}' not found; pass the labelled sentences file")
    frame, _ = _labelled(path, None)
    if path.resolve() == BUNDLED_SENTENCES.resolve() and not tune_on_dev:
        params.setdefault("threshold", BUNDLED_THRESHOLD)
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
