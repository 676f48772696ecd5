"""relabel helps the rows that need it most: migrated rows left without a theme get suggestions."""

import csv

from classifier.cli.format import format_relabel_summary
from classifier.pipeline.relabel import relabel_history
from classifier.taxonomy.migrate import migrate_labels
from tests.conftest import ROOT, write_csv

HISTORY = ROOT / "training_data" / "history"


def _rows(path):
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_needs_review_rows_get_suggestions_and_come_first(tmp_path, small_model):
    src = HISTORY / "cases_2022.csv"
    rows = [{"case_ref": r["id"], **{k: v for k, v in r.items() if k != "id"}} for r in _rows(src)]
    data = write_csv(tmp_path / "h.csv", rows)
    migrated = tmp_path / "m.csv"
    migrate_labels(data, "two-level-service-complaints__stage1-themes", migrated, model=None)
    m_rows = _rows(migrated)
    waiting = [r["case_ref"] for r in m_rows if r["migration"] == "needs_review" and not r["new_themes"]]
    assert waiting, "the fixture must have rows the migration could not decide"
    out, review = tmp_path / "r.csv", tmp_path / "review.csv"
    s = relabel_history(
        migrated,
        small_model,
        out,
        themes_column="new_themes",
        review_output=review,
        id_column="case_ref",
        method="fallback",
    )
    got = {r["case_ref"]: r for r in _rows(out)}
    for ref in waiting:
        assert got[ref]["model_themes"] and got[ref]["relabel_status"].startswith("suggested: needs_review")
        assert got[ref]["review_rank"] == "" and got[ref]["label_issue_score"] == ""
    assert s["suggested"] == len(waiting) and s["needs_label"] == waiting[:10]
    first = [r["case_ref"] for r in _rows(review)][: len(waiting)]
    assert first == waiting
    assert all(ref.count("-") == 2 for ref in s["review_first"])  # case references, not "row 59"
    text = format_relabel_summary(s, out)
    assert f"{len(waiting)} rows have no usable historic theme" in text and waiting[0] in text


def test_history_may_hold_theme_labels(tmp_path, small_model):
    tax = small_model.taxonomy
    rows = [
        {"id": f"x{i}", "text": t, "themes": tax.label_of(th).lower()}
        for i, (t, th) in enumerate(
            [
                ("My social worker was rude and shouted at me", "conduct"),
                ("Nobody answers the phone or replies to emails", "communication"),
                ("My leaving care grant has still not been paid", "financial"),
            ]
        )
    ]
    s = relabel_history(write_csv(tmp_path / "h.csv", rows), small_model, tmp_path / "o.csv", method="fallback")
    assert s["scored"] == 3 and set(s["per_theme"]) >= {"conduct", "communication", "financial"}


def test_flags_scores_and_ranks_are_typed_in_xlsx(tmp_path, small_model):
    import openpyxl

    rows = [
        {"id": f"x{i}", "text": t, "themes": th}
        for i, (t, th) in enumerate(
            [
                ("My social worker was rude and shouted at me", "financial"),
                ("Nobody answers the phone or replies to emails", "communication"),
                ("My leaving care grant has still not been paid", "financial"),
            ]
            * 4
        )
    ]
    out = tmp_path / "o.xlsx"
    relabel_history(write_csv(tmp_path / "h.csv", rows), small_model, out, method="fallback")
    table = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    got = [dict(zip(table[0], r)) for r in table[1:]]
    assert sorted(r["review_rank"] for r in got) == list(range(1, 13))  # numbers: 1, 2, ... 12 sort right
    assert all(isinstance(r["disagrees"], bool) and isinstance(r["label_issue_score"], (int, float)) for r in got)
