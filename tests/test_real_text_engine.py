"""Encoder heads, zero-shot themes, complaint points and --fast in the default engine."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from classifier.errors import ModelLoadError
from classifier.features.points import complaint_points
from classifier.taxonomy.schema import parse_taxonomy

ROOT = Path(__file__).resolve().parents[1]

STATEMENT = (
    "Mrs X complains the Council failed to tell her about the child protection conference; "
    "did not return her calls or emails for six weeks; refused to pay the travel costs she "
    "was promised for family time; and wrote untrue things about her in the assessment."
)


def test_points_of_a_multi_point_statement():
    spans = complaint_points(STATEMENT)
    assert len(spans) == 4
    parts = [STATEMENT[a:b] for a, b in spans]
    assert parts[1].startswith("did not return") and parts[3].startswith("and wrote untrue")
    assert complaint_points("My worker never rings me back.") == [(0, 30)]


def test_points_join_short_pieces_and_cut_lists():
    text = "Complaint points:\n(a) the social worker was rude to her at the visit\n(b) the minutes are wrong about what she said"
    parts = [text[a:b] for a, b in complaint_points(text)]
    assert len(parts) == 2 and parts[0].startswith("Complaint points:") and parts[1].startswith("(b)")
    assert len(complaint_points("word. " * 400)) <= 12


@pytest.fixture(scope="module")
def encoder():
    from classifier.features.encoder import SentenceEncoder, default_encoder_dir

    return SentenceEncoder(default_encoder_dir())


def test_span_vectors_come_from_the_same_run(encoder):
    spans = complaint_points(STATEMENT)
    whole, per = encoder.encode_with_spans([STATEMENT, "ok"], [spans, []])
    np.testing.assert_array_equal(whole, encoder.encode([STATEMENT, "ok"]))
    assert per[0].shape == (4, 384) and per[1].shape == (0, 384)
    np.testing.assert_allclose(np.linalg.norm(per[0], axis=1), 1.0, atol=1e-5)
    # Points 2-4 are each nearest their own matter, and nearer to it than the whole text is.
    topics = encoder.encode(["calls not returned", "travel costs not paid", "untrue statements in an assessment"])
    sims = per[0][1:] @ topics.T
    assert list(sims.argmax(axis=1)) == [0, 1, 2]
    assert np.all(np.diag(sims) > whole[0] @ topics.T)
    with pytest.raises(ValueError):
        encoder.encode_with_spans(["a", "b"], [[]])


def test_a_texts_vector_does_not_depend_on_the_rows_around_it(encoder):
    texts = [STATEMENT, "My PA never answers", "thank you for the help with my flat", "short", STATEMENT * 4]
    whole = encoder.encode(texts)
    np.testing.assert_array_equal(np.vstack([encoder.encode(texts[:2]), encoder.encode(texts[2:])]), whole)
    np.testing.assert_array_equal(encoder.encode(texts[::-1])[::-1], whole)


def test_zero_shot_works_for_a_custom_taxonomy_without_rows(encoder):
    from classifier.models.zeroshot import ZeroShotThemes

    tax = parse_taxonomy(
        {
            "id": "council",
            "version": 1,
            "name": "Council",
            "themes": [
                {"id": "parking", "label": "Parking", "description": "Parking fines, permits and tickets."},
                {
                    "id": "bins",
                    "label": "Waste collection",
                    "description": "Bins not emptied, missed rubbish collection.",
                },
                {
                    "id": "housing",
                    "label": "Housing repairs",
                    "description": "Damp, mould and repairs to council homes.",
                },
            ],
        }
    )
    zs = ZeroShotThemes().fit(tax, encoder.encode)
    p = zs.predict_proba(
        encoder.encode(
            [
                "I got a ticket outside my own house",
                "nobody came for the rubbish again",
                "black mould in the bedroom for months",
            ]
        )
    )
    assert list(p.argmax(axis=1)) == [0, 1, 2]
    assert not any(zs.fitted_from_rows_)


@pytest.fixture(scope="module")
def full_model(small_data, tmp_path_factory):
    """The engine with zero-shot and points (not the default, see bench/REAL_TEXT_RESULTS.md)."""
    from classifier.pipeline.persistence import load_model
    from classifier.pipeline.training import train_model

    out = tmp_path_factory.mktemp("full") / "m"
    train_model(small_data, out, seed=0, theme_params={"cv_folds": 3}, engine="full")
    return load_model(out)


def test_default_engine_has_vector_heads_without_zero_shot_or_points(small_model):
    m = small_model
    assert m.uses_encoder and not m.points and m.meta["engine"] == "tfidf+embed"
    assert m.themes.zeroshot_ is None and m.child.uses_vectors and m.kind.uses_vectors
    assert m.meta["encoder"]["sha256"]["model.onnx"]
    a = m.analyse([STATEMENT])[0]
    assert a.themes and a.points == []


def test_a_rows_scores_do_not_depend_on_the_rows_labelled_with_it(small_model, corpus_rows):
    texts = [r["text"] for r in corpus_rows[:37]]
    together = small_model.analyse(texts)
    for i in (0, 17, 36):
        alone = small_model.analyse([texts[i]])[0]
        assert alone.theme_scores == together[i].theme_scores
        assert (alone.child_score, alone.kind_score) == (together[i].child_score, together[i].kind_score)


def test_full_engine_scores_points_and_fast_mode_skips_the_encoder(full_model):
    m = full_model
    assert m.uses_encoder and m.points and m.meta["engine"] == "full"
    assert m.themes.zeroshot_ is not None and all(m.themes.zeroshot_.fitted_from_rows_)
    texts = [STATEMENT, "My PA never answers and my leaving care grant is late"]
    full = m.analyse(texts)
    fast = m.analyse(texts, fast=True)
    assert len(full[0].points) == 4 and fast[0].points == []
    assert full[0].theme_scores != fast[0].theme_scores
    assert all(a.themes and a.kind for a in full + fast)
    out = m.suggest(STATEMENT)
    assert out["points"] == 4 and any("point" in t for t in out["top"])


def test_model_trained_with_another_encoder_is_refused(small_model_dir, tmp_path):
    import shutil

    from classifier.pipeline.persistence import load_model

    d = tmp_path / "m"
    shutil.copytree(small_model_dir, d)
    meta = json.loads((d / "meta.json").read_text())
    meta["encoder"]["sha256"]["model.onnx"] = "0" * 64
    (d / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="another sentence encoder"):
        load_model(d)


def test_tfidf_engine_never_needs_the_encoder(small_data, tmp_path):
    from classifier.pipeline.persistence import load_model
    from classifier.pipeline.training import train_model

    train_model(small_data, tmp_path / "t", seed=0, theme_params={"cv_folds": 3}, engine="tfidf")
    m = load_model(tmp_path / "t")
    assert not m.uses_encoder and "encoder" not in m.meta
    assert m.analyse(["my social worker is rude"])[0].themes
    assert m._encoder is None


def test_default_model_labelling_imports_neither_torch_nor_sklearn():
    """Run-time budget and the owners' rule: no torch (or scikit-learn) when labelling."""
    code = (
        "import sys\nfrom classifier.pipeline.persistence import load_model\n"
        "m = load_model(None)\nassert m.uses_encoder\n"
        f"m.suggest({STATEMENT!r})\nm.analyse(['my pa never calls', 'thank you for the help'])\n"
        "print(sorted({k.split('.')[0] for k in sys.modules} & "
        "{'torch', 'transformers', 'sentence_transformers', 'sklearn'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_label_fast_flag(tmp_path):
    from typer.testing import CliRunner

    from classifier.cli.main import app

    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,My social worker shouted at me\n2,When will my grant be paid?\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["label", str(src), "-o", str(tmp_path / "out.csv"), "--fast"])
    assert res.exit_code == 0, res.output
    assert "Labelled 2 rows" in res.output
