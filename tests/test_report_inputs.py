"""Columns, dates, working days and the label sources of `complaints report`, on small hand-made exports."""

import json

import openpyxl
import pandas as pd
import pytest
from conftest import write_csv
from typer.testing import CliRunner


def test_uk_dates_first_then_iso_and_excel_serials_never_guessed():
    from classifier.report.dates import parse_dates

    p = parse_dates(
        [
            "04/03/2025",
            "4/3/25",
            "2025-03-04",
            "2025-03-04T00:00:00",
            "45292",
            "04/03/2025 14:32",
            "4 Mar 2025",
            "03/25/2025",
            "TBC",
            "",
            "12345",
        ]
    )
    got = [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in p.values]
    assert got == [
        "2025-03-04",
        "2025-03-04",
        "2025-03-04",
        "2025-03-04",
        "2024-01-01",
        "2025-03-04",
        "2025-03-04",
        None,
        None,
        None,
        None,
    ]
    assert (p.unparseable, p.blank, p.unparseable_rows) == (3, 1, [7, 8, 10])


def test_working_days_from_the_day_after_receipt_skip_bank_holidays():
    from classifier.report.workdays import working_days_taken

    rec = pd.to_datetime(pd.Series(["2024-03-01", "2023-12-21", "2024-03-28", "2024-06-03", "2024-06-05"]))
    resp = pd.to_datetime(pd.Series(["2024-03-04", "2023-12-27", "2024-04-02", "2024-06-03", "2024-06-04"]))
    # Fri->Mon: 1. Thu 21 Dec -> Wed 27 Dec: Fri 22 and Wed 27 (25, 26 are bank holidays): 2.
    # Thu 28 Mar -> Tue 2 Apr 2024: Good Friday and Easter Monday skipped: 1. Same day: 0. Before receipt: negative.
    assert working_days_taken(rec, resp).tolist() == [1, 2, 1, 0, -1]


def test_columns_detected_case_and_space_insensitive():
    from classifier.report.columns import resolve_columns

    cols = resolve_columns(["Ref", "Date Rec'd", "DETAILS", "stage ", "Complainant", "Outcome", "Closed"])
    assert cols.columns == {
        "id": "Ref",
        "text": "DETAILS",
        "stage": "stage ",
        "received": "Date Rec'd",
        "responded": "Closed",
        "outcome": "Outcome",
        "complainant": "Complainant",
    }


def test_missing_required_columns_error_lists_them_and_the_map_keys():
    from classifier.errors import ReportColumnsError
    from classifier.report.columns import resolve_columns

    with pytest.raises(ReportColumnsError) as exc:
        resolve_columns(["Ref", "Notes about it", "When"])
    msg = str(exc.value)
    assert msg.startswith("[E105]") and "received, text" in msg and "--columns" in msg
    assert "ombudsman_outcome" in msg  # the map keys are listed


def test_an_export_without_a_header_row_is_described_never_quoted():
    from classifier.errors import ReportColumnsError
    from classifier.report.columns import resolve_columns

    first_row = ["CS-2025-0001", "03/04/2025", "Stage 1", "Our grant was paid late and Mr Ablewhite never rang back"]
    with pytest.raises(ReportColumnsError) as exc:
        resolve_columns(first_row)
    msg = str(exc.value)
    assert "4 columns whose first row does not look like column names" in msg
    assert "Ablewhite" not in msg and "grant" not in msg and "CS-2025" not in msg
    assert "'received: <header>'; 'text: <header>'" in msg  # one line per column, as the map file is written


def test_column_map_unknown_key_and_absent_header(tmp_path):
    from classifier.errors import ReportColumnsError, ReportSettingsError
    from classifier.report.columns import read_column_map, resolve_columns

    bad = tmp_path / "map.yml"
    bad.write_text("recieved: Date\n", encoding="utf-8")
    with pytest.raises(ReportSettingsError, match=r"E106.*recieved"):
        read_column_map(bad)
    with pytest.raises(ReportColumnsError, match="received -> 'Logged'"):
        resolve_columns(["Opened", "Text"], {"received": "Logged", "text": "Text"})


