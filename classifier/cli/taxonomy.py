"""Taxonomy commands: `taxonomy show`, `taxonomy diff`, `taxonomy migrate`, and `relabel`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Optional

import typer

from classifier.cli.common import HEADER_ROW_OPT, SHEET_OPT, friendly, say
from classifier.cli.common import load_model as _load_model
from classifier.cli.progress import QUIET_OPT, working


@friendly
def taxonomy_show(file: Optional[str] = typer.Argument(None, help="Taxonomy YAML file or bundled id.")):
    """Print a taxonomy's themes.

    Example: complaints taxonomy show stage1-themes
    """
    from classifier.cli.format import format_taxonomy
    from classifier.taxonomy.schema import load_taxonomy

    typer.echo(format_taxonomy(load_taxonomy(file)))


def register(app: typer.Typer, load_model: Callable = _load_model) -> None:
    """Add `taxonomy show|diff|migrate` and `relabel` to `app` (`load_model` is replaceable for tests)."""
    taxonomy_app = typer.Typer(
        no_args_is_help=True,
        rich_markup_mode=None,
        help="Show, compare and migrate taxonomies.\n\nExample: complaints taxonomy show stage1-themes",
    )
    app.add_typer(taxonomy_app, name="taxonomy")
    taxonomy_app.command("show")(taxonomy_show)

    @taxonomy_app.command("diff")
    @friendly
    def taxonomy_diff(
        old: str = typer.Argument(..., help="Old taxonomy: YAML file or bundled id."),
        new: str = typer.Argument(..., help="New taxonomy: YAML file or bundled id."),
        map_file: Optional[str] = typer.Option(
            None,
            "--map",
            help="Mapping file (or bundled map name) from OLD to NEW: also lists split and merged themes.",
        ),
    ):
        """List added, removed, renamed and split themes between two taxonomies.

        Example: complaints taxonomy diff two-level-service-complaints stage1-themes --map two-level-service-complaints__stage1-themes
        """
        from classifier.cli.format import format_diff
        from classifier.taxonomy.migrate import diff_taxonomies, load_mapping
        from classifier.taxonomy.schema import load_taxonomy

        old_t, new_t = load_taxonomy(old), load_taxonomy(new)
        mapping = load_mapping(map_file, old_t, new_t) if map_file else None
        typer.echo(format_diff(diff_taxonomies(old_t, new_t, mapping)))

    @taxonomy_app.command("migrate")
    @friendly
    def taxonomy_migrate(
        data: Path = typer.Argument(..., help="Labelled table in the old taxonomy."),
        map_file: str = typer.Option(..., "--map", help="Mapping file (or bundled map name)."),
        output: Path = typer.Option(..., "--output", "-o", help="Where to write."),
        model: Optional[Path] = typer.Option(
            None, "--model", help="Model trained on the NEW taxonomy; it picks among one-to-many candidates."
        ),
        threshold: float = typer.Option(0.6, help="Below this confidence a choice needs review."),
        themes_column: str = typer.Option("themes"),
        text_column: str = typer.Option("text"),
    ):
        """Rewrite historic labels into a new taxonomy, keeping the old labels beside them.

        Example: complaints taxonomy migrate cases_2022.csv --map two-level-service-complaints__stage1-themes --output migrated.csv --model default
        """
        from classifier.cli.format import format_migration_summary
        from classifier.taxonomy.migrate import migrate_labels

        m = load_model(model) if model else None
        summary = migrate_labels(data, map_file, output, m, themes_column, text_column, threshold)
        typer.echo(format_migration_summary(summary, output))

    @app.command("relabel")
    @friendly
    def relabel(
        data: Path = typer.Argument(..., help="Labelled history (.csv/.xlsx/.jsonl)."),
        output: Path = typer.Option(..., "--output", "-o", help="Where to write."),
        model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: the bundled one)."),
        date_column: str = typer.Option("date", help="Date column, for agreement per year (optional)."),
        review: Optional[Path] = typer.Option(None, help="Also write the rows sorted for review here."),
        themes_column: str = typer.Option(
            "themes", help="Historic labels, ids or labels (e.g. new_themes after migrate)."
        ),
        text_column: str = typer.Option("text", help="Column holding the complaint text."),
        id_column: str = typer.Option("id", help="Case reference column: names rows in the summary."),
        sheet: Optional[str] = SHEET_OPT,
        header_row: Optional[int] = HEADER_ROW_OPT,
        quiet: bool = QUIET_OPT,
        taxonomy_column: Optional[str] = typer.Option(
            None, help="Column declaring the labels' taxonomy (default: taxonomy, or new_taxonomy for new_themes)."
        ),
    ):
        """Add model labels beside historic ones and rank the rows most likely mislabelled.

        Example: complaints relabel migrated.csv --themes-column new_themes --output relabelled.csv --review review.csv
        """
        from classifier.cli.format import format_relabel_summary
        from classifier.pipeline.relabel import relabel_history

        m = load_model(model)
        with working("relabelling", quiet):
            summary = relabel_history(
                data,
                m,
                output,
                themes_column,
                text_column,
                date_column,
                taxonomy_column,
                review,
                id_column=id_column,
                sheet=sheet,
                header_row=header_row,
            )
        say(format_relabel_summary(summary, output), quiet)
