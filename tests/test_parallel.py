"""Labelling on every core (worker processes) and past one machine (Dask), same output as one process."""

import csv

import pytest

from classifier.pipeline.labelling import label_table
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def many_cases(tmp_path_factory):
    with CORPUS.open(encoding="utf-8") as fh:
        rows = [{"id": f"c{i}", "text": r["text"]} for i, r in enumerate(csv.DictReader(fh)) if i < 240]
    rows[5]["text"] = ""  # an error row must come out in its place too
    path = tmp_path_factory.mktemp("parallel") / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["id", "text"])
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def fast_model(small_model_dir):
    """The small model labelling with TF-IDF only (`--fast`): its jobs run in worker processes."""
    from classifier.pipeline.persistence import load_model

    model = load_model(small_model_dir)
    model.fast = True
    return model


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_two_jobs_write_the_same_bytes_as_one(
    tmp_path, small_model, fast_model, small_model_dir, many_cases, suffix, mode, monkeypatch
):
    import threading

    from classifier.pipeline import labelling
    from classifier.pipeline.labelling import uses_threads

    threads: list[tuple[str, int]] = []
    label_item = labelling.label_item

    def spy(model, item):
        threads.append((threading.current_thread().name, len(item[0])))
        return label_item(model, item)

    if mode == "threads":  # (worker processes get label_item by name: a local function cannot go)
        monkeypatch.setattr(labelling, "label_item", spy)
        monkeypatch.setattr(labelling, "THREAD_PIECE_ROWS", 100)

    # Threads: chunks of 150 rows cut into pieces (100 + 50, then 90), no model folder needed.
    model, chunk_rows, model_dir = (small_model, 150, None) if mode == "threads" else (fast_model, 50, small_model_dir)
    assert uses_threads(model) == (mode == "threads")
    one, two = tmp_path / f"one{suffix}", tmp_path / f"two{suffix}"
    child1, child2 = tmp_path / "c1.csv", tmp_path / "c2.csv"
    s1 = label_table(many_cases, one, model, chunk_rows=chunk_rows, jobs=1, child_output=child1)
    threads.clear()
    s2 = label_table(many_cases, two, model, chunk_rows=chunk_rows, jobs=2, model_dir=model_dir, child_output=child2)
    if mode == "threads":  # pieces of at most 100 rows (set above), labelled in the pool's threads
        assert sorted(n for _, n in threads) == [50, 90, 100]
        assert all(name.startswith("label") for name, _ in threads)

    assert s1.to_dict() == s2.to_dict() and s1.rows == 240 and s1.errors == 1
    if suffix == ".csv":
        assert one.read_bytes() == two.read_bytes()
    else:  # a workbook zips a timestamp: compare its cells
        from openpyxl import load_workbook

        cells = [list(load_workbook(p, read_only=True).active.iter_rows(values_only=True)) for p in (one, two)]
        assert cells[0] == cells[1] and len(cells[0]) == 241
    assert child1.read_bytes() == child2.read_bytes()


def test_processes_without_a_model_folder_are_refused(tmp_path, fast_model, many_cases):
    from classifier.errors import InputDataError

    with pytest.raises(InputDataError, match="model folder"):
        label_table(many_cases, tmp_path / "o.csv", fast_model, chunk_rows=50, jobs=2)
    assert not (tmp_path / "o.csv").exists()


def test_label_dask_on_a_local_cluster_matches_label(tmp_path, small_model, small_model_dir, many_cases):
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    import pandas as pd

    from classifier.parallel import label_dask

    frame = pd.read_csv(many_cases, dtype=str, keep_default_na=False)
    frame["n"] = range(len(frame))
    parquet = tmp_path / "cases"
    dd.from_pandas(frame, npartitions=4).to_parquet(parquet, write_index=False)
    single = tmp_path / "single.csv"
    label_table(many_cases, single, small_model, scores="columns")
    expected = pd.read_csv(single, dtype=str, keep_default_na=False)
    with (
        distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster,
        distributed.Client(cluster),
    ):
        ddf = dd.read_parquet(parquet)
        assert ddf.npartitions > 1
        labelled = label_dask(ddf, small_model_dir)
        labelled.to_parquet(tmp_path / "labelled")  # typed columns: Parquet takes them as they are
        got = dd.read_parquet(tmp_path / "labelled").compute().sort_values("n").reset_index(drop=True)
    assert list(got["id"]) == list(expected["id"]) and got["n"].dtype.kind == "i"
    assert list(got["predicted_themes"]) == list(expected["predicted_themes"])
    assert list(got["status"]) == list(expected["status"])
    for t in small_model.themes.labels_:
        want = pd.to_numeric(expected[f"score_{t}"].replace("", None))
        # Dense products run in a fixed order per row, so a worker's scores equal the single run's.
        assert (got[f"score_{t}"].astype(float).fillna(-1) == want.fillna(-1)).all(), t
    assert str(got["predicted_child_authored"].dtype) == "boolean"
    assert got["predicted_child_authored"].isna().sum() == 1  # the empty row


def test_label_dataframe_in_memory_matches_label(tmp_path, small_model, many_cases):
    import pandas as pd

    from classifier import InputDataError, MissingColumnError, label_dataframe

    frame = pd.read_csv(many_cases, dtype=str, keep_default_na=False).head(40)
    frame.to_csv(tmp_path / "in.csv", index=False)
    label_table(tmp_path / "in.csv", tmp_path / "out.csv", small_model, scores="columns")
    expected = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    before = list(frame.columns)
    got = label_dataframe(frame, small_model)
    assert list(frame.columns) == before and list(got.columns[: len(before)]) == before  # a copy, columns added
    assert list(got["predicted_themes"]) == list(expected["predicted_themes"])
    assert list(got["status"]) == list(expected["status"])
    assert str(got["predicted_child_authored"].dtype) == "boolean"
    assert got[f"score_{small_model.themes.labels_[0]}"].dtype.kind == "f"
    with pytest.raises(MissingColumnError):
        label_dataframe(frame, small_model, text_column="Details")
    with pytest.raises(InputDataError, match="label_dataframe"):
        label_table(frame, tmp_path / "x.csv", small_model)
