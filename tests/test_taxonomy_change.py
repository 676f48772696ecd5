"""Taxonomy change: two-level taxonomy, mapping files, diff, migrate, relabel, CLI, notebook."""

import csv
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT, write_csv

from classifier.cli.format import format_diff, format_migration_summary
from classifier.errors import LabelError, TaxonomyError, TaxonomyMismatchError
from classifier.pipeline.relabel import cleanlab_available, relabel_history
from classifier.taxonomy.migrate import MappingError, choose, diff_taxonomies, load_mapping, migrate_labels
from classifier.taxonomy.schema import load_taxonomy, parse_taxonomy

HISTORY = ROOT / "training_data" / "history"
TWO_LEVEL = "two-level-service-complaints"
TO_STAGE1 = "two-level-service-complaints__stage1-themes"
TO_TWO_LEVEL = "stage1-themes__two-level-service-complaints"


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig") as fh:  # our writers add a BOM for Excel
        return list(csv.DictReader(fh))


def history_rows() -> list[dict]:
    return [r for y in (2022, 2023, 2024) for r in read_rows(HISTORY / f"cases_{y}.csv")]


# ---------------------------------------------------------------- bundled files


def test_two_level_taxonomy_matches_the_guide():
    tax = load_taxonomy(TWO_LEVEL)
    categories = [t.id for t in tax.themes if not t.parent and t.id in {p.parent for p in tax.themes}]
    assert categories == ["delay", "service_failure", "service_quality", "staff_conduct"]
    kids = {c: [t.id for t in tax.themes if t.parent == c] for c in categories}
    assert {c: len(v) for c, v in kids.items()} == {
        "delay": 5,
        "service_failure": 5,
        "service_quality": 7,
        "staff_conduct": 6,
    }
    assert "policy" in tax.leaf_ids  # no sub-categories in the guide: a leaf category
    assert "staff_conduct/rude_or_aggressive" in tax.leaf_ids
    for leaf in tax.leaf_ids:
        if leaf != "policy":
            assert leaf.split("/")[0] == tax.theme(leaf).parent


@pytest.mark.parametrize("name", [TO_STAGE1, TO_TWO_LEVEL])
def test_bundled_maps_cover_every_old_theme(name):
    m = load_mapping(name)
    assert set(m.themes) == set(m.source.leaf_ids)
    assert {t for e in m.themes.values() for t in e.to} <= set(m.target.leaf_ids)


def test_bundled_map_follows_the_guide():
    m = load_mapping(TO_STAGE1)
    for leaf in m.source.leaf_ids:
        if leaf.startswith("staff_conduct/"):
            assert m.themes[leaf].to == ("conduct",)
        if leaf.startswith("delay/"):
            assert "delay" in m.themes[leaf].to
    assert m.themes["service_quality/poor_communication"].to == ("communication",)
    # A bare category resolves from its sub-categories.
    assert m.resolve("staff_conduct").to == ("conduct",) and m.resolve("staff_conduct").kind == "many_to_one"
    assert m.resolve("delay").kind == "one_to_many"


def test_history_uses_dev_rows_only_and_declares_its_taxonomy(corpus_rows):
    split = {r["id"]: r["split"] for r in corpus_rows}
    rows = history_rows()
    assert 150 <= len(rows) <= 200
    not_dev = [r["id"] for r in rows if split.get(r["id"]) != "dev"]
    assert not not_dev, f"rerun training_data/history/build_history.py: {not_dev} left the dev split"
    assert {r["taxonomy"] for r in rows} == {TWO_LEVEL}
    tax = load_taxonomy(TWO_LEVEL)
    assert all(t in tax.ids for r in rows for t in r["themes"].split(";"))
    planted = read_rows(HISTORY / "planted_errors.csv")
    by_id = {r["id"]: r for r in rows}
    assert all(p["id"] in by_id and by_id[p["id"]]["themes"] == p["historic_themes"] for p in planted)


# ---------------------------------------------------------------- small taxonomies for unit tests

OLD = {
    "id": "old-themes",
    "version": 1,
    "themes": [
        {"id": "staff", "label": "Staff behaviour"},
        {"id": "calls", "label": "Calls not returned"},
        {"id": "letters", "label": "Letters not answered"},
        {"id": "waiting", "label": "Waiting"},
        {"id": "savings_lost", "label": "Missing Savings"},
        {"id": "contact", "label": "Family Time"},
    ],
}
MAP = {
    "from": {"id": "old-themes", "version": 1, "file": "old.yml"},
    "to": {"id": "stage1-themes", "version": 1},
    "themes": {
        "staff": {"kind": "one_to_one", "to": ["conduct"]},
        "calls": {"kind": "many_to_one", "to": ["communication"]},
        "letters": {"kind": "many_to_one", "to": ["communication"]},
        "waiting": {"kind": "one_to_many", "to": ["delay", "communication"]},
        "savings_lost": {"kind": "retired", "to": []},
        "contact": {"kind": "one_to_one", "to": ["family_time"]},
    },
}


