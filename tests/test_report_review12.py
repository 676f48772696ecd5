"""Defects a complaints manager's review of `complaints report` found (review 12), each on a small hand-made export."""

import datetime
import json
import zipfile

import docx
import pandas as pd
import pytest
from conftest import write_csv

from classifier.errors import ReportPeriodError, ReportYearError
from classifier.report import build_report

SENTENCES = ("Phoned in crying about her daughter's placement", "Social worker shouted at my child")


def _row(i, start=datetime.date(2024, 4, 2), **cells):
    day = start + datetime.timedelta(days=i % 300)
    row = {
        "Ref": f"A{i}",
        "Date Received": day.strftime("%d/%m/%Y"),
        "Date Responded": (day + datetime.timedelta(days=9)).strftime("%d/%m/%Y"),
        "Stage": "Stage 1",
        "Type": "Complaint",
        "Theme": "Delay",
        "Details": "x",
        "Outcome": "Upheld",
        "Complainant": "Parent",
        "Service Area": "Fostering",
        "Contact Method": "Email",
    }
    row.update(cells)
    return row


def _all_text(out) -> str:
    import docx
    import openpyxl

    d = docx.Document(out / "report.docx")
    return " ".join(
        [
            (out / "report.html").read_text(encoding="utf-8"),
            (out / "tables.json").read_text(encoding="utf-8"),
            " ".join(str(c.value) for ws in openpyxl.load_workbook(out / "report.xlsx") for r in ws for c in r),
            " ".join(c.text for t in d.tables for r in t.rows for c in r.cells),
            " ".join(p.text for p in d.paragraphs),
        ]
    )


# ---------------------------------------------------------------- 1. free text in a category column


def test_a_sentence_in_a_category_column_is_never_printed_even_on_several_rows(tmp_path):
    rows = [_row(i) for i in range(8)]
    rows += [_row(8, **{"Contact Method": SENTENCES[0]})]
    rows += [_row(9 + i, **{"Contact Method": SENTENCES[1]}) for i in range(3)]  # 3 rows: still a sentence
    rows += [_row(12 + i, **{"Service Area": "Brightwater Hub"}) for i in range(3)]  # a trust's own team
    rows += [_row(15, **{"Service Area": "Kestrel Lodge"})]  # a label on one row: not yet a category
    out = tmp_path / "out"
    r = build_report(write_csv(tmp_path / "e.csv", rows), out)
    text = _all_text(out)
    assert not any(s in text for s in SENTENCES) and "Kestrel" not in text
    assert r.figures["methods"] == {"Email": 12, "Other value (not shown)": 4}
    assert r.figures["services"]["Brightwater Hub"]["total"] == 3  # on 3 rows, a short label: a category
    notes = " ".join(r.notes)
    assert "4 rows of column 'Contact Method' hold 2 values that may not be a category" in notes
    assert "known_values" in notes


def test_a_trusts_own_rare_values_are_shown_when_listed_in_its_settings(tmp_path):
    rows = [_row(i) for i in range(6)] + [_row(6, **{"Service Area": "Kestrel Lodge"})]
    settings = tmp_path / "local.yml"
    settings.write_text("known_values:\n  service: [Kestrel Lodge]\n", encoding="utf-8")
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", settings_path=settings, formats=("json",))
    assert r.figures["services"]["Kestrel Lodge"]["total"] == 1
    assert r.figures["methods"] == {"Email": 7}  # the bundled lists are kept beside the trust's


@pytest.mark.parametrize("value", [*SENTENCES, "Hit by foster carer", "He was told to leave", "Mum rang us"])
def test_sentences_do_not_read_as_labels(value):
    from classifier.report.values import is_label, shown_value

    assert not is_label(value) and not shown_value(value, rows=50, min_rows=3)


@pytest.mark.parametrize(
    "value", ["Looked After Children", "Disabled Children", "Safeguarding in Education", "Via advocate"]
)
def test_service_and_method_names_read_as_labels(value):
    from classifier.report.values import is_label

    assert is_label(value)


# ---------------------------------------------------------------- 2. secondary suppression across tables


def _services_export(tmp_path):
    """The review's shape: a big service whose stage 2 and 3 are small, so its stage 1 is hidden too; two
    complaints elsewhere not responded to, so 'responded' would give the hidden stage 1 away."""
    rows, i = [], 0
    plan = {
        "Disabled Children": (44, 2, 1),
        "Children in Care": (19, 3, 2),
        "Child Protection": (33, 1, 1),
        "Fostering": (29, 2, 3),
        "Leaving Care": (27, 6, 1),
    }
    for service, counts in plan.items():
        for stage, n in zip((1, 2, 3), counts):
            for _ in range(n):
                rows.append(_row(i, **{"Service Area": service, "Stage": f"Stage {stage}"}))
                i += 1
    rows[40]["Date Responded"] = ""  # Child Protection would read 33 against 32 responded
    rows[41]["Date Responded"] = ""
    return write_csv(tmp_path / "e.csv", rows)


