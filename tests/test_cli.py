"""Every command's exit code and messages, through Typer's runner."""

import csv
import io
import json

import pytest
import typer
from typer.testing import CliRunner

from classifier.cli.main import app
from tests.conftest import write_csv

runner = CliRunner()
SECRET = "Zephyrine Oakenshaw-Blyth said the worker was rude at 12 Larkspur Road"


def _commands(group, prefix=()):
    """Every command and command group of the CLI, walked from the app (a new one is covered without editing a list)."""
    for name, cmd in sorted(group.commands.items()):
        if hasattr(cmd, "commands"):  # a command group (typer's own Group class)
            yield [*prefix, name]
            yield from _commands(cmd, (*prefix, name))
        else:
            yield [*prefix, name]


ALL_COMMANDS = list(_commands(typer.main.get_command(app)))


def run(*args, input=None, **context):
    return runner.invoke(app, [str(a) for a in args], input=input, **context)


@pytest.fixture()
def cases(tmp_path):
    return write_csv(
        tmp_path / "cases.csv",
        [
            {"id": "1", "text": "The social worker was rude and shouted at me."},
            {"id": "2", "text": "my pa hasnt paid my leaving care grant"},
        ],
    )


def test_every_command_has_help_with_an_example():
    assert {"label", "adapt", "sample", "serve", "report"} <= {c[0] for c in ALL_COMMANDS}
    for cmd in ALL_COMMANDS:
        r = run(*cmd, "--help", terminal_width=60)
        assert r.exit_code == 0, cmd
        assert "Example:" in r.output, cmd
        # Each example is one line even on a narrow terminal: a line broken at a hyphen fails when pasted.
        for line in r.output.splitlines():
            if line.strip().startswith("Example:"):
                assert not line.rstrip().endswith("-") and "complaints " + cmd[0] in line, line


def test_help_examples_naming_the_bundled_model_work_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("info", "--model", "default").exit_code == 0
    assert run("taxonomy", "show", "stage1-themes").exit_code == 0


def test_label_ok_and_summary(cases, tmp_path, small_model_dir):
    out = tmp_path / "out.csv"
    r = run("label", cases, "--output", out, "--model", small_model_dir)
    assert r.exit_code == 0, r.output
    assert "Labelled 2 rows" in r.output and "child-authored:" in r.output
    assert out.exists()


def test_label_missing_column_names_the_fix(cases, tmp_path, small_model_dir):
    r = run("label", cases, "--output", tmp_path / "o.csv", "--model", small_model_dir, "--text-column", "Details")
    assert r.exit_code == 1
    assert "Error: [E101] column 'Details' not found; available: id, text; pass --text-column" in r.output
    assert "Traceback" not in r.output


def test_label_refuses_to_overwrite_input(cases, small_model_dir):
    r = run("label", cases, "--output", cases, "--model", small_model_dir)
    assert r.exit_code == 1 and "is the input file" in r.output


def test_label_unreadable_and_unsupported_files(tmp_path, small_model_dir):
    r = run("label", tmp_path / "nope.csv", "--output", tmp_path / "o.csv", "--model", small_model_dir)
    assert r.exit_code == 1 and "not found" in r.output
    doc = tmp_path / "cases.docx"
    doc.write_text("x")
    r = run("label", doc, "--output", tmp_path / "o.csv", "--model", small_model_dir)
    assert r.exit_code == 1 and "unsupported extension" in r.output
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook " + SECRET.encode())
    r = run("label", broken, "--output", tmp_path / "o.csv", "--model", small_model_dir)
    assert r.exit_code == 1 and "could not read" in r.output


def test_suggest_text_json_and_stdin(small_model_dir):
    r = run("suggest", "Nobody calls me back, my sw ignores my messages", "--model", small_model_dir)
    assert r.exit_code == 0 and "because of:" in r.output
    r = run("suggest", "--json", "--model", small_model_dir, "The panel refused the placement move")
    data = json.loads(r.output)
    assert len(data["top"]) == 3 and {"theme", "probability", "evidence"} <= set(data["top"][0])
    r = run("suggest", "--stdin", "--model", small_model_dir, input="Contact with my son was cancelled again")
    assert r.exit_code == 0
    r = run("suggest", "   ", "--model", small_model_dir)
    assert r.exit_code == 1 and "no text given" in r.output


