"""`complaints` command line: a thin layer over the library.

Each command parses options, calls one library function and prints its
result. Library errors become one `Error: ...` line and exit code 1.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from functools import wraps
from pathlib import Path
from typing import Optional

import typer

from .errors import ComplaintThemesError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Theme, child-authored and learning extraction for children's social care complaints.")
taxonomy_app = typer.Typer(no_args_is_help=True, help="Show, compare and migrate taxonomies.")
app.add_typer(taxonomy_app, name="taxonomy")

MODEL_OPT = typer.Option(None, "--model", help="Model folder (default: the bundled models/default).")


def _warn(message, category, filename, lineno, file=None, line=None):
    typer.echo(f"Warning: {message}", err=True)


def friendly(fn):
    """Library errors -> one line on stderr and exit 1, never a traceback."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        warnings.showwarning = _warn
        try:
            return fn(*args, **kwargs)
        except ComplaintThemesError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1)
        except KeyboardInterrupt:
            typer.echo("Error: interrupted; no output was written", err=True)
            raise typer.Exit(130)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # message could quote data: show the type only
            typer.echo(f"Error: unexpected failure ({type(exc).__name__}); no output was written. "
                       "Re-run with COMPLAINTS_DEBUG=1 for details and report it", err=True)
            if os.environ.get("COMPLAINTS_DEBUG"):
                raise
            raise typer.Exit(2)
    return wrapper


def _load(model_dir):
    from .persistence import load_model
    return load_model(model_dir)


@app.command()
@friendly
def train(data: Path = typer.Argument(..., help="Labelled table (.csv/.xlsx/.jsonl)."),
          taxonomy: Optional[str] = typer.Option(None, help="Taxonomy YAML file or bundled id."),
          out: Path = typer.Option(Path("models/custom"), help="Folder to save the model in."),
          text_column: str = typer.Option("text", help="Column holding the complaint text."),
          themes_column: str = typer.Option("themes", help="Column of ';'-separated theme ids, main first."),
          seed: int = typer.Option(0, help="Random seed (training is reproducible)."),
          learning_data: Optional[Path] = typer.Option(
              None, help="Labelled learning sentences: also train the learning extractor."),
          features: str = typer.Option("tfidf", help="Theme features: tfidf, or with the [embeddings] "
                                       "extra tfidf+embed (more accurate, ~25x slower) or embed.")):
    """Train a model on labelled cases.

    Example: complaints train history.csv --taxonomy my-themes.yml --out models/2025
    """
    from .persistence import default_model_dir
    from .training import train_model

    base = default_model_dir()
    m = train_model(data, out, taxonomy, text_column, themes_column, seed,
                    reuse_from=base if (base / "meta.json").exists() else None, learning_data=learning_data,
                    theme_params={"features": features})
    cv = m.meta["cv_metrics"]
    typer.echo(f"Saved {m.version} to {out}: {m.meta['training_data']['rows_used']['themes']} rows with themes, "
               f"cross-validated micro F1 {cv['micro_f1']:.3f}, macro F1 {cv['macro_f1']:.3f}")
    for note in m.meta.get("notes", []):
        typer.echo(f"Note: {note}")


@app.command()
@friendly
def evaluate(data: Path = typer.Argument(..., help="Labelled table with text and themes columns."),
             model: Optional[Path] = MODEL_OPT,
             report: Optional[Path] = typer.Option(None, help="Also write all figures to this JSON file."),
             cv: Optional[int] = typer.Option(None, help="K-fold cross-validation on DATA instead of a saved model."),
             split: Optional[str] = typer.Option(None, help="Only rows whose 'split' column has this value."),
             taxonomy: Optional[str] = typer.Option(None, help="Taxonomy for --cv (default stage1-themes)."),
             text_column: str = typer.Option("text"), themes_column: str = typer.Option("themes")):
    """Per-theme precision, recall, F1; micro/macro F1; top-1/top-3; child flag; kind.

    Example: complaints evaluate training_data/representations.csv --split test --report test.json
    """
    from .evaluation import cross_validate, evaluate_model
    from .report import format_report

    if cv:
        result = cross_validate(data, cv, taxonomy, text_column, themes_column)
    else:
        result = evaluate_model(data, _load(model), text_column, themes_column, split)
    typer.echo(format_report(result))
    if report:
        report.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"Figures written to {report}")