def test_a_service_count_hidden_in_one_table_is_hidden_in_timescales_and_context(tmp_path):
    context = tmp_path / "activity.csv"
    context.write_text("Measure,Value,Service\nOpen cases,410,Disabled Children\n", encoding="utf-8")
    data = _services_export(tmp_path)
    r = build_report(data, tmp_path / "o", context=context, suppress_small=True, formats=("json",))
    by = {t.key: t for t in r.tables}
    services, times, ctx = by["services"], by["timescales_by_service"], by["context"]
    row = list(services.frame["Service"]).index("Disabled Children")
    assert services.hidden[(row, "Stage 1")] == "[c]"  # its stage 2 and 3 are small, the row total is shown
    trow = list(times.frame["Service"]).index("Disabled Children")
    assert (trow, "Responded") in times.hidden  # 44 responded would be its stage 1 count
    assert (0, "Stage 1 complaints") in ctx.hidden and (0, "Per 1,000") in ctx.hidden
    # No hidden responded count is alone in its column (the column's total is in "Timescales by stage").
    assert sum(1 for _, c in times.hidden if c == "Responded") >= 2


# ---------------------------------------------------------------- 3. hidden figures in charts


def test_a_stacked_chart_names_its_hidden_parts_and_says_so_in_its_note():
    from classifier.report import charts
    from classifier.report.tables import Table

    frame = pd.DataFrame({"Service": ["A", "B"], "Stage 1": [40, 30], "Stage 2": [3, 9]})
    t = Table("services", "By service", frame, {}, "stacked", ["Stage 1", "Stage 2"])
    t.hidden = {(0, "Stage 1"): "[c]", (0, "Stage 2"): "<5"}
    assert charts._hidden_parts(t, "stacked", ["Stage 1", "Stage 2"], 2) == [["Stage 1 [c]", "Stage 2 <5"], []]
    chart = charts.draw(t)
    assert "not drawn" in chart.note and chart.note in chart.alt


# ---------------------------------------------------------------- 4 and 5. files `complaints label` wrote


def _labelled(tmp_path):
    rows = []
    for i in range(6):
        r = {k: v for k, v in _row(i).items() if k != "Theme"}  # no recorded theme column: label's are used
        r.update(
            predicted_themes="delay",
            predicted_theme_labels="Poor Communication" if i < 4 else "Delay in Receiving Services",  # corrected
            predicted_kind="complaint",
            model_version="m1",
            status="ok",
        )
        rows.append(r)
    blank = {k: "" for k in rows[0]} | {"model_version": "m1", "status": "error: empty"}
    total = blank | {"Ref": "Total"}
    return write_csv(tmp_path / "labelled.csv", rows + [blank, total])


def test_a_labelled_file_is_reported_with_its_own_corrected_themes(tmp_path):
    r = build_report(_labelled(tmp_path), tmp_path / "o", formats=("json",))
    assert r.figures["themes"] == {"communication": 4, "delay": 2}
    said = r.figures["sources"]["themes"]
    assert "'predicted_theme_labels', written by 'complaints label'" in said and "'themes: null'" in said


def test_blank_and_total_rows_that_label_filled_in_are_still_not_cases(tmp_path):
    r = build_report(_labelled(tmp_path), tmp_path / "o", formats=("json",))
    notes = " ".join(r.notes)
    assert "1 wholly blank row and 1 total row" in notes and "no received date" not in notes
    assert r.meta["rows_in_period"] == 6


def test_the_report_knows_every_column_label_writes():
    from classifier.pipeline.labelling import OUTPUT_COLUMNS
    from classifier.report.labels import LABEL_OUTPUT_COLUMNS, is_label_output

    assert tuple(OUTPUT_COLUMNS) == LABEL_OUTPUT_COLUMNS
    assert is_label_output("score_delay") and is_label_output("status_new") and not is_label_output("Stage")


# ---------------------------------------------------------------- 6 and 7. the period


def test_two_years_of_records_without_year_are_refused_naming_the_years(tmp_path):
    rows = [_row(i, start=datetime.date(2023, 4, 3)) for i in range(5)] + [_row(5 + i) for i in range(5)]
    with pytest.raises(ReportPeriodError) as err:
        build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    assert err.value.code == "E109"
    assert "2023-24 (5), 2024-25 (5)" in str(err.value) and "--year 2024-25" in str(err.value)


def test_a_calendar_year_has_its_quarters_named_with_their_financial_year_in_date_order(tmp_path):
    dates = ["15/01/2024", "20/02/2024", "10/05/2024", "12/08/2024", "14/11/2024", "30/12/2024"]
    rows = [_row(i, **{"Date Received": d, "Date Responded": ""}) for i, d in enumerate(dates)]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    quarters = {t.key: t for t in r.tables}["timescales_by_quarter"]
    assert list(quarters.frame["Quarter"]) == [
        "2023-24 Q4 Jan-Mar",
        "2024-25 Q1 Apr-Jun",
        "2024-25 Q2 Jul-Sep",
        "2024-25 Q3 Oct-Dec",
    ]
    assert "not one April-March financial year" in " ".join(r.notes)


