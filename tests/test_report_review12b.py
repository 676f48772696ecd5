"""Problems a second review of `complaints report` found (review 12b), each on a small hand-made export."""

import datetime
import re

import pytest
from conftest import write_csv

from classifier.errors import ReportPeriodError, ReportSettingsError
from classifier.report import build_report


def _row(i, start=datetime.date(2024, 4, 2), **cells):
    day = start + datetime.timedelta(days=(i * 7) % 350)
    row = {
        "Ref": f"B{i}",
        "Date Received": day.strftime("%d/%m/%Y"),
        "Date Responded": (day + datetime.timedelta(days=9)).strftime("%d/%m/%Y"),
        "Stage": "Stage 1",
        "Type": "Complaint",
        "Theme": "Delay",
        "Details": "x",
        "Outcome": "Not upheld",
        "Complainant": "Parent",
        "Service Area": "Fostering",
        "Contact Method": "Email",
    }
    row.update(cells)
    return row


def _notes(r) -> str:
    return " ".join(r.notes)


# ---------------------------------------------------------------- A. notes under --suppress-small


def _suppressed_export(tmp_path):
    rows = [_row(i) for i in range(20)]
    rows += [_row(20 + i, Outcome="Upheld") for i in range(15)]
    rows += [_row(35 + i, Outcome="Withdrawn") for i in range(7)]
    rows += [_row(42 + i, Stage="Stage 2", Outcome="Not upheld") for i in range(9)]
    rows += [_row(51 + i, Stage="Stage 2", Outcome="Withdrawn") for i in range(2)]
    rows += [_row(53, Outcome="Awaiting the panel chair")]  # one row: counted as 'Other value (not shown)'
    return write_csv(tmp_path / "e.csv", rows)


def test_suppressed_notes_do_not_count_a_row_a_table_hides(tmp_path):
    r = build_report(_suppressed_export(tmp_path), tmp_path / "o", suppress_small=True, formats=("json",))
    outcomes = r.figures["outcomes"]
    assert ["Other value (not shown)", "<5", 0, 0] in outcomes["rows"]
    assert any(row[0] == "Withdrawn" and "<5" in row for row in outcomes["rows"])
    notes = _notes(r)
    assert "some rows of column 'Outcome' hold values" in notes
    assert not re.search(r"\d+ rows? of column 'Outcome'", notes)
    upheld = r.figures["upheld_share"]["note"]
    # Withdrawn adds up the row whose stage 2 cell reads <5: 9 would give it away with stage 1's 7.
    assert "withdrawn ([c];" in upheld and "(9;" not in upheld
    assert "[c] with an outcome" in upheld  # the 'Other value' row is hidden too


def test_without_suppression_the_notes_keep_their_counts(tmp_path):
    r = build_report(_suppressed_export(tmp_path), tmp_path / "o", formats=("json",))
    assert "1 row of column 'Outcome' holds a value" in _notes(r)
    assert "withdrawn (9;" in str({t.key: t for t in r.tables}["upheld_share"].note)


def test_suppressed_notes_write_small_counts_as_the_tables_do(tmp_path):
    rows = [_row(i) for i in range(12)]
    rows += [_row(12, **{"Date Received": "31/13/2024"}), _row(13, **{"Date Received": ""})]
    rows += [_row(14, **{"Date Responded": "01/04/2024"})]  # before it was received
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", suppress_small=True, formats=("json",))
    notes = _notes(r)
    assert "<5 received dates could not be read" in notes and "<5 are not real dates" in notes
    assert "<5 rows have no received date" in notes and "<5 response dates are before" in notes
    assert not re.search(r"\b1 (received|row|response)", notes)


def test_open_complaints_are_not_counted_when_the_timescales_hide_the_responded_figure(tmp_path):
    rows = [_row(i) for i in range(12)]
    rows += [_row(12 + i, Stage="Stage 2") for i in range(3)]  # 3 responded at stage 2: '<5'
    rows += [_row(15 + i, Stage="Stage 2", **{"Date Responded": ""}) for i in range(6)]
    out = tmp_path / "o"
    plain = build_report(write_csv(tmp_path / "e.csv", rows), out, formats=("json",))
    assert "6 stage 2 complaints have no response date" in _notes(plain)  # 9 - 6 = the 3 responded
    r = build_report(tmp_path / "e.csv", out, suppress_small=True, formats=("json",))
    timescales = r.figures["timescales"]["rows"]
    assert timescales[1][2] == "<5" and r.figures["by_stage"]["rows"][1][1] == 9
    notes = _notes(r)
    assert "some complaints have no response date" in notes and "6 stage 2" not in notes


def test_a_table_note_writes_a_small_count_as_the_table_does(tmp_path):
    rows = [_row(i) for i in range(10)] + [_row(10, Stage="")]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", suppress_small=True, formats=("json",))
    assert r.figures["by_stage"]["note"] == "<5 complaints have no stage recorded; not counted here."
    plain = build_report(tmp_path / "e.csv", tmp_path / "p", formats=("json",))
    assert (
        str({t.key: t for t in plain.tables}["by_stage"].note) == "1 complaint has no stage recorded; not counted here."
    )


# ---------------------------------------------------------------- B. only names are shown


SENTENCES = ("Dad drunk at contact", "Placement moved without notice", "Upset re contact with nan")


