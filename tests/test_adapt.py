"""`adapt` and `sample`: own rows, intake decisions, another taxonomy, the labelling workbook."""

import csv

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import ROOT, write_csv
from openpyxl import load_workbook
from typer.testing import CliRunner

from classifier.cli.main import app
from classifier.errors import AdaptError, LabelError
from classifier.models.adapted import paired_folds, parallel_heads
from classifier.models.residual import ResidualThemes, logit
from classifier.pipeline.adapt import adapt_model, parse_themes_cell, read_own_rows, theme_lookup
from classifier.pipeline.feedback import FeedbackStore
from classifier.pipeline.persistence import load_model
from classifier.pipeline.sample import choose_rows, sample_rows, write_workbook
from classifier.pipeline.selection import SHIPPED_STRATEGY
from classifier.pipeline.state import dumps_state, loads_state
from classifier.taxonomy.schema import load_taxonomy
from classifier.text import ensure_prepared

FAST = {"own_weights": (1, 3), "description_weights": (0.0, 1.0), "cv_folds": 3}


@pytest.fixture(scope="module")
def own_rows(corpus_rows):
    """Rows the small base model never saw (small_data takes every 4th non-test row)."""
    rows = [r for r in corpus_rows if r["split"] != "test"][1::4]
    return [r for r in rows if r["themes"]][:24]


@pytest.fixture(scope="module")
def adapted(tmp_path_factory, own_rows, small_model_dir, small_data):
    d = tmp_path_factory.mktemp("adapt")
    own = write_csv(
        d / "own.csv",
        [{"text": r["text"], "themes": r["themes"], "child_authored": r["child_authored"]} for r in own_rows],
    )
    result = adapt_model(own, d / "model", small_model_dir, corpus=small_data, theme_params=FAST)
    return d, result


def test_theme_cells_read_ids_or_labels():
    lookup = theme_lookup(load_taxonomy())
    assert parse_themes_cell("Poor Communication; delay", lookup) == (["communication", "delay"], [])
    assert parse_themes_cell("delay, financial", lookup) == (["delay", "financial"], [])
    assert parse_themes_cell("", lookup) == ([], [])
    assert parse_themes_cell("delay; lunch", lookup) == (["delay"], ["lunch"])
    # As the workbook's list writes them, and as people retype them.
    assert parse_themes_cell("Accuracy of Assessments & Reports; FAMILY TIME", lookup) == (
        ["assessment_accuracy", "family_time"],
        [],
    )
    assert parse_themes_cell("financial assistance (incl missing savings)", lookup) == (["financial"], [])


def test_unknown_label_is_named_but_case_text_is_not(tmp_path):
    rows = [
        {"text": "The worker was late", "themes": "lunch"},
        {"text": "The worker was late", "themes": "Poor Comunication"},
        {"text": "The worker was late", "themes": "Mrs Ada Bloggs said the worker never rang her back about Tom"},
    ]
    own = write_csv(tmp_path / "own.csv", rows)
    with pytest.raises(LabelError) as exc:
        read_own_rows(own, load_taxonomy())
    msg = str(exc.value)
    assert "'lunch' in row 1" in msg and "E102" in msg
    # A value within two letters of a label is a mistyped label, so it is quoted with the nearest label.
    assert "'Poor Comunication' (did you mean 'Poor Communication'?) in row 2" in msg
    assert "Bloggs" not in msg and "never rang" not in msg and "a value of 60 characters in row 3" in msg
    assert "(row 1 is the first row under the header)" in msg


def test_unknown_theme_is_a_clear_error(tmp_path):
    own = write_csv(tmp_path / "own.csv", [{"text": "The worker was late", "themes": "lunch breaks"}])
    with pytest.raises(LabelError, match="lunch breaks") as exc:
        read_own_rows(own, load_taxonomy())
    assert "row" in str(exc.value) and "E102" in str(exc.value)


