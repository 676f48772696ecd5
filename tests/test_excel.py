"""Excel in and out as analysts use it: sheets, title rows, typed cells, a formatted header."""

import datetime as dt
import json

import pytest
from openpyxl import Workbook, load_workbook

from classifier.errors import InputDataError, MissingColumnError
from classifier.io.excel import detect_header_row, looks_like_header
from classifier.io.tables import read_table
from classifier.pipeline.labelling import label_table
from classifier.redact.table import redact_table

TEXTS = [
    "My social worker never returns my calls",
    "Contact with my brother was cancelled again",
    "The leaving care grant has not been paid",
]


@pytest.fixture()
def book(tmp_path):
    """A summary sheet first; the cases sheet has a title, a blank row and a note above its header."""
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    summary.append(["Quarter", "Count"])
    summary.append(["Q1", 3])
    cases = wb.create_sheet("Cases Q1")
    cases.append(["Complaints received, quarter 1"])
    cases.append([])
    cases.append(["Exported", dt.date(2025, 4, 1)])
    cases.append(["Ref", "Received", "Details", "Amount", "Urgent"])
    for i, t in enumerate(TEXTS):
        cases.append([f"R{i}", dt.datetime(2025, 3, 4 + i), t, 10 + i * 2.5, i == 1])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_header_detection_skips_titles_blank_rows_and_notes():
    rows = [
        ("Complaints 2025", None, None),
        (None, None, None),
        ("Exported", dt.date(2025, 1, 1), None),
        ("Ref", "Details", "Date"),
        ("R1", "text", dt.date(2025, 1, 2)),
    ]
    assert detect_header_row(rows) == 3
    assert detect_header_row([("id", "text"), ("1", "a")]) == 0
    assert detect_header_row([(None,), (None,)]) is None
    assert looks_like_header(("Ref", 2024, "Details"), 3)  # a year as a column name is fine
    assert not looks_like_header((1, 2, "x"), 3)


def test_sheet_by_name_number_and_case(book):
    for sheet in ("Cases Q1", "cases q1", "2"):
        frame, _ = read_table(book, sheet=sheet)
        assert list(frame.columns) == ["Ref", "Received", "Details", "Amount", "Urgent"], sheet
        assert list(frame["Details"]) == TEXTS and frame["Received"][0] == "2025-03-04"
    frame, _ = read_table(book, sheet="Cases Q1", header_row=4)
    assert list(frame["Ref"]) == ["R0", "R1", "R2"]


def test_unknown_sheet_lists_the_sheets(book):
    with pytest.raises(InputDataError, match=r"sheet 'Cases' not found .*1: 'Summary', 2: 'Cases Q1'.*--sheet"):
        read_table(book, sheet="Cases")
    with pytest.raises(InputDataError, match="--sheet applies to .xlsx input only"):
        read_table(book.with_suffix(".csv"), sheet="x")


def test_a_csv_export_with_title_lines_above_its_header_is_read_from_the_header(tmp_path):
    titled = tmp_path / "titled.csv"
    titled.write_bytes(
        "Complaints log export;;;;\r\nPrinted 03/04/2026;;;;\r\n;;;;\r\n"
        "Ref;Received;Details;Cost;Stage\r\nCS-1;03/04/2025;Late reply from the team;£150;Stage 1\r\n"
        "CS-2;04/04/2025;Nobody rang back;;Stage 2\r\n".encode("cp1252")
    )
    frame, _ = read_table(titled)
    assert list(frame.columns) == ["Ref", "Received", "Details", "Cost", "Stage"]
    assert list(frame["Ref"]) == ["CS-1", "CS-2"] and frame["Cost"][0] == "£150"
    frame, _ = read_table(titled, header_row=4)  # said outright, as for a workbook
    assert list(frame["Ref"]) == ["CS-1", "CS-2"]
    # A file without a header keeps its first row: a full line of data is never taken for a title.
    bare = tmp_path / "bare.csv"
    bare.write_text("CS-1,03/04/2025,Late reply,Stage 1\nCS-2,04/04/2025,Nobody rang back about the visit,Stage 2\n")
    frame, _ = read_table(bare)
    assert list(frame.columns)[0] == "CS-1" and len(frame) == 1
    with pytest.raises(InputDataError, match="--header-row 9: 'bare.csv' has only 2 lines"):
        read_table(bare, header_row=9)


def test_missing_column_names_the_sheet_that_has_it(book, tmp_path, small_model):
    with pytest.raises(MissingColumnError) as err:
        label_table(book, tmp_path / "o.xlsx", small_model, text_column="Details")
    msg = str(err.value)
    assert "in sheet 'Summary', header row 1; available: Quarter, Count" in msg
    assert "sheet 'Cases Q1' has it (header row 4): pass --sheet \"Cases Q1\"" in msg
    with pytest.raises(MissingColumnError, match=r"other sheets: 'Cases Q1' \(header row 4: Ref, Received"):
        label_table(book, tmp_path / "o.xlsx", small_model, text_column="Nope")


