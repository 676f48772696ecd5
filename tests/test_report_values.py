"""Category values in the report: personal data in a cell is never printed; spelling variants are merged."""

import datetime
import json

import docx
import openpyxl
import pytest
from conftest import write_csv

# Invented people typed into category cells by staff, as a trust's export can hold.
NAME_THEME = "Mrs Ottoline Brackenfold rang about her grandson"
NAME_WHO = "Grandparent - Ottoline Brackenfold"
NAME_SERVICE = "Leaving care, worker Caspian Thrubwell"
SECRETS = ("Ottoline", "Brackenfold", "Caspian", "Thrubwell")


def _row(i, theme="Delay", who="Parent", service="Fostering", outcome="Upheld", stage="Stage 1"):
    day = datetime.date(2024, 5, 1) + datetime.timedelta(days=i)
    return {
        "Ref": f"A{i}",
        "Date Received": day.strftime("%d/%m/%Y"),
        "Stage": stage,
        "Type": "Complaint",
        "Theme": theme,
        "Details": "x",
        "Outcome": outcome,
        "Complainant": who,
        "Service Area": service,
    }


@pytest.fixture(scope="module")
def private_report(tmp_path_factory):
    from classifier.report import build_report

    d = tmp_path_factory.mktemp("private")
    rows = [_row(i) for i in range(6)]
    rows += [_row(6, theme=NAME_THEME), _row(7, who=NAME_WHO), _row(8, service=NAME_SERVICE)]
    report = build_report(write_csv(d / "e.csv", rows), d / "out")
    return report, d / "out"


def test_names_in_category_cells_are_printed_nowhere(private_report):
    report, out = private_report
    texts = [
        (out / "report.html").read_text(encoding="utf-8"),
        (out / "tables.json").read_text(encoding="utf-8"),
        " ".join(report.notes),
        " ".join(str(c.value) for ws in openpyxl.load_workbook(out / "report.xlsx") for r in ws for c in r),
        " ".join(c.text for t in docx.Document(out / "report.docx").tables for r in t.rows for c in r.cells)
        + " ".join(p.text for p in docx.Document(out / "report.docx").paragraphs),
    ]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_hidden_values_are_counted_together_and_the_note_says_how_many(private_report):
    from classifier.report.values import HIDDEN_VALUE

    report, _ = private_report
    assert report.figures["complainants"]["counts"] == {"Parent": 8, HIDDEN_VALUE: 1}
    assert report.figures["themes"][HIDDEN_VALUE] == 1
    notes = " ".join(report.notes)
    assert "1 row of column 'Complainant'" in notes and "not shown" in notes
    assert "1 row of column 'Service Area'" in notes


def test_ordinary_labels_are_shown():
    from classifier.redact.quote import is_safe_label

    for ok in [
        "Leaving Care",
        "Not upheld",
        "Mixed - White and Black Caribbean",
        "MP / Councillor",
        "Children's Services",
    ]:
        assert is_safe_label(ok), ok
    for bad in [NAME_THEME, NAME_WHO, NAME_SERVICE, "Call 07700 900123", "a" * 70, "x@example.org"]:
        assert not is_safe_label(bad), bad


def test_outcomes_differing_in_case_or_wording_are_merged(tmp_path):
    from classifier.report import build_report

    outs = ["Not upheld"] * 3 + ["Not Upheld"] * 2 + ["partially upheld"] * 2 + ["Partly upheld ", "UPHELD"]
    rows = [_row(i, outcome=o) for i, o in enumerate(outs)]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    assert r.figures["outcomes"]["1"] == {"Not upheld": 5, "Partly upheld": 3, "Upheld": 1}
    assert r.figures["outcomes_upheld_percent"]["1"] == pytest.approx(44.4)


def test_theme_typos_are_not_merged_but_the_note_names_the_closest_label(tmp_path):
    from classifier.report import build_report

    themes = ["Poor Communication"] * 3 + ["poor  communication"] + ["Comunication"] * 2 + ["DECISION-MAKING"]
    rows = [_row(i, theme=t) for i, t in enumerate(themes)]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    assert r.figures["themes"] == {"communication": 4, "Comunication": 2, "decision_making": 1}
    note = next(n for n in r.notes if "Comunication" in n)
    assert "closest label 'Poor Communication'" in note and "theme_aliases" in note


def test_a_theme_alias_map_in_the_settings_counts_a_typo_as_its_theme(tmp_path):
    from classifier.errors import ReportSettingsError
    from classifier.report import build_report

    themes = ["Poor Communication"] * 3 + ["Comunication"] * 2
    data = write_csv(tmp_path / "e.csv", [_row(i, theme=t) for i, t in enumerate(themes)])
    (tmp_path / "s.yml").write_text("theme_aliases:\n  Comunication: Poor Communication\n", encoding="utf-8")
    r = build_report(data, tmp_path / "o", settings_path=tmp_path / "s.yml", formats=("json",))
    assert r.figures["themes"] == {"communication": 5}
    assert not any("Comunication" in n for n in r.notes)
    (tmp_path / "bad.yml").write_text("theme_aliases:\n  Comunication: Nonsense theme\n", encoding="utf-8")
    with pytest.raises(ReportSettingsError, match="theme_aliases"):
        build_report(data, tmp_path / "o2", settings_path=tmp_path / "bad.yml", formats=("json",))


def test_informal_counted_as_stage_1_is_said(tmp_path):
    from classifier.report import build_report

    rows = [_row(i, stage="Informal" if i < 2 else "Stage 1") for i in range(5)]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    assert r.figures["by_stage"]["1"] == 5
    assert any("2 records with stage 'Informal' are counted as stage 1" in n for n in r.notes)


def test_learning_register_themes_shown_safely(tmp_path):
    from classifier.report import build_report

    reg = tmp_path / "register.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["theme", "statement", "type"])
    ws.append(["communication", "A statement.", "process_change"])
    ws.append([NAME_THEME, "A statement.", "staff_reminder"])
    wb.save(reg)
    data = write_csv(tmp_path / "e.csv", [_row(i) for i in range(3)])
    build_report(data, tmp_path / "o", learning=reg, formats=("json",))
    text = (tmp_path / "o" / "tables.json").read_text(encoding="utf-8")
    assert not any(s in text for s in SECRETS)
    assert json.loads(text)["learning"]["communication"] == {"process_change": 1}


def test_a_settings_file_changing_stage_1_keeps_the_other_stages_and_may_name_procedures(tmp_path):
    from classifier.report.settings import load_settings

    local = tmp_path / "local.yml"
    local.write_text(
        "timescales:\n  1: {base: 20, extended: 30}\nprocedures:\n  Statutory: [s26 complaint]\n", encoding="utf-8"
    )
    s = load_settings(local)
    assert (s.timescale(1).base, s.timescale(1).extended) == (20, 30)
    assert (s.timescale(2).base, s.timescale(2).extended) == (25, 65)  # the statutory stage 2 is not lost
    assert s.timescale(3).base is None
    assert "Statutory" in s.procedure_names.values()
