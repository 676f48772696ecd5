"""A saved model must hold no names or rare tokens from its training data."""
import json

from classifier.pipeline.training import train_model
from tests.conftest import write_csv

# Invented and deliberately unusual: each appears in exactly one row.
UNIQUE_NAMES = ["Zorabelle", "Quintavius", "Marisolde", "Thaddeusz", "Oyelarinde", "Wrexhamina",
                "Bexleyton", "Kavindrapal", "Eulaliana", "Przemyslawa"]


def test_unique_names_never_reach_the_saved_model(tmp_path, corpus_rows):
    rows = [dict(r) for r in corpus_rows if r["split"] == "train"][::4][:300]
    for i, name in enumerate(UNIQUE_NAMES):
        rows[i * 7]["text"] = f"My name is {name} and {rows[i * 7]['text']} Regards, {name} {name.lower()}son"
    # A name the redactor might miss in lower case, repeated in only two rows: min_df drops it.
    rows[3]["text"] += " told zzqxuvian about it"
    rows[4]["text"] += " zzqxuvian was there"
    data = write_csv(tmp_path / "named.csv", rows)
    out = tmp_path / "model"
    train_model(data, out, seed=0, theme_params={"cv_folds": 3})
    # Every file, decompressed: the JSON tree and the raw bytes of every array.
    import numpy as np

    from classifier.pipeline.state import loads_state
    blob = b""
    for p in out.iterdir():
        if p.suffix == ".npz":
            with np.load(p, allow_pickle=False) as npz:
                blob += b"".join(npz[k].tobytes() for k in npz.files)
        else:
            blob += p.read_bytes()
    assert b"conduct" in blob.lower()   # the decompressed tree is really searched
    parts = loads_state((out / "model.npz").read_bytes())
    vocab = set(parts["themes"].features_.word_.vocabulary_) | set(parts["themes"].features_.char_.vocabulary_)
    vocab |= set(parts["child"].features_.word_.vocabulary_)
    for name in UNIQUE_NAMES + ["zzqxuvian"]:
        assert name.lower().encode() not in blob.lower()
        assert not any(name.lower() in term for term in vocab)
    assert not hasattr(parts["themes"].features_.word_, "stop_words_")
    assert "zorabelle" not in json.dumps(json.loads((out / "meta.json").read_text())).lower()