def test_stage_words():
    from classifier.report.cases import parse_stage

    stage, bad = parse_stage(
        pd.Series(
            [
                "Stage 1",
                "S2",
                "3",
                "stage two",
                "Stage 2 - investigation",
                "Review panel",
                "Local resolution",
                "informal?",
                "",
                "4",
            ]
        )
    )
    assert stage.tolist() == [1, 2, 3, 2, 2, 3, 1, 0, 0, 0]
    assert bad == 2  # 'informal?' and '4'; a blank is not counted


OWNER_ROWS = [  # headers of the trust's own, mapped with a column map; themes as ids and as labels
    {
        "Ref": "A1",
        "Logged": "04/03/2025",
        "Sent": "18/03/2025",
        "Lvl": "1",
        "What": "Complaint",
        "Narrative": "x",
        "Found": "Upheld",
        "Topics": "communication; delay",
        "By": "Parent",
    },
    {
        "Ref": "A2",
        "Logged": "05/03/2025",
        "Sent": "19/03/2025",
        "Lvl": "1",
        "What": "Complaint",
        "Narrative": "x",
        "Found": "Not upheld",
        "Topics": "Poor Communication",
        "By": "Young person",
    },
    {
        "Ref": "A3",
        "Logged": "45720",
        "Sent": "2025-03-20",
        "Lvl": "S2",
        "What": "Complaint",
        "Narrative": "x",
        "Found": "Partly upheld",
        "Topics": "conduct",
        "By": "Parent",
    },
    {
        "Ref": "A4",
        "Logged": "12/04/2025",
        "Sent": "",
        "Lvl": "",
        "What": "Compliment",
        "Narrative": "x",
        "Found": "",
        "Topics": "",
        "By": "Foster carer",
    },
    {
        "Ref": "A5",
        "Logged": "not known",
        "Sent": "",
        "Lvl": "Stage 1",
        "What": "Complaint",
        "Narrative": "x",
        "Found": "",
        "Topics": "Lack of Support",
        "By": "Care leaver",
    },
]
OWNER_MAP = (
    "id: Ref\nreceived: Logged\nresponded: Sent\nstage: Lvl\nkind: What\ntext: Narrative\n"
    "outcome: Found\nthemes: Topics\ncomplainant: By\n"
)


@pytest.fixture()
def owner_report(tmp_path):
    from classifier.report import build_report

    data = write_csv(tmp_path / "export.csv", OWNER_ROWS)
    (tmp_path / "map.yml").write_text(OWNER_MAP, encoding="utf-8")
    out = tmp_path / "out"
    report = build_report(data, out, columns=tmp_path / "map.yml", formats=("json", "xlsx"))
    return report, json.loads((out / "tables.json").read_text(encoding="utf-8")), out


def test_owner_style_export_with_a_column_map(owner_report):
    _, fig, _ = owner_report
    assert fig["by_stage"] == {"1": 3, "2": 1, "3": 0}
    assert fig["outcomes"] == {"1": {"Not upheld": 1, "Upheld": 1}, "2": {"Partly upheld": 1}, "3": {}}
    # 4 Mar -> 18 Mar 2025: 10 working days (within); 5 Mar -> 19 Mar: 10 (within).
    assert fig["timescales"]["1"] == {
        "responded": 2,
        "within": 2,
        "percent": 100.0,
        "mean_working_days": 10.0,
        "within_agreed": 2,
        "percent_within_agreed": 100.0,
    }
    assert fig["monthly"] == {"2025-03": 3}  # the unreadable date is not placed in a month
    assert fig["themes"] == {"communication": 2, "delay": 1, "support": 1}
    assert fig["child"] == {"count": 2, "themes": {"communication": 1, "support": 1}}
    assert fig["compliments"] == {"count": 1, "by_source": {"Foster carer": 1}}
    assert any("1 received date could not be read" in n for n in fig["notes"])
    assert fig["meta"]["column_found_by"]["received"] == "map"


