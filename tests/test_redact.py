"""Tests for redaction: each kind of personal data, names of many origins and
styles, common words kept, the table contract, and recall on the team's test set."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from classifier.errors import MissingColumnError, OutputError
from classifier.redact.evaluation import evaluate_redaction
from classifier.redact.redactor import Redactor, Span, redact_text
from classifier.redact.table import redact_table

ROOT = Path(__file__).resolve().parents[1]
TEST_SET = ROOT / "training_data" / "redaction_test.jsonl"


def _gone(name: str, out: str) -> bool:
    """The name no longer appears as a whole token (case-sensitive)."""
    return re.search(r"(?<![\w'-])" + re.escape(name) + r"(?!\w)(?!-\w)", out) is None


def _kept(word: str, out: str) -> bool:
    return not _gone(word, out)


# ------------------------------------------------------------------ PII kinds
@pytest.mark.parametrize(
    "text, value, placeholder",
    [
        ("Email me at jo.bloggs+care@example.org please", "jo.bloggs+care@example.org", "[EMAIL]"),
        ("Call 07700 900123 after 3pm", "07700 900123", "[PHONE]"),
        ("Office number (0161) 496 0000 is never answered", "(0161) 496 0000", "[PHONE]"),
        ("Ring +44 7700 900456 any time", "+44 7700 900456", "[PHONE]"),
        ("Her mobile (07700 900789) is off", "07700 900789", "[PHONE]"),
        ("We live near M14 5RT now", "M14 5RT", "[POSTCODE]"),
        ("His DOB is 03/04/2011 according to the file", "03/04/2011", "[DOB]"),
        ("born on 5th March 2012 in Leeds", "5th March 2012", "[DOB]"),
        ("NHS number 943 476 5919 is wrong on the letter", "943 476 5919", "[NHS_NUMBER]"),
        ("Our address is 12 Acacia Avenue and it is damp", "12 Acacia Avenue", "[ADDRESS]"),
        ("Flat 3, 27 Mill Street has mould", "Flat 3, 27 Mill Street", "[ADDRESS]"),
        ("Please quote ref CMP-2024-1187 in replies", "CMP-2024-1187", "[REF]"),
        ("Case number 4471823 was closed", "4471823", "[REF]"),
    ],
)
def test_each_pii_kind_is_replaced(text, value, placeholder):
    out = redact_text(text)
    assert value not in out
    assert placeholder in out


def test_labels_are_kept_and_ordinary_dates_and_times_are_not_redacted():
    out = redact_text("DOB 17/06/2012. The meeting is on 4 March 2025 at 10:30, ref CMP-2025-0001.")
    assert out.startswith("DOB [DOB].")
    assert "4 March 2025" in out and "10:30" in out
    assert "ref [REF]" in out


def test_a_town_after_an_address_goes_with_it_but_a_following_clause_stays():
    assert redact_text("Send it to 9 Elm Close, Dunmere, West Brackley WB2 7QT please") == (
        "Send it to [ADDRESS] [POSTCODE] please"
    )
    assert redact_text("We moved to 4 Kiln Lane, Castle Ferring.") == "We moved to [ADDRESS]."
    # Capitalised words that run on into the sentence are not a town.
    assert redact_text("At 12 Oak Road, Social Services said no") == "At [ADDRESS], Social Services said no"


def test_ages_and_counts_survive():
    out = redact_text("She is 14 and has had 3 social workers in 12 months.")
    assert out == "She is 14 and has had 3 social workers in 12 months."


# ------------------------------------------------------------------ names
# (text, names) pairs written fresh for the tests; none of these names come from the team's test set.
HELDOUT = [
    ("My foster son Farai Mapfumo has waited four months for his passport.", ["Farai", "Mapfumo"]),
    ("Mrs Gwendolyn Okpara phoned about her grandson Chukwudi, who is 11.", ["Gwendolyn", "Okpara", "Chukwudi"]),
    ("The social worker, Magdalena Kowalczyk, said the review would be moved.", ["Magdalena", "Kowalczyk"]),
    ("Faisal is 13 and lives with his aunt. Faisal wants to see his sister Rumaysa.", ["Faisal", "Faisal", "Rumaysa"]),
    ("my sw radoslaw never rings me back n my pa kemi is off sick", ["radoslaw", "kemi"]),
    ("Jaswant Singh Bhogal (everyone calls him Jas) has asked for his records.", ["Jaswant", "Singh", "Bhogal", "Jas"]),
    ("Kind regards,\nRhiannon Pryce-Edwards", ["Rhiannon", "Pryce-Edwards"]),
    (
        "Our IRO Mr Fintan McGuinness cancelled twice. Fintan then left the authority.",
        ["Fintan", "McGuinness", "Fintan"],
    ),
    ("Ms Clodagh O'Riordan, the independent visitor, has raised this too.", ["Clodagh", "O'Riordan"]),
    ("Christabel and her brother Ebo were split up. Christabel is 9.", ["Christabel", "Ebo", "Christabel"]),
    ("Thanks,\nOisin", ["Oisin"]),
    ("I have been told by Ms Morenike Balogun that the panel will meet in June.", ["Morenike", "Balogun"]),
    ("Lorcan Fitzgibbon (Lorc) says staff search his room without asking.", ["Lorcan", "Fitzgibbon", "Lorc"]),
    ("Her key worker Sanjeev Rao said she could phone home every night.", ["Sanjeev", "Rao"]),
    ("we told staff about kyran but nobody listened", ["kyran"]),
    ("Marisol Quintero, 16, says her placement is too far from college.", ["Marisol", "Quintero"]),
    (
        "Dear Mr Abernethy,\nI am still waiting for a reply.\nYours sincerely,\nPriyanka Venkataraman",
        ["Abernethy", "Priyanka", "Venkataraman"],
    ),
    ("My daughter Liberty was moved without notice. Liberty is 12.", ["Liberty", "Liberty"]),
    ("Guled Warfaa Dirie (Gee) is an unaccompanied young person from Somalia.", ["Guled", "Warfaa", "Dirie", "Gee"]),
    ("Complaint from Ileana Popescu about her son Matei's school transport.", ["Ileana", "Popescu", "Matei"]),
    ("Her dad, Ruairi Gallacher, has not been invited to any meetings.", ["Ruairi", "Gallacher"]),
    ("Eilish and Conall are twins, aged 7, and were placed apart.", ["Eilish", "Conall"]),
    ("Sent on behalf of Ikechukwu Nnaji by his advocate.", ["Ikechukwu", "Nnaji"]),
    ("MY SOCIAL WORKER KERENZA NEVER TURNS UP AND NOBODY CARES", ["KERENZA"]),
    ("Hi, I'm Shahzaib. My PA Harriet promised me a laptop for uni.", ["Shahzaib", "Harriet"]),
]


@pytest.mark.parametrize("text, names", HELDOUT)
def test_names_of_many_origins_and_styles(text, names):
    out = redact_text(text)
    missed = [n for n in names if not _gone(n, out)]
    assert not missed, f"kept {missed}"


def test_titles_make_the_next_word_a_name_even_a_month():
    out = redact_text("Mrs April Fenwick and Dr June Ashdown attended in May.")
    assert _gone("April", out) and _gone("June", out) and _gone("Fenwick", out) and _gone("Ashdown", out)
    assert _kept("May", out)


def test_nickname_after_full_name_is_carried():
    out = redact_text("Sukhjinder Gill is 15. Sukhi says nobody listens.")
    assert _gone("Sukhi", out) and _gone("Sukhjinder", out)


def test_every_mention_is_redacted_once_found():
    out = redact_text("My son Taddeo is 8. The school rang about Taddeo twice.")
    assert "Taddeo" not in out


def test_lower_case_names_in_text_speak():
    out = redact_text("me n jermaine got moved n my sw lucinda never told us")
    assert _gone("jermaine", out) and _gone("lucinda", out)


def test_signature_lines():
    out = redact_text("Please reply soon.\n\nYours faithfully,\nBronagh Keaveney\nFoster Carer")
    assert _gone("Bronagh", out) and _gone("Keaveney", out)
    assert "Foster Carer" in out


def test_mc_o_and_hyphenated_surnames_are_one_placeholder():
    out = redact_text("Ms Saoirse McAteer-Doyle and Mr Padraig O'Halloran came.")
    assert out == "Ms [NAME] and Mr [NAME] came."


def test_all_caps_shouting():
    out = redact_text("WHY HAS MY SOCIAL WORKER BRONWEN NOT RUNG ME BACK")
    assert _gone("BRONWEN", out)
    assert "SOCIAL WORKER" in out


def test_word_names_only_where_they_are_names():
    out = redact_text("Grace is 6 and lives with us.")
    assert _gone("Grace", out)
    out = redact_text(
        "We hope to hear before the grace period ends. I will not sign. "
        "Joy and hope were in short supply; she rose early."
    )
    for w in ("hope", "grace", "will", "Joy", "rose"):
        assert _kept(w, out), w


def test_common_capitalised_words_places_and_languages_are_kept():
    text = (
        "The Independent Reviewing Officer met us in Bradford on Monday. He speaks Tigrinya "
        "and needs an Arabic interpreter. Child Protection Conference at Moorfield Medical Practice."
    )
    out = redact_text(text)
    for w in (
        "Independent",
        "Reviewing",
        "Officer",
        "Bradford",
        "Monday",
        "Tigrinya",
        "Arabic",
        "Child",
        "Protection",
        "Conference",
        "Moorfield",
        "Medical",
        "Practice",
    ):
        assert _kept(w, out), w


def test_contractions_are_not_names():
    out = redact_text("I'm sure they won't call. We'd like an answer; she'll wait.")
    assert "[NAME]" not in out


def test_names_false_keeps_names_and_placeholders_can_change():
    red = Redactor(names=False, placeholders={"phone": "<PHONE>"})
    out = red.redact("Call Persephone on 07700 900111")
    assert out == "Call Persephone on <PHONE>"


def test_find_returns_sorted_non_overlapping_spans():
    text = "Mr Ezekiel Nakamura, 07700 900222, ezek@example.com"
    spans = Redactor().find(text)
    assert all(isinstance(s, Span) for s in spans)
    assert spans == sorted(spans, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    assert {s.kind for s in spans} == {"name", "phone", "email"}


@pytest.mark.parametrize("text", ["", " ", "\n\n", "1234", "!!!", "é", "😀 ok", "a" * 5000])
def test_odd_inputs_do_not_crash(text):
    assert isinstance(redact_text(text), str)


# ------------------------------------------------------------------ evaluation
def test_evaluation_reports_counts_only_and_reaches_the_floor():
    res = evaluate_redaction(TEST_SET, list_misses=True)
    assert res["rows"] == 230
    # Measured 0.999 (993/994); the floor leaves room for rule changes.
    assert res["name_recall"] >= 0.95
    assert res["other_pii_recall"] >= 0.95
    assert res["common_words_destroyed_share"] <= 0.01
    # No text in the output: only numbers, names of measures and row numbers.
    texts = [json.loads(line)["text"] for line in TEST_SET.open(encoding="utf-8")]
    blob = json.dumps(res)
    assert not any(t[:30] in blob for t in texts)
    assert all(isinstance(r, int) for r in res["rows_missing_a_name"])


def test_evaluation_on_a_tiny_set(tmp_path):
    p = tmp_path / "t.jsonl"
    rows = [
        {"text": "Hope is 7. We hope so.", "names": ["Hope"], "other_pii": []},
        {"text": "Call 07700 900333 now", "names": [], "other_pii": ["07700 900333"]},
    ]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    res = evaluate_redaction(p)
    assert res["name_tokens"] == 1 and res["name_recall"] == 1.0
    assert res["other_pii_recall"] == 1.0
    assert res["common_words_destroyed"] == 0


# ------------------------------------------------------------------ tables
def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_redact_table_keeps_every_row_in_order_and_other_columns(tmp_path):
    rows = [
        {"id": str(i), "text": f"My social worker Oriel Vantongeren rang {i} times", "note": f"n{i}"} for i in range(25)
    ]
    rows[3]["text"] = ""
    rows[7]["text"] = "   "
    rows[9]["text"] = "no personal data here"
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _write_csv(src, rows)
    summary = redact_table(src, out, chunk_rows=4)
    got = _read_csv(out)
    assert summary.rows == 25 and len(got) == 25
    assert [r["id"] for r in got] == [r["id"] for r in rows]
    assert [r["note"] for r in got] == [r["note"] for r in rows]
    assert got[0]["text"] == "My social worker [NAME] rang 0 times"
    assert got[3]["text"] == "" and got[9]["text"] == "no personal data here"
    assert summary.rows_changed == 22
    assert "Oriel" not in out.read_text(encoding="utf-8-sig")


def test_redact_table_jsonl_and_custom_column(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text('{"ref": "A1", "body": "Email kit@example.com"}\n{"ref": "A2", "body": "fine"}\n', encoding="utf-8")
    redact_table(src, out, text_column="body")
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert got == [{"ref": "A1", "body": "Email [EMAIL]"}, {"ref": "A2", "body": "fine"}]


def test_redact_table_refuses_to_overwrite_its_input(tmp_path):
    src = tmp_path / "in.csv"
    _write_csv(src, [{"text": "Ring Persephone"}])
    before = src.read_bytes()
    with pytest.raises(OutputError):
        redact_table(src, src)
    assert src.read_bytes() == before


def test_redact_table_missing_column_names_the_flag_not_the_text(tmp_path):
    src = tmp_path / "in.csv"
    _write_csv(src, [{"body": "Secret Persephone Quackenbush"}])
    with pytest.raises(MissingColumnError) as err:
        redact_table(src, tmp_path / "out.csv")
    assert "--text-column" in str(err.value)
    assert "Quackenbush" not in str(err.value)
    assert not (tmp_path / "out.csv").exists()


def test_hard_name_sets_meet_the_issue_targets():
    """Issue 14: >= 0.95 of name tokens removed and >= 0.97 of other words kept, on hand-written hard names."""
    from pathlib import Path

    from classifier.redact.evaluation import evaluate_redaction

    root = Path(__file__).resolve().parents[1] / "training_data"
    for name in ("redaction_hard.jsonl", "redaction_hard_heldout.jsonl"):
        r = evaluate_redaction(root / name)
        assert r["name_recall"] >= 0.95, (name, r["name_recall"])
        assert 1 - r["common_words_destroyed_share"] >= 0.97, name
        assert r["name_recall_by_case"]["lower_case"]["tokens"] >= 5  # text-speak names are really in it


def test_particles_and_word_names_with_cues():
    from classifier.redact.redactor import redact_text

    assert redact_text("Dear Mr van der Berg, thank you.") == "Dear Mr [NAME], thank you."
    assert redact_text("Complaint from Ms Ana de Souza about delays.") == "Complaint from Ms [NAME] about delays."
    assert redact_text("Our van broke down so we missed contact.") == "Our van broke down so we missed contact."
    assert "[NAME] says the carers" in redact_text("Summer says the carers are kind but she wants her phone.")
    assert redact_text("lol and will said no") == "lol and [NAME] said no"
    assert redact_text("lol the staff said i will get my phone back") == "lol the staff said i will get my phone back"
    assert redact_text("Will you please ring me back?") == "Will you please ring me back?"


def test_will_after_a_role_is_the_verb_unless_a_persons_verb_follows():
    from classifier.redact.redactor import redact_text

    # 26 words with one capital read as casual text, where a word after a role may be a name.
    long = (
        "As a result of your complaint, the team manager will remind all social workers to confirm "
        "visit times in writing at least two days in advance."
    )
    assert redact_text(long) == long
    assert redact_text("the worker may visit tomorrow") == "the worker may visit tomorrow"
    assert redact_text("my sw will said no") == "my sw [NAME] said no"
    assert redact_text("the new worker will is rubbish") == "the new worker [NAME] is rubbish"


def test_a_plural_noun_opening_a_report_sentence_is_not_a_name():
    from classifier.text import prepare

    kept = ["Complainants told us that letters were late.", "Investigators reported long waits."]
    assert [d.redacted for d in prepare(kept)] == kept
    for text in ["Siobhan rang twice about the visit.", "Precious says she was left out."]:
        assert prepare([text])[0].redacted.startswith("[NAME]")
