"""Write the demo case exports: two financial years of invented cases, as a case system would export them.

    python scripts/make_demo_cases.py            # -> training_data/demo_export/cases_2023-24.csv, cases_2024-25.csv

The structure (dates, stages, outcomes, services...) is drawn at random with a
fixed seed. The free text is never generated: each row's "Details" is a text
the team wrote for `training_data/representations.csv`, and the row's kind,
recorded themes and complainant type are that text's own labels, so the text
and its columns agree.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "training_data" / "representations.csv"
TAXONOMY = ROOT / "classifier" / "taxonomies" / "stage1-themes.yml"
OUT = ROOT / "training_data" / "demo_export"
HEADER = [
    "Case Ref",
    "Person ID",
    "Date Received",
    "Stage",
    "Type",
    "Service Area",
    "Complainant Type",
    "Method Received",
    "Ethnicity",
    "Themes",
    "Details",
    "Date Responded",
    "Extension Agreed",
    "Outcome",
    "LGSCO Outcome",
]
# Relative volume by month of the financial year (Apr..Mar): dips in August and December.
MONTH_WEIGHT = np.array([1.0, 1.05, 1.0, 0.95, 0.68, 1.0, 1.1, 1.05, 0.72, 1.08, 1.0, 1.02])
COMPLAINANT = {
    "parent": "Parent",
    "young_person": "Young person",
    "foster_carer": "Foster carer",
    "care_leaver": "Care leaver",
    "professional": "Professional",
    "kinship_carer": "Kinship carer",
    "extended_family": "Extended family",
    "advocate": "Advocate",
    "other": "Other",
}
METHOD = {
    "email": ["Email"],
    "web_form": ["Online form"],
    "text_message": ["Phone", "Email"],
    "letter": ["Letter"],
    "phone_note": ["Phone", "In person"],
    "staff_summary": ["Via worker", "In person"],
    "advocate_referral": ["Via advocate"],
}
SERVICES = {
    "parent": (
        [
            "Children in Need",
            "Child Protection",
            "Children in Care",
            "Disabled Children",
            "Early Help",
            "Front Door (MASH)",
        ],
        [0.22, 0.25, 0.2, 0.15, 0.08, 0.1],
    ),
    "young_person": (["Children in Care", "Care Leavers", "Disabled Children", "Youth Justice"], [0.6, 0.2, 0.1, 0.1]),
    "care_leaver": (["Care Leavers", "Children in Care"], [0.85, 0.15]),
    "foster_carer": (["Fostering", "Children in Care"], [0.75, 0.25]),
    "kinship_carer": (["Fostering", "Children in Care", "Adoption"], [0.5, 0.3, 0.2]),
    "extended_family": (["Child Protection", "Children in Care", "Adoption"], [0.4, 0.4, 0.2]),
    "professional": (["Front Door (MASH)", "Child Protection", "Disabled Children"], [0.5, 0.3, 0.2]),
    "advocate": (["Children in Care", "Care Leavers"], [0.7, 0.3]),
    "other": (["Children in Need", "Front Door (MASH)", "Adoption"], [0.4, 0.4, 0.2]),
}
ETHNICITY = (
    [
        "White British",
        "White other",
        "Mixed",
        "Asian or Asian British",
        "Black or Black British",
        "Other ethnic group",
        "Not recorded",
    ],
    [0.66, 0.06, 0.09, 0.07, 0.06, 0.02, 0.04],
)
OUTCOMES = {
    1: (["Upheld", "Partially upheld", "Not upheld", "Withdrawn", "Inconclusive"], [0.18, 0.30, 0.44, 0.05, 0.03]),
    2: (["Upheld", "Partially upheld", "Not upheld", "Withdrawn"], [0.15, 0.40, 0.40, 0.05]),
    3: (["Upheld", "Partially upheld", "Not upheld"], [0.10, 0.35, 0.55]),
}
# How often each main theme is drawn: Stage 1 themes are far from even in published reports.
THEME_WEIGHT = {
    "communication": 2.0,
    "quality": 1.4,
    "support": 1.3,
    "conduct": 1.1,
    "decision_making": 1.0,
    "delay": 0.9,
    "family_time": 0.7,
    "assessment_accuracy": 0.6,
    "financial": 0.5,
    "access": 0.45,
}
LGSCO = (
    [
        "Closed after initial enquiries",
        "Not upheld",
        "Upheld: injustice remedied locally",
        "Upheld: maladministration and injustice",
    ],
    [0.45, 0.25, 0.15, 0.15],
)


class Year:
    def __init__(self, start_year: int, rows: int, rng: np.random.Generator, corpus: pd.DataFrame, labels: dict):
        self.fy, self.rng, self.corpus, self.labels = start_year, rng, corpus, labels
        self.start = np.datetime64(f"{start_year}-04-01")
        self.end = np.datetime64(f"{start_year + 1}-03-31")
        self.hol = np.array(
            sorted(holidays.UK(subdiv="ENG", years=range(start_year, start_year + 3))), dtype="datetime64[D]"
        )
        self.rows_wanted = rows
        self.out: list[dict] = []
        self.people: list[str] = []

    def pick(self, options, weights):
        return options[self.rng.choice(len(options), p=np.array(weights) / sum(weights))]

    def received_date(self) -> np.datetime64:
        month = self.rng.choice(12, p=MONTH_WEIGHT / MONTH_WEIGHT.sum())
        first = np.datetime64(f"{self.fy + (month >= 9)}-{(month + 3) % 12 + 1:02d}-01")
        last = (first.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
        day = first + self.rng.integers(0, int((last - first) / np.timedelta64(1, "D")) + 1)
        if self.rng.random() < 0.93:  # online forms arrive at weekends too; the rest on working days
            day = np.busday_offset(day, 0, roll="forward", holidays=self.hol)
        return min(day, self.end)

    def add_working_days(self, day: np.datetime64, n: int) -> np.datetime64:
        start = np.busday_offset(day + 1, 0, roll="forward", holidays=self.hol)
        return np.busday_offset(start, n - 1, roll="forward", holidays=self.hol)

    def person(self) -> str:
        if self.people and self.rng.random() < 0.07:
            return self.people[self.rng.integers(len(self.people))]
        pid = f"P{self.fy % 100:02d}{len(self.people) + 1:05d}"
        self.people.append(pid)
        return pid

    def themes_cell(self, themes: str) -> str:
        ids = [t for t in str(themes).split(";") if t]
        return "; ".join(self.labels[t] for t in ids)

    def base_row(self, src: pd.Series, kind: str) -> dict:
        who = src["complainant"]
        names, weights = SERVICES[who]
        return {
            "Person ID": self.person(),
            "Type": kind,
            "Service Area": self.pick(names, weights),
            "Complainant Type": (COMPLAINANT[who] if who != "other" or self.rng.random() < 0.6 else "MP or Councillor"),
            "Method Received": self.pick(METHOD[src["register"]], [1] * len(METHOD[src["register"]])),
            "Ethnicity": self.pick(*ETHNICITY),
            "Details": src["text"],
            "Themes": "",
            "Stage": "",
            "Date Responded": "",
            "Extension Agreed": "",
            "Outcome": "",
            "LGSCO Outcome": "",
        }

    def respond(self, row: dict, received: np.datetime64, stage: int) -> None:
        r = self.rng.random()
        if stage == 1:
            days, ext = (
                (int(self.rng.integers(3, 11)), False)
                if r < 0.72
                else (int(self.rng.integers(11, 21)), True)
                if r < 0.84
                else (int(self.rng.integers(11, 31)), False)
            )
        elif stage == 2:
            days, ext = (
                (int(self.rng.integers(15, 26)), False)
                if r < 0.35
                else (int(self.rng.integers(26, 66)), True)
                if r < 0.85
                else (int(self.rng.integers(66, 95)), True)
            )
        else:
            days, ext = int(self.rng.integers(18, 46)), False
        responded = self.add_working_days(received, days)
        if responded > self.end + 20 or (responded > self.end - 10 and self.rng.random() < 0.5):
            return  # still open when the export was taken
        row["Date Responded"] = _uk(responded)
        row["Extension Agreed"] = "Yes" if ext else "No"
        row["Outcome"] = self.pick(*OUTCOMES[stage])
        return responded

    def build(self) -> list[dict]:
        c = self.corpus
        pool = c[c.kind == "complaint"]
        weight = pool.themes.str.split(";").str[0].map(THEME_WEIGHT).fillna(1.0)
        order = self.rng.choice(len(pool), size=len(pool), replace=False, p=(weight / weight.sum()).to_numpy())
        complaints = pool.iloc[order]
        n_compliments = int(self.rows_wanted * 0.12)
        n_enquiries = int(self.rows_wanted * 0.10)
        n_stage1 = int((self.rows_wanted - n_compliments - n_enquiries) / 1.13)
        for _, src in complaints.head(n_stage1).iterrows():
            row = self.base_row(src, "Complaint")
            received = self.received_date()
            row.update(
                {
                    "Date Received": _uk(received),
                    "Stage": "Stage 1",
                    "Themes": self.themes_cell(src["themes"]) if self.rng.random() < 0.94 else "",
                }
            )
            self.out.append(row)
            responded = self.respond(row, received, 1)
            self.escalate(row, responded, 2)
        for kind, n in (("Compliment", n_compliments), ("Enquiry", n_enquiries)):
            pool = c[c.kind == kind.lower()].sample(n=n, random_state=int(self.rng.integers(1 << 30)))
            for _, src in pool.iterrows():
                row = self.base_row(src, kind)
                row["Date Received"] = _uk(self.received_date())
                if kind == "Enquiry" and self.rng.random() < 0.5:
                    row["Themes"] = self.themes_cell(src["themes"])
                self.out.append(row)
        for i in self.rng.choice(len(self.out), size=2, replace=False):  # a damaged date or two, as real exports have
            self.out[i]["Date Received"] = "TBC"
        self.out.sort(key=lambda r: (_sort_key(r["Date Received"]), r["Stage"]))
        for i, row in enumerate(self.out, start=1):
            row["Case Ref"] = f"CR-{self.fy % 100:02d}-{i:05d}"
        return self.out

    def escalate(self, prev: dict, responded, stage: int) -> None:
        if responded is None or stage > 3 or prev["Outcome"] == "Withdrawn":
            return
        if self.rng.random() >= (0.12 if stage == 2 else 0.28):
            return
        received = self.add_working_days(responded, int(self.rng.integers(5, 30)))
        if received > self.end:
            return
        row = dict(
            prev,
            **{
                "Date Received": _uk(received),
                "Stage": f"Stage {stage}",
                "Date Responded": "",
                "Extension Agreed": "",
                "Outcome": "",
                "LGSCO Outcome": "",
            },
        )
        self.out.append(row)
        done = self.respond(row, received, stage)
        if done is not None and self.rng.random() < (0.12 if stage == 2 else 0.45):
            row["LGSCO Outcome"] = self.pick(*LGSCO)
        self.escalate(row, done, stage + 1)


def _uk(day: np.datetime64) -> str:
    return pd.Timestamp(day).strftime("%d/%m/%Y")


def _sort_key(text: str):
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%d/%m/%Y"))
    except ValueError:
        return pd.Timestamp.max


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--rows", type=int, nargs=2, default=[1620, 1760], help="rows in the first and second year")
    args = ap.parse_args(argv)
    corpus = pd.read_csv(CORPUS, dtype=str, keep_default_na=False)
    labels = {t["id"]: t["label"] for t in yaml.safe_load(TAXONOMY.read_text(encoding="utf-8"))["themes"]}
    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for fy, rows in zip((2023, 2024), args.rows):
        out = Year(fy, rows, rng, corpus, labels).build()
        path = args.out / f"cases_{fy}-{str(fy + 1)[-2:]}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, HEADER)
            w.writeheader()
            w.writerows(out)
        print(f"{len(out)} rows -> {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
