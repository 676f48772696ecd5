"""The training corpus meets its schema and the minimums in its issue."""

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from classifier.taxonomy.schema import load_taxonomy, parse_theme_list
from training_data.build_corpus import REGISTERS
from training_data.near_duplicates import near_duplicates

DATA = Path(__file__).resolve().parents[1] / "training_data"
KINDS = {"complaint", "enquiry", "compliment"}
COMPLAINANTS = {
    "parent",
    "young_person",
    "care_leaver",
    "advocate",
    "foster_carer",
    "kinship_carer",
    "extended_family",
    "professional",
    "other",
}


@pytest.fixture(scope="module")
def rows():
    with (DATA / "representations.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_schema(rows):
    assert list(rows[0]) == ["id", "text", "themes", "child_authored", "kind", "complainant", "register", "split"]
    ids = load_taxonomy().ids
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["text"].strip(), r["id"]
        assert r["kind"] in KINDS and r["complainant"] in COMPLAINANTS and r["register"] in REGISTERS, r["id"]
        assert r["child_authored"] in ("true", "false") and r["split"] in ("train", "dev", "test"), r["id"]
        themes = parse_theme_list(r["themes"])
        assert all(t in ids for t in themes), r["id"]
        assert (themes == []) == (r["kind"] == "compliment"), r["id"]
        if r["complainant"] == "advocate":
            assert r["child_authored"] == "true", r["id"]


def test_minimums(rows):
    kinds = Counter(r["kind"] for r in rows)
    assert len(rows) >= 2400
    assert kinds["complaint"] >= 1900 and kinds["enquiry"] >= 250 and kinds["compliment"] >= 250
    complaints = [r for r in rows if r["kind"] == "complaint"]
    main = Counter(parse_theme_list(r["themes"])[0] for r in complaints)
    for theme in load_taxonomy().ids:
        assert main[theme] >= 150, theme
    multi = sum(len(parse_theme_list(r["themes"])) >= 2 for r in complaints)
    assert multi / len(complaints) >= 0.30
    child = [r for r in rows if r["child_authored"] == "true"]
    assert len(child) / len(rows) >= 0.20
    assert {r["kind"] for r in child} == KINDS
    child_main = {parse_theme_list(r["themes"])[0] for r in child if r["kind"] == "complaint"}
    assert child_main == set(load_taxonomy().ids)


def test_splits_are_about_70_15_15_and_stratified(rows):
    share = Counter(r["split"] for r in rows)
    assert abs(share["train"] / len(rows) - 0.70) < 0.03
    assert abs(share["test"] / len(rows) - 0.15) < 0.03
    for theme in load_taxonomy().ids:
        group = [r for r in rows if r["kind"] == "complaint" and r["themes"].split(";")[0] == theme]
        assert 0.10 <= sum(r["split"] == "test" for r in group) / len(group) <= 0.20, theme


def test_lengths_vary_like_real_intake(rows):
    words = sorted(len(r["text"].split()) for r in rows)
    median = words[len(words) // 2]
    assert 45 <= median <= 95
    assert words[0] <= 10 and sum(w > 300 for w in words) >= 10


def test_no_exact_and_few_near_duplicates(rows):
    norm = [re.sub(r"\s+", " ", r["text"].lower()).strip() for r in rows]
    assert len(set(norm)) == len(norm)
    found, compared = near_duplicates(rows, 0.5)
    assert len(found) / compared < 0.01


def test_learning_sentences(rows):
    with (DATA / "learning_sentences.csv").open(encoding="utf-8") as fh:
        sents = list(csv.DictReader(fh))
    assert len(sents) >= 600
    ids = set(load_taxonomy().ids)
    for s in sents:
        assert s["learning"] in ("true", "false")
        if s["learning"] == "true":
            assert (s["theme"] in ids or s["theme"] == "") and s["type"]  # "": no theme fits
    assert 0.3 <= sum(s["learning"] == "true" for s in sents) / len(sents) <= 0.6


def test_sample_cases_are_separate_and_unlabelled(rows):
    with (DATA / "sample_cases.csv").open(encoding="utf-8") as fh:
        sample = list(csv.DictReader(fh))
    assert len(sample) == 50 and "themes" not in sample[0]
    corpus = {r["text"] for r in rows}
    assert not any(s["text"] in corpus for s in sample)


def test_part_checker_shingles_blind_sentence_sets_one_sentence_at_a_time(tmp_path, monkeypatch):
    import json

    from training_data import check_learning_parts as checker

    folder = tmp_path / "blind_sentences"
    folder.mkdir()
    lines = [{"sentence": "one two three four five six seven eight"}, {"sentence": "nine ten eleven"}]
    (folder / "sentences.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(checker, "HERE", tmp_path)
    grams = checker.document_shingles(["blind_sentences"], 8)
    # no n-gram runs across two sentences; a sentence shorter than n is one whole "n-gram"
    assert grams["blind_sentences"] == {
        tuple("one two three four five six seven eight".split()),
        ("nine", "ten", "eleven"),
    }
    assert ("eight", "nine", "ten") not in checker.document_shingles(["blind_sentences"], 3)["blind_sentences"]
