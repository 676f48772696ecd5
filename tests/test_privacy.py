"""A saved model must hold no names or rare tokens from its training data."""

import csv
import json

from classifier.pipeline.training import train_model
from tests.conftest import ROOT, write_csv

# Invented and deliberately unusual: each appears in exactly one row.
UNIQUE_NAMES = [
    "Zorabelle",
    "Quintavius",
    "Marisolde",
    "Thaddeusz",
    "Oyelarinde",
    "Wrexhamina",
    "Bexleyton",
    "Kavindrapal",
    "Eulaliana",
    "Przemyslawa",
]


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
    assert b"conduct" in blob.lower()  # the decompressed tree is really searched
    parts = loads_state((out / "model.npz").read_bytes())
    vocab = set(parts["themes"].features_.word_.vocabulary_) | set(parts["themes"].features_.char_.vocabulary_)
    vocab |= set(parts["child"].features_.word_.vocabulary_)
    for name in UNIQUE_NAMES + ["zzqxuvian"]:
        assert name.lower().encode() not in blob.lower()
        assert not any(name.lower() in term for term in vocab)
    assert not hasattr(parts["themes"].features_.word_, "stop_words_")
    assert "zorabelle" not in json.dumps(json.loads((out / "meta.json").read_text())).lower()


# ---------------------------------------------------------------- names the redactor misses in some rows

# Invented canary names, each in 3+ rows: caught in some (title, age, role) and
# missed in others (lower-case text-speak), so min_df alone would keep them.
CANARY_ROWS = [
    "Ama is 9 and her placement keeps changing. Nobody told me.",
    "i told ama about the meeting n nobody came",
    "can u tell ama her worker is off sick again",
    "ama was crying all night because contact got cancelled",
    "My daughter Odalys is 14 and has had four social workers this year.",
    "please tell odalys the review is moved again",
    "tell odalys i rang three times and nobody rang back",
    "odalys said the carer shouted at her",
    "Shanice Pryor-Dunleavy rang about the delay in her pathway plan.",
    "shanice my sw never came to the review",
    "shanice my pa has not answered for weeks",
    "me n shanice waited two hours at the contact centre",
    "Mrs Quelbrin said the complaint would be answered in ten days.",
    "quelbrin never sent the letter she promised",
    "quelbrin did not return any of my calls",
    "i asked quelbrin for the minutes and got nothing",
]
CANARIES = ["ama", "odalys", "shanice", "pryor", "dunleavy", "quelbrin"]


def _vocabularies(obj, out, seen=None):
    """Every vocabulary_ dict anywhere in a loaded model object."""
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, (str, bytes, int, float)) or obj is None:
        return out
    seen.add(id(obj))
    vocab = getattr(obj, "vocabulary_", None)
    if isinstance(vocab, dict):
        out.append((type(obj).__name__, getattr(obj, "analyzer", "word"), vocab))
    children = (
        obj.values()
        if isinstance(obj, dict)
        else obj
        if isinstance(obj, (list, tuple))
        else getattr(obj, "__dict__", {}).values()
    )
    for child in children:
        _vocabularies(child, out, seen)
    return out


def test_names_missed_in_some_rows_never_reach_either_model(tmp_path, corpus_rows):
    import numpy as np

    from classifier.pipeline.state import loads_state

    rows = [dict(r) for r in corpus_rows if r["split"] == "train"][::4][:300]
    for k, text in enumerate(CANARY_ROWS):
        rows[k * 5]["text"] = text + " " + rows[k * 5]["text"]
    data = write_csv(tmp_path / "named.csv", rows)
    with (ROOT / "training_data" / "learning_sentences.csv").open(encoding="utf-8") as fh:
        sentences = [r for r in csv.DictReader(fh) if r["split"] == "train"][:400]
    for k, text in enumerate(CANARY_ROWS):
        sentences[k * 7]["sentence"] = text
        sentences[k * 7]["learning"] = "false"
    sentences.append(
        {
            **sentences[0],
            "sentence": "We have reminded quelbrin and the team to send minutes within ten working days.",
            "learning": "true",
            "type": "staff_reminder",
        }
    )
    learning = write_csv(tmp_path / "learning.csv", sentences)
    out = tmp_path / "model"
    train_model(data, out, seed=0, theme_params={"cv_folds": 3}, learning_data=learning)
    assert (out / "learning.npz").exists()

    blob = b""
    vocabs = []
    for name in ("model.npz", "learning.npz"):
        with np.load(out / name, allow_pickle=False) as npz:  # decompressed: every array's raw bytes
            blob += b"".join(npz[k].tobytes() for k in npz.files)
        vocabs += _vocabularies(loads_state((out / name).read_bytes()), [])
    blob = blob.lower()
    assert b"placement" in blob  # the decompressed tree really is searched
    kinds = {(owner, analyzer) for owner, analyzer, _ in vocabs}
    assert ("TfidfVectorizer", "word") in kinds  # the learning extractor's surface words
    assert ("FittedTfidf", "char_wb") in kinds
    for canary in CANARIES:
        if len(canary) >= 5:
            assert canary.encode() not in blob, canary
        for owner, analyzer, vocab in vocabs:
            for term in vocab:
                if analyzer == "char_wb":
                    assert term != f" {canary} ", (owner, term)
                else:
                    words = term.replace("'", " ").replace("-", " ").split()
                    assert canary not in words, (owner, term)
    # Ordinary words that were also names somewhere stay: the models need them.
    word_vocab = next(v for o, a, v in vocabs if o == "FittedTfidf" and a == "word")
    assert "tell" in word_vocab and "cry" in word_vocab or "crying" in word_vocab


def test_name_filter_keeps_common_words_and_blocks_names():
    from classifier.redact.vocabulary import NameFilter
    from classifier.text import prepare

    f = NameFilter(
        prepare(
            ["My social worker Will never rang.", "Hope is 9.", "Odalys Brennan-Kaur rang.", "shanice my sw is off"]
        )
    )
    for word in ("will", "hope", "tell", "never"):
        assert not f.blocked(word), word
    for word in ("odalys", "brennan", "kaur", "odalys's", "brennan-kaur", "jayden"):  # jayden: lexicon
        assert f.blocked(word), word
    assert f.blocked_term("tell odalys", "word") and not f.blocked_term("tell will", "word")
    assert f.blocked_term(" odal", "char_wb") and f.blocked_term("alys ", "char_wb")
    assert not f.blocked_term("odal", "char_wb")  # an inner fragment names nobody


def test_the_encoder_leaves_no_usage_telemetry_behind(tmp_path):
    """onnxruntime queues usage events (device id, OS, CPU) in the user's cache folder for upload unless
    told not to; nothing may leave a council's machine, so loading and running the encoder must not."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / ".cache")}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    code = (
        "from classifier.pipeline.persistence import load_model\n"
        "m = load_model(None)\n"
        "assert m.uses_encoder\n"
        "m.suggest('Nobody has rung me back about the assessment')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)
    left = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p for p in left if "Microsoft" in p or "onnxruntime" in p], left
