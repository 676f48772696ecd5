"""Commands that label or clean text: `label`, `suggest`, `redact`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from classifier.cli.common import HEADER_ROW_OPT, MODEL_OPT, SHEET_OPT, friendly, say
from classifier.cli.common import load_model as _load
from classifier.cli.progress import QUIET_OPT, estimate_rows, progress_bar


@friendly
def label(
    input: Path = typer.Argument(..., help="Cases to label (.csv/.xlsx/.jsonl; '-': CSV on standard input)."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Where to write (.csv/.xlsx/.jsonl; '-': CSV on standard output)."
    ),
    model: Optional[Path] = MODEL_OPT,
    text_column: str = typer.Option("text", help="Column holding the complaint text."),
    id_column: str = typer.Option("id", help="Column identifying each case (optional)."),
    role_column: Optional[str] = typer.Option(None, help="Complainant role column, used for the child flag."),
    age_column: Optional[str] = typer.Option(None, help="Complainant age column, used for the child flag."),
    child_output: Optional[Path] = typer.Option(None, help="Also write only the child-authored rows here."),
    sheet: Optional[str] = SHEET_OPT,
    header_row: Optional[int] = HEADER_ROW_OPT,
    scores: str = typer.Option(
        "auto",
        help="Theme scores: 'columns' (one numeric column per theme), "
        "'json' (one JSON column), or 'auto' (columns for .xlsx, json otherwise).",
    ),
    jobs: int = typer.Option(
        0,
        "--jobs",
        "-j",
        help="Cores to use (0: every core): threads sharing the model, or worker processes with --fast. The output is the same whatever the number.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    quiet: bool = QUIET_OPT,
    fast: bool = typer.Option(
        False,
        "--fast",
        help="TF-IDF only, without the sentence encoder: "
        "about 20x faster, less accurate on unfamiliar wording (very large files).",
    ),
):
    """Add theme, child-authored and kind predictions to every row of a table.

    Example: complaints label cases.xlsx --sheet Cases --output labelled.xlsx --text-column Details --id-column Ref
    """
    from classifier.cli.format import format_label_summary
    from classifier.pipeline.labelling import label_table
    from classifier.pipeline.persistence import default_model_dir

    m = _load(model)
    m.fast = fast
    with progress_bar("labelling", estimate_rows(input, sheet, header_row), quiet) as tick:
        summary = label_table(
            input,
            output,
            m,
            text_column,
            id_column,
            role_column,
            age_column,
            child_output,
            progress=tick,
            sheet=sheet,
            header_row=header_row,
            scores=scores,
            jobs=jobs,
            model_dir=model or default_model_dir(),
        )
    to_stderr = str(output) == "-"
    if as_json:
        say(
            json.dumps({"output": str(output), "model_version": m.version, **summary.to_dict()}, indent=2),
            quiet=False,
            err=to_stderr,
        )
    else:
        say(format_label_summary(summary, output, m.taxonomy), quiet, err=to_stderr)


@friendly
def suggest(
    text: Optional[str] = typer.Argument(None, help="Complaint text ('-' or --stdin: read standard input)."),
    stdin: bool = typer.Option(False, "--stdin", help="Read the text from standard input."),
    model: Optional[Path] = MODEL_OPT,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    top: int = typer.Option(3, min=1, help="How many themes to show (at least 1)."),
):
    """Top themes for one complaint, with the words behind each.

    Example: complaints suggest "My social worker never returns my calls"
    """
    from classifier.cli.format import format_suggestion
    from classifier.errors import InputDataError
    from classifier.text import unlabelled_reason

    body = sys.stdin.read() if stdin or text == "-" else text
    why = unlabelled_reason(body or "")
    if why == "empty text":
        raise InputDataError("no text given; pass the complaint text in quotes, or '-' to read standard input")
    if why == "no words to label":
        raise InputDataError("the text has no words (only digits or punctuation); paste the complaint itself")
    if why:
        raise InputDataError(
            "the text is a placeholder (such as 'N/A' or 'see attached'), not a complaint; "
            "paste the complaint itself to get suggestions"
        )
    result = _load(model).suggest(body, top=top)
    typer.echo(json.dumps(result, indent=2) if as_json else format_suggestion(result))


@friendly
def redact(
    input: Path = typer.Argument(..., help="Table to redact (.csv/.xlsx/.jsonl; '-': CSV on standard input)."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Where to write the redacted copy ('-': CSV on standard output)."
    ),
    text_column: str = typer.Option("text", help="Column to redact."),
    sheet: Optional[str] = SHEET_OPT,
    header_row: Optional[int] = HEADER_ROW_OPT,
    quiet: bool = QUIET_OPT,
):
    """Write every row with names, contacts, addresses, dates of birth and references replaced.

    Example: complaints redact cases.csv --output cases_redacted.csv --text-column Details
    """
    from classifier.cli.format import read_counts
    from classifier.redact.table import redact_table

    with progress_bar("redacting", estimate_rows(input, sheet, header_row), quiet) as tick:
        summary = redact_table(input, output, text_column, sheet=sheet, header_row=header_row, progress=tick)
    say(f"Redacted {summary.rows} rows -> {output}", quiet, err=str(output) == "-")
    if summary.lines_read:
        say(read_counts(summary.lines_read, summary.rows), quiet, err=str(output) == "-")


def register(app: typer.Typer) -> None:
    app.command()(label)
    app.command()(suggest)
    app.command()(redact)