def test_tables_without_their_columns_are_left_out_with_a_note(owner_report):
    report, fig, _ = owner_report
    left_out = dict(report.omitted)
    assert "service area column ('service')" in left_out["Complaints by service area"]
    assert "method" in left_out["How complaints were received"]
    assert "person id" in left_out["Repeat complainants"]
    assert "ombudsman" not in fig and "methods" not in fig


def test_model_labels_when_the_export_has_no_label_columns(tmp_path, corpus_rows):
    from classifier.report import build_report

    rows = [
        {"Date received": f"{d:02d}/05/2024", "Details": r["text"], "Stage": "1"}
        for d, r in zip(range(1, 29), [r for r in corpus_rows if r["split"] == "test"][:28])
    ]
    out = tmp_path / "out"
    build_report(write_csv(tmp_path / "plain.csv", rows), out, formats=("json",))
    fig = json.loads((out / "tables.json").read_text(encoding="utf-8"))
    version = fig["meta"]["model_version"]
    for key in ("kind", "themes", "children_and_young_people"):
        assert f"predicted by the model (version {version})" in fig["sources"][key]
    assert sum(fig["kinds"].values()) == 28
    assert sum(fig["by_stage"].values()) == fig["kinds"]["complaint"]
    assert fig["themes"] and fig["child"]["count"] >= 1


def test_small_numbers_suppressed_in_the_documents_and_tables_json(tmp_path):
    from classifier.report import build_report

    data = write_csv(tmp_path / "export.csv", OWNER_ROWS)
    (tmp_path / "map.yml").write_text(OWNER_MAP, encoding="utf-8")
    out = tmp_path / "out"
    build_report(data, out, columns=tmp_path / "map.yml", suppress_small=True, formats=("json", "html", "xlsx"))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "&lt;5" in html and "shown as &lt;5" in html
    ws = openpyxl.load_workbook(out / "report.xlsx")["Complaints by stage"]
    assert [ws.cell(row=r, column=2).value for r in (3, 4, 5)] == ["<5", "<5", 0]
    assert json.loads((out / "tables.json").read_text())["by_stage"]["rows"][0] == ["Stage 1", "<5"]


def test_learning_register_summarised_by_theme_and_type(tmp_path):
    from classifier.report import build_report

    reg = tmp_path / "register.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["theme", "statement", "type", "count", "source_ids", "score"])
    for theme, ty in [
        ("communication", "reminder"),
        ("communication", "training"),
        ("communication", "reminder"),
        ("delay", "change"),
        ("", "apology"),
    ]:
        ws.append([theme, "A statement.", ty, 1, "A1", 0.9])
    wb.save(reg)
    data = write_csv(tmp_path / "export.csv", OWNER_ROWS)
    (tmp_path / "map.yml").write_text(OWNER_MAP, encoding="utf-8")
    report = build_report(data, tmp_path / "out", columns=tmp_path / "map.yml", learning=reg, formats=("json",))
    assert report.figures["learning"] == {
        "communication": {"reminder": 2, "training": 1},
        "delay": {"change": 1},
        "unthemed": {"apology": 1},
    }
    assert "learning_status" not in report.figures  # no status recorded yet


