import csv
import json

import pytest
from openpyxl import Workbook, load_workbook

from classifier.pipeline.labelling import OUTPUT_COLUMNS, label_table
from tests.conftest import write_csv

ODD_VALUES = [
    "The social worker was rude to me on the phone.",
    "",
    "   \n\t ",
    "12345",
    "x" * 1_000_000,
    "control\x00chars\x07 here and a complaint about contact",
    "Mixed scripts: اعتذار 道歉 Ünïcödé 😡😡 my PA never answers",
    "\ufffd\ufffd broken bytes then my savings went missing",
]


def _read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_output_contract_every_row_in_order(tmp_path, small_model):
    rows = [{"id": str(i % 3) if i != 2 else "", "text": t, "other": f"keep-{i}"} for i, t in enumerate(ODD_VALUES)]
    src = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    child = tmp_path / "child.csv"
    summary = label_table(src, out, small_model, child_output=child)
    got = _read_csv(out)
    assert len(got) == len(rows)
    assert [g["other"] for g in got] == [r["other"] for r in rows]
    assert list(got[0])[:3] == ["id", "text", "other"] and list(got[0])[3:] == OUTPUT_COLUMNS
    statuses = [g["status"] for g in got]
    assert statuses[1] == "error: empty text" and statuses[2] == "error: empty text"
    assert statuses[3] == "error: no words to label"
    assert statuses[0] == statuses[4] == statuses[5] == statuses[6] == statuses[7] == "ok"
    assert summary.errors == 3 and summary.rows == len(rows)
    first = got[0]
    themes = first["predicted_themes"].split(";")
    scores = json.loads(first["predicted_theme_scores"])
    assert set(scores) == set(small_model.themes.labels_) and themes[0] in scores
    assert themes == sorted(themes, key=lambda t: -scores[t])
    assert first["predicted_child_authored"] in ("true", "false")
    assert first["predicted_kind"] in ("complaint", "enquiry", "compliment")
    assert first["model_version"] == small_model.version
    assert got[1]["predicted_themes"] == "" and got[1]["model_version"] == small_model.version
    child_rows = _read_csv(child)
    assert len(child_rows) == summary.child_authored
    assert all(r["predicted_child_authored"] == "true" for r in child_rows)


def test_existing_output_column_is_kept(tmp_path, small_model):
    src = write_csv(tmp_path / "in.csv", [{"text": "worker lied", "status": "closed"}])
    out = tmp_path / "out.csv"
    label_table(src, out, small_model)
    got = _read_csv(out)[0]
    assert got["status"] == "closed" and got["status_new"] == "ok"


@pytest.mark.parametrize("suffix", [".xlsx", ".jsonl"])
def test_xlsx_and_jsonl_round_trip(tmp_path, small_model, suffix):
    texts = ["My foster carer took my phone", "Please can you tell me when contact is", "Thank you so much"]
    src = tmp_path / f"in{suffix}"
    if suffix == ".xlsx":
        wb = Workbook()
        ws = wb.active
        ws.append(["Ref", "Details", "Amount"])
        for i, t in enumerate(texts):
            ws.append([f"R{i}", t, i * 1.5])
        wb.save(src)
    else:
        src.write_text("".join(json.dumps({"Ref": f"R{i}", "Details": t, "n": i}) + "\n" for i, t in enumerate(texts)))
    out = tmp_path / f"out{suffix}"
    label_table(src, out, small_model, text_column="Details", id_column="Ref")
    if suffix == ".xlsx":
        rows = list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))
        header, body = rows[0], rows[1:]
        assert header[:3] == ("Ref", "Details", "Amount") and len(body) == 3
        assert [r[0] for r in body] == ["R0", "R1", "R2"]
    else:
        body = [json.loads(l) for l in out.read_text().splitlines()]
        assert [b["Ref"] for b in body] == ["R0", "R1", "R2"] and all(b["status"] == "ok" for b in body)


def test_interrupted_run_leaves_no_output(tmp_path, small_model, monkeypatch):
    src = write_csv(tmp_path / "in.csv", [{"text": f"complaint {i} about my social worker"} for i in range(10)])
    out = tmp_path / "out.csv"

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(small_model, "analyse", boom)
    with pytest.raises(KeyboardInterrupt):
        label_table(src, out, small_model)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv"]


