"""Finding 4: no case text in any message. Every command's error paths, fed texts holding canary names.

Each case makes a command fail (or warn) on data whose cells hold canaries;
stdout, stderr and every log record must hold none of them.
"""

import json
import logging

import pytest
from typer.testing import CliRunner

from classifier.cli.main import app
from tests.conftest import write_csv

CANARIES = ["Quillonbe", "Tavistrel", "Marrowgate", "Oswinthe", "Brackenmoor"]
STORY = "Quillonbe Tavistrel told her worker about the bruises at 4 Marrowgate Close"
runner = CliRunner()


def _story(i=0):
    return f"{STORY}, time {i}; Oswinthe Brackenmoor was there"


@pytest.fixture()
def files(tmp_path):
    f = {}
    # A CSV without a header row: its first row is case text.
    f["noheader"] = tmp_path / "noheader.csv"
    f["noheader"].write_text("".join(f"{i},{_story(i)},conduct\n" for i in range(15)), encoding="utf-8")
    # The text sits in the column that should hold theme ids (wrong --themes-column).
    f["textthemes"] = write_csv(
        tmp_path / "textthemes.csv",
        [{"text": "my worker never rings", "themes": "conduct", "notes": _story(i)} for i in range(15)],
    )
    f["taxcell"] = write_csv(tmp_path / "taxcell.csv", [{"id": "1", "text": "late grant", "taxonomy": "Quillonbe"}])
    f["taxstory"] = write_csv(tmp_path / "taxstory.csv", [{"id": "1", "text": "late grant", "taxonomy": _story()}])
    f["kind"] = write_csv(
        tmp_path / "kind.csv", [{"text": f"text {i}", "themes": "conduct", "kind": "Quillonbe"} for i in range(15)]
    )
    f["quote"] = tmp_path / "quote.csv"
    f["quote"].write_text('id,text\n1,"' + _story() + "\n2,Tavistrel again\n", encoding="utf-8")
    f["jsonl"] = tmp_path / "bad.jsonl"
    f["jsonl"].write_text('{"text": "' + _story() + '"\n{"text": "ok"}\n', encoding="utf-8")
    f["fakexlsx"] = tmp_path / "fake.xlsx"
    f["fakexlsx"].write_text(_story(), encoding="utf-8")
    f["learntype"] = write_csv(
        tmp_path / "lt.csv",
        [{"sentence": _story(i), "learning": "true", "type": "Quillonbe"} for i in range(6)]
        + [{"sentence": f"plain {i}", "learning": "false", "type": ""} for i in range(6)],
    )
    f["learnbool"] = write_csv(tmp_path / "lb.csv", [{"sentence": "x", "learning": _story()}])
    f["relabel"] = write_csv(
        tmp_path / "rl.csv", [{"id": str(i), "text": "late grant", "themes": _story(i)} for i in range(5)]
    )
    f["good"] = write_csv(tmp_path / "good.csv", [{"id": "1", "text": _story()}])
    f["docdir"] = tmp_path / "docs"
    f["docdir"].mkdir()
    (f["docdir"] / "a.txt").write_text(_story())
    (f["docdir"] / "b.docx").write_bytes(b"PK\x03\x04" + _story().encode())
    f["out"] = tmp_path / "out.csv"
    f["tmp"] = tmp_path
    return f