@pytest.fixture()
def old_map(tmp_path) -> Path:
    (tmp_path / "old.yml").write_text(yaml.safe_dump(OLD), encoding="utf-8")
    path = tmp_path / "old__stage1.yml"
    path.write_text(yaml.safe_dump(MAP), encoding="utf-8")
    return path


def _broken(change):
    data = yaml.safe_load(yaml.safe_dump(MAP))
    change(data)
    return data


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["themes"].update({"nonsense": {"kind": "one_to_one", "to": ["delay"]}}), "not in the 'from'"),
        (lambda d: d["themes"]["staff"].update({"to": ["behaviour"]}), "not in the 'to'"),
        (lambda d: d["to"].update({"id": "other-themes"}), "is not bundled"),
        (lambda d: d["to"].update({"version": 7}), "version 7"),
        (lambda d: d["themes"].pop("contact"), "no mapping for contact"),
        (lambda d: d["themes"]["waiting"].update({"to": ["delay"]}), "two or more"),
        (lambda d: d["themes"]["savings_lost"].update({"to": ["financial"]}), "must list no"),
        (lambda d: d["themes"]["calls"].update({"kind": "one_to_one"}), "call them many_to_one"),
        (lambda d: d["themes"]["contact"].update({"kind": "many_to_one"}), "call it one_to_one"),
        (lambda d: d["themes"]["staff"].update({"kind": "sideways"}), "needs 'kind'"),
        (lambda d: d.update({"extra": 1}), "unknown key"),
    ],
)
def test_invalid_mappings_name_the_problem(tmp_path, old_map, change, message):
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(_broken(change)), encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        load_mapping(path)


