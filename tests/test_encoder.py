"""The int8 ONNX sentence encoder (classifier/features/encoder.py) with the shipped models/encoder/."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULE_PATH = ROOT / "classifier" / "features" / "encoder.py"
MODEL_DIR = ROOT / "models" / "encoder"


import classifier.features.encoder as enc_mod  # noqa: E402


@pytest.fixture(scope="module")
def encoder():
    return enc_mod.SentenceEncoder(MODEL_DIR)


def _cos(a, b):
    return float(np.dot(a, b))


def test_shape_dtype_and_unit_length(encoder):
    texts = ["My social worker changed three times this year.", "", "   ", "Thank you.", "ok"]
    v = encoder.encode(texts)
    assert v.shape == (5, 384) and v.dtype == np.float32
    assert np.all(np.isfinite(v))
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_order_is_kept_and_results_repeat(encoder):
    texts = [
        "a much longer text about a placement that ended suddenly with one day to pack",
        "short",
        "a medium length text about contact",
    ]
    both = encoder.encode(texts, batch_size=8)
    again = encoder.encode(texts, batch_size=8)
    np.testing.assert_array_equal(both, again)
    # One at a time: int8 dynamic quantisation scales activations over the whole batch,
    # so a text's vector moves slightly with its batch-mates (cosine ~0.98-0.99 measured).
    for i, t in enumerate(texts):
        assert _cos(encoder.encode([t])[0], both[i]) > 0.97


def test_paraphrase_closer_than_unrelated(encoder):
    a, b, c = encoder.encode(
        [
            "The council never replied to my letter of complaint.",
            "I wrote to the local authority to complain and got no answer.",
            "My foster carer helped me learn to cook pasta.",
        ]
    )
    assert _cos(a, b) > _cos(a, c) + 0.2
    assert _cos(a, b) > _cos(b, c) + 0.2


LONG_SENTENCES = [
    "The social worker did not attend the review meeting and nobody explained why.",
    "I waited for weeks for a reply to my letters about the missed visits.",
    "When the new worker came she had not read my file and asked the same questions again.",
    "The minutes of the meeting left out everything I had said about my placement.",
    "My complaint was passed between teams and nobody took responsibility for it.",
]


def test_a_redacted_name_is_not_fed_to_the_model(encoder):
    # The corpus's compliments name staff: a name placeholder must not pull a complaint towards them.
    with_name, without = encoder.encode(
        ["[NAME] rang - still waiting for the assessment", "rang - still waiting for the assessment"]
    )
    assert np.allclose(with_name, without, atol=1e-6)
    vecs, spans = encoder.encode_with_spans(["Thanks to [NAME] for the visit"], [[(10, 16), (21, 30)]])
    assert spans[0].shape == (2, 384) and np.allclose(spans[0][0], vecs[0])  # a span of only the name: the text's own


def test_text_longer_than_256_tokens(encoder):
    long_text = " ".join(LONG_SENTENCES * 12)  # about 1,100 tokens
    chunks = encoder._chunks(long_text)
    assert len(chunks) >= 4 and all(len(c) <= 256 for c in chunks)
    v = encoder.encode([long_text, "short text"])
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # The result is the token-weighted mean of the chunk vectors, renormalised
    # (each chunk run alone, as encode does by default: batch-mates shift int8 activations).
    alone = encoder.encode([long_text])[0]
    per_chunk = np.vstack([encoder._run([c]) for c in sorted(chunks, key=len)])
    weights = np.array([len(c) - 2 for c in sorted(chunks, key=len)], dtype=np.float32)
    mean = (per_chunk * weights[:, None]).sum(axis=0)
    np.testing.assert_allclose(alone, mean / np.linalg.norm(mean), atol=1e-5)
    # And it still means what the text says.
    about, unrelated = encoder.encode(
        ["My social worker missed meetings and ignored my complaints.", "We went to the seaside and ate ice cream."]
    )
    assert _cos(v[0], about) > _cos(v[0], unrelated) + 0.2


def test_chunks_cut_on_word_boundaries(encoder):
    text = " ".join(["unaccountability"] * 400)  # several word pieces per word, no sentence ends
    chunks = encoder._chunks(text)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk[0] == encoder._cls and chunk[-1] == encoder._sep and len(chunk) <= 256
        assert not encoder._tok.id_to_token(int(chunk[1])).startswith("##")
    total = sum(len(c) - 2 for c in chunks)
    assert total == len(encoder._tok.encode(text, add_special_tokens=False).ids)


def _copy_model(dst: Path) -> Path:
    dst.mkdir()
    for name in ("model.onnx", "tokenizer.json"):
        shutil.copyfile(MODEL_DIR / name, dst / name)
    return dst


def test_untampered_copy_loads(tmp_path):
    copy = _copy_model(tmp_path / "copy")
    assert enc_mod.SentenceEncoder(copy).encode(["hello"]).shape == (1, 384)


def test_tampered_model_is_refused(tmp_path):
    copy = _copy_model(tmp_path / "copy")
    data = bytearray((copy / "model.onnx").read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit in the weights
    (copy / "model.onnx").write_bytes(bytes(data))
    with pytest.raises(enc_mod.EncoderError, match="model.onnx.*does not match"):
        enc_mod.SentenceEncoder(copy)


def test_tampered_tokenizer_and_missing_file_are_refused(tmp_path):
    copy = _copy_model(tmp_path / "copy")
    (copy / "tokenizer.json").write_text((copy / "tokenizer.json").read_text().replace("[UNK]", "[UNK ]", 1))
    with pytest.raises(enc_mod.EncoderError, match="tokenizer.json.*does not match"):
        enc_mod.SentenceEncoder(copy)
    (copy / "model.onnx").unlink()
    with pytest.raises(enc_mod.EncoderError, match="cannot read"):
        enc_mod.SentenceEncoder(copy)


def test_bad_input_types(encoder):
    with pytest.raises(TypeError):
        encoder.encode("a single string")
    with pytest.raises(TypeError):
        encoder.encode(["fine", None])


def test_no_torch_in_process_after_encoding():
    code = textwrap.dedent(f"""
        import sys
        import classifier.features.encoder as mod
        v = mod.SentenceEncoder({str(MODEL_DIR)!r}).encode(["hello there", ""])
        assert v.shape == (2, 384)
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers", "sentence_transformers"))
        print("LOADED:" + ",".join(bad))
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "LOADED:\n" in res.stdout or res.stdout.strip() == "LOADED:"
