"""The three reviewer defects of `complaints report`: suppression that leaked, a wrong --year, footer rows."""

import datetime
import json
import re

import docx
import openpyxl
import pandas as pd
import pytest
from conftest import write_csv

MAP = (
    "id: Ref\nreceived: Logged\nresponded: Sent\nstage: Lvl\nkind: What\ntext: Narrative\n"
    "outcome: Found\nthemes: Topics\ncomplainant: By\nombudsman_outcome: LGSCO\n"
)
# 36 complaints: 30 at stage 1, 4 at stage 2, 2 at stage 3; Ombudsman 16 / 11 / 5 / 4; 3 by young people.
LGSCO = ["Closed after initial enquiries"] * 16 + ["Not upheld"] * 11 + ["Upheld"] * 5 + ["Remedied locally"] * 4
STAGE = ["1"] * 30 + ["2"] * 4 + ["3"] * 2


def _rows(year=2024):
    rows = []
    for i in range(36):
        day = datetime.date(year, 4, 1) + datetime.timedelta(days=3 * i)
        rows.append(
            {
                "Ref": f"R{i}",
                "Logged": day.strftime("%d/%m/%Y"),
                "Sent": (day + datetime.timedelta(days=7)).strftime("%d/%m/%Y"),
                "Lvl": STAGE[i],
                "What": "Complaint",
                "Narrative": "x",
                "Found": "Upheld" if i % 2 else "Not upheld",
                "Topics": "communication",
                "By": "Young person" if i < 3 else "Parent",
                "LGSCO": LGSCO[i],
            }
        )
    return rows


@pytest.fixture(scope="module")
def suppressed(tmp_path_factory):
    from classifier.report import build_report

    d = tmp_path_factory.mktemp("suppress")
    (d / "map.yml").write_text(MAP, encoding="utf-8")
    this, last = write_csv(d / "this.csv", _rows(2024)), write_csv(d / "last.csv", _rows(2023)[:20])
    out = d / "out"
    build_report(this, out, previous=last, columns=d / "map.yml", year="2024-25", suppress_small=True)
    return out


def _json_rows(out, key):
    """Row label -> {column: value as published}."""
    t = json.loads((out / "tables.json").read_text(encoding="utf-8"))[key]
    return {r[0]: dict(zip(t["columns"], r)) for r in t["rows"]}


def test_a_hidden_count_keeps_no_share_beside_it_and_a_second_cell_covers_it(suppressed):
    rows = _json_rows(suppressed, "ombudsman")
    # 4 of 36 would be given away by 11.1%, and by 36 - 16 - 11 - 5 with the other counts shown.
    for label, count in [("Remedied locally", "<5"), ("Upheld", "[c]")]:
        row = rows[label]
        assert row["Cases"] == count and row["Share %"] == "[c]"
    assert rows["Not upheld"]["Cases"] == 11 and rows["Not upheld"]["Share %"] == 30.6