@app.command()
@friendly
def label(input: Path = typer.Argument(..., help="Cases to label (.csv/.xlsx/.jsonl)."),
          output: Path = typer.Option(..., "--output", "-o", help="Where to write (.csv/.xlsx/.jsonl)."),
          model: Optional[Path] = MODEL_OPT,
          text_column: str = typer.Option("text", help="Column holding the complaint text."),
          id_column: str = typer.Option("id", help="Column identifying each case (optional)."),
          role_column: Optional[str] = typer.Option(None, help="Complainant role column, used for the child flag."),
          age_column: Optional[str] = typer.Option(None, help="Complainant age column, used for the child flag."),
          child_output: Optional[Path] = typer.Option(None, help="Also write only the child-authored rows here.")):
    """Add theme, child-authored and kind predictions to every row of a table.

    Example: complaints label cases.xlsx --output labelled.xlsx --text-column Details
    """
    from .labelling import label_table
    from .report import format_label_summary, progress_bar

    m = _load(model)
    with progress_bar(input) as tick:
        summary = label_table(input, output, m, text_column, id_column, role_column, age_column,
                              child_output, progress=tick)
    typer.echo(format_label_summary(summary, output, m.taxonomy))


@app.command()
@friendly
def suggest(text: Optional[str] = typer.Argument(None, help="Complaint text (or use --stdin)."),
            stdin: bool = typer.Option(False, "--stdin", help="Read the text from standard input."),
            model: Optional[Path] = MODEL_OPT,
            as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
            top: int = typer.Option(3, help="How many themes to show.")):
    """Top themes for one complaint, with the words behind each.

    Example: complaints suggest "My social worker never returns my calls"
    """
    from .errors import InputDataError
    from .report import format_suggestion

    body = sys.stdin.read() if stdin else text
    if not body or not body.strip():
        raise InputDataError("no text given; pass the complaint text in quotes or use --stdin")
    result = _load(model).suggest(body, top=top)
    typer.echo(json.dumps(result, indent=2) if as_json else format_suggestion(result))


@app.command()
@friendly
def info(model: Optional[Path] = MODEL_OPT):
    """What a model is: taxonomy, training data, metrics, versions.

    Example: complaints info --model models/default
    """
    from .persistence import default_model_dir, read_meta
    from .report import format_info

    typer.echo(format_info(read_meta(model or default_model_dir())))


@app.command()
@friendly
def redact(input: Path = typer.Argument(..., help="Table to redact (.csv/.xlsx/.jsonl)."),
           output: Path = typer.Option(..., "--output", "-o", help="Where to write the redacted copy."),
           text_column: str = typer.Option("text", help="Column to redact.")):
    """Write every row with names, contacts, addresses, dates of birth and references replaced.

    Example: complaints redact cases.csv --output cases_redacted.csv --text-column Details
    """
    from .redact_table import redact_table

    summary = redact_table(input, output, text_column)
    typer.echo(f"Redacted {summary.rows} rows -> {output}")


@taxonomy_app.command("show")
@friendly
def taxonomy_show(file: Optional[str] = typer.Argument(None, help="Taxonomy YAML file or bundled id.")):
    """Print a taxonomy's themes.

    Example: complaints taxonomy show classifier/taxonomies/stage1-themes.yml
    """
    from .report import format_taxonomy
    from .taxonomy import load_taxonomy

    typer.echo(format_taxonomy(load_taxonomy(file)))


def _register_commands_from_other_modules():
    """Taxonomy change and learning commands live beside their libraries."""
    from .change_cli import register_taxonomy_change_commands

    register_taxonomy_change_commands(app, taxonomy_app, _load)
    try:
        from .learning.cli import register_learning_commands
    except ImportError:  # the learning extractor is still being built
        return
    register_learning_commands(app, _load)


_register_commands_from_other_modules()


def main():
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