@pytest.mark.parametrize("year", ["2024-26", "2024-2026", "2024-24", "2023-25", "24-26", "24", "24-2025"])
def test_a_year_whose_halves_do_not_follow_is_refused_with_the_accepted_forms(tmp_path, year):
    with pytest.raises(ReportYearError) as err:
        build_report(write_csv(tmp_path / "e.csv", [_row(0)]), tmp_path / "o", year=year, formats=("json",))
    assert err.value.code == "E111" and "2024-25, 2024/25, 24-25, 2024-2025 or 2024" in str(err.value)


@pytest.mark.parametrize("year", ["2024-25", "2024/25", "2024-2025", "2024", "24-25", "24/25"])
def test_the_accepted_year_forms(year):
    from classifier.report.dates import financial_year

    assert financial_year(year) == (pd.Timestamp(2024, 4, 1), pd.Timestamp(2025, 3, 31))


# ---------------------------------------------------------------- 8. the upheld share


def test_the_upheld_share_leaves_out_withdrawn_and_unnamed_outcomes_and_says_so():
    from classifier.report.outcomes import upheld_share
    from classifier.report.settings import load_settings

    outcomes = ["Upheld"] * 6 + ["Partly upheld"] * 3 + ["Not upheld"] * 6 + ["Withdrawn"] * 2 + ["TBC"]
    cases = pd.DataFrame({"kind": "complaint", "stage": 1, "outcome": outcomes})
    t = upheld_share(cases, load_settings())
    assert t.frame["Upheld or partly %"].iloc[0] == 60.0  # 9 of 15, not 9 of 18
    note = str(t.note)
    assert "withdrawn (2;" in note and "1 with an outcome the settings' outcomes section does not name" in note


# ---------------------------------------------------------------- 9, 11, 12, 14. notes and empty tables


def test_open_complaints_and_unrecognised_stages_are_noted_in_the_singular(tmp_path):
    rows = [_row(i) for i in range(6)]
    rows[0]["Date Responded"] = ""
    rows[1]["Stage"] = "Stage 4"
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    notes = " ".join(r.notes)
    assert "1 stage 1 complaint has no response date" in notes
    assert "1 record has a stage written that is not recognised" in notes
    by_stage = {t.key: t for t in r.tables}["by_stage"]
    assert str(by_stage.note) == "1 complaint has a stage not recognised; not counted here."


def test_tables_with_nothing_recorded_are_left_out_with_a_line(tmp_path):
    rows = [_row(i, **{"LGSCO outcome": "", "Cost": ""}) for i in range(6)]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    omitted = dict(r.omitted)
    assert omitted["Ombudsman decisions"] == "no record has an Ombudsman outcome recorded"
    assert omitted["Compliments"] == "no compliments in the export"
    assert omitted["Cost of stage 2 investigations and stage 3 panels"].startswith("no stage 2 or stage 3")
    keys = [t.key for t in r.tables]
    assert "ombudsman" not in keys and "compliments" not in keys and "costs" not in keys


def test_no_upheld_note_without_an_outcome_column(tmp_path):
    rows = [{k: v for k, v in _row(i).items() if k != "Outcome"} for i in range(6)]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    t = {t.key: t for t in r.tables}["themes_by_stage"]
    assert "Upheld or partly %" not in t.frame and "upheld" not in str(t.note)


def test_docx_charts_have_alt_text_and_stage_3_reads_as_the_html_does(tmp_path):
    out = tmp_path / "o"
    build_report(write_csv(tmp_path / "e.csv", [_row(i) for i in range(6)]), out, formats=("docx", "xlsx"))
    xml = zipfile.ZipFile(out / "report.docx").read("word/document.xml").decode("utf-8")
    assert xml.count('descr="Chart: ') >= 3
    targets = [c.text for t in docx.Document(out / "report.docx").tables for r in t.rows for c in r.cells[1:2]]
    assert "days taken, no fixed target" in targets and "as recorded" not in targets


# ---------------------------------------------------------------- 13. dates


def test_month_name_dates_as_exports_write_them():
    from classifier.io.dates import parse_dates

    p = parse_dates(["04-Mar-25", "Tue 04 Mar 2025", "March 04, 2025", "Tuesday, 4th March 2025", "4 Sept 2024"])
    assert [v.strftime("%Y-%m-%d") for v in p.values] == ["2025-03-04"] * 4 + ["2024-09-04"]


def test_the_unreadable_date_note_names_the_form_never_the_value(tmp_path):
    rows = [_row(i) for i in range(6)]
    rows[0]["Date Received"] = "04.03.2025x"
    rows[1]["Date Received"] = "14.03.2025x"
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    notes = " ".join(r.notes)
    assert "2 received dates could not be read (written as nn.nn.nnnnA (2 rows)" in notes
    assert "04.03" not in json.dumps(r.figures)