def test_taxonomy_column_mismatch_is_an_error(tmp_path, small_model):
    from classifier.errors import TaxonomyMismatchError

    src = write_csv(tmp_path / "in.csv", [{"text": "worker was rude", "taxonomy": "two-level@1"}])
    with pytest.raises(TaxonomyMismatchError, match="two-level@1"):
        label_table(src, tmp_path / "out.csv", small_model)
    ok = write_csv(tmp_path / "ok.csv", [{"text": "worker was rude", "taxonomy": "stage1-themes"}])
    label_table(ok, tmp_path / "out2.csv", small_model)


def test_structured_role_column_drives_child_flag(tmp_path, small_model):
    src = write_csv(
        tmp_path / "in.csv",
        [
            {"text": "The worker never rings back.", "role": "young_person"},
            {"text": "I'm 15 and my social worker never rings me back.", "role": "parent"},
        ],
    )
    out = tmp_path / "out.csv"
    summary = label_table(src, out, small_model, role_column="role")
    got = _read_csv(out)
    assert (
        got[0]["predicted_child_authored"] == "true" and "column role=young_person" in got[0]["child_authored_evidence"]
    )
    assert got[1]["predicted_child_authored"] == "false"
    assert any("role" in n for n in summary.notes)


def test_suggest_refuses_text_without_words_as_label_does(tmp_path):
    from typer.testing import CliRunner

    from classifier.cli.main import app
    from classifier.text import unlabelled_reason

    assert [unlabelled_reason(t) for t in ["", " . ", "N/A", "Letter never arrived"]] == [
        "empty text",
        "no words to label",
        "placeholder, not complaint text",
        None,
    ]
    res = CliRunner().invoke(app, ["suggest", "."])
    assert res.exit_code == 1 and "no words" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("text", ["", "   ", "12345 !!!", "N/A"])
def test_the_library_refuses_text_without_words_as_the_cli_does(small_model, text):
    from classifier.errors import InputDataError

    with pytest.raises(InputDataError) as err:
        small_model.suggest(text)
    assert err.value.code == "E100" and "cannot suggest themes" in str(err.value)


def test_placeholders_are_not_labelled_or_flagged(tmp_path, small_model):
    from classifier.text import is_placeholder

    holders = ["N/A", "see attached", "test", "Complaint received by phone, see notes", "Duplicate - see ref 4471"]
    real = ["Phone calls not returned", "No response to my email about the grant", "Letter never arrived"]
    assert all(is_placeholder(t) for t in holders) and not any(is_placeholder(t) for t in real)
    src = write_csv(tmp_path / "in.csv", [{"id": str(i), "text": t} for i, t in enumerate(holders + real)])
    out, child = tmp_path / "out.csv", tmp_path / "child.csv"
    label_table(src, out, small_model, child_output=child)
    got = _read_csv(out)
    for g in got[: len(holders)]:
        assert g["status"] == "error: placeholder, not complaint text"
        assert g["predicted_themes"] == "" and g["predicted_child_authored"] == ""
    assert all(g["status"] == "ok" and g["predicted_themes"] for g in got[len(holders) :])
    assert {r["id"] for r in _read_csv(child)} <= {str(i) for i in range(len(holders), len(got))}


def test_evidence_is_never_a_lone_function_word_or_across_a_line_break():
    from classifier.models.explain import _FUNCTION_WORDS
    from classifier.pipeline.persistence import load_model

    text = (
        "Could someone tell me why I was not told my son's contact moved to Tuesdays?\n\n"
        "Kind regards, and I have asked the team three times and nobody calls me back"
    )
    result = load_model(None).suggest(text, top=10)
    phrases = [p for t in result["top"] for p in t["evidence"]]
    assert phrases
    for phrase in phrases:
        assert "\n" not in phrase and "?" not in phrase
        words = phrase.lower().replace("'", "").split()
        assert words[0] not in _FUNCTION_WORDS and words[-1] not in _FUNCTION_WORDS
    assert any("not told" in p for p in phrases) or any("nobody" in p for p in phrases)


def test_a_word_repeated_through_a_long_text_is_shown_once_as_evidence():
    from classifier.pipeline.persistence import load_model

    letter = "Nobody returns my calls and my son has waited months for his assessment. " * 200
    for theme in load_model(None).suggest(letter, top=3)["top"]:
        shown = [p.lower() for p in theme["evidence"]]
        assert len(shown) == len(set(shown)), theme["theme"]
