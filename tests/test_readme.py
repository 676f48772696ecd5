"""README's shown `make demo` summary is what the command prints with the shipped model."""

import re
from pathlib import Path

from typer.testing import CliRunner

from classifier.cli.main import app

ROOT = Path(__file__).resolve().parents[1]


def _shown_demo_summary() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"then prints a summary:\n\n```\n(.*?)```", readme, re.S)
    assert block, "README no longer shows the make demo summary"
    return [line.rstrip() for line in block.group(1).splitlines() if line.strip() and line.strip() != "..."]


def test_readme_demo_summary_matches_the_real_output(tmp_path):
    out = tmp_path / "sample_cases_labelled.csv"
    r = CliRunner().invoke(
        app,
        ["label", str(ROOT / "training_data" / "sample_cases.csv"), "--output", str(out), "--id-column", "case_ref"],
    )
    assert r.exit_code == 0, r.output
    printed = [line.rstrip() for line in r.output.replace(str(out), "out/sample_cases_labelled.csv").splitlines()]
    shown = _shown_demo_summary()
    assert len(shown) >= 6
    for line in shown:
        assert line in printed, f"README shows {line!r}; the command printed:\n" + "\n".join(printed)


def test_readme_python_example_runs_as_shown(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### From Python\n.*?```python\n(.*?)```", readme, re.S)
    assert block, "README no longer shows the Python example"
    exec(compile(block.group(1), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "E100" in out and "error: placeholder" in out
    assert "staff_reminder" in out  # the learning example is found and typed
