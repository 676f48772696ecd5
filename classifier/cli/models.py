"""Commands about models: `train`, `evaluate`, `info`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from classifier.cli.common import HEADER_ROW_OPT, MODEL_OPT, SHEET_OPT, friendly
from classifier.cli.common import load_model as _load
from classifier.cli.progress import working


@friendly
def train(
    data: Path = typer.Argument(..., help="Labelled table (.csv/.xlsx/.jsonl)."),
    taxonomy: Optional[str] = typer.Option(None, help="Taxonomy YAML file or bundled id."),
    out: Path = typer.Option(Path("models/custom"), help="Folder to save the model in."),
    text_column: str = typer.Option("text", help="Column holding the complaint text."),
    themes_column: str = typer.Option(
        "themes", help="Column of ';'-separated themes, main first: ids or labels, in any case."
    ),
    seed: int = typer.Option(0, help="Random seed (training is reproducible)."),
    learning_data: Optional[Path] = typer.Option(
        None, help="Labelled learning sentences: also train the learning extractor."
    ),
    features: str = typer.Option(
        "tfidf",
        help="Theme features: tfidf, or with the [embeddings] extra tfidf+embed (more accurate, ~25x slower) or embed.",
    ),
    sheet: Optional[str] = SHEET_OPT,
    header_row: Optional[int] = HEADER_ROW_OPT,
):
    """Train a model on labelled cases.

    Example: complaints train history.csv --taxonomy my-themes.yml --out models/2025
    """
    from classifier.pipeline.persistence import check_model_folder, default_model_dir
    from classifier.pipeline.training import train_model

    if out is not None:
        check_model_folder(out)
    base = default_model_dir()
    with working("training (a few minutes on a large history)"):
        m = train_model(
            data,
            out,
            taxonomy,
            text_column,
            themes_column,
            seed,
            reuse_from=base if (base / "meta.json").exists() else None,
            learning_data=learning_data,
            theme_params={"features": features},
            sheet=sheet,
            header_row=header_row,
        )
    cv = m.meta["cv_metrics"]
    typer.echo(
        f"Saved {m.version} to {out}: {m.meta['training_data']['rows_used']['themes']} rows with themes, "
        f"cross-validated micro F1 {cv['micro_f1']:.3f}, macro F1 {cv['macro_f1']:.3f}"
    )
    for note in m.meta.get("notes", []):
        typer.echo(f"Note: {note}")


@friendly
def evaluate(
    data: Path = typer.Argument(..., help="Labelled table with text and themes columns."),
    model: Optional[Path] = MODEL_OPT,
    report: Optional[Path] = typer.Option(None, help="Also write all figures to this JSON file."),
    cv: Optional[int] = typer.Option(None, help="K-fold cross-validation on DATA instead of a saved model."),
    split: Optional[str] = typer.Option(None, help="Only rows whose 'split' column has this value."),
    taxonomy: Optional[str] = typer.Option(None, help="Taxonomy for --cv (default stage1-themes)."),
    text_column: str = typer.Option("text", help="Column holding the complaint text."),
    themes_column: str = typer.Option("themes", help="Column of ';'-separated themes (ids or labels)."),
    as_json: bool = typer.Option(False, "--json", help="Print all figures as JSON instead of tables."),
    sheet: Optional[str] = SHEET_OPT,
    header_row: Optional[int] = HEADER_ROW_OPT,
):
    """Per-theme precision, recall, F1; micro/macro F1; top-1/top-3; child flag; kind.

    Example: complaints evaluate labelled.xlsx --themes-column Themes --report figures.json
    """
    from classifier.cli.format import format_report
    from classifier.pipeline.evaluation import cross_validate, evaluate_model

    with working("cross-validating" if cv else "evaluating"):
        if cv:
            result = cross_validate(data, cv, taxonomy, text_column, themes_column, sheet=sheet, header_row=header_row)
        else:
            result = evaluate_model(
                data, _load(model), text_column, themes_column, split, sheet=sheet, header_row=header_row
            )
    typer.echo(json.dumps(result, indent=2) if as_json else format_report(result))
    if report:
        report.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"Figures written to {report}", err=as_json)


@friendly
def info(
    model: Optional[Path] = MODEL_OPT,
    as_json: bool = typer.Option(False, "--json", help="Print the model's meta.json as JSON."),
):
    """What a model is: taxonomy, training data, metrics, versions.

    Example: complaints info --model default
    """
    from classifier.cli.format import format_info
    from classifier.pipeline.persistence import default_model_dir, read_meta

    meta = read_meta(model or default_model_dir())
    typer.echo(json.dumps(meta, indent=2) if as_json else format_info(meta))


def register(app: typer.Typer) -> None:
    app.command()(train)
    app.command()(evaluate)
    app.command()(info)