def test_learning_examples_and_actions_by_status(tmp_path):
    from classifier.report import build_report

    reg = tmp_path / "register.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["theme", "statement", "type", "count", "score", "status"])
    rows = [
        ("communication", "Letters now go out by email and text as well as post.", "process_change", 3, 0.9, "Done"),
        ("communication", "Staff were reminded to return calls within a day.", "staff_reminder", 1, 0.95, "done "),
        ("delay", "Stage 2 investigators are booked within five days.", "process_change", 2, 0.8, "In progress"),
        ("financial", "Mrs Ada Quartermaine rang twice about the grant.", "remedy", 1, 0.7, "Ask Ada Quartermaine"),
        ("", "A shared checklist for placement moves.", "process_change", 1, 0.6, ""),
    ]
    for r in rows:
        ws.append(list(r))
    wb.save(reg)
    data = write_csv(tmp_path / "export.csv", OWNER_ROWS)
    (tmp_path / "map.yml").write_text(OWNER_MAP, encoding="utf-8")
    out = tmp_path / "out"
    report = build_report(data, out, columns=tmp_path / "map.yml", learning=reg, formats=("json", "html", "xlsx"))
    examples = report.figures["learning_examples"]
    # One per theme, the most often found first.
    assert [e["theme"] for e in examples] == ["communication", "delay", "financial", "unthemed"]
    assert examples[0]["statement"].startswith("Letters now go out")
    # Status spellings merged; a status cell holding a name is not printed.
    status = report.figures["learning_status"]
    assert status["Done"] == 2 and status["In progress"] == 1 and status["not recorded"] == 1
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "What we learned: examples" in html and "Learning actions by status" in html
    assert "No clear theme" in html and "unthemed" not in html  # a blank theme is named for readers
    published = html + (out / "tables.json").read_text(encoding="utf-8")
    assert "Ask Ada" not in published and "Quartermaine" not in published  # a name typed into the register


def test_cli_report_and_its_errors(tmp_path):
    from classifier.cli.main import app

    data = write_csv(tmp_path / "export.csv", OWNER_ROWS)
    (tmp_path / "map.yml").write_text(OWNER_MAP, encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(app, ["report", str(data), "--columns", str(tmp_path / "map.yml"), "--out", str(tmp_path / "r")])
    assert ok.exit_code == 0, ok.output
    assert {p.name for p in (tmp_path / "r").iterdir()} == {"report.html", "report.xlsx", "report.docx", "tables.json"}
    bad = runner.invoke(app, ["report", str(data), "--out", str(tmp_path / "r2")])
    assert bad.exit_code == 1 and "[E105]" in bad.output and "received" in bad.output
    assert "Error:" in bad.output and "Traceback" not in bad.output
    help_text = runner.invoke(app, ["report", "--help"]).output
    assert "Example: complaints report" in help_text


def test_parallel_prediction_equals_one_process(monkeypatch, corpus_rows):
    """Threads (encoder model) and worker processes (--fast model) both give the serial labels."""
    from classifier.pipeline import labelling, workers
    from classifier.pipeline.persistence import load_model
    from classifier.report import labels

    texts = [r["text"] for r in corpus_rows if r["split"] == "test"][:40]
    model = load_model(None)
    assert labelling.uses_threads(model)
    serial = labels._predict(model, texts)
    monkeypatch.setattr(labels, "THREADS_FROM", 10)
    monkeypatch.setattr(labelling, "THREAD_PIECE_ROWS", 7)
    monkeypatch.setattr(workers, "available_cores", lambda: 2)
    calls = []
    real = workers.ordered_thread_map
    monkeypatch.setattr(workers, "ordered_thread_map", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert labels.predict(model, texts) == serial and calls

    fast = load_model(None)
    fast.fast = True  # `--fast`: TF-IDF only, in worker processes
    assert not labelling.uses_threads(fast)
    monkeypatch.setattr(labels, "PARALLEL_FROM", 20)
    assert labels.predict(fast, texts) == labels._predict(fast, texts)


def test_a_trusts_own_timescales(tmp_path):
    from classifier.report import build_report

    data = write_csv(tmp_path / "export.csv", OWNER_ROWS)
    (tmp_path / "map.yml").write_text(OWNER_MAP, encoding="utf-8")
    (tmp_path / "local.yml").write_text("timescales:\n  1: {base: 9, extended: 20}\n", encoding="utf-8")
    report = build_report(
        data,
        tmp_path / "out",
        columns=tmp_path / "map.yml",
        settings_path=tmp_path / "local.yml",
        formats=("json", "html"),
    )
    assert report.figures["timescales"]["1"]["within"] == 0  # both took 10 working days
    assert report.figures["timescales"]["2"]["within"] is not None  # stage 2 not listed: statutory target kept
    assert "Stage 1: 9 working days" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
