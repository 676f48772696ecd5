"""Regenerate the command output in docs/taxonomy-change.md by running the commands it shows.

The document is its own template:
- in a ```console block, every `$ ` line is run (`complaints ...` in-process,
  anything else with bash) and the lines after it are replaced by its output;
- `<!-- table FILE COLUMN=ID,ID... columns=A,B,... -->` ... `<!-- /table -->`
  is replaced by those rows of FILE (or its first N rows with `rows=N`);
- `<!-- planted -->` ... `<!-- /planted -->` is replaced by where the planted
  label errors landed in the review file.

Commands run in a scratch folder where `training_data/` and `models/` point
at the repository's, so the paths in the document work as written.

    python scripts/build_docs.py           # rewrite the document
    python scripts/build_docs.py --check   # exit 1 if it is out of date (tests/test_docs.py)
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "taxonomy-change.md"
_TABLE = re.compile(r"(<!-- table (?P<args>[^>]*) -->\n)(?P<body>.*?)(<!-- /table -->)", re.S)
_PLANTED = re.compile(r"(<!-- planted -->\n)(?P<body>.*?)(<!-- /planted -->)", re.S)


def _run(command: str, cwd: Path) -> str:
    if command.startswith("complaints "):
        from typer.testing import CliRunner

        from classifier.cli.main import app

        old = os.getcwd()
        os.chdir(cwd)
        try:
            result = CliRunner().invoke(app, shlex.split(command)[1:], catch_exceptions=False)
        finally:
            os.chdir(old)
        if result.exit_code != 0:
            raise SystemExit(f"'{command}' failed ({result.exit_code}):\n{result.output}")
        return result.output
    done = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def _console(block: str, cwd: Path) -> str:
    out: list[str] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append(line)
            out.extend(_run(line[2:], cwd).rstrip("\n").splitlines())
    return "\n".join(out) + "\n"


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _table(args: str, cwd: Path) -> str:
    parts = dict(a.split("=", 1) for a in args.split()[1:])
    rows = _read(cwd / args.split()[0])
    columns = parts.pop("columns").split(",")
    if "rows" in parts:
        rows = rows[: int(parts.pop("rows"))]
    else:
        ((key, wanted),) = parts.items()
        by_key = {r[key]: r for r in rows}
        rows = [by_key[k] for k in wanted.split(",")]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _planted(cwd: Path) -> str:
    planted = {r["id"] for r in _read(ROOT / "training_data" / "history" / "planted_errors.csv")}
    rows = _read(cwd / "out" / "review.csv")
    review = [r for r in rows if r["review_rank"]]
    waiting = sum(1 for r in rows if not r["review_rank"] and r["id"] in planted)
    ranks = sorted(int(r["review_rank"]) for r in review if r["id"] in planted)
    flagged = sum(r["label_issue"] == "true" for r in review if r["id"] in planted)
    lost = (
        f"{waiting} lost their theme in the migration and are among the rows listed first; of the other {len(ranks)}, "
        if waiting
        else ""
    )
    return (
        f"Of the {len(planted)} planted errors, {lost}{sum(r <= 20 for r in ranks)} are in the top 20 "
        f"of {len(review)} scored rows ({sum(r <= 10 for r in ranks)} in the top 10), {flagged} are flagged "
        f"`label_issue`, and the lowest-ranked is number {max(ranks)}.\n"
    )


def render(text: str | None = None) -> str:
    """The document with every command's output, table and figure regenerated."""
    text = DOC.read_text(encoding="utf-8") if text is None else text
    with tempfile.TemporaryDirectory(prefix="build-docs-") as tmp:
        cwd = Path(tmp)
        for name in ("training_data", "models"):
            (cwd / name).symlink_to(ROOT / name, target_is_directory=True)
        # Blocks, tables and figures in document order: later ones read files earlier commands wrote.
        pieces = re.split(
            r"(```console\n.*?```\n|<!-- table [^>]*-->\n.*?<!-- /table -->|"
            r"<!-- planted -->\n.*?<!-- /planted -->)",
            text,
            flags=re.S,
        )
        out = []
        for piece in pieces:
            if piece.startswith("```console\n"):
                out.append("```console\n" + _console(piece[len("```console\n") : -4], cwd) + "```\n")
            elif m := _TABLE.fullmatch(piece):
                out.append(m.group(1) + _table(m.group("args"), cwd) + m.group(4))
            elif m := _PLANTED.fullmatch(piece):
                out.append(m.group(1) + _planted(cwd) + m.group(3))
            else:
                out.append(piece)
    return "".join(out)


def main(argv: list[str]) -> int:
    fresh = render()
    if "--check" in argv:
        if fresh != DOC.read_text(encoding="utf-8"):
            print(f"{DOC.relative_to(ROOT)} is out of date: run python scripts/build_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