def test_info_and_missing_model(small_model_dir, tmp_path):
    r = run("info", "--model", small_model_dir)
    assert r.exit_code == 0 and "stage1-themes version 1" in r.output
    r = run("info", "--model", tmp_path)
    assert r.exit_code == 1 and "no meta.json" in r.output
    r = run("info", "--model", tmp_path / "nope")
    assert r.exit_code == 1 and "does not exist" in r.output and "--model" in r.output


def test_taxonomy_show(tmp_path):
    r = run("taxonomy", "show")
    assert r.exit_code == 0 and "Actions / Conduct of Worker" in r.output
    bad = tmp_path / "t.yml"
    bad.write_text("id: x\nversion: 1\nthemes:\n  - id: a\n    label: A\n  - id: a\n    label: B\n")
    r = run("taxonomy", "show", bad)
    assert r.exit_code == 1 and "duplicate theme id 'a'" in r.output


def test_train_and_evaluate(small_data, tmp_path):
    out = tmp_path / "m"
    r = run("train", small_data, "--out", out)
    assert r.exit_code == 0, r.output
    assert "cross-validated micro F1" in r.output and (out / "meta.json").exists()
    report = tmp_path / "r.json"
    r = run("evaluate", small_data, "--model", out, "--report", report)
    assert r.exit_code == 0 and "micro F1" in r.output and "kind accuracy" in r.output
    figures = json.loads(report.read_text())
    assert 0 <= figures["themes"]["macro_f1"] <= 1 and "main_theme_top3" in figures["themes"]
    # How sure: each figure with its 95% interval, which holds the figure itself.
    th = figures["themes"]
    for key in ("micro_f1", "macro_f1", "top1_any", "main_theme_top1", "main_theme_top3"):
        lo, hi = th["intervals"][key]
        assert lo <= th[key] + 0.005 and th[key] - 0.005 <= hi and lo < hi, key
    assert "(95% intervals in brackets)" in r.output and f"[{th['intervals']['macro_f1'][0]:.2f}-" in r.output
    r = run("evaluate", small_data, "--cv", 3)
    assert r.exit_code == 0 and "macro F1" in r.output


def test_train_unknown_theme_lists_rows(tmp_path):
    data = write_csv(
        tmp_path / "d.csv",
        [{"text": f"text number {i}", "themes": "conduct"} for i in range(12)]
        + [{"text": "x", "themes": "rudeness"}, {"text": "y", "themes": "conduct;bogus"}]
        + [{"text": "z", "themes": "Decison Making"}],
    )
    r = run("train", data, "--out", tmp_path / "m")
    assert r.exit_code == 1
    out = " ".join(r.output.split())
    assert "'bogus' in row 14" in out and "'rudeness' in row 13" in out
    assert "'Decison Making' (did you mean 'Decision Making'?) in row 15" in out


def test_no_raw_text_in_error_paths(tmp_path, small_model_dir):
    """Error output refers to files, columns and rows, never to what a row says."""
    data = write_csv(tmp_path / "secret.csv", [{"text": SECRET, "themes": "not_a_theme"}] * 12)
    outputs = [
        run("train", data, "--out", tmp_path / "m").output,
        run("label", data, "--output", tmp_path / "o.csv", "--model", small_model_dir, "--text-column", "body").output,
        run("evaluate", data, "--model", small_model_dir).output,
    ]
    bad_json = tmp_path / "secret.jsonl"
    bad_json.write_text('{"text": "' + SECRET + '"\n')
    outputs.append(run("label", bad_json, "--output", tmp_path / "o2.csv", "--model", small_model_dir).output)
    for out in outputs:
        assert "Error" in out or "Labelled" in out
        for fragment in ("Zephyrine", "Oakenshaw", "Larkspur", "rude"):
            assert fragment not in out


# ---------------------------------------------------------------- conventions


