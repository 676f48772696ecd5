"""Commands that label or clean text: `label`, `suggest`, `redact`."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from classifier.cli.common import MODEL_OPT, friendly
from classifier.cli.common import load_model as _load


@friendly
def label(input: Path = typer.Argument(..., help="Cases to label (.csv/.xlsx/.jsonl)."),
          output: Path = typer.Option(..., "--output", "-o", help="Where to write (.csv/.xlsx/.jsonl)."),
          model: Optional[Path] = MODEL_OPT,
          text_column: str = typer.Option("text", help="Column holding the complaint text."),
          id_column: str = typer.Option("id", help="Column identifying each case (optional)."),
          role_column: Optional[str] = typer.Option(None, help="Complainant role column, used for the child flag."),
          age_column: Optional[str] = typer.Option(None, help="Complainant age column, used for the child flag."),
          child_output: Optional[Path] = typer.Option(None, help="Also write only the child-authored rows here."),
          fast: bool = typer.Option(False, "--fast", help="TF-IDF only, without the sentence encoder: "
                                    "about 20x faster, less accurate on unfamiliar wording (very large files).")):
    """Add theme, child-authored and kind predictions to every row of a table.

    Example: complaints label cases.xlsx --output labelled.xlsx --text-column Details
    """
    from classifier.pipeline.labelling import label_table
    from classifier.cli.format import format_label_summary, progress_bar

    m = _load(model)
    m.fast = fast
    with progress_bar(input) as tick:
        summary = label_table(input, output, m, text_column, id_column, role_column, age_column,
                              child_output, progress=tick)
    typer.echo(format_label_summary(summary, output, m.taxonomy))


@friendly
def suggest(text: Optional[str] = typer.Argument(None, help="Complaint text (or use --stdin)."),
            stdin: bool = typer.Option(False, "--stdin", help="Read the text from standard input."),
            model: Optional[Path] = MODEL_OPT,
            as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
            top: int = typer.Option(3, help="How many themes to show.")):
    """Top themes for one complaint, with the words behind each.

    Example: complaints suggest "My social worker never returns my calls"
    """
    from classifier.errors import InputDataError
    from classifier.cli.format import format_suggestion

    body = sys.stdin.read() if stdin else text
    if not body or not body.strip():
        raise InputDataError("no text given; pass the complaint text in quotes or use --stdin")
    result = _load(model).suggest(body, top=top)
    typer.echo(json.dumps(result, indent=2) if as_json else format_suggestion(result))




@friendly
def redact(input: Path = typer.Argument(..., help="Table to redact (.csv/.xlsx/.jsonl)."),
           output: Path = typer.Option(..., "--output", "-o", help="Where to write the redacted copy."),
           text_column: str = typer.Option("text", help="Column to redact.")):
    """Write every row with names, contacts, addresses, dates of birth and references replaced.

    Example: complaints redact cases.csv --output cases_redacted.csv --text-column Details
    """
    from classifier.redact.table import redact_table

    summary = redact_table(input, output, text_column)
    typer.echo(f"Redacted {summary.rows} rows -> {output}")


def register(app: typer.Typer) -> None:
    app.command()(label)
    app.command()(suggest)
    app.command()(redact)
