"""`complaints report --history`: earlier years' published counts per stage beside this year's export."""

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_csv
from test_report_suppress import MAP, _rows

from classifier.errors import ReportFiguresError
from classifier.report import build_report
from classifier.report.context import read_context
from classifier.report.history import history_table, read_history

DEMO = Path(__file__).resolve().parents[1] / "training_data" / "demo_export"


def _history(tmp_path, text, name="past.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_years_and_stage_headers_are_read_as_people_type_them(tmp_path):
    path = _history(
        tmp_path,
        'Financial Year,Stage One,S2,Stage 3 complaints\n2021/22,1,105,30\n2022-2023,"1,187",133,\n'
        "FY 2020-21,874,88,24\nTotal,3166,326,54\n",
    )
    years = read_history(path)
    assert list(years) == ["2021-22", "2022-23", "2020-21"]  # the Total row is not a year
    assert years["2022-23"] == {"1": 1187, "2": 133, "3": None}  # thousands separator; blank = not recorded


def test_the_table_runs_oldest_first_with_change_and_escalation(tmp_path):
    typed = {"2022-23": {"1": 200, "2": 20, "3": 4}, "2023-24": {"1": 999, "2": 10, "3": 1}}
    t = history_table(typed, {"2023-24": {"1": 250, "2": 25, "3": 5}, "2024-25": {"1": 200, "2": 30, "3": 3}})
    f = t.frame
    assert list(f["Year"]) == ["2022-23", "2023-24", "2024-25"]
    assert list(f["Stage 1"]) == [200, 250, 200]  # the export's 2023-24 wins over the typed one
    assert f["Stage 1 change %"].isna().iloc[0] and list(f["Stage 1 change %"])[1:] == [25.0, -20.0]
    assert list(f["Stage 2 as % of stage 1"]) == [10.0, 10.0, 15.0]
    assert f["Stage 3 as % of stage 2"].iloc[2] == 10.0
    assert "other counts for 2023-24" in str(t.note)
    assert t.json["2024-25"] == {"1": 200, "2": 30, "3": 3}


@pytest.mark.parametrize(
    "text, words",
    [
        ("Year,Stage 1\n2022-24,10\n", "line 2: the year is not a financial year"),
        ("Year,Stage 1\n2022-23,ten\n", "is not a count"),
        ("Year,Stage 1\n2022-23,-3\n", "not a whole number"),
        ("Year,Stage 1\n2022-23,10\n2022/23,11\n", "gives 2022-23 twice (line 3)"),
        ("When,Count\n2022-23,10\n", "needs a 'Year' column"),
        ("Jodie Quennell rang about the move,x\n2022-23,10\n", "does not look like column names"),
    ],
)
def test_a_bad_history_file_says_where_and_what_to_type(tmp_path, text, words):
    with pytest.raises(ReportFiguresError) as err:
        read_history(_history(tmp_path, text))
    assert err.value.code == "E110" and words in str(err.value) and "Quennell" not in str(err.value)


def test_report_puts_the_years_after_complaints_by_stage(tmp_path):
    past = _history(tmp_path, "Year,Stage 1,Stage 2,Stage 3\n2021/22,1105,121,30\n2022/23,1187,133,29\n")
    r = build_report(
        DEMO / "cases_2024-25.csv",
        tmp_path / "out",
        previous=DEMO / "cases_2023-24.csv",
        history=past,
        year="2024-25",
        formats=("json", "html"),
    )
    keys = [t.key for t in r.tables]
    assert keys[keys.index("by_stage") + 1] == "history"
    figures = json.loads((tmp_path / "out" / "tables.json").read_text(encoding="utf-8"))
    assert list(figures["history"]) == ["2021-22", "2022-23", "2023-24", "2024-25"]
    assert figures["history"]["2024-25"] == figures["by_stage"]
    assert figures["history"]["2023-24"] == figures["previous"]["by_stage"]
    assert "Complaints by stage, by year" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_small_counts_and_the_rates_built_on_them_are_hidden(tmp_path):
    data = write_csv(tmp_path / "export.csv", _rows())  # 30 / 4 / 2 complaints at stages 1 / 2 / 3
    (tmp_path / "map.yml").write_text(MAP, encoding="utf-8")
    past = _history(tmp_path, "Year,Stage 1,Stage 2,Stage 3\n2023-24,28,6,3\n")
    r = build_report(
        data, tmp_path / "out", columns=tmp_path / "map.yml", history=past, year="2024-25", suppress_small=True
    )
    t = next(t for t in r.tables if t.key == "history")
    this, last = 1, 0
    assert t.hidden[(this, "Stage 2")] == "<5" and t.hidden[(last, "Stage 3")] == "<5"
    assert (this, "Stage 2 as % of stage 1") in t.hidden and (last, "Stage 3 as % of stage 2") in t.hidden
    assert (last, "Stage 2") not in t.hidden  # 6 is shown
    shown = json.loads((tmp_path / "out" / "tables.json").read_text(encoding="utf-8"))["history"]
    assert shown["rows"][this][:4] == ["2024-25", 30, "<5", "<5"]


def test_without_a_known_year_the_table_is_left_out_with_the_reason(tmp_path):
    rows = _rows(2024)
    for row in rows[:5]:  # February to July 2024: two financial years in twelve months, no --year
        row["Logged"] = row["Logged"][:3] + "02/2024"
    data = write_csv(tmp_path / "export.csv", rows)
    (tmp_path / "map.yml").write_text(MAP, encoding="utf-8")
    past = _history(tmp_path, "Year,Stage 1\n2021-22,40\n")
    r = build_report(data, tmp_path / "out", columns=tmp_path / "map.yml", history=past, formats=("json",))
    assert "history" not in [t.key for t in r.tables]
    assert ("Complaints by stage, by year", "give --year, so the export's year is known") in r.omitted


def test_statutory_and_corporate_complaints_are_given_apart(tmp_path):
    rows = _rows()
    routes = ["Statutory"] * 20 + ["Corporate complaint"] * 8 + ["non-statutory"] * 2 + ["S26"] * 4 + [""] * 2
    for row, route in zip(rows, routes):
        row["Procedure"] = route
    data = write_csv(tmp_path / "export.csv", rows)
    (tmp_path / "map.yml").write_text(MAP, encoding="utf-8")
    r = build_report(data, tmp_path / "out", columns=tmp_path / "map.yml", year="2024-25", formats=("json",))
    t = next(t for t in r.tables if t.key == "procedures")
    assert list(t.frame["Procedure"]) == ["Statutory", "Corporate"]  # the settings' words merged
    assert list(t.frame["Complaints"]) == [24, 10] and "2 complaints have no procedure" in str(t.note)
    # stages: rows 0-29 stage 1, 30-33 stage 2, 34-35 stage 3
    assert t.json["Statutory"] == {"1": 20, "2": 4, "3": 0, "total": 24}
    assert t.json["Corporate"] == {"1": 10, "2": 0, "3": 0, "total": 10}
    without = build_report(
        write_csv(tmp_path / "plain.csv", _rows()), tmp_path / "o2", columns=tmp_path / "map.yml", formats=("json",)
    )
    assert (
        "Statutory and corporate complaints",
        "add a statutory / corporate procedure column ('procedure') to the export",
    ) in (without.omitted)


def test_costs_of_later_stages_and_mediation(tmp_path):
    rows = _rows()  # rows 30-33 stage 2, 34-35 stage 3
    fees = {30: "£1,250.00", 31: "980", 32: "£ 1,100", 33: "tbc", 34: "2500", 35: "£2,700.50"}
    said = {0: "Offered - declined", 1: "declined", 2: "Accepted", 3: "Resolved by mediation", 4: "Not offered"}
    for i, row in enumerate(rows):
        row["Cost of investigation"] = fees.get(i, "")
        row["Mediation"] = said.get(i, "")
    data = write_csv(tmp_path / "export.csv", rows)
    (tmp_path / "map.yml").write_text(MAP, encoding="utf-8")
    r = build_report(data, tmp_path / "out", columns=tmp_path / "map.yml", year="2024-25", formats=("json",))
    costs = next(t for t in r.tables if t.key == "costs")
    assert costs.json == {
        "2": {"with_cost": 3, "total": 3330.0, "average": 1110.0},
        "3": {"with_cost": 2, "total": 5200.5, "average": 2600.25},
    }
    assert "1 cost cell was not an amount" in str(costs.note)
    # On the page, whole pounds with half a pound rounded up (£5,200.50 is 5,201, not 5,200).
    assert list(costs.frame["Total cost £"]) == [3330, 5201] and list(costs.frame["Average cost £"]) == [1110, 2600]
    mediation = next(t for t in r.tables if t.key == "mediation")
    assert mediation.json == {
        "Offered and declined": 2,
        "Not offered": 1,
        "Offered and accepted": 1,
        "Resolved by mediation": 1,
    }
    suppressed = build_report(
        data, tmp_path / "o2", columns=tmp_path / "map.yml", year="2024-25", suppress_small=True, formats=("json",)
    )
    shown = next(t for t in suppressed.tables if t.key == "costs")
    # Totals and averages over fewer than 5 cases are hidden with their counts.
    assert {(0, "Average cost £"), (0, "Total cost £"), (1, "Average cost £")} <= set(shown.hidden)


def test_complaints_in_context_of_referrals_and_open_cases(tmp_path):
    context = _history(
        tmp_path,
        'Measure,Value,Service\nReferrals received,"8,450",\nOpen cases,640,children in care\n'
        "Open cases,50,Mrs Quennell's team\nOpen cases,300,No Such Service\n",
        "context.csv",
    )
    r = build_report(DEMO / "cases_2024-25.csv", tmp_path / "out", context=context, year="2024-25", formats=("json",))
    t = next(t for t in r.tables if t.key == "context")
    stage1 = r.figures["by_stage"]["1"]
    first = t.frame.iloc[0]
    assert (first["Service"], first["Figure"], first["Stage 1 complaints"]) == ("All services", 8450, stage1)
    assert first["Per 1,000"] == round(1000 * stage1 / 8450, 1)
    in_care = t.frame.iloc[1]["Stage 1 complaints"]
    assert 0 < in_care < stage1  # matched to 'Children in Care' whatever the case
    assert t.frame.iloc[2]["Service"].startswith("Other value")  # a typed name is never printed
    assert "Not matched (no service of the export has that name" in str(t.note)
    assert "'No Such Service'" in str(t.note) and "Quennell" not in str(t.note)  # a name is never printed
    unmatched = t.frame.iloc[3]
    assert pd.isna(unmatched["Stage 1 complaints"]) and pd.isna(unmatched["Per 1,000"])  # '-', not 0
    with pytest.raises(ReportFiguresError, match="must be above 0"):
        read_context(_history(tmp_path, "Measure,Value\nReferrals,0\n", "zero.csv"))