def test_version_short_help_and_plain_help_text():
    from classifier import __version__

    r = run("--version")
    assert r.exit_code == 0 and r.output.strip() == f"complaints {__version__}" and __version__[0].isdigit()
    for cmd in ALL_COMMANDS:
        r = run(*cmd, "-h")
        assert r.exit_code == 0 and "Example:" in r.output, cmd
        assert "<bool>" not in r.output and "[/" not in r.output, cmd
    flat = " ".join(run("evaluate-learning", "-h").output.split())
    assert "columns sentence and learning, optionally type and split" in flat
    top = run("-h").output
    assert "Exit codes: 0 done; 1" in top and "[default: auto]" in run("label", "-h").output


def test_usage_errors_exit_1_and_unexpected_failures_exit_2(tmp_path, small_model_dir, monkeypatch):
    r = run("label", "--no-such-option")
    assert r.exit_code == 1 and "No such option" in r.output
    assert run("label").exit_code == 1  # missing argument
    assert run("taxonomy", "show", "nope").exit_code == 1

    def boom(*a, **k):
        raise RuntimeError(SECRET)

    monkeypatch.setattr("classifier.pipeline.labelling.label_table", boom)
    src = write_csv(tmp_path / "c.csv", [{"text": "x"}])
    r = run("label", src, "-o", tmp_path / "o.csv", "--model", small_model_dir)
    assert r.exit_code == 2 and "unexpected failure (RuntimeError)" in r.output and SECRET not in r.output


def test_label_streams_stdin_to_stdout(small_model_dir):
    body = "id,text\n1,The social worker was rude and shouted at me.\n2,my pa hasnt paid my grant\n"
    r = runner.invoke(
        app, ["label", "-", "--output", "-", "--model", str(small_model_dir), "-j", "1", "-q"], input=body
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["id"] for x in rows] == ["1", "2"] and all(x["status"] == "ok" for x in rows)
    assert "Labelled" not in r.stdout


def test_label_json_summary(cases, tmp_path, small_model_dir):
    r = run("label", cases, "-o", tmp_path / "o.csv", "--model", small_model_dir, "--json")
    s = json.loads(r.stdout)
    assert r.exit_code == 0 and s["rows"] == 2 and s["errors"] == 0 and sum(s["kinds"].values()) == 2


