"""The report's figures against an independent pandas computation on the demo export.

The expected figures are computed here straight from the CSV with pandas and a
hand-written list of bank holidays, never by calling classifier.report code.
"""

import json
from datetime import date, timedelta

import pandas as pd
import pytest
import yaml
from conftest import ROOT

DEMO = ROOT / "training_data" / "demo_export"
THIS, LAST = DEMO / "cases_2024-25.csv", DEMO / "cases_2023-24.csv"
# England and Wales bank holidays 2023-2025 (gov.uk), typed in by hand for this test.
BANK_HOLIDAYS = {
    date(2023, 1, 2),
    date(2023, 4, 7),
    date(2023, 4, 10),
    date(2023, 5, 1),
    date(2023, 5, 8),
    date(2023, 5, 29),
    date(2023, 8, 28),
    date(2023, 12, 25),
    date(2023, 12, 26),
    date(2024, 1, 1),
    date(2024, 3, 29),
    date(2024, 4, 1),
    date(2024, 5, 6),
    date(2024, 5, 27),
    date(2024, 8, 26),
    date(2024, 12, 25),
    date(2024, 12, 26),
    date(2025, 1, 1),
    date(2025, 4, 18),
    date(2025, 4, 21),
    date(2025, 5, 5),
    date(2025, 5, 26),
    date(2025, 8, 25),
    date(2025, 12, 25),
    date(2025, 12, 26),
}
CYP = {"young person", "care leaver", "advocate"}
UPHELD = {"upheld", "partially upheld"}


def working_days(received: date, responded: date) -> int:
    """Count day by day: from the day after receipt up to and including the response day."""
    n, day = 0, received + timedelta(days=1)
    while day <= responded:
        if day.weekday() < 5 and day not in BANK_HOLIDAYS:
            n += 1
        day += timedelta(days=1)
    return n