def _cases(f, model):
    out = f["out"]
    mapping = "stage1-themes__two-level-service-complaints"
    # Learning commands use the bundled model, which has a learning extractor (no 20 s training).
    return {
        "label no header": ["label", f["noheader"], "-o", out, "--model", model],
        "label no header id": [
            "label",
            f["noheader"],
            "-o",
            out,
            "--model",
            model,
            "--text-column",
            "1",
            "--id-column",
            "ref",
        ],
        "label taxonomy cell": ["label", f["taxcell"], "-o", out, "--model", model],
        "label taxonomy story": ["label", f["taxstory"], "-o", out, "--model", model],
        "label unbalanced quote": ["label", f["quote"], "-o", out, "--model", model],
        "label damaged jsonl": ["label", f["jsonl"], "-o", out, "--model", model],
        "label fake xlsx": ["label", f["fakexlsx"], "-o", out, "--model", model],
        "label role column": ["label", f["good"], "-o", out, "--model", model, "--role-column", "role"],
        "label output is input": ["label", f["good"], "-o", f["good"], "--model", model],
        "label child output": ["label", f["good"], "-o", out, "--child-output", out, "--model", model],
        "redact no header": ["redact", f["noheader"], "-o", out],
        "redact quote": ["redact", f["quote"], "-o", out],
        "train no header": ["train", f["noheader"], "--out", f["tmp"] / "m1"],
        "train wrong themes column": ["train", f["textthemes"], "--out", f["tmp"] / "m2", "--themes-column", "notes"],
        "train kind": ["train", f["kind"], "--out", f["tmp"] / "m3"],
        "evaluate wrong themes column": ["evaluate", f["textthemes"], "--model", model, "--themes-column", "notes"],
        "evaluate no header": ["evaluate", f["noheader"], "--model", model],
        "learning no header": ["learning", f["noheader"], "-o", out],
        "learning folder": ["learning", f["docdir"], "-o", out],
        "learning quote": ["learning", f["quote"], "-o", out],
        "evaluate-learning no header": ["evaluate-learning", f["noheader"]],
        "evaluate-learning type": ["evaluate-learning", f["learntype"]],
        "evaluate-learning bool": ["evaluate-learning", f["learnbool"]],
        "relabel unknown ids": ["relabel", f["relabel"], "--model", model, "-o", out],
        "relabel no header": ["relabel", f["noheader"], "--model", model, "-o", out],
        "migrate unknown ids": ["taxonomy", "migrate", f["relabel"], "--map", mapping, "-o", out],
        "migrate no header": ["taxonomy", "migrate", f["noheader"], "--map", mapping, "-o", out],
        "suggest empty": ["suggest", "   ", "--model", model],
    }


def test_no_canary_in_any_message(files, caplog, small_model_dir):
    caplog.set_level(logging.DEBUG)
    failures, exits = [], {}
    for name, args in _cases(files, small_model_dir).items():
        caplog.clear()
        r = runner.invoke(app, [str(a) for a in args])
        exits[name] = r.exit_code
        text = (
            r.output
            + (r.stderr if r.stderr_bytes is not None else "")
            + "\n".join(rec.getMessage() for rec in caplog.records)
        )
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            failures.append(f"{name}: raised {type(r.exception).__name__}")
        for canary in CANARIES:
            if canary.lower() in text.lower():
                failures.append(f"{name}: {canary} in {text!r}")
    assert not failures, "\n".join(failures)
    # The error paths really were taken (a case that passed would prove nothing).
    failing = {k for k, v in exits.items() if v != 0}
    assert failing >= set(exits) - {"learning folder", "label damaged jsonl", "evaluate-learning type"}, exits
    assert exits["learning folder"] == 0  # one damaged file: reported, skipped, the rest read


def test_missing_column_message_lists_real_headers_but_not_data():
    from classifier.errors import MissingColumnError
    from classifier.io.tables import require_column

    with pytest.raises(MissingColumnError) as exc:
        require_column(["Case Ref", "Details", "Date received"], "text", "--text-column")
    assert "Case Ref, Details, Date received" in str(exc.value)
    with pytest.raises(MissingColumnError) as exc:
        require_column(["1", STORY, "conduct"], "text", "--text-column")
    assert "Quillonbe" not in str(exc.value) and "header row" in str(exc.value)
    with pytest.raises(MissingColumnError) as exc:
        require_column(["C001", "Quillonbe", "delay"], "text", "--text-column")
    assert "Quillonbe" not in str(exc.value) and "(column 2)" in str(exc.value)
    with pytest.raises(MissingColumnError) as exc:  # headers exports really have
        require_column(["Ref", "Date Rec'd", "Complaint Details", "Theme(s)", "YP?", "Cost £"], "text", "--text-column")
    assert "Ref, Date Rec'd, Complaint Details, Theme(s), YP?, Cost £" in str(exc.value)
    with pytest.raises(MissingColumnError) as exc:  # a long header among short ones, an en dash
        require_column(["Ref No.", "Date Logged", "Nature of Complaint (free text)", "Theme(s) – old"], "text", "x")
    assert "Nature of Complaint (free text), Theme(s) – old" in str(exc.value)
    with pytest.raises(MissingColumnError) as exc:  # a first row of short data and a sentence: described
        require_column(["Quillonbe rang about the move again", "x"], "text", "--text-column")
    assert "Quillonbe" not in str(exc.value) and "header row" in str(exc.value)


def test_shown_value_quotes_ids_only():
    from classifier.redact.quote import shown_value

    assert shown_value("poor_communication") == "'poor_communication'"
    assert shown_value("stage1-themes@1") == "'stage1-themes@1'"
    assert shown_value("Quillonbe") == "a value of 9 characters"
    assert json.dumps(shown_value(STORY)).count("Quillonbe") == 0