def test_info_and_evaluate_json(small_model_dir, small_data):
    r = run("info", "--model", small_model_dir, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["model_version"]
    r = run("evaluate", small_data, "--model", small_model_dir, "--json")
    assert r.exit_code == 0 and 0 <= json.loads(r.stdout)["themes"]["micro_f1"] <= 1

    # Another taxonomy's labels can share ids ("delay"): scoring them against this model would mislead.
    rows = [
        {
            "text": "Nobody rang me back about the assessment",
            "themes": "delay",
            "taxonomy": "two-level-service-complaints",
        }
    ]
    r = run("evaluate", write_csv(small_data.parent / "other_tax.csv", rows), "--model", small_model_dir)
    assert r.exit_code == 1 and "[E202]" in r.output and "taxonomy migrate" in r.output


def test_evaluate_leaves_blank_child_flags_out(small_model_dir, corpus_rows, tmp_path):
    rows = [dict(r) for r in corpus_rows if r["split"] == "dev"][:40]
    for r in rows[::2]:
        r["child_authored"] = ""  # not recorded: neither yes nor no
    r = run("evaluate", write_csv(tmp_path / "half.csv", rows), "--model", small_model_dir, "--json")
    child = json.loads(r.stdout)["child_authored"]
    assert r.exit_code == 0 and child["rows"] == 20
    assert child["support"] == sum(x["child_authored"] == "true" for x in rows[1::2])


def test_suggest_dash_reads_stdin(small_model_dir):
    r = runner.invoke(
        app,
        ["suggest", "-", "--model", str(small_model_dir), "--json"],
        input="Nobody calls me back, my sw ignores my messages",
    )
    assert r.exit_code == 0 and json.loads(r.stdout)["top"]


def test_redact_and_learning_through_pipes(small_model_dir):
    r = runner.invoke(app, ["redact", "-", "-o", "-"], input="id,text\n1,Call Jo Bloggs on 07700 900123\n")
    assert r.exit_code == 0 and "07700" not in r.stdout and r.stdout.startswith("id,text")
    r = runner.invoke(
        app,
        ["learning", "-", "-o", "-", "--model", str(small_model_dir), "-q"],
        input='id,text\n1,"We have reminded all staff to return calls within two days."\n',
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("source,page,section,issue,sentence,type,themes")


def test_train_accepts_theme_labels(tmp_path, corpus_rows):
    from classifier.taxonomy.schema import load_taxonomy

    tax = load_taxonomy(None)
    rows = [r for r in corpus_rows if r["split"] == "train" and r["themes"]][:150]
    data = write_csv(
        tmp_path / "labels.csv",
        [
            {
                "text": r["text"],
                "themes": "; ".join(
                    tax.label_of(t).upper() if i % 2 else tax.label_of(t).lower() for t in r["themes"].split(";")
                ),
            }
            for i, r in enumerate(rows)
        ],
    )
    r = run("train", data, "--out", tmp_path / "m")
    assert r.exit_code == 0, r.output
    bad = write_csv(
        tmp_path / "bad.csv",
        [{"text": f"text {i}", "themes": "Poor Communication"} for i in range(12)]
        + [{"text": "x", "themes": "Money and allowances"}],
    )
    r = run("train", bad, "--out", tmp_path / "m2")
    assert r.exit_code == 1 and "'Money and allowances' in row 13" in r.output and "labels" in r.output


def test_empty_and_header_only_tables_say_so(tmp_path):
    for name, content in (("empty.csv", ""), ("header.csv", "id,text\n")):
        src = tmp_path / name
        src.write_text(content, encoding="utf-8")
        r = run("label", src, "--output", tmp_path / "out.csv", "--fast")
        assert r.exit_code == 1 and "has no rows" in r.output and "not found" not in r.output, r.output
        assert not (tmp_path / "out.csv").exists()
        for command in (
            ["adapt", src, "--out", tmp_path / "m"],
            ["evaluate", src],
            ["sample", src, "-o", tmp_path / "s.xlsx"],
        ):
            r = run(*command)
            assert r.exit_code == 1 and "has no rows" in r.output and "not found" not in r.output, (command, r.output)


def test_text_suggest_never_hides_a_suggested_theme():
    from classifier.cli.format import format_suggestion

    top = [{"theme": "delay", "probability": 0.9, "label": "Delay", "above_threshold": True, "evidence": ["late"]}]
    result = {"top": top, "suggested": ["delay", "financial", "conduct"], "kind": "complaint"}
    result |= {"child_authored": False, "child_authored_evidence": []}
    text = format_suggestion(result)
    assert "also suggested: financial, conduct" in text and "--top 3" in text


def test_learning_folder_summary_counts_skipped_documents_and_pypdf_stays_quiet(tmp_path, small_model_dir):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf\n")
    (folder / "b.docx").write_bytes(b"PK\x03\x04junk")
    (folder / "c.txt").write_text("We have reminded all social workers to book reviews six weeks ahead.\n")
    r = run("learning", folder, "--output", tmp_path / "out.csv", "--model", small_model_dir)
    assert r.exit_code == 0, r.output
    assert "of 1 documents read (2 more skipped, below)" in r.output
    assert "skipped a.pdf" in r.output and "skipped b.docx" in r.output
    assert "EOF marker" not in r.output


def test_values_in_rows_lists_few_values_and_hides_text():
    from classifier.redact.quote import values_in_rows

    bad = {f"t{i}": [i + 1] for i in range(7)} | {"bogus": list(range(1, 11))}
    bad["my son Kacper was hurt"] = [3]
    text = values_in_rows(bad)
    assert text.startswith("'bogus' in rows 1, 2, 3, 4, 5, 6, 7, 8 …; ")
    assert "Kacper" not in text and "a value of 22 characters in row 3" in text
    assert text.endswith("; and 4 more (row 1 is the first row under the header)")
