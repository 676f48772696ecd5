"""Report files written all or nothing, clear --out errors, A4 Word pages, E109's suggestion, year columns."""

import datetime
import os

import docx
import pytest
from conftest import write_csv
from typer.testing import CliRunner


def _rows(year=2024, n=12, stage="Stage 1"):
    out = []
    for i in range(n):
        day = datetime.date(year, 5, 1) + datetime.timedelta(days=7 * i)
        out.append(
            {
                "Ref": f"A{year}{i}",
                "Date Received": day.strftime("%d/%m/%Y"),
                "Date Responded": (day + datetime.timedelta(days=7)).strftime("%d/%m/%Y"),
                "Stage": stage,
                "Type": "Complaint",
                "Theme": "Delay" if i % 2 else "Poor Communication",
                "Details": "x",
                "Outcome": "Upheld",
                "Complainant": "Parent" if i % 3 else "Young person",
                "Service Area": "Fostering",
            }
        )
    return out


def test_a_locked_file_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    from classifier.errors import OutputLockedError
    from classifier.report import build_report

    data = write_csv(tmp_path / "e.csv", _rows())
    out = tmp_path / "out"
    build_report(data, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = os.replace

    def locked(src, dst):  # report.xlsx is open in Excel: it cannot be moved or replaced
        if "report.xlsx" in (os.path.basename(src), os.path.basename(dst)):
            raise PermissionError(13, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputLockedError) as exc:
        build_report(data, out, year="2024-25")
    msg = str(exc.value)
    assert msg.startswith("[E402]") and "'report.xlsx'" in msg and "Close it" in msg and ".tmp" not in msg
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp file left, nothing replaced


def test_out_errors_are_sentences(tmp_path):
    from classifier.cli.main import app

    data = write_csv(tmp_path / "e.csv", _rows())
    res = CliRunner().invoke(app, ["report", str(data), "--out", str(data)])
    assert res.exit_code == 1 and "is a file, not a folder" in res.output and "Error" in res.output
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as a user who can write to a read-only folder")
        res = CliRunner().invoke(app, ["report", str(data), "--out", str(ro / "rep")])
        assert res.exit_code == 1 and "not writable" in res.output and "PermissionError" not in res.output
    finally:
        ro.chmod(0o700)


def test_docx_pages_are_a4(tmp_path):
    from classifier.report import build_report

    build_report(write_csv(tmp_path / "e.csv", _rows()), tmp_path / "o", formats=("docx",))
    section = docx.Document(tmp_path / "o" / "report.docx").sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 15 <= section.left_margin.mm <= 25 and 15 <= section.top_margin.mm <= 25


def test_e109_suggests_the_year_with_most_records(tmp_path):
    from classifier.errors import ReportPeriodError
    from classifier.report import build_report

    rows = _rows(2024, 10) + _rows(2025, 1)
    with pytest.raises(ReportPeriodError) as exc:
        build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", year="2019-20")
    msg = str(exc.value)
    assert "2025-26 (1 record)" in msg and "2024-25 (10 records)" in msg and "e.g. --year 2024-25" in msg


def test_previous_year_columns_sit_in_pairs_and_name_their_year(tmp_path):
    from classifier.report import build_report

    this, last = write_csv(tmp_path / "t.csv", _rows(2024)), write_csv(tmp_path / "l.csv", _rows(2023, 6))
    r = build_report(this, tmp_path / "o", previous=last, year="2024-25", formats=("json",))
    by = {t.key: t for t in r.tables}
    monthly = list(by["monthly"].frame.columns)
    assert monthly == ["Month", "Complaints 2024-25", "Complaints 2023-24", "Change %", "Stage 1 2024-25"]
    scales = list(by["timescales"].frame.columns)
    assert "Responded 2024-25" in scales and "Within target 2024-25" in scales
    at = scales.index("Within target % 2024-25")
    assert scales[at + 1 : at + 3] == ["Within target % 2023-24", "Change (points)"]
    months = dict(zip(by["monthly"].frame["Month"], by["monthly"].frame["Complaints 2023-24"]))
    assert months["Jul 2024"] == 0  # last year's export has no July: 0, not '-'


def test_report_quiet_prints_nothing_but_errors(tmp_path):
    from classifier.cli.main import app

    data = write_csv(tmp_path / "e.csv", _rows())
    res = CliRunner().invoke(app, ["report", str(data), "--out", str(tmp_path / "o"), "-q"])
    assert res.exit_code == 0 and res.output == ""
    assert (tmp_path / "o" / "report.html").exists()


def test_last_years_figure_is_found_whatever_the_case_each_year_wrote_it_in():
    import pandas as pd

    from classifier.report.compare import year_on_year
    from classifier.report.tables import Table

    def who(names, counts):
        return Table(
            "who",
            "Who made complaints",
            pd.DataFrame({"Made by": names, "Complaints": counts}),
            None,
            count_column="Complaints",
        )

    now = year_on_year(
        who(["parent", "Young  person"], [44, 30]), who(["Parent", "young person"], [25, 15]), "2025-26", "2024-25"
    )
    f = now.frame
    assert list(f["Complaints 2024-25"]) == [25, 15]
    assert list(f["Change %"]) == [76.0, 100.0]


def test_a_category_only_last_year_had_is_named_in_the_note():
    import pandas as pd

    from classifier.report.compare import year_on_year
    from classifier.report.tables import Table

    def who(names, counts):
        frame = pd.DataFrame({"Made by": names, "Complaints": counts})
        return Table("who", "Who made complaints", frame, None, note="Note {x}.", count_column="Complaints")

    now = year_on_year(who(["Parent"], [44]), who(["Parent", "Advocate", "Carer"], [25, 3, 0]), "2025-26", "2024-25")
    assert list(now.frame["Made by"]) == ["Parent"]  # the table keeps this year's rows
    assert now.note == "Note {x}. None this year of what 2024-25 had: Advocate (3)."
    assert year_on_year(who(["Parent"], [44]), who(["Parent"], [25]), "2025-26", "2024-25").note == "Note {x}."


def test_a_reference_entered_twice_at_one_stage_is_noted_but_an_escalation_is_not(tmp_path):
    from classifier.report import build_report

    rows = _rows()
    rows.append({**rows[2]})  # entered twice
    rows.append({**rows[3], "Ref": rows[3]["Ref"].lower()})  # again, typed in another case
    rows.append({**rows[4], "Stage": "Stage 2"})  # escalated: the same reference at stage 2
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    notes = [n for n in r.figures["notes"] if "more than once" in n]
    assert len(notes) == 1 and "2 case references appear more than once at the same stage (4 rows)" in notes[0]
    assert r.figures["by_stage"]["1"] == 14 and r.figures["by_stage"]["2"] == 1  # said, still counted


def test_compliments_by_service_area_is_a_table_of_its_own(tmp_path):
    from classifier.report import build_report

    rows = _rows()
    for r, service in zip(rows[:5], ["Fostering", "Fostering", "Leaving Care", "Fostering", "Leaving Care"]):
        r.update({"Type": "Compliment", "Service Area": service})
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json", "docx"))
    table = {t.key: t for t in r.tables}["compliments_by_service"]
    assert dict(zip(table.frame["Service"], table.frame["Compliments"])) == {"Fostering": 3, "Leaving Care": 2}
    import docx

    headings = [p.text for p in docx.Document(tmp_path / "o" / "report.docx").paragraphs]
    assert any("Compliments by service area" in h for h in headings)


def test_with_last_year_the_upheld_shares_are_compared_in_their_own_table(tmp_path):
    from classifier.report import build_report

    last = _rows(2023, 10)
    for r in last[:5]:
        r["Outcome"] = "Not upheld"
    this, before = write_csv(tmp_path / "t.csv", _rows(2024)), write_csv(tmp_path / "l.csv", last)
    r = build_report(this, tmp_path / "o", previous=before, year="2024-25", formats=("json",))
    t = {t.key: t for t in r.tables}["upheld_share"]
    stage1 = t.frame.iloc[0]
    assert (stage1["Upheld or partly % 2024-25"], stage1["Upheld or partly % 2023-24"]) == (100.0, 50.0)
    assert stage1["Change (points)"] == 50.0
