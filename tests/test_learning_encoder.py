"""The learning extractor with sentence-encoder features (embed_weight)."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest

from classifier.errors import ComplaintThemesError, EncoderError
from classifier.learning import BUNDLED_SENTENCES, LearningExtractor
from classifier.learning.encoding import DEFAULT_ENCODER_FOLDER
from classifier.pipeline.state import dump_state, loads_state

pytestmark = pytest.mark.skipif(
    not (DEFAULT_ENCODER_FOLDER / "model.onnx").is_file(), reason="models/encoder is not in this checkout"
)

PROBE = [
    "Staff have been reminded to phone parents before a session is cancelled.",
    "From April every plan will be checked by a manager before it is shared.",
    "The family told us they waited three weeks for a reply.",
    "In 2023-24 we received 212 complaints.",
]


@pytest.fixture(scope="module")
def rows():
    frame = pd.read_csv(BUNDLED_SENTENCES, dtype=str, keep_default_na=False)
    frame = frame[frame["split"] == "train"].head(300)
    return frame["sentence"].tolist(), frame["learning"].tolist(), frame["type"].tolist()


@pytest.fixture(scope="module")
def embedded(rows):
    return LearningExtractor(threshold=0.5, embed_weight=1.0).fit(*rows)


def test_embeddings_add_384_columns_to_both_models_and_change_scores(rows, embedded):
    plain = LearningExtractor(threshold=0.5).fit(*rows)
    assert embedded.clf_.coef_.shape[1] == plain.clf_.coef_.shape[1] + 384
    assert embedded.type_clf_.coef_.shape[1] == plain.type_clf_.coef_.shape[1] + 384
    a, b = embedded.score_sentences(PROBE), plain.score_sentences(PROBE)
    assert not np.allclose(a, b)
    assert a[:2].min() > a[2:].max()  # actions above the narrative and the statistic
    found = embedded.find("Thank you for your letter.\n\n" + PROBE[0] + " " + PROBE[3])
    assert [s.sentence for s in found] == [PROBE[0]]


def test_saved_extractor_is_plain_data_without_the_encoder(embedded, tmp_path):
    path = tmp_path / "learning.npz"
    dump_state(embedded, path)
    with zipfile.ZipFile(path) as z:
        tree = z.read("__tree__.npy").decode("utf-8", "replace")
    assert "SentenceEncoder" not in tree and "onnx" not in tree.lower()
    assert '"embed_weight":1.0' in tree
    loaded = loads_state(path.read_bytes(), "learning.npz")
    assert not any("encoder" in type(v).__name__.lower() for v in vars(loaded).values())
    assert np.allclose(loaded.score_sentences(PROBE), embedded.score_sentences(PROBE))
    assert loaded.predict_types(PROBE) == embedded.predict_types(PROBE)


def test_missing_encoder_folder_is_refused_clearly(rows, embedded, tmp_path):
    missing = tmp_path / "no-encoder"
    with pytest.raises(EncoderError) as err:
        LearningExtractor(threshold=0.5, embed_weight=1.0, encoder_folder=missing).fit(*rows)
    assert isinstance(err.value, ComplaintThemesError) and err.value.code == "E302"
    assert "no-encoder" in str(err.value) and "embed_weight=0" in str(err.value)
    embedded.set_params(encoder_folder=missing)  # a saved model moved to a machine without models/encoder
    try:
        with pytest.raises(EncoderError, match="does not exist"):
            embedded.find(PROBE[0])
    finally:
        embedded.set_params(encoder_folder=None)


def test_without_embed_weight_the_encoder_is_never_loaded(rows, tmp_path):
    model = LearningExtractor(threshold=0.5, embed_weight=0, encoder_folder=tmp_path / "absent").fit(*rows)
    assert model.score_sentences(PROBE).shape == (4,)