def test_xlsx_output_keeps_types_and_formats_the_sheet(book, tmp_path, small_model):
    out = tmp_path / "labelled.xlsx"
    label_table(book, out, small_model, sheet="Cases Q1", text_column="Details", id_column="Ref")
    ws = load_workbook(out).active
    assert ws.title == "Cases Q1"
    header = [c.value for c in ws[1]]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}4"
    assert all(8 <= ws.column_dimensions[c.column_letter].width <= 60 for c in ws[1])
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    assert rows[0]["Received"] == dt.datetime(2025, 3, 4) and ws["B2"].is_date
    assert rows[1]["Amount"] == 12.5 and rows[1]["Urgent"] is True and rows[0]["Urgent"] is False
    score_cols = [h for h in header if h.startswith("score_")]
    assert score_cols == ["score_" + t for t in small_model.themes.labels_]
    assert "predicted_theme_scores" not in header
    for r in rows:
        assert r["status"] == "ok"
        assert all(isinstance(r[c], (int, float)) and 0 <= r[c] <= 1 for c in score_cols)
        assert isinstance(r["predicted_child_authored"], bool)
        assert isinstance(r["predicted_child_authored_score"], float)
        ids = r["predicted_themes"].split(";")
        assert r["predicted_theme_labels"].split("; ") == [small_model.taxonomy.label_of(t) for t in ids]


def test_scores_json_and_jsonl_types(book, tmp_path, small_model):
    out = tmp_path / "labelled.xlsx"
    label_table(book, out, small_model, sheet=2, text_column="Details", scores="json")
    header = [c.value for c in load_workbook(out).active[1]]
    assert "predicted_theme_scores" in header and not any(h.startswith("score_") for h in header)
    jl = tmp_path / "labelled.jsonl"
    label_table(book, jl, small_model, sheet=2, text_column="Details")
    row = json.loads(jl.read_text().splitlines()[0])
    assert isinstance(row["predicted_theme_scores"], dict) and isinstance(row["predicted_child_authored"], bool)
    assert isinstance(row["predicted_child_authored_score"], float)


def test_redacted_xlsx_never_writes_the_original_typed_cell(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "text", "n"])
    ws.append([1, 7700900123, 5])  # a phone number stored as a number in the text column
    ws.append([2, "Call Jo Bloggs on 07700 900123", 6])
    src = tmp_path / "in.xlsx"
    wb.save(src)
    redact_table(src, tmp_path / "out.xlsx")
    got = list(load_workbook(tmp_path / "out.xlsx").active.iter_rows(min_row=2, values_only=True))
    assert got[0][0] == 1 and got[0][2] == 5  # untouched cells keep their type
    assert "900123" not in str(got[0][1]) and "900123" not in str(got[1][1])


def test_evaluate_reads_a_sheet_below_a_title(tmp_path, small_model, corpus_rows):
    from classifier.pipeline.evaluation import evaluate_model

    wb = Workbook()
    wb.active.title = "Notes"
    ws = wb.create_sheet("Labelled")
    ws.append(["Labelled complaints, 2024"])
    ws.append(["text", "themes"])
    rows = [r for r in corpus_rows if r["split"] == "test" and r["themes"]][:30]
    for r in rows:  # labels, not ids
        ws.append([r["text"], ";".join(small_model.taxonomy.label_of(t) for t in r["themes"].split(";"))])
    path = tmp_path / "labelled.xlsx"
    wb.save(path)
    report = evaluate_model(path, small_model, sheet="Labelled")
    assert report["rows"] == 30 and report["themes"]["rows"] == 30


def test_a_workbook_whose_first_sheet_has_no_table_names_the_sheet_that_has_one(tmp_path):
    from classifier.report import build_report

    wb = Workbook()
    wb.active.title = "Notes"
    wb.active.append(["Exported from the case system for the annual report"])
    cases = wb.create_sheet("Cases")
    cases.append(["Ref", "Received", "Details", "Stage"])
    for i in range(12):
        cases.append([f"CS-{i}", f"{i + 1:02d}/05/2024", "The worker did not ring me back", "Stage 1"])
    path = tmp_path / "cases.xlsx"
    wb.save(path)
    with pytest.raises(InputDataError, match=r"it read sheet 'Notes': sheet 'Cases' has a table .*--sheet \"Cases\""):
        read_table(path)
    r = build_report(path, tmp_path / "out", year="2024-25", formats=("json",), sheet="Cases")
    assert r.meta["rows_in_period"] == 12
