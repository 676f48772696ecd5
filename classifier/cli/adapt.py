"""Commands for fitting a trust: `adapt`, `sample`, `serve`."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Optional

import typer

from classifier.cli.common import MODEL_OPT, friendly
from classifier.cli.common import load_model as _load
from classifier.io.safety import Terminated


@friendly
def adapt(
    own: Optional[Path] = typer.Argument(
        None, help="Your labelled rows (.csv/.xlsx/.jsonl, or the workbook 'complaints sample' wrote)."
    ),
    out: Path = typer.Option(..., "--out", help="Folder to save the adapted model in."),
    model: Optional[Path] = typer.Option(None, "--model", help="Base model (default: the bundled one)."),
    feedback: Optional[Path] = typer.Option(
        None, help="SQLite file of intake decisions written by 'complaints serve': learn from them too."
    ),
    text_column: str = typer.Option("text", help="Column holding the complaint text."),
    themes_column: str = typer.Option("themes", help="Column of ';'-separated theme ids or labels, main first."),
    taxonomy: Optional[str] = typer.Option(
        None, help="Your taxonomy (YAML file or bundled id) when it is not the base model's."
    ),
    mapping: Optional[Path] = typer.Option(
        None, "--mapping", "--map", help="With --taxonomy: mapping file from the base taxonomy, to reuse the corpus."
    ),
    corpus: Optional[Path] = typer.Option(
        None, help="The base model's training table, if it is not found beside the package."
    ),
    seed: int = typer.Option(0, help="Random seed (adapting is reproducible)."),
    refit: bool = typer.Option(
        True,
        "--refit/--no-refit",
        help="Also retrain on the base model's corpus plus your rows (a minute or two; learns your wording). "
        "--no-refit: the correction alone, in seconds.",
    ),
):
    """Adapt a model to your own labelled complaints (and stored intake decisions).

    Example: complaints adapt to_label.xlsx --out models/our-trust --feedback intake.sqlite
    """
    from classifier.pipeline.adapt import adapt_model
    from classifier.pipeline.adapt_card import format_before_after
    from classifier.pipeline.persistence import check_model_folder

    if own is None and feedback is None:
        raise typer.BadParameter("give a table of labelled rows, --feedback FILE.sqlite, or both")
    check_model_folder(out)  # before the cross-validation, not after it
    typer.echo("Adapting (cross-validation on your rows)...", err=True)
    result = adapt_model(
        own, out, model, feedback, text_column, themes_column, taxonomy, mapping, corpus, seed, refit=refit
    )
    m, ad = result.model, result.model.meta["adapted"]
    corpus_part = f", {ad['corpus_rows']} corpus rows" if ad["corpus_rows"] else ""
    typer.echo(
        f"Saved {m.version} to {out}: {ad['own_rows']} own rows, {ad['feedback_decisions']} intake "
        f"decisions ({ad['feedback_corrections']} corrections){corpus_part}, in {ad['fit_seconds']:.1f} s"
    )
    if ad.get("method") == "residual":
        penalty = ad["penalty"]
        if penalty is None:
            how = "no correction learnt from your rows beat the base model, so none was added"
        else:  # a larger penalty means a smaller correction; the user sees why a figure moved little
            how = (
                f"the correction learnt from your rows added at {ad['refit_correction']:g} of its size"
                if ad.get("refit")
                else "corrected by your rows"
            ) + f" (L2 penalty {penalty:g}, chosen by cross-validation on your rows; larger = a gentler correction)"
        start = (
            f"Retrained on the corpus plus your rows x{ad['own_weight']}; "
            if ad.get("refit")
            else "The base model kept whole; "
        )
        typer.echo(start + how)
    else:
        typer.echo(f"Own rows counted {ad['own_weight']} times; description weight {ad['description_weight']}")
    typer.echo(format_before_after(result.figures))
    for note in result.notes:
        typer.echo(f"Note: {note}")


class SampleStrategy(StrEnum):
    proportional = "proportional"
    density = "density"
    uncertain = "uncertain"
    representative = "representative"
    hybrid = "hybrid"
    typical = "typical"
    stratified = "stratified"
    random = "random"


# CLI name -> `pipeline.selection` name (the CLI has said "uncertain" since it first shipped).
STRATEGY_NAMES = {s.value: s.value for s in SampleStrategy} | {"uncertain": "uncertainty"}


@friendly
def sample(
    cases: Path = typer.Argument(..., help="Unlabelled cases (.csv/.xlsx/.jsonl)."),
    output: Path = typer.Option(..., "--output", "-o", help="Workbook to write (.xlsx)."),
    n: int = typer.Option(60, "--n", min=1, help="How many rows to pick."),
    model: Optional[Path] = MODEL_OPT,
    text_column: str = typer.Option("text", help="Column holding the complaint text."),
    id_column: Optional[str] = typer.Option(None, help="Column with a case reference, copied across."),
    taxonomy: Optional[str] = typer.Option(
        None, help="Your taxonomy, if not the model's: themes are then suggested from their descriptions."
    ),
    strategy: SampleStrategy = typer.Option(
        SampleStrategy.proportional,
        help="proportional: rows shared among the likely themes as the model spreads your rows over them (a "
        "rare theme may get none), within each theme rows it is unsure of that are like many others and "
        "unlike each other; density: rows like those, but a row per likely theme in turn; uncertain: density "
        "without the 'like many others'; representative: one row per cluster of similar complaints; hybrid: "
        "half representative, half uncertain; typical: per likely theme, the rows nearest its centre; "
        "stratified: proportional's shares, random rows within each theme; random. "
        "(No rule taught clearly more than random rows: the default's taught slightly more on a fresh "
        "blind set and slightly less on the first, within noise: random is as good.)",
    ),
    seed: int = typer.Option(0, help="Seed for 'random', 'stratified', 'representative' and 'hybrid'."),
    keep_column: list[str] = typer.Option(
        [], "--keep-column", help="An export column to copy beside the text (repeat for more), e.g. your old theme."
    ),
):
    """Pick the rows whose labels would teach the model most, as a workbook to fill in.

    Example: complaints sample cases_2024.xlsx --n 60 --output to_label.xlsx --id-column Ref --strategy representative
    """
    from classifier.pipeline.sample import sample_rows, write_workbook
    from classifier.taxonomy.schema import load_taxonomy

    tax = load_taxonomy(taxonomy) if taxonomy else None
    chosen = sample_rows(
        cases,
        _load(model),
        n,
        text_column,
        id_column,
        tax,
        seed=seed,
        strategy=STRATEGY_NAMES[strategy.value],
        keep_columns=keep_column,
    )
    write_workbook(chosen, output, cases)
    typer.echo(f"Picked {len(chosen['rows'])} of {chosen['rows_read']} rows -> {output}")
    typer.echo(f"Fill in the 'themes' column (and child_authored), then: complaints adapt {output} --out DIR")


@friendly
def serve(
    model: Optional[Path] = MODEL_OPT,
    host: str = typer.Option("127.0.0.1", help="Address to listen on; any but this machine needs a token."),
    port: int = typer.Option(8000, help="Port to listen on."),
    feedback: Path = typer.Option(Path("feedback.sqlite"), help="SQLite file for the officers' decisions."),
    token: Optional[str] = typer.Option(
        None, help="Token every request must carry (default: the COMPLAINTS_TOKEN environment variable)."
    ),
):
    """Intake page and JSON API: suggest themes, record the officer's decision.

    Example: complaints serve --model models/our-trust --feedback intake.sqlite   (then open http://127.0.0.1:8000)
    """
    from classifier.serve.app import TOKEN_ENV, check_binding, run

    token = token or os.environ.get(TOKEN_ENV) or None
    check_binding(host, token)
    m = _load(model)
    shown_host = f"[{host}]" if ":" in host else host  # an IPv6 address is bracketed in a URL
    where = f"http://{shown_host}:{port}/" + ("?token=..." if token else "")
    typer.echo(f"Serving {m.version} at {where} (decisions -> {feedback}); Ctrl+C stops", err=True)
    try:
        run(m, host, port, feedback, token)
    except (KeyboardInterrupt, Terminated):
        pass  # the usual way to stop a server: not an error, and every decision is already stored
    typer.echo(f"Stopped; the decisions saved are in {feedback}", err=True)


def register(app: typer.Typer) -> None:
    app.command()(adapt)
    app.command()(sample)
    app.command()(serve)
