"""The `learning` register a team acts on: empty files, typed cells per format, sections, table issues."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from classifier.cli.format import format_learning_summary
from classifier.io.documents import clean_pages, iter_documents, read_document
from classifier.learning import extract_learning_table
from classifier.learning.structure import CANDIDATE_ROLES, analyse, is_reference_line

PANEL = (
    "Stage 3 Review Panel - summary of recommendations\n"
    "Complaint reference CS-2024-1187\n\n"
    "The panel met on 3 February 2026. Three panel members attended.\n"
    "The panel recommends that personal advisers receive refresher training on the Staying Put policy.\n"
)


@pytest.fixture(scope="module")
def model():
    from classifier.pipeline.persistence import load_model

    return load_model(None)


def _extract(model, src, out, **kw):
    return extract_learning_table(src, out, extractor=model.learning, theme_model=model.themes, **kw)


def _csv(path):
    return list(csv.DictReader(path.open(encoding="utf-8-sig")))


def _letter(path):
    """A Stage 1 letter with an Issue | Finding | Action table and an action plan table."""
    import docx

    d = docx.Document()
    d.add_heading("Stage 1 complaint response", level=1)
    d.add_paragraph("Thank you for your complaint. I have set out my findings below.")
    rows = [
        ["Issue", "Finding", "Action"],
        [
            "Ms Quillfeather's visits were cancelled without notice",
            "Upheld. Three visits in December were cancelled on the day.",
            "The service will introduce a text message reminder for all planned visits from April 2026.",
        ],
        [
            "Calls were not returned",
            "Partly upheld. Two calls were not returned within 48 hours.",
            "Duty staff have been reminded of the 48 hour call-back standard.",
        ],
    ]
    plan = [
        ["Action", "Owner", "By when", "RAG"],
        ["Introduce a tracker for Stage 2 recommendations", "Head of Quality Assurance", "31/07/2026", "Amber"],
        [
            "Deliver training on recording to the disabled children's team",
            "Principal Social Worker",
            "end of term",
            "Green",
        ],
    ]
    for body in (rows, plan):
        if body is plan:
            d.add_heading("Action plan", level=1)
        table = d.add_table(rows=len(body), cols=len(body[0]))
        for i, row in enumerate(body):
            for j, cell in enumerate(row):
                table.cell(i, j).text = cell
    d.save(str(path))
    return path


# ------------------------------------------------------------------ empty files


def test_empty_files_are_skipped_with_a_reason_not_called_damaged(tmp_path):
    (tmp_path / "empty_letter.txt").write_bytes(b"")
    (tmp_path / "empty.docx").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n \f \n", encoding="utf-8")
    (tmp_path / "panel.txt").write_text(PANEL, encoding="utf-8")
    assert read_document(tmp_path / "empty.docx").text == ""  # 0 bytes: not "damaged or another format"
    skipped: list = []
    read = [d.id for d in iter_documents(tmp_path, skipped=skipped)]
    assert read == ["panel.txt"]
    assert sorted(skipped) == [
        ("blank.txt", "the file holds no text"),
        ("empty.docx", "the file is empty"),
        ("empty_letter.txt", "the file is empty"),
    ]
    # Without a list to report into, an empty file is read as before (evaluation reads documents so).
    assert len(list(iter_documents(tmp_path / "empty_letter.txt"))) == 1


def test_summary_names_every_skipped_file_and_counts_add_up(model, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "empty_letter.txt").write_bytes(b"")
    (docs / "panel.txt").write_text(PANEL, encoding="utf-8")
    (docs / "broken.docx").write_bytes(b"PK not a zip file")
    summary = _extract(model, docs, tmp_path / "out.csv")
    assert summary.sources + len(summary.documents_skipped) == 3
    text = format_learning_summary(summary)
    assert "from 1 of 1 documents read (2 more skipped, below)" in text
    assert "skipped empty_letter.txt: the file is empty" in text and "skipped broken.docx: [E104]" in text

    summary = _extract(model, docs / "empty_letter.txt", tmp_path / "e.csv")
    text = format_learning_summary(summary)
    assert summary.documents_skipped == [("empty_letter.txt", "the file is empty")]
    assert "from no documents read (1 skipped, below)" in text and "0 of 0" not in text
    assert (tmp_path / "e.csv").read_text(encoding="utf-8-sig").startswith("source,page,section,issue,sentence")


# ------------------------------------------------------------------ sections


def test_a_reference_line_is_not_the_section_the_title_line_is():
    assert is_reference_line("Complaint reference CS-2024-1187")
    assert is_reference_line("Our ref: CSC/2024/0153")
    assert not is_reference_line("Stage 3 Review Panel - summary of recommendations")
    assert not is_reference_line("Response to complaint CS-2024-1187 about family time")
    text, _ = clean_pages([PANEL])  # as the document reader gives it
    by_text = {text[g.start : g.end]: g.context for g in analyse([text])[0]}
    assert by_text["Complaint reference CS-2024-1187"].role not in CANDIDATE_ROLES
    training = next(c for t, c in by_text.items() if t.startswith("The panel recommends"))
    assert training.section == "Stage 3 Review Panel - summary of recommendations"
    assert training.section_kind == "learning"  # the kind is the title's, as before


def test_register_section_is_the_title_and_the_reference_is_in_its_own_column(model, tmp_path):
    (tmp_path / "panel_notes.txt").write_text(PANEL, encoding="utf-8")
    _extract(model, tmp_path / "panel_notes.txt", tmp_path / "out.csv", register_path=tmp_path / "reg.csv")
    reg = _csv(tmp_path / "reg.csv")
    assert reg and {r["sections"] for r in reg} == {"Stage 3 Review Panel - summary of recommendations"}
    assert {r["complaint_refs"] for r in reg} == {"CS-2024-1187"}


# ------------------------------------------------------------------ cells by format, table issues


def test_csv_keeps_text_and_statements_carry_their_table_rows_issue(model, tmp_path):
    letter = _letter(tmp_path / "stage1.docx")
    _extract(model, letter, tmp_path / "out.csv", register_path=tmp_path / "reg.csv")
    rows = {r["sentence"][:20]: r for r in _csv(tmp_path / "out.csv")}
    assert rows["The service will int"]["issue"] == "Ms Quillfeather's visits were cancelled without notice"
    assert rows["Duty staff have been"]["issue"] == "Calls were not returned"
    assert rows["Introduce a tracker "]["issue"] == ""  # an action plan row names no issue
    assert rows["Introduce a tracker "]["due_date"] == "31/07/2026"  # CSV: as written
    assert rows["Deliver training on "]["due_date"] == "end of term"
    assert all(r["section"] == "Stage 1 complaint response" for k, r in rows.items() if r["issue"])
    reg = {r["statement"][:20]: r for r in _csv(tmp_path / "reg.csv")}
    issue = reg["The service will int"]["issues"]  # redacted, as the register's statements are
    assert "Quillfeather" not in issue and "[NAME]" in issue and issue.endswith("visits were cancelled without notice")

    _extract(model, letter, tmp_path / "red.csv", redact=True)
    red = {r["sentence"][:20]: r for r in _csv(tmp_path / "red.csv")}
    assert "Quillfeather" not in red["The service will int"]["issue"]
    assert red["The service will int"]["issue"].endswith("visits were cancelled without notice")


def test_xlsx_due_dates_are_dates_read_day_first_and_other_text_stays(model, tmp_path):
    import openpyxl

    letter = _letter(tmp_path / "stage1.docx")
    _extract(model, letter, tmp_path / "out.xlsx", register_path=tmp_path / "reg.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    head, *body = list(ws.iter_rows(values_only=True))
    rows = {r[head.index("sentence")][:20]: dict(zip(head, r)) for r in body}
    assert rows["Introduce a tracker "]["due_date"] == dt.datetime(2026, 7, 31)  # 31 July, not a text cell
    assert rows["Deliver training on "]["due_date"] == "end of term"
    assert rows["Duty staff have been"]["due_date"] is None and rows["Duty staff have been"]["page"] is None
    ws = openpyxl.load_workbook(tmp_path / "reg.xlsx").active
    head, *body = list(ws.iter_rows(values_only=True))
    reg = {r[head.index("statement")][:20]: dict(zip(head, r)) for r in body}
    assert reg["Introduce a tracker "]["due_date"] == dt.datetime(2026, 7, 31)
    assert reg["Deliver training on "]["due_date"] == "end of term"


def test_jsonl_has_json_types(model, tmp_path):
    letter = _letter(tmp_path / "stage1.docx")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "stage1.docx").write_bytes(letter.read_bytes())
    (tmp_path / "docs" / "panel.txt").write_text(PANEL, encoding="utf-8")
    _extract(model, tmp_path / "docs", tmp_path / "out.jsonl", register_path=tmp_path / "reg.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    by = {r["sentence"][:20]: r for r in rows}
    assert by["Introduce a tracker "]["due_date"] == "2026-07-31"  # ISO
    assert by["Deliver training on "]["due_date"] == "end of term"
    assert all(isinstance(r["themes"], list) and all(isinstance(t, str) for t in r["themes"]) for r in rows)
    assert all(r["page"] is None for r in rows if r["source"].endswith(".docx"))  # Word files have no pages
    assert all(r["page"] == 1 for r in rows if r["source"] == "panel.txt")
    panel = next(r for r in rows if r["source"] == "panel.txt")
    assert panel["action_owner"] is None and panel["due_date"] is None and panel["status"] is None
    assert panel["issue"] is None and panel["complaint_ref"] == "CS-2024-1187"
    assert all(r["complaint_ref"] is None for r in rows if r["source"].endswith(".docx"))  # names none
    assert "" not in [v for r in rows for v in r.values()]
    reg = [json.loads(line) for line in (tmp_path / "reg.jsonl").read_text(encoding="utf-8").splitlines()]
    assert reg and "" not in [v for r in reg for v in r.values()]
    assert isinstance(reg[0]["count"], int) and isinstance(reg[0]["score"], float)


def test_help_says_where_the_action_columns_come_from():
    from typer.testing import CliRunner

    from classifier.cli.main import app

    res = CliRunner().invoke(app, ["learning", "--help"], terminal_width=200)
    assert res.exit_code == 0
    text = " ".join(res.output.split())
    assert "plus empty action owner" not in text
    assert 'filled from an action table\'s "Owner", "By when" and "RAG" cells' in text
    assert "empty or damaged document is reported and skipped" in text