def test_the_same_cells_are_hidden_in_html_xlsx_and_docx(suppressed):
    html = (suppressed / "report.html").read_text(encoding="utf-8")
    section = html[html.index('id="ombudsman-lgsco-decisions"') :]
    section = section[: section.index("</section>")]
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", section)
    assert "11.1" not in cells and "13.9" not in cells
    # Columns: decision, cases this year, last year (none last year: 0), change %, share %. A change from 0
    # has no figure ('-'): it says only that last year was 0, which is shown.
    expected = {"Remedied locally": ["<5", "0", "-", "[c]"], "Upheld": ["[c]", "0", "-", "[c]"]}
    for label, shown in expected.items():
        at = cells.index(label) + 1
        assert [c.replace("&lt;", "<") for c in cells[at : at + 4]] == shown
    ws = openpyxl.load_workbook(suppressed / "report.xlsx")["Ombudsman (LGSCO) decisions"]
    xl = {r[0]: list(r[1:]) for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    doc = docx.Document(str(suppressed / "report.docx"))
    word = {r.cells[0].text: [c.text for c in r.cells[1:]] for t in doc.tables for r in t.rows}
    for label, shown in expected.items():
        assert [str(v) if v is not None else "-" for v in xl[label]] == shown
        assert word[label] == shown


def test_escalation_and_last_year_figures_do_not_give_a_stage_away(suppressed):
    esc = _json_rows(suppressed, "escalation")
    # 4 of 30 = 13.3% would give the 4 away.
    assert list(esc["Stage 1 to stage 2"].values()) == ["Stage 1 to stage 2", 30, "<5", "[c]"]
    assert list(esc["Stage 2 to stage 3"].values()) == ["Stage 2 to stage 3", "<5", "<5", "[c]"]
    last = json.loads((suppressed / "tables.json").read_text(encoding="utf-8"))["previous"]["by_stage"]["rows"]
    assert last == [["Stage 1", 20], ["Stage 2", 0], ["Stage 3", 0]]
    ws = openpyxl.load_workbook(suppressed / "report.xlsx")["Complaints by stage"]
    header = [c.value for c in ws[2]]
    stage2 = dict(zip(header, [c.value for c in ws[4]]))
    assert stage2["Complaints 2024-25"] == "<5" and stage2["Change %"] in (None, "-")  # from 0: no figure


def test_notes_hide_small_counts_and_their_shares(suppressed):
    html = (suppressed / "report.html").read_text(encoding="utf-8")
    assert "made &lt;5 of 36 complaints ([c])" in html
    assert "made 3 of" not in html and "8.3%" not in html


def test_secondary_suppression_covers_rows_with_a_total():
    from classifier.report.suppress import suppress_tables
    from classifier.report.tables import Table

    frame = pd.DataFrame(
        {"Service": ["A", "B", "C"], "Stage 1": [20, 9, 30], "Stage 2": [3, 8, 6], "All": [23, 17, 36]}
    )
    t = Table("s", "S", frame, {}, additive=["Stage 1", "Stage 2", "All"], row_totals={"All": ["Stage 1", "Stage 2"]})
    suppress_tables([t], 5)
    assert t.hidden[(0, "Stage 2")] == "<5"
    assert t.hidden[(0, "Stage 1")] == "[c]"  # else 23 - 20 gives the 3 away
    for col in ("Stage 1", "Stage 2"):  # no column with one hidden cell, recoverable from its total
        assert sum(c == col for _, c in t.hidden) != 1
    for i in range(3):
        assert sum((i, c) in t.hidden for c in ("Stage 1", "Stage 2")) != 1


def test_without_suppression_tables_json_stays_exact(tmp_path):
    from classifier.report import build_report

    (tmp_path / "map.yml").write_text(MAP, encoding="utf-8")
    r = build_report(write_csv(tmp_path / "e.csv", _rows()), tmp_path / "o", columns=tmp_path / "map.yml")
    assert r.figures["ombudsman"]["Remedied locally"] == 4 and r.figures["by_stage"] == {"1": 30, "2": 4, "3": 2}
    assert "<5" not in (tmp_path / "o" / "report.html").read_text(encoding="utf-8")


def test_a_year_the_export_does_not_cover_is_refused(tmp_path):
    from classifier.errors import ReportPeriodError
    from classifier.report import build_report

    (tmp_path / "map.yml").write_text(MAP, encoding="utf-8")
    data = write_csv(tmp_path / "e.csv", _rows())
    with pytest.raises(ReportPeriodError) as exc:
        build_report(data, tmp_path / "out", columns=tmp_path / "map.yml", year="2019-20")
    msg = str(exc.value)
    assert msg.startswith("[E109]") and "2019-20" in msg and "2024-25 (36 records)" in msg and "--year" in msg
    assert not (tmp_path / "out").exists()


def test_a_previous_export_of_the_wrong_year_says_which_year_it_must_hold(tmp_path):
    from classifier.errors import ReportPeriodError
    from classifier.report import build_report

    (tmp_path / "map.yml").write_text(MAP, encoding="utf-8")
    data = write_csv(tmp_path / "e.csv", _rows())
    with pytest.raises(ReportPeriodError) as exc:
        build_report(data, tmp_path / "out", previous=data, columns=tmp_path / "map.yml", year="2024-25")
    msg = str(exc.value)
    assert "2023-24" in msg and "--previous" in msg and "e.g. --year" not in msg


def test_the_cli_refuses_a_wrong_year_with_exit_code_1(tmp_path):
    from typer.testing import CliRunner

    from classifier.cli.main import app

    (tmp_path / "map.yml").write_text(MAP, encoding="utf-8")
    data = write_csv(tmp_path / "e.csv", _rows())
    args = ["report", str(data), "--columns", str(tmp_path / "map.yml"), "--year", "2019-20", "--out", str(tmp_path)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1 and "E109" in res.output and not (tmp_path / "report.html").exists()


def _workbook_with_footer(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ref", "Date received", "Stage", "Type", "Details", "Complainant", "Theme"])
    for i in range(12):
        ws.append([f"C{i}", datetime.datetime(2024, 5, i + 1), "1", "Complaint", "x", "Parent", "communication"])
    ws.append([None] * 7)
    ws.append(["Grand total:", None, 12, None, None, None, None])
    ws.append(["C12", None, "1", "Complaint", "x", "Parent", "communication"])  # a real case with no date
    wb.save(path)
    return path


def test_blank_and_total_rows_are_not_cases(tmp_path):
    from classifier.report import build_report

    r = build_report(_workbook_with_footer(tmp_path / "e.xlsx"), tmp_path / "out", formats=("json",))
    assert r.figures["kinds"]["complaint"] == 13 and r.meta["rows_in_period"] == 13 and r.meta["rows_read"] == 15
    notes = " ".join(r.notes)
    assert "1 wholly blank row and 1 total row " in notes
    assert "1 row has no received date; counted, but left out of the monthly" in notes


def test_undated_rows_are_left_out_of_a_year_and_the_note_says_so(tmp_path):
    from classifier.report import build_report

    r = build_report(_workbook_with_footer(tmp_path / "e.xlsx"), tmp_path / "out", year="2024-25", formats=("json",))
    assert r.figures["kinds"]["complaint"] == 12
    assert any("no received date; cannot be placed in the year, so left out of the report" in n for n in r.notes)


def test_a_total_label_with_case_data_is_a_case():
    from classifier.report.cases import drop_non_cases

    frame = pd.DataFrame(
        {
            "Ref": ["Total", "Totals", "", "A1"],
            "Received": ["04/05/2024", "", "", "05/05/2024"],
            "Text": ["", "", "", "x"],
        }
    )
    kept, blank, footer = drop_non_cases(frame, "Received")
    assert (blank, footer) == (1, 1) and list(kept["Ref"]) == ["Total", "A1"]


def test_charts_draw_no_length_for_a_hidden_count():
    from classifier.report import charts
    from classifier.report.suppress import suppress_tables
    from classifier.report.tables import Table

    frame = pd.DataFrame({"Decision": ["A", "B", "C", "D"], "Cases": [16, 11, 5, 4]})
    t = Table("x", "X", frame, {}, "barh", ["Cases"], additive=["Cases"])
    suppress_tables([t], 5)
    data = charts._numeric(t, ["Cases"])
    assert data["Cases"].iloc[:2].tolist() == [16, 11] and data["Cases"].iloc[2:].isna().all()
    chart = charts.draw(t)
    assert "not drawn" in chart.alt and "labelled <5 or [c]" in chart.note


def test_a_part_whose_remainder_is_small_is_hidden_with_its_share():
    from classifier.report.suppress import suppress_tables
    from classifier.report.timeliness import _DERIVED

    # Stage 1: 28 of 30 within target gives away the 2 outside it; stage 2: 10 of 20 does not.
    frame = pd.DataFrame(
        {
            "Stage": ["Stage 1", "Stage 2"],
            "Responded": [30, 20],
            "Within target": [28, 10],
            "Within target %": [93.3, 50.0],
        }
    )
    from classifier.report.tables import Table

    t = Table("timescales", "T", frame, {}, derived=dict(_DERIVED), complements={"Within target": "Responded"})
    suppress_tables([t], 5)
    assert t.hidden.get((0, "Within target")) == "[c]" and t.hidden.get((0, "Within target %")) == "[c]"
    assert (1, "Within target") not in t.hidden and (0, "Responded") not in t.hidden


def test_an_empty_cell_is_never_shown_as_suppressed():
    from classifier.report.suppress import suppress_tables
    from classifier.report.tables import Table

    frame = pd.DataFrame({"Stage": ["Stage 1", "Stage 3"], "Responded": [40, 3], "Within target": [30, None]})
    t = Table("t", "T", frame, {}, additive=["Responded"], derived={"Within target": ["Responded"]})
    suppress_tables([t], 5)
    assert t.hidden[(1, "Responded")] == "<5"
    assert (1, "Within target") not in t.hidden  # stage 3 has no target: '-' says nothing about the 3
