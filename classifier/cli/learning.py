"""Learning commands: `learning` and `evaluate-learning`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Optional

import typer

from classifier.cli.common import HEADER_ROW_OPT, SHEET_OPT, friendly, say
from classifier.cli.common import load_model as _load_model
from classifier.cli.progress import QUIET_OPT, count_documents, estimate_rows, progress_bar


def _extractor(model):
    """The model's extractor, or one trained now from the bundled sentences."""
    from classifier.learning.api import BUNDLED_SENTENCES, train_learning_extractor

    if getattr(model, "learning", None) is not None:
        return model.learning
    typer.echo(
        f"Note: the model has no learning extractor; training one from {BUNDLED_SENTENCES.name} (about 20 seconds).",
        err=True,
    )
    return train_learning_extractor(BUNDLED_SENTENCES)


def register(app: typer.Typer, load_model: Callable = _load_model) -> None:
    """Add `learning` and `evaluate-learning` to `app` (`load_model` is replaceable for tests)."""

    @app.command("learning")
    @friendly
    def learning(
        input: Path = typer.Argument(
            ..., help="Table (.csv/.xlsx/.jsonl), document (.txt/.docx/.pdf) or folder; '-': CSV on standard input."
        ),
        output: Path = typer.Option(
            ..., "--output", "-o", help="Statements table (.csv/.xlsx/.jsonl; '-': CSV on standard output)."
        ),
        text_column: str = typer.Option("text", "--text-column", help="Column holding the letter or report text."),
        id_column: str = typer.Option("id", "--id-column", help="Column identifying each row."),
        register: Optional[Path] = typer.Option(None, "--register", help="Also write a learning register here."),
        redact: bool = typer.Option(
            False, "--redact", help="Replace names and contact details in statements ([NAME], [PHONE] ...)."
        ),
        sections: str = typer.Option(
            "all",
            "--sections",
            help="'learning': in documents with learning or action sections, keep only "
            "statements from those sections. Default 'all'.",
        ),
        keep_column: Optional[list[str]] = typer.Option(
            None,
            "--keep-column",
            help="Input table column to carry into the output (repeatable; default: "
            "columns about dates, teams, services, stages and references).",
        ),
        model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: bundled model)."),
        sheet: Optional[str] = SHEET_OPT,
        header_row: Optional[int] = HEADER_ROW_OPT,
        quiet: bool = QUIET_OPT,
    ):
        """Find learning statements (lessons, reminders, training, changes, remedies).

        Each statement comes with its source, page, section, type, themes (blank
        where none is clear) and complaint reference, plus action owner, due date
        and status columns, filled from an action table's "Owner", "By when" and
        "RAG" cells (else left for the team to fill in), and, from an "Issue |
        Finding | Action" table, the issue its row answers. Due dates are dates in
        .xlsx; .jsonl has JSON types and character offsets. An empty or damaged
        document is reported and skipped.

        Example: complaints learning annual-reports/ --output learning.xlsx --register register.xlsx --sections learning
        """
        from classifier.cli.format import format_learning_summary
        from classifier.learning.api import extract_learning_table

        loaded = load_model(model)
        extractor = _extractor(loaded)
        docs = count_documents(input)
        total = (
            docs
            if docs is not None
            else (1 if input.suffix.lower() in (".txt", ".docx", ".pdf") else estimate_rows(input, sheet, header_row))
        )
        with progress_bar("documents" if docs is not None else "rows", total, quiet) as tick:
            summary = extract_learning_table(
                input,
                output,
                text_column,
                id_column,
                extractor=extractor,
                theme_model=getattr(loaded, "themes", None),
                register_path=register,
                sections=sections,
                keep_columns=keep_column or None,
                redact=redact,
                progress=tick,
                sheet=sheet,
                header_row=header_row,
            )
        say(format_learning_summary(summary), quiet, err=str(output) == "-")

    @app.command("evaluate-learning")
    @friendly
    def evaluate_learning_cmd(
        data: Path = typer.Argument(
            ..., help="Labelled sentences: columns sentence and learning, optionally type and split."
        ),
        model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: bundled model)."),
        report: Optional[Path] = typer.Option(None, "--report", help="Write the figures to this .json file."),
    ):
        """Precision, recall and F1 of sentence detection, and type accuracy (test split if present).

        Example: complaints evaluate-learning our_sentences.csv --report learning.json
        """
        from classifier.cli.format import format_learning_evaluation
        from classifier.learning.api import evaluate_learning

        result = evaluate_learning(data, _extractor(load_model(model)))
        typer.echo(format_learning_evaluation(result))
        if report is not None:
            report.write_text(json.dumps(result, indent=2), encoding="utf-8")
            typer.echo(f"report -> {report}")