def test_mapping_must_fit_the_taxonomies_given(old_map):
    with pytest.raises(MappingError, match="'from' taxonomy is 'old-themes'"):
        load_mapping(old_map, from_taxonomy="stage1-themes")
    assert isinstance(MappingError("x"), TaxonomyError)
    with pytest.raises(MappingError, match="not found"):
        load_mapping(old_map.parent / "missing.yml")
    bad = old_map.parent / "syntax.yml"
    bad.write_text("from: [unclosed", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid YAML"):
        load_mapping(bad)


def test_mapping_to_a_category_is_refused(tmp_path):
    data = {
        "from": {"id": "stage1-themes", "version": 1},
        "to": {"id": TWO_LEVEL, "version": 1},
        "themes": {
            t: {"kind": "one_to_many", "to": ["policy", "delay/make_a_decision"]} for t in load_taxonomy().leaf_ids
        },
    }
    data["themes"]["conduct"] = {"kind": "one_to_one", "to": ["staff_conduct"]}
    path = tmp_path / "m.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(MappingError, match="staff_conduct are categories"):
        load_mapping(path)


# ---------------------------------------------------------------- diff


def test_diff_lists_added_removed_renamed_and_split(old_map):
    old = load_taxonomy(old_map.parent / "old.yml")
    new = parse_taxonomy(
        {
            "id": "old-themes",
            "version": 2,
            "themes": [
                {"id": "staff", "label": "Conduct of worker"},  # same id, new label
                {"id": "calls", "label": "Calls not returned"},  # unchanged
                {"id": "family_time", "label": "Family time"},  # same label, new id
                {"id": "advocacy", "label": "Advocacy"},  # new
            ],
        }
    )
    d = diff_taxonomies(old, new)
    assert d.added == ["advocacy"]
    assert d.removed == ["letters", "waiting", "savings_lost"]
    assert ("staff", "staff", "Staff behaviour", "Conduct of worker") in d.renamed
    assert ("contact", "family_time", "Family Time", "Family time") in d.renamed
    assert d.split == [] and not d.is_empty
    assert diff_taxonomies(old, old).is_empty
    assert "No differences" in format_diff(diff_taxonomies(old, old))


def test_diff_with_a_mapping_reports_splits_merges_and_retired(old_map):
    m = load_mapping(old_map)
    d = diff_taxonomies(m.source, m.target, m)
    assert d.split == [("waiting", ["delay", "communication"])]
    assert d.merged == [(["calls", "letters"], "communication")]
    assert d.retired == ["savings_lost"]
    assert ("staff", "conduct", "Staff behaviour", "Actions / Conduct of Worker") in d.renamed
    assert ("contact", "family_time", "Family Time", "Family Time") in d.renamed
    assert d.removed == []  # every old theme is accounted for by the mapping
    text = format_diff(d)
    assert "waiting -> delay | communication" in text and "Retired (1)" in text
    with pytest.raises(MappingError, match="not 'stage1-themes' to"):
        diff_taxonomies(m.target, m.source, m)


# ---------------------------------------------------------------- migrate

DELAY_TEXT = (
    "We have been waiting eleven months for the passport application to be signed by the council. "
    "Still waiting. Every month it is delayed again and the holiday is booked."
)


def _migration_input(tmp_path, rows) -> Path:
    return write_csv(
        tmp_path / "old.csv",
        [{"id": str(i), "text": t, "themes": th, "extra": f"x{i}"} for i, (t, th) in enumerate(rows, start=1)],
    )


def test_migrate_each_mapping_kind(tmp_path, old_map, small_model):
    data = _migration_input(
        tmp_path,
        [
            ("The worker was rude.", "staff"),  # one_to_one
            ("Nobody called back or wrote.", "calls;letters"),  # many_to_one, one theme out
            (DELAY_TEXT, "waiting"),  # one_to_many: model chooses
            ("My savings vanished.", "savings_lost"),  # retired, nothing left
            ("Rude worker, savings gone.", "staff;savings_lost"),  # retired theme dropped
            ("Thank you for your help.", ""),  # no themes
        ],
    )
    out = tmp_path / "new.csv"
    summary = migrate_labels(data, old_map, out, model=small_model, threshold=0.5)
    rows = read_rows(out)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [r["extra"] for r in rows] == [f"x{i}" for i in range(1, 7)]  # input columns kept
    assert [r["old_themes"] for r in rows] == [
        "staff",
        "calls;letters",
        "waiting",
        "savings_lost",
        "staff;savings_lost",
        "",
    ]
    assert [r["new_themes"] for r in rows] == ["conduct", "communication", "delay", "", "conduct", ""]
    assert [r["migration"] for r in rows] == ["mapped", "mapped", "model_choice", "needs_review", "mapped", "mapped"]
    assert rows[0]["migration_confidence"] == "" and float(rows[2]["migration_confidence"]) >= 0.5
    assert "retired" in rows[3]["migration_note"]
    assert {r["new_taxonomy"] for r in rows} == {"stage1-themes@1"}
    assert summary.outcomes == {"mapped": 4, "model_choice": 1, "needs_review": 1}
    # A row with no theme had nothing to migrate: said on the row and counted apart.
    assert rows[5]["migration_note"] == "no theme on the row: nothing to migrate" and summary.unlabelled == 1
    assert "(1 of the mapped rows had no theme" in format_migration_summary(summary, out)


def test_migrate_reads_theme_labels_and_types_its_confidence_in_xlsx(tmp_path, old_map, small_model):
    import openpyxl

    src = load_mapping(old_map).source
    label = src.theme("waiting").label
    data = _migration_input(tmp_path, [(DELAY_TEXT, f"  {label.upper()} ")])
    out = tmp_path / "new.xlsx"
    migrate_labels(data, old_map, out, model=small_model, threshold=0.0)
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    got = dict(zip(rows[0], rows[1]))
    assert got["old_themes"] == "waiting" and got["migration"] == "model_choice"
    assert isinstance(got["migration_confidence"], float)


def test_one_to_many_uses_the_model_restricted_to_the_candidates(tmp_path, old_map, small_model):
    texts = [
        DELAY_TEXT,
        "I rang my social worker six times and left messages; nobody ever rings back.",
        "She shouted at me and was rude.",
    ]
    data = _migration_input(tmp_path, [(t, "waiting") for t in texts])
    out = tmp_path / "new.csv"
    migrate_labels(data, old_map, out, model=small_model, threshold=0.0)
    rows = read_rows(out)
    proba = small_model.themes.predict_proba(texts)
    labels = small_model.themes.labels_
    for r, p in zip(rows, proba):
        d, c = p[labels.index("delay")], p[labels.index("communication")]
        expected = "delay" if d >= c else "communication"
        assert r["new_themes"] == expected and r["migration"] == "model_choice"
        assert float(r["migration_confidence"]) == pytest.approx(max(d, c) / (d + c), abs=1e-3)
    # Even where the model prefers a theme outside the candidates, it picks a candidate.
    assert rows[2]["new_themes"] in ("delay", "communication")
    assert rows[1]["new_themes"] == "communication"
    assert choose(np.array([0.1, 0.3]), ["a", "b"], ("a", "b")) == ("b", pytest.approx(0.75))


def test_one_to_many_needs_review_when_unsure_or_without_model(tmp_path, old_map, small_model):
    data = _migration_input(tmp_path, [(DELAY_TEXT, "waiting;staff")])
    out = tmp_path / "new.csv"
    migrate_labels(data, old_map, out, model=small_model, threshold=1.0)
    row = read_rows(out)[0]
    assert row["migration"] == "needs_review" and row["new_themes"] == "conduct"
    assert "choose from delay | communication (model suggests" in row["migration_note"]
    assert float(row["migration_confidence"]) < 1.0
    migrate_labels(data, old_map, out, model=None)
    row = read_rows(out)[0]
    assert row["migration"] == "needs_review" and "no model given" in row["migration_note"]
    assert row["migration_confidence"] == ""


def test_migrate_refuses_wrong_data_model_or_threshold(tmp_path, old_map, small_model):
    out = tmp_path / "new.csv"
    unknown = _migration_input(tmp_path, [("a", "staff"), ("b", "stafff")])
    with pytest.raises(LabelError, match=r"'stafff' \(did you mean 'Staff behaviour'\?\) in row 2"):
        migrate_labels(unknown, old_map, out)
    assert not out.exists()
    declared = write_csv(
        tmp_path / "d.csv",
        [
            {"text": "a", "themes": "staff", "taxonomy": "old-themes"},
            {"text": "b", "themes": "staff", "taxonomy": "stage1-themes"},
        ],
    )
    with pytest.raises(TaxonomyMismatchError, match=r"rows 2 \(row 1 is the first row under the header\) declare"):
        migrate_labels(declared, old_map, out)
    with pytest.raises(TaxonomyMismatchError, match="migrates to 'two-level-service-complaints'"):
        migrate_labels(HISTORY / "cases_2022.csv", TO_TWO_LEVEL, out, model=small_model)
    with pytest.raises(LabelError, match="between 0 and 1"):
        migrate_labels(unknown, old_map, out, threshold=1.5)
    assert not out.exists()


def test_bundled_history_migrates_without_a_model(tmp_path):
    out = tmp_path / "m.csv"
    migrate_labels(HISTORY / "cases_2022.csv", TO_STAGE1, out)
    rows = read_rows(out)
    assert len(rows) == len(read_rows(HISTORY / "cases_2022.csv"))
    for r in rows:
        old = r["old_themes"].split(";")
        if all(t.startswith("staff_conduct/") for t in old):
            assert r["new_themes"] == "conduct" and r["migration"] == "mapped"
        if any(t == "service_quality/inadequate_service_or_support" for t in old):
            assert r["migration"] == "needs_review"


# ---------------------------------------------------------------- two-level model


@pytest.fixture(scope="module")
def two_level_model(tmp_path_factory):
    from classifier.pipeline.persistence import load_model
    from classifier.pipeline.training import train_model

    data = write_csv(tmp_path_factory.mktemp("hist") / "history.csv", history_rows())
    out = tmp_path_factory.mktemp("models") / "two-level"
    train_model(data, out, taxonomy=TWO_LEVEL, seed=0, theme_params={"cv_folds": 3})
    return load_model(out)


@pytest.mark.slow
def test_two_level_predictions_are_consistent(two_level_model, corpus_rows):
    tax = two_level_model.taxonomy
    assert (tax.id, two_level_model.meta["taxonomy"]["version"]) == (TWO_LEVEL, "1")
    texts = [r["text"] for r in corpus_rows if r["split"] == "train"][:150]
    predicted = two_level_model.themes.predict(texts)
    subs = 0
    for themes in predicted:
        for t in themes:
            if tax.theme(t).parent:
                subs += 1
                assert tax.theme(t).parent in themes, themes
    assert subs > 0
    for a in two_level_model.analyse(texts[:40]):
        for t in a.themes:
            parent = tax.theme(t).parent
            if parent:
                assert parent in a.themes
                assert a.theme_scores[parent] >= a.theme_scores[t]


@pytest.mark.slow
def test_migrating_into_a_two_level_taxonomy_adds_categories(tmp_path, two_level_model, corpus_rows):
    rows = [
        {"id": r["id"], "text": r["text"], "themes": r["themes"]}
        for r in corpus_rows
        if r["split"] == "dev" and r["themes"]
    ][:40]
    out = tmp_path / "two.csv"
    migrate_labels(write_csv(tmp_path / "s1.csv", rows), TO_TWO_LEVEL, out, model=two_level_model, threshold=0.0)
    tax = two_level_model.taxonomy
    for r in read_rows(out):
        new = r["new_themes"].split(";")
        assert r["migration"] in ("mapped", "model_choice")
        for t in new:
            if tax.theme(t).parent:
                assert tax.theme(t).parent in new


# ---------------------------------------------------------------- relabel


@pytest.fixture(scope="module")
def planted_history(tmp_path_factory, corpus_rows):
    """Complaints the small model did not train on, 12 with a wrong main theme."""
    themes = load_taxonomy().leaf_ids
    seen = {r["id"] for r in [r for r in corpus_rows if r["split"] != "test"][::4]}
    rows = [r for r in corpus_rows if r["split"] == "dev" and r["themes"] and r["id"] not in seen][:120]
    out, planted = [], set()
    for i, r in enumerate(rows):
        labels = r["themes"]
        if i % 10 == 3:
            true = set(labels.split(";"))
            labels = next(t for t in themes[themes.index(labels.split(";")[0]) + 3 :] + themes if t not in true)
            planted.add(r["id"])
        out.append(
            {
                "id": r["id"],
                "date": f"{2021 + i % 3}-06-0{1 + i % 9}",
                "text": r["text"],
                "themes": labels,
                "taxonomy": "stage1-themes",
            }
        )
    return write_csv(tmp_path_factory.mktemp("relabel") / "history.csv", out), planted


@pytest.mark.parametrize(
    "method",
    [
        "fallback",
        pytest.param("cleanlab", marks=pytest.mark.skipif(not cleanlab_available(), reason="cleanlab not installed")),
    ],
)
def test_relabel_ranks_planted_errors_first(tmp_path, small_model, planted_history, method):
    data, planted = planted_history
    out, review = tmp_path / "out.csv", tmp_path / "review.csv"
    summary = relabel_history(data, small_model, out, review_output=review, method=method)
    rows = read_rows(out)
    assert [r["id"] for r in rows] == [r["id"] for r in read_rows(data)]
    assert summary["method"] == method and summary["scored"] == len(rows)
    score = {r["id"]: float(r["label_issue_score"]) for r in rows}
    rank = {r["id"]: int(r["review_rank"]) for r in rows}
    others = [i for i in score if i not in planted]
    assert np.mean([score[i] for i in planted]) > np.mean([score[i] for i in others])
    assert np.mean([rank[i] for i in planted]) < np.mean([rank[i] for i in others]) / 2
    assert sorted(rank.values()) == list(range(1, len(rows) + 1))
    reviewed = read_rows(review)
    assert [float(r["label_issue_score"]) for r in reviewed] == sorted(score.values(), reverse=True)
    for r in rows:
        assert (r["disagrees"] == "true") == (set(r["themes"].split(";")) != set(r["model_themes"].split(";")))


def test_relabel_summary_counts_per_theme_and_year(tmp_path, small_model, planted_history):
    data, _ = planted_history
    out = tmp_path / "out.csv"
    s = relabel_history(data, small_model, out, method="fallback")
    rows = read_rows(out)
    assert set(s["per_year"]) == {"2021", "2022", "2023"}
    for year, v in s["per_year"].items():
        mine = [r for r in rows if r["date"].startswith(year)]
        assert v["rows"] == len(mine)
        assert v["agree"] == sum(r["disagrees"] == "false" for r in mine)
    conduct = s["per_theme"]["conduct"]
    assert conduct["history"] == sum("conduct" in r["themes"].split(";") for r in rows)
    assert conduct["model"] == sum("conduct" in r["model_themes"].split(";") for r in rows)
    assert "per_year" not in relabel_history(data, small_model, out, date_column=None, method="fallback")


def test_relabel_and_label_refuse_another_taxonomy(tmp_path, small_model):
    from classifier.pipeline.labelling import label_table

    data = HISTORY / "cases_2022.csv"
    with pytest.raises(TaxonomyMismatchError, match="declares taxonomy two-level-service-complaints"):
        label_table(data, tmp_path / "labelled.csv", small_model)
    with pytest.raises(TaxonomyMismatchError, match="migrate"):
        relabel_history(data, small_model, tmp_path / "r.csv")
    bare = write_csv(tmp_path / "bare.csv", [{"text": r["text"], "themes": r["themes"]} for r in read_rows(data)[:5]])
    with pytest.raises(LabelError, match="Migrate the history first"):
        relabel_history(bare, small_model, tmp_path / "r.csv")
    assert not (tmp_path / "labelled.csv").exists() and not (tmp_path / "r.csv").exists()


# ---------------------------------------------------------------- CLI


@pytest.fixture()
def cli():
    import typer
    from typer.testing import CliRunner

    from classifier.cli.taxonomy import register
    from classifier.pipeline.persistence import load_model

    app = typer.Typer()
    register(app, load_model)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def test_cli_commands_exit_codes(cli, tmp_path, small_model_dir):
    r = cli("taxonomy", "diff", TWO_LEVEL, "stage1-themes", "--map", TO_STAGE1)
    assert r.exit_code == 0 and "Split" in r.output and "staff_conduct/bias" in r.output
    r = cli("taxonomy", "diff", "stage1-themes", TWO_LEVEL, "--map", TO_STAGE1)
    assert r.exit_code == 1 and r.output.startswith("Error:") and "Traceback" not in r.output
    assert cli("taxonomy", "migrate", HISTORY / "cases_2022.csv", "--output", tmp_path / "x.csv").exit_code == 2
    migrated = tmp_path / "migrated.csv"
    r = cli(
        "taxonomy",
        "migrate",
        HISTORY / "cases_2022.csv",
        "--map",
        TO_STAGE1,
        "--output",
        migrated,
        "--model",
        small_model_dir,
    )
    assert r.exit_code == 0 and "model_choice" in r.output and migrated.exists()
    r = cli(
        "relabel",
        migrated,
        "--themes-column",
        "new_themes",
        "--model",
        small_model_dir,
        "--output",
        tmp_path / "rel.csv",
        "--review",
        tmp_path / "review.csv",
    )
    assert r.exit_code == 0 and "Review first" in r.output and "2022" in r.output
    r = cli("relabel", HISTORY / "cases_2022.csv", "--model", small_model_dir, "--output", tmp_path / "bad.csv")
    assert r.exit_code == 1 and "Error:" in r.output and "taxonomy" in r.output
    assert not (tmp_path / "bad.csv").exists()
    r = cli("relabel", migrated, "--model", small_model_dir, "--output", tmp_path / "bad.csv", "--date-column", "when")
    assert r.exit_code == 1 and "column 'when' not found" in r.output


@pytest.mark.parametrize("args", [["taxonomy", "diff"], ["taxonomy", "migrate"], ["relabel"]])
def test_cli_help_has_examples(cli, args):
    r = cli(*args, "--help")
    assert r.exit_code == 0 and "Example:" in r.output


# ---------------------------------------------------------------- notebook


@pytest.mark.slow
def test_notebook_runs_top_to_bottom():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = ROOT / "notebooks" / "relabel_past_years.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    text = "".join(o.get("text", "") for o in outputs)
    assert "planted errors are in the top 20" in text and "Migrated" in text


def test_migrate_then_relabel_keep_the_workbooks_typed_cells_and_sheet_name(tmp_path, old_map, small_model):
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cases 2023"
    ws.append(["id", "received", "cost", "text", "themes"])
    for i in range(6):
        ws.append(
            [i + 1, dt.datetime(2023, 10, 3 + i), 125.5 + i, DELAY_TEXT if i % 2 else "The worker was rude.", "staff"]
        )
    src = tmp_path / "old.xlsx"
    wb.save(src)
    migrated = tmp_path / "new.xlsx"
    migrate_labels(src, old_map, migrated, model=small_model)
    out = openpyxl.load_workbook(migrated)
    assert out.sheetnames == ["Cases 2023"]
    row = dict(zip([c.value for c in out.active[1]], [c.value for c in out.active[2]]))
    assert row["id"] == 1 and row["cost"] == 125.5 and isinstance(row["received"], dt.datetime)
    relabelled = tmp_path / "relabelled.xlsx"
    relabel_history(migrated, small_model, relabelled, themes_column="new_themes", method="fallback")
    back = openpyxl.load_workbook(relabelled)
    assert back.sheetnames == ["Cases 2023"]
    row = dict(zip([c.value for c in back.active[1]], [c.value for c in back.active[2]]))
    assert row["id"] == 1 and row["cost"] == 125.5 and isinstance(row["received"], dt.datetime)
