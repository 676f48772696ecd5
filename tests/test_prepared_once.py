"""Text is prepared once where the pipeline takes it in, and features are built once per text.

Each test counts the expensive steps (redaction, TF-IDF transform, theme scoring)
and checks the result is the one the separate library calls give.
"""

import copy
from collections import Counter

import pytest

import classifier.text as text_module
from classifier.features.tfidf import TextFeatures
from classifier.models.themes import ThemeClassifier
from classifier.text import PreparedText, lemma_strings, prepare
from tests.conftest import write_csv

LONG = (
    "Mrs X complains the Council failed to tell her about the child protection conference; "
    "did not return her calls or emails for six weeks; refused to pay the travel costs she "
    "was promised for family time; and wrote untrue things about her in the assessment."
)
SHORT = "My social worker never returns my calls and my pathway plan is three months late."


@pytest.fixture
def calls(monkeypatch):
    counts: Counter = Counter()

    def counting(owner, name, key):
        original = getattr(owner, name)

        def wrapped(*args, **kwargs):
            counts[key] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapped)

    counting(text_module._REDACTOR, "redact_with_names", "redact")
    counting(TextFeatures, "transform", "transform")
    counting(ThemeClassifier, "predict_proba", "theme_scores")
    return counts


def _features_objects(model) -> int:
    return len({id(c.features_) for c in (model.themes, model.child, model.kind) if c is not None})


@pytest.mark.parametrize("text", [SHORT, LONG], ids=["short", "long"])
def test_suggest_redacts_once_and_builds_features_once(small_model, calls, text):
    got = small_model.suggest(text, top=3)
    assert calls["redact"] == 1
    assert calls["transform"] == _features_objects(small_model)
    calls.clear()
    # The same evidence as explaining the text separately (which builds its own features).
    doc = prepare([text])[0]
    themes = [r["theme"] for r in got["top"]]
    separately = small_model.themes.explain(doc, themes=themes)
    assert [r["evidence"] for r in got["top"]] == [[w for w, _ in separately.get(l, [])] for l in themes]
    assert calls["transform"] == 1


def test_suggest_with_points_scores_and_explains_each_point_from_one_matrix(small_model, calls):
    model = copy.copy(small_model)
    model.points = True
    got = model.suggest(LONG, top=3)
    assert got["points"] > 1 and any("point" in r for r in got["top"])
    assert calls["redact"] == 1
    # The whole text once per features object, and all its points in one more transform.
    assert calls["transform"] == _features_objects(model) + 1
    assert calls["theme_scores"] == 2  # whole text, points
    doc = prepare([LONG])[0]
    for r in got["top"]:
        if "point" not in r:
            continue
        sub = doc.redacted[r["point"]["start"] : r["point"]["end"]]
        alone = model.themes.explain(PreparedText(sub, lemma_strings([sub])[0]), themes=[r["theme"]])
        assert r["point"]["evidence"] == [w for w, _ in alone.get(r["theme"], [])]


def test_serve_suggestion_builds_features_once(small_model, calls):
    from classifier.serve.suggest import suggestion

    got = suggestion(small_model, SHORT, top=5)
    assert calls["redact"] == 1 and calls["transform"] == _features_objects(small_model)
    assert got["text"] == prepare([SHORT])[0].redacted


def test_evaluate_scores_themes_once_per_row(small_model, calls, corpus_rows, tmp_path):
    from classifier.pipeline.evaluation import evaluate_model

    rows = [r for r in corpus_rows if r["split"] == "test"][:30]
    data = write_csv(tmp_path / "eval.csv", rows)
    report = evaluate_model(data, small_model)
    assert report["rows"] == 30 and report["themes"]["rows"] > 0
    assert calls["redact"] == 30  # each row once
    assert calls["transform"] == _features_objects(small_model)  # one batch
    assert calls["theme_scores"] == 1


def test_explain_without_themes_explains_the_predicted_ones(small_model):
    doc = prepare([SHORT])[0]
    predicted = [t for t in small_model.themes.predict([doc])[0] if t in small_model.themes.labels_]
    assert sorted(small_model.themes.explain(doc)) == sorted(predicted)


def test_sample_builds_features_once_and_picks_what_separate_calls_pick(small_model, calls, corpus_rows, tmp_path):
    import numpy as np

    from classifier.pipeline.sample import choose_rows, sample_rows

    rows = [r for r in corpus_rows if r["split"] == "test"][:40]
    cases = write_csv(tmp_path / "cases.csv", rows)
    got = sample_rows(cases, small_model, n=8)
    assert calls["redact"] == 40 and calls["transform"] == _features_objects(small_model)
    # The same picks as scoring and featurising the rows in separate calls.
    docs = prepare([r["text"] for r in rows])
    compliment = np.array([a.kind == "compliment" for a in small_model.analyse(docs)])
    usable = np.array([bool(d.lemmas.strip()) for d in docs])
    picks = choose_rows(
        small_model.themes.predict_proba(docs),
        small_model.themes.features_.transform(docs),
        8,
        usable & ~compliment if (usable & ~compliment).any() else usable,
        vectors=small_model.encode(docs).vectors if small_model.uses_encoder else None,  # the default rule uses them
    )
    assert [r["row"] for r in got["rows"]] == [i + 1 for i in picks]


def test_ensure_prepared_keeps_prepared_texts_in_a_mixed_batch():
    from classifier.text import ensure_prepared, prepare

    done = prepare(["The social worker never rang back about contact."])[0]
    out = ensure_prepared([done, "My PA has not paid the bursary."])
    assert out[0] is done
    assert out[1] == prepare(["My PA has not paid the bursary."])[0]