def test_short_sentences_on_several_rows_are_not_shown_names_are(tmp_path):
    rows = [_row(i) for i in range(10)]
    for k, s in enumerate(SENTENCES):
        rows += [_row(10 + 3 * k + j, **{"Contact Method": s}) for j in range(3)]
    rows += [_row(20 + j, **{"Service Area": "Kinship care team"}) for j in range(3)]
    rows += [_row(23 + j, **{"Service Area": "Harbour Outreach"}) for j in range(3)]
    rows += [_row(26 + j, **{"Contact Method": "Drop-in Desk"}) for j in range(3)]
    out = tmp_path / "o"
    r = build_report(write_csv(tmp_path / "e.csv", rows), out, formats=("json", "html"))
    text = (out / "report.html").read_text(encoding="utf-8") + (out / "tables.json").read_text(encoding="utf-8")
    assert not any(s in text for s in SENTENCES)
    assert r.figures["methods"] == {"Email": 16, "Other value (not shown)": 9, "Drop-in Desk": 3}
    assert {"Kinship care team", "Harbour Outreach"} <= set(r.figures["services"])


def test_a_value_needs_its_rows_among_the_rows_the_report_counts(tmp_path):
    rows = [_row(i) for i in range(8)]
    rows += [_row(8 + j, **{"Service Area": "Harbour Outreach"}) for j in range(2)]
    # The third 'Harbour Outreach' row is last year's, and a fourth has no received date.
    rows += [_row(10, start=datetime.date(2023, 6, 1), **{"Service Area": "Harbour Outreach"})]
    rows += [_row(11, **{"Service Area": "Harbour Outreach", "Date Received": ""})]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", year="2024-25", formats=("json",))
    assert "Harbour Outreach" not in r.figures["services"]
    assert r.figures["services"]["Other value (not shown)"]["total"] == 2


def test_the_name_rule_is_settings_data(tmp_path):
    rows = [_row(i) for i in range(6)] + [_row(6 + j, **{"Contact Method": "Parent Portal"}) for j in range(3)]
    settings = tmp_path / "local.yml"
    settings.write_text(
        "category_names:\n  suffixes: [team]\n  joining_words: [and]\n  sentence_words: [portal]\n  max_words: 4\n",
        encoding="utf-8",
    )
    data = write_csv(tmp_path / "e.csv", rows)
    assert "Parent Portal" in build_report(data, tmp_path / "a", formats=("json",)).figures["methods"]
    r = build_report(data, tmp_path / "b", settings_path=settings, formats=("json",))
    assert "Parent Portal" not in r.figures["methods"]


# ---------------------------------------------------------------- C. notes over the year's rows


def test_data_quality_notes_count_only_the_rows_of_the_year(tmp_path):
    rows = [_row(i) for i in range(10)]
    last_year = datetime.date(2023, 5, 1)
    rows += [_row(10, start=last_year, **{"Date Responded": "01/04/2023"})]  # before received
    rows += [_row(11, start=last_year, Outcome="Ask the team manager")]  # an unshown value
    rows += [_row(12, start=last_year, Ref="B0")]  # B0 again, but last year
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", year="2024-25", formats=("json",))
    notes = _notes(r)
    assert "3 rows received outside 2024-25 are left out" in notes
    assert "before the received date" not in notes and "Outcome" not in notes and "more than once" not in notes


# ---------------------------------------------------------------- D. the period


def _thirteen_months():
    """One a month April 2024 to March 2025, and two in April 2025."""
    rows = [_row(0, start=datetime.date(2024 + (i > 8), (i + 3) % 12 + 1, 3), Ref=f"M{i}") for i in range(12)]
    return rows + [_row(0, start=datetime.date(2025, 4, 3 + i), Ref=f"C{i}") for i in range(2)]


def test_records_over_thirteen_months_suggest_the_year_with_most_records(tmp_path):
    rows = _thirteen_months()
    with pytest.raises(ReportPeriodError) as err:
        build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    assert "--year 2024-25" in str(err.value) and "--year 2025-26" not in str(err.value)


def test_a_year_with_records_in_only_some_months_says_so(tmp_path):
    data = write_csv(tmp_path / "e.csv", _thirteen_months())
    r = build_report(data, tmp_path / "o", year="2025-26", formats=("json",))
    assert "records were received in only 1 of the 12 months of 2025-26 (Apr 2025 to Apr 2025)" in _notes(r)
    full = build_report(data, tmp_path / "p", year="2024-25", formats=("json",))
    assert "of the 12 months" not in _notes(full)  # one a month, April to March


# ---------------------------------------------------------------- E. minor


@pytest.mark.parametrize(
    ("yaml", "said"),
    [
        ("known_values: {service: Kinship Care Team}", "known_values 'service' must be a list in square brackets"),
        ("known_values: [Kinship Care Team]", "known_values must map column keys to lists"),
        ("known_values: {services: [Kinship Care Team]}", "known_values has 'services', not a column key"),
    ],
)
def test_a_settings_value_of_the_wrong_shape_is_an_error_saying_the_shape(tmp_path, yaml, said):
    settings = tmp_path / "local.yml"
    settings.write_text(yaml + "\n", encoding="utf-8")
    with pytest.raises(ReportSettingsError) as err:
        build_report(write_csv(tmp_path / "e.csv", [_row(0)]), tmp_path / "o", settings_path=settings)
    assert err.value.code == "E106" and said in str(err.value)


def test_an_impossible_date_in_a_form_that_is_read_is_called_not_a_real_date(tmp_path):
    rows = [_row(i) for i in range(5)] + [_row(5, **{"Date Received": "31/13/2024"})]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    notes = _notes(r)
    assert "1 received date could not be read (1 is not a real date" in notes and "nn/nn/nnnn" not in notes


def test_panel_wordings_count_as_stage_3(tmp_path):
    stages = ["Independent review panel", "Independent Panel", "Complaints Review Panel", "Review panel meeting"]
    rows = [_row(i, Stage=s) for i, s in enumerate(stages)]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    assert r.figures["by_stage"] == {"1": 0, "2": 0, "3": 3}
    assert "1 record has a stage written that is not recognised" in _notes(r)