def expected(path, first_year):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["rec"] = pd.to_datetime(df["Date Received"], format="%d/%m/%Y", errors="coerce")
    df["resp"] = pd.to_datetime(df["Date Responded"], format="%d/%m/%Y", errors="coerce")
    df = df[(df.rec >= pd.Timestamp(first_year, 4, 1)) & (df.rec <= pd.Timestamp(first_year + 1, 3, 31))]
    labels = {
        t["label"]: t["id"]
        for t in yaml.safe_load((ROOT / "classifier/taxonomies/stage1-themes.yml").read_text())["themes"]
    }
    df["theme_ids"] = df.Themes.map(lambda s: [labels[x.strip()] for x in s.split(";") if x.strip()])
    c = df[df.Type == "Complaint"].copy()
    c["stage_n"] = c.Stage.str[-1]
    out = {"by_stage": {s: int((c.stage_n == s).sum()) for s in "123"}}
    # The settings name 'Partially upheld' as 'Partly upheld' (classifier/data/report_settings.yml: outcomes).
    named = c.Outcome.replace("Partially upheld", "Partly upheld")
    out["outcomes"] = {s: named[(c.stage_n == s) & (c.Outcome != "")].value_counts().to_dict() for s in "123"}
    out["upheld"] = {
        s: round(
            # Of complaints with a finding: a withdrawn complaint has none (settings: left_out_of_upheld_share).
            100
            * c[c.stage_n == s].Outcome.str.lower().isin(UPHELD).sum()
            / (~c[(c.stage_n == s)].Outcome.isin(["", "Withdrawn"])).sum(),
            1,
        )
        for s in "123"
    }
    done = c[c.resp.notna()].copy()
    done["wd"] = [working_days(a.date(), b.date()) for a, b in zip(done.rec, done.resp)]
    out["timescales"] = {}
    for s, base in (("1", 10), ("2", 25), ("3", None)):
        d = done[done.stage_n == s]
        row = {"responded": len(d), "mean_working_days": round(d.wd.mean(), 1)}
        if base:
            within = int((d.wd <= base).sum())
            row.update(within=within, percent=round(100 * within / len(d), 1))
        out["timescales"][s] = row
    d1 = done[done.stage_n == "1"]
    q = {4: "Q1", 5: "Q1", 6: "Q1", 7: "Q2", 8: "Q2", 9: "Q2", 10: "Q3", 11: "Q3", 12: "Q3", 1: "Q4", 2: "Q4", 3: "Q4"}
    out["quarter_within"] = {k: int((g.wd <= 10).sum()) for k, g in d1.groupby(d1.rec.dt.month.map(q))}
    out["service_responded"] = d1["Service Area"].value_counts().to_dict()
    out["monthly"] = {k: int(v) for k, v in c.rec.dt.strftime("%Y-%m").value_counts().items()}
    s1 = c[c.stage_n == "1"]
    out["themes"] = s1.theme_ids.explode().dropna().value_counts().to_dict()
    kid = c[c["Complainant Type"].str.lower().isin(CYP)]
    out["child"] = {"count": len(kid), "themes": kid.theme_ids.explode().dropna().value_counts().to_dict()}
    comp = df[df.Type == "Compliment"]
    out["compliments"] = {
        "count": len(comp),
        "by_source": comp["Complainant Type"].value_counts().to_dict(),
        "by_service": comp["Service Area"].value_counts().to_dict(),
    }
    out["complainants"] = c["Complainant Type"].value_counts().to_dict()
    out["methods"] = c["Method Received"].value_counts().to_dict()
    out["ethnicity"] = c["Ethnicity"].value_counts().to_dict()
    out["services"] = {k: int(v) for k, v in c["Service Area"].value_counts().items()}
    out["services_stage2"] = c[c.stage_n == "2"]["Service Area"].value_counts().to_dict()
    per_person = c["Person ID"].value_counts()
    out["repeat"] = {
        "1": int((per_person == 1).sum()),
        "2": int((per_person == 2).sum()),
        "3": int((per_person == 3).sum()),
        "4+": int((per_person >= 4).sum()),
    }
    out["ombudsman"] = df[df["LGSCO Outcome"] != ""]["LGSCO Outcome"].value_counts().to_dict()
    out["kinds"] = {"complaint": len(c), "enquiry": int((df.Type == "Enquiry").sum()), "compliment": len(comp)}
    th = c[["stage_n", "theme_ids"]].explode("theme_ids").dropna()
    out["themes_stage2"] = th[th.stage_n == "2"].theme_ids.value_counts().to_dict()
    return out


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    from classifier.report import build_report

    out = tmp_path_factory.mktemp("report")
    build_report(THIS, out, previous=LAST, year="2024-25", formats=("json",))
    return json.loads((out / "tables.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def want():
    return expected(THIS, 2024)


def test_demo_export_is_big_enough_and_realistic():
    for path in (THIS, LAST):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert len(df) >= 1500
        c = df[df.Type == "Complaint"]
        share = c.Stage.value_counts(normalize=True)
        assert share["Stage 1"] > 0.8 and 0 < share["Stage 3"] < share["Stage 2"] < 0.15
        assert (df.Type == "Compliment").sum() > 100 and (df.Type == "Enquiry").sum() > 100
        month = pd.to_datetime(c["Date Received"], format="%d/%m/%Y", errors="coerce").dt.month.value_counts()
        assert month[8] < month.drop([8, 12]).mean() and month[12] < month.drop([8, 12]).mean()
        assert (c.Themes != "").mean() > 0.85


def test_demo_texts_are_the_teams_own_rows():
    corpus = set(pd.read_csv(ROOT / "training_data" / "representations.csv", dtype=str).text)
    details = pd.read_csv(THIS, dtype=str, keep_default_na=False).Details
    assert details.isin(corpus).all()


def test_stage_counts_outcomes_and_upheld(figures, want):
    assert figures["by_stage"] == want["by_stage"]
    assert figures["outcomes"] == want["outcomes"]
    assert figures["outcomes_upheld_percent"] == want["upheld"]
    assert figures["kinds"] == want["kinds"]


def test_timescales(figures, want):
    for s, row in want["timescales"].items():
        got = figures["timescales"][s]
        for k, v in row.items():
            assert got[k] == v, (s, k)
    assert figures["timescales"]["3"]["within"] is None
    assert {q: r["within"] for q, r in figures["timescales_by_quarter"].items()} == want["quarter_within"]
    assert {s: r["responded"] for s, r in figures["timescales_by_service"].items()} == want["service_responded"]


def test_monthly_themes_child_compliments(figures, want):
    assert figures["monthly"] == want["monthly"]
    assert figures["themes"] == want["themes"]
    assert figures["child"] == want["child"]
    assert figures["compliments"] == want["compliments"]


def test_breakdowns(figures, want):
    assert figures["complainants"]["counts"] == want["complainants"]
    assert figures["methods"] == want["methods"]
    assert figures["ethnicity"] == want["ethnicity"]
    assert {k: v["total"] for k, v in figures["services"].items()} == want["services"]
    assert {k: v["2"] for k, v in figures["services"].items() if v["2"]} == want["services_stage2"]
    assert figures["repeat_complainants"] == want["repeat"]
    assert figures["ombudsman"] == want["ombudsman"]
    assert {k: v["2"] for k, v in figures["themes_by_stage"].items() if v["2"]} == want["themes_stage2"]
    s = want["by_stage"]
    assert figures["escalation"]["1_to_2_percent"] == round(100 * s["2"] / s["1"], 1)


def test_previous_year(figures):
    last = expected(LAST, 2023)
    prev = figures["previous"]
    assert prev["period"] == "2023-24"
    assert prev["by_stage"] == last["by_stage"]
    assert prev["monthly"] == last["monthly"]
    assert prev["themes"] == last["themes"]
    assert prev["compliments"] == last["compliments"]


def test_labels_said_to_be_recorded(figures):
    assert "recorded in the export (column 'Themes')" in figures["sources"]["themes"]
    assert figures["meta"]["columns"]["received"] == "Date Received"
    assert any("2 received dates could not be read" in n for n in figures["notes"])
