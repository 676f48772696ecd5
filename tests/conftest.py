import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "training_data" / "representations.csv"


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="session")
def corpus_rows() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def small_data(tmp_path_factory, corpus_rows) -> Path:
    """A few hundred train/dev rows of the corpus: enough for every component."""
    rows = [r for r in corpus_rows if r["split"] != "test"][::4]
    return write_csv(tmp_path_factory.mktemp("data") / "small.csv", rows)


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory, small_data) -> Path:
    from classifier.pipeline.training import train_model

    out = tmp_path_factory.mktemp("models") / "small"
    train_model(small_data, out, seed=0, theme_params={"cv_folds": 3})
    return out


@pytest.fixture(scope="session")
def small_model(small_model_dir):
    from classifier.pipeline.persistence import load_model

    return load_model(small_model_dir)