def test_adapted_model_saves_counts_not_texts(adapted, own_rows):
    d, result = adapted
    model = load_model(d / "model")
    ad = model.meta["adapted"]
    assert ad["own_rows"] == len(own_rows) and ad["feedback_decisions"] == 0
    # The corpus was given: the engine retrained on it plus the own rows, the correction on top.
    assert ad["method"] == "residual" and ad["refit"] and ad["corpus_rows"] > 100 and ad["own_weight"] == 3
    assert ad["penalty"] is None or ad["penalty"] > 0
    assert model.themes.n_own_ == len(own_rows)
    # Figures for before and after, each with intervals; few rows say so.
    fig = result.figures
    for side in ("before", "after"):
        for key in ("top1_any", "main_theme_top1", "main_theme_top3", "macro_f1"):
            lo, hi = fig[side]["intervals"][key]
            assert 0.0 <= lo <= fig[side][key] + 1e-9 and fig[side][key] <= hi + 1e-9 <= 1.0 + 1e-9
    card = (d / "model" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "Before and after, own rows" in card and "few rows" in card and "logit p_base_k" in card
    assert "retrained on the corpus plus the own rows counted 3" in card
    blob = b"".join((d / "model" / f).read_bytes() for f in ("model.npz", "meta.json", "MODEL_CARD.md"))
    for r in own_rows:
        snippet = " ".join(r["text"].split()[:8])
        assert snippet.encode() not in blob
    # It labels like any model.
    s = model.suggest("My son's social worker has not returned my calls for three weeks.")
    assert s["top"] and s["kind"] in ("complaint", "enquiry", "compliment")


def test_adapted_model_keeps_the_base_model_whole(adapted, small_model):
    d, _ = adapted
    model, base = load_model(d / "model"), small_model.themes
    th = model.themes
    assert isinstance(th, ResidualThemes) and th.uses_vectors and model.uses_encoder
    np.testing.assert_array_equal(th.base_.vector_head_.coef_, base.vector_head_.coef_)
    np.testing.assert_array_equal(th.base_.head_.coef_, base.head_.coef_)
    # The retrained model labels and explains; the base model's TF-IDF state is kept for the correction.
    assert th.features_ is th.refit_.features_ and th.head_ is th.refit_.head_
    assert th.refit_.n_train_ > th.base_.n_train_
    # A theme with too few own examples for its own threshold keeps the retrained model's.
    few = [l for l in th.labels_ if th.own_support_[l] < th.own_threshold_min]
    assert few and all(th.thresholds_[l] == pytest.approx(th.refit_.thresholds_[l]) for l in few)


def test_residual_head_is_the_base_model_without_own_rows(small_model):
    base = small_model.themes
    docs = ensure_prepared(["The social worker never rang me back.", "We waited a year for the assessment."])
    V = small_model.encode(docs).vectors
    empty = ResidualThemes().fit([], [], base, vectors=np.zeros((0, V.shape[1])))
    assert empty.penalty_ == float("inf") and empty.n_own_ == 0
    np.testing.assert_allclose(empty.predict_proba(docs, vectors=V), base.predict_proba(docs, vectors=V), rtol=1e-9)
    np.testing.assert_allclose(empty.predict_proba(docs), base.predict_proba(docs), rtol=1e-9)
    assert empty.thresholds_ == pytest.approx(base.thresholds_)


# Hand-written: a trust with no "delay" theme files every wait under "communication".
WAITS = [
    "We have waited nine months for the assessment that was promised.",
    "The referral to the therapy service has still not been made after six months.",
    "My daughter's passport application has been stuck for ages waiting on the council.",
    "We are still waiting for the pathway plan that was due in March.",
    "The review meeting keeps being postponed and nothing has happened for a year.",
    "It took four months to get a reply to my complaint.",
    "The adaptations to the house were agreed last year and we are still waiting.",
    "The funding decision has been delayed again and again.",
    "We waited over a year to be allocated a social worker.",
    "The respite care was approved but has not started after eight months.",
    "I am still waiting for my care records a year after asking.",
    "The assessment was meant to take 45 days but it is now five months late.",
]
OTHERS = [
    ("The worker shouted at me in front of my children and was rude.", "conduct"),
    ("The worker laughed at my son and made rude remarks about our home.", "conduct"),
    ("My leaving care grant was never paid and my savings are missing.", "financial"),
    ("They refused to pay back the travel costs they promised.", "financial"),
    ("Contact with my brother was cancelled three weeks running.", "family_time"),
    ("The family time sessions with my mum were cut to once a month.", "family_time"),
    ("The report says things about me that are simply untrue.", "assessment_accuracy"),
    ("The assessment got my children's names and ages wrong.", "assessment_accuracy"),
]
NEW_WAITS = [
    "We have been waiting seven months for the occupational therapy assessment.",
    "The court report was due in January and we are still waiting in June.",
    "Nobody has started the short breaks that were agreed half a year ago.",
]


def test_residual_head_learns_a_filing_convention_from_a_few_rows(small_model):
    base = small_model.themes
    texts = WAITS + [t for t, _ in OTHERS]
    themes = [["communication"]] * len(WAITS) + [[th] for _, th in OTHERS]
    docs = ensure_prepared(texts)
    V = small_model.encode(docs).vectors
    new = ensure_prepared(NEW_WAITS)
    Vn = small_model.encode(new).vectors
    comm, delay = base.labels_.index("communication"), base.labels_.index("delay")
    before = base.predict_proba(new, vectors=Vn)
    assert (before[:, delay] > before[:, comm]).all()  # the base model files them under delay
    m = ResidualThemes(random_state=0).fit(docs, themes, base, vectors=V)
    assert np.isfinite(m.penalty_)
    after = m.predict_proba(new, vectors=Vn)
    assert (after.argmax(axis=1) == comm).all() and (after[:, delay] < before[:, delay]).all()
    fast = m.predict_proba(new)  # --fast: the correction fitted on the TF-IDF head alone
    assert (fast[:, comm] > base.predict_proba(new)[:, comm]).all()
    # Saved as plain data and read back, it scores the same.
    back = loads_state(dumps_state(m))
    assert isinstance(back, ResidualThemes) and back.features_ is back.base_.features_
    np.testing.assert_allclose(back.predict_proba(new, vectors=Vn), after, rtol=1e-9)
    np.testing.assert_allclose(back.predict_proba(new), fast, rtol=1e-9)


# Hand-written: a trust whose intake staff write "s.20" notes and file every one under "decision_making";
# notes in the same style about the visits are "family_time", so only the words tell them apart.
HOUSE = [
    "Call from dad re s.20, unhappy with how it was handled.",
    "Mum rang about the s.20, wants it looked at again.",
    "Nan emailed re s.20 for the boys, says it is not right.",
    "Aunt called re s.20, upset and wants a manager.",
    "Grandad phoned about s.20 for his granddaughter, cross.",
    "Dad left a voicemail re s.20, wants to talk it through.",
    "Mum in reception about s.20, very distressed.",
    "Stepdad rang re s.20 again, not happy at all.",
]
HOUSE_VISITS = [
    "Call from dad re the visits, unhappy with how it was handled.",
    "Mum rang about the visits, wants it looked at again.",
    "Nan emailed re the visits for the boys, says it is not right.",
    "Aunt called re the visits, upset and wants a manager.",
]
NEW_HOUSE = [
    "Uncle rang re s.20 for his nephew, wants answers.",
    "Mum phoned about s.20, unhappy.",
    "Grandmother emailed re s.20, upset about it.",
]


def test_residual_head_learns_a_trust_wording_from_its_words(small_model):
    base = small_model.themes
    texts = HOUSE + HOUSE_VISITS + [t for t, _ in OTHERS]
    themes = [["decision_making"]] * len(HOUSE) + [["family_time"]] * len(HOUSE_VISITS) + [[th] for _, th in OTHERS]
    docs, new = ensure_prepared(texts), ensure_prepared(NEW_HOUSE)
    V, Vn = small_model.encode(docs).vectors, small_model.encode(new).vectors
    dm = base.labels_.index("decision_making")
    before = base.predict_proba(new, vectors=Vn)
    assert (before.argmax(axis=1) != dm).all()  # the base model does not read "s.20" as a decision
    plain = ResidualThemes(random_state=0).fit(docs, themes, base, vectors=V)
    words = ResidualThemes(random_state=0, word_scale=8.0).fit(docs, themes, base, vectors=V)
    assert len(words.word_columns_) and words.coef_.shape[1] > len(base.labels_) + V.shape[1]
    after = words.predict_proba(new, vectors=Vn)
    assert (after.argmax(axis=1) == dm).all() and (after[:, dm] > plain.predict_proba(new, vectors=Vn)[:, dm]).all()
    # --fast has no vector to learn the house style from: only the words carry the rule.
    fast, fast_plain = words.predict_proba(new), plain.predict_proba(new)
    assert (fast.argmax(axis=1) == dm).all() and (fast[:, dm] > fast_plain[:, dm] + 0.15).all()
    # The word columns go with the model as plain data.
    back = loads_state(dumps_state(words))
    np.testing.assert_array_equal(back.word_columns_, words.word_columns_)
    np.testing.assert_allclose(back.predict_proba(new, vectors=Vn), after, rtol=1e-9)
    np.testing.assert_allclose(back.predict_proba(new), fast, rtol=1e-9)


def test_refit_then_correct_learns_a_wording_the_correction_alone_cannot(small_model, corpus_rows):
    from classifier.pipeline.adapt_corpus import refit_on_corpus

    base = small_model.themes
    # One own row names someone the redactor cannot know (lower case): counted 3 times it would pass min_df.
    texts = [HOUSE[0] + " Told zzqxuvian."] + HOUSE[1:] + HOUSE_VISITS + [t for t, _ in OTHERS]
    themes = [["decision_making"]] * len(HOUSE) + [["family_time"]] * len(HOUSE_VISITS) + [[th] for _, th in OTHERS]
    docs, new = ensure_prepared(texts), ensure_prepared(NEW_HOUSE)
    V, Vn = small_model.encode(docs).vectors, small_model.encode(new).vectors
    rows = [r for r in corpus_rows if r["split"] != "test" and r["themes"]][::12]
    c_docs = ensure_prepared([r["text"] for r in rows])
    refit = refit_on_corpus(small_model, c_docs, [r["themes"].split(";") for r in rows], docs, themes, V, seed=0)
    dm = base.labels_.index("decision_making")
    alone = ResidualThemes(random_state=0).fit(docs, themes, base, vectors=V)
    m = ResidualThemes(random_state=0).fit(docs, themes, base, vectors=V, refit=refit)
    assert (base.predict_proba(new, vectors=Vn).argmax(axis=1) != dm).all()
    # "s.20" is a word the base vocabulary lacks; the refit learns it, in both ways of labelling.
    assert (alone.predict_proba(new).argmax(axis=1) != dm).any()
    after, fast = m.predict_proba(new, vectors=Vn), m.predict_proba(new)
    assert (after.argmax(axis=1) == dm).all() and (fast.argmax(axis=1) == dm).all()
    # The correction is applied at half size over the refit's scores, from the base model's phi.
    c = m.bias_ + m._phi(logit(base.predict_proba(new, vectors=Vn)), Vn) @ m.coef_.T
    expected = logit(refit.predict_proba(new, vectors=Vn)) + 0.5 * c
    np.testing.assert_allclose(after, 1.0 / (1.0 + np.exp(-expected)), rtol=1e-6, atol=1e-9)
    vocab = set(refit.features_.word_.vocabulary_) | set(refit.features_.char_.vocabulary_)
    assert not any("zzqx" in term for term in vocab) and any("s.20" in term or "s 20" in term for term in vocab)
    # Plain data both ways: both TF-IDF states come back, each once.
    back = loads_state(dumps_state(m))
    assert back.features_ is back.refit_.features_ and back.features_ is not back.base_.features_
    np.testing.assert_allclose(back.predict_proba(new, vectors=Vn), after, rtol=1e-9)
    np.testing.assert_allclose(back.predict_proba(new), fast, rtol=1e-9)


def test_cli_adapt_end_to_end(tmp_path, own_rows, small_model_dir):
    own = write_csv(tmp_path / "own.csv", [{"Text": r["text"], "Themes": r["themes"]} for r in own_rows[:16]])
    out = tmp_path / "ours"
    res = CliRunner().invoke(
        app,
        ["adapt", str(own), "--out", str(out), "--model", str(small_model_dir)]
        + ["--text-column", "Text", "--themes-column", "Themes"],
    )
    assert res.exit_code == 0, res.output
    assert "Saved" in res.output and "16 own rows" in res.output and "The base model kept whole" in res.output
    assert "On the 16 own rows" in res.output and "few rows" in res.output
    m = load_model(out)
    assert m.meta["adapted"]["own_rows"] == 16 and (out / "MODEL_CARD.md").exists()
    assert m.suggest("The worker never called me back.")["top"]
    info = CliRunner().invoke(app, ["info", "--model", str(out)])
    assert "adapted:" in info.output and "16 own rows of 16 in own.csv" in info.output
    assert "0 intake decisions" in info.output and "trained on:" not in info.output


def test_parallel_cross_validation_fits_match_serial_ones():
    rng = np.random.default_rng(0)
    X = sp.random(80, 40, density=0.3, format="csr", random_state=0)
    Y = (rng.random((80, 3)) < 0.3).astype(np.int8)
    Y[:3] = 1
    Yc, Yo = Y[:60], Y[60:]
    folds = paired_folds(Yo, 60, 3, 0)
    tasks = [(w, f) for w in (1, 3) for f in range(3)] + [(3, None)]
    params = {"C": 4.0, "class_weight": "balanced", "seed": 0, "nb_alpha": 0.3}
    serial = parallel_heads(X, Yc, Yo, 60, folds, tasks, params, n_jobs=1)
    parallel = parallel_heads(X, Yc, Yo, 60, folds, tasks, params, n_jobs=2)
    assert serial.keys() == parallel.keys() == set(tasks)
    for t in tasks:
        for a, b in zip(serial[t], parallel[t]):
            np.testing.assert_array_equal(a, b)
    assert not np.array_equal(serial[(1, 0)][0], serial[(3, 0)][0])  # the own weight matters


def test_adapt_learns_from_intake_decisions(tmp_path, own_rows, small_model_dir, small_data):
    tax = load_taxonomy()
    store = FeedbackStore(tmp_path / "intake.sqlite")
    for r in own_rows[:12]:
        themes = r["themes"].split(";")
        store.record(
            r["text"],
            themes,
            r["child_authored"] == "true",
            "m1",
            tax,
            suggested_themes=themes[:1] if len(themes) > 1 else ["delay"],
            suggested_child_authored=False,
        )
    store.record(own_rows[12]["text"], [], False, "m1", tax, suggested_themes=["delay"])  # saved, none ticked
    result = adapt_model(
        None,
        None,
        small_model_dir,
        feedback=tmp_path / "intake.sqlite",
        corpus=small_data,
        theme_params=FAST,
        refit=False,
    )
    ad = result.model.meta["adapted"]
    assert ad["feedback_decisions"] == 12 and ad["own_rows"] == 0
    assert 0 < ad["feedback_corrections"] <= 12
    assert "1 stored intake decisions have no theme ticked and were not used" in result.notes
    th = result.model.themes  # refit=False: the correction over the base model alone
    assert not ad["refit"] and ad["corpus_rows"] == 0 and th.features_ is th.base_.features_


def test_too_few_rows_is_refused(tmp_path, small_model_dir, own_rows):
    rows = [{"text": r["text"], "themes": r["themes"]} for r in own_rows[:4]] + [{"text": "x", "themes": ""}]
    own = write_csv(tmp_path / "own.csv", rows)
    with pytest.raises(AdaptError, match=r"4 labelled own rows .*\(1 rows without a theme skipped\); at least 10"):
        adapt_model(own, None, small_model_dir, theme_params=FAST)


def test_another_taxonomy_uses_descriptions_for_unseen_themes(tmp_path, small_model_dir):
    with (ROOT / "training_data" / "history" / "cases_2022.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:20]
    own = write_csv(tmp_path / "own.csv", [{"text": r["text"], "themes": r["themes"]} for r in rows])
    result = adapt_model(
        own, tmp_path / "m", small_model_dir, taxonomy="two-level-service-complaints", theme_params=FAST
    )
    themes = result.model.themes
    assert themes.labels_ == load_taxonomy("two-level-service-complaints").leaf_ids
    assert not themes.has_example_.all() and themes.uses_descriptions_
    assert any("scored from the theme description alone" in n for n in result.notes)
    assert result.figures["before"]["what"].startswith("theme descriptions alone")
    unseen = themes.labels_[int(np.flatnonzero(~themes.has_example_)[0])]
    p = load_model(tmp_path / "m").themes.predict_proba(["The worker was rude and shouted at me."])
    assert p.shape == (1, len(themes.labels_)) and 0.0 < p[0, themes.labels_.index(unseen)] < 1.0


def test_choose_rows_spreads_over_themes_and_skips_near_duplicates():
    proba = np.array([[0.5, 0.45, 0.05]] * 4 + [[0.1, 0.8, 0.1], [0.05, 0.15, 0.8], [0.9, 0.05, 0.05]])
    X = np.eye(7)
    X[1] = X[0]  # rows 0 and 1 are the same text
    X[2] = X[0]
    picks = choose_rows(proba, X, 3, strategy="uncertainty")  # the turn-taking rules; shares: test_selection
    assert len(set(picks)) == 3
    assert sorted(proba[picks].argmax(axis=1).tolist()) == [0, 1, 2]  # one per likely theme
    for strategy in ("uncertainty", SHIPPED_STRATEGY):
        first_theme = [p for p in choose_rows(proba, X, 5, strategy=strategy) if proba[p].argmax() == 0]
        assert 0 in first_theme and not {1, 2} & set(first_theme)  # the most uncertain, not its copies


def test_sample_workbook_round_trips_into_adapt(tmp_path, small_model, corpus_rows):
    cases = write_csv(tmp_path / "cases.csv", [{"Ref": r["id"], "Details": r["text"]} for r in corpus_rows[2::40][:40]])
    chosen = sample_rows(cases, small_model, n=12, text_column="Details", id_column="Ref")
    out = write_workbook(chosen, tmp_path / "to_label.xlsx", cases)
    wb = load_workbook(out)
    ws = wb["to_label"]
    header = [c.value for c in ws[1]]
    assert header == ["row", "id", "text", "suggested_themes", "suggested_child_authored", "themes", "child_authored"]
    assert ws.max_row == 13
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "=themes!$B$2:$B$11" in formulas and '"yes,no"' in formulas
    assert [c.value for c in wb["themes"]["B"]][1:] == [
        load_taxonomy().theme(t).label for t in load_taxonomy().leaf_ids
    ]
    # An analyst picks labels (or types ids) and sets the flag; adapt reads the file as it is.
    for i, row in enumerate(ws.iter_rows(min_row=2), start=0):
        row[5].value = "Poor Communication; Delay in Receiving Services" if i % 2 else "financial"
        row[6].value = "yes" if i % 3 == 0 else "no"
    ws.cell(13, 6).value = None  # one row left unlabelled
    wb.save(out)
    own = read_own_rows(out, load_taxonomy())
    assert len(own.texts) == 11 and own.unlabelled == 1
    assert own.themes[1] == ["communication", "delay"] and own.themes[0] == ["financial"]
    assert own.child[0] is True and own.child[1] is False


def test_sample_can_carry_export_columns_and_adapt_still_reads_the_workbook(tmp_path, small_model, corpus_rows):
    rows = [{"Ref": r["id"], "Text": r["text"], "Themes": "Old theme A"} for r in corpus_rows[3::40][:30]]
    cases = write_csv(tmp_path / "cases.csv", rows)
    chosen = sample_rows(cases, small_model, n=6, text_column="Text", keep_columns=["Themes"])
    out = write_workbook(chosen, tmp_path / "to_label.xlsx", cases)
    wb = load_workbook(out)
    ws = wb["to_label"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["row", "text", "export: Themes"] and header[-2:] == ["themes", "child_authored"]
    assert {r[2] for r in ws.iter_rows(min_row=2, values_only=True)} == {"Old theme A"}
    for row in ws.iter_rows(min_row=2):
        row[header.index("themes")].value = "delay"
        row[header.index("child_authored")].value = "no"
    wb.save(out)
    own = read_own_rows(out, load_taxonomy())  # the kept column is not taken for the themes
    assert len(own.texts) == 6 and all(t == ["delay"] for t in own.themes)


def test_sample_never_picks_a_placeholder_row(tmp_path, small_model, corpus_rows):
    rows = [{"Ref": r["id"], "Details": r["text"]} for r in corpus_rows[2::40][:12]]
    rows += [{"Ref": "P1", "Details": "see attached"}, {"Ref": "P2", "Details": "N/A"}]
    cases = write_csv(tmp_path / "cases.csv", rows)
    chosen = sample_rows(cases, small_model, n=14, text_column="Details", id_column="Ref")
    assert len(chosen["rows"]) == 12 and not {"P1", "P2"} & {r["id"] for r in chosen["rows"]}


def test_cli_sample_and_adapt_help_have_examples(tmp_path, small_model_dir, corpus_rows):
    runner = CliRunner()
    for cmd in ("adapt", "sample", "serve"):
        res = runner.invoke(app, [cmd, "--help"])
        assert res.exit_code == 0 and "Example: complaints " + cmd in res.output
    cases = write_csv(tmp_path / "cases.csv", [{"text": r["text"]} for r in corpus_rows[3::60][:20]])
    res = runner.invoke(
        app,
        ["sample", str(cases), "--n", "5", "--model", str(small_model_dir), "--output", str(tmp_path / "pick.xlsx")],
    )
    assert res.exit_code == 0, res.output
    assert "Picked 5 of 20 rows" in res.output and (tmp_path / "pick.xlsx").exists()
    res = runner.invoke(app, ["sample", str(cases), "--output", str(tmp_path / "pick.csv")])
    assert res.exit_code == 1 and "E400" in res.output


def test_cli_sample_strategies(tmp_path, small_model_dir, small_model, corpus_rows):
    cases = write_csv(tmp_path / "cases.csv", [{"text": r["text"]} for r in corpus_rows[5::50][:30]])
    picked = {}
    for strategy in ("uncertain", "representative", "random"):
        out = tmp_path / f"{strategy}.xlsx"
        res = CliRunner().invoke(
            app,
            ["sample", str(cases), "--n", "6", "--model", str(small_model_dir), "--output", str(out)]
            + ["--strategy", strategy],
        )
        assert res.exit_code == 0, res.output
        assert "Picked 6 of 30 rows" in res.output
        picked[strategy] = [r[0].value for r in load_workbook(out)["to_label"].iter_rows(min_row=2)]
        assert len(set(picked[strategy])) == 6
    # Each is what choose_rows picks by that rule (not the default's rows under another name).
    rows = sample_rows(cases, small_model, n=6, strategy="random", seed=0)["rows"]
    assert picked["random"] == [r["row"] for r in rows]
    assert picked["representative"] == [
        r["row"] for r in sample_rows(cases, small_model, n=6, strategy="representative")["rows"]
    ]
    assert len({tuple(p) for p in picked.values()}) == 3
    res = CliRunner().invoke(app, ["sample", str(cases), "--output", str(tmp_path / "x.xlsx"), "--strategy", "best"])
    assert res.exit_code != 0 and "best" in res.output
    with pytest.raises(Exception, match="E100"):
        choose_rows(np.full((3, 2), 0.5), np.eye(3), 2, strategy="best")


def test_vectors_of_the_bundled_corpus_are_cached_as_numbers_only(tmp_path, monkeypatch):
    from classifier.pipeline import adapt_corpus

    class CountingEncoder:
        calls = 0

        def encode(self, texts):
            self.calls += 1
            return np.array([[len(t), t.count("e")] for t in texts], dtype=np.float32)

    bundled, cache = tmp_path / "training_data", tmp_path / "cache"
    bundled.mkdir()
    ours = write_csv(bundled / "corpus.csv", [{"text": "The review was late", "themes": "delay"}])
    theirs = write_csv(tmp_path / "theirs.csv", [{"text": "The review was late", "themes": "delay"}])
    monkeypatch.setattr(adapt_corpus, "BUNDLED_CORPUS_DIR", bundled)
    monkeypatch.setenv("COMPLAINTS_CACHE_DIR", str(cache))
    texts = ["The review was late again", "Nobody rang me back"]
    enc = CountingEncoder()
    first = adapt_corpus.corpus_vectors(enc, texts, ours)
    again = adapt_corpus.corpus_vectors(enc, texts, ours)
    assert enc.calls == 1
    np.testing.assert_array_equal(first, again)
    (saved,) = cache.iterdir()
    np.testing.assert_array_equal(np.load(saved, allow_pickle=False), first)
    assert b"review" not in saved.read_bytes() and b"rang" not in saved.read_bytes()
    # Another corpus (a trust's own training table) is encoded every time and never cached.
    adapt_corpus.corpus_vectors(enc, texts, theirs)
    adapt_corpus.corpus_vectors(enc, texts, theirs)
    assert enc.calls == 3 and len(list(cache.iterdir())) == 1
