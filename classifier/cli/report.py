"""`complaints report`: the annual complaints report from a case export."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from classifier.cli.common import friendly, say
from classifier.cli.progress import QUIET_OPT


def register(app: typer.Typer) -> None:
    """Add `report` to `app`."""

    @app.command("report")
    @friendly
    def report(
        cases: Path = typer.Argument(..., help="Case export for the year (.csv/.xlsx/.jsonl)."),
        out: Path = typer.Option(..., "--out", help="Folder for report.html, .xlsx, .docx and tables.json."),
        previous: Optional[Path] = typer.Option(None, "--previous", help="Last year's export (year-on-year change)."),
        columns: Optional[Path] = typer.Option(None, "--columns", help="Column map (YAML: key: header)."),
        model: Optional[Path] = typer.Option(None, "--model", help="Model for labels the export lacks."),
        year: Optional[str] = typer.Option(None, "--year", help="Financial year, e.g. 2024-25 (default: all rows)."),
        learning: Optional[Path] = typer.Option(None, "--learning", help="Register from 'complaints learning'."),
        history: Optional[Path] = typer.Option(
            None, "--history", help="Earlier years' complaints per stage from past reports (Year, Stage 1, 2, 3)."
        ),
        context: Optional[Path] = typer.Option(
            None, "--context", help="Activity figures for complaints per 1,000 (Measure, Value, optional Service)."
        ),
        suppress_small: bool = typer.Option(
            False, "--suppress-small", help="Show counts under 5 as '<5', and figures that give one away as '[c]'."
        ),
        settings: Optional[Path] = typer.Option(None, "--settings", help="Local timescales and words (YAML)."),
        sheet: Optional[str] = typer.Option(
            None, "--sheet", help="Sheet of each .xlsx export (this year's and --previous): name or number."
        ),
        quiet: bool = QUIET_OPT,
    ):
        """Write the annual complaints report: report.html, report.xlsx, report.docx and tables.json.

        Example: complaints report cases_2024-25.xlsx --previous cases_2023-24.xlsx --year 2024-25 --out report/

        Example: complaints report cases_2024-25.xlsx --year 2024-25 --history past_years.csv --out report/
        """
        from classifier.report import build_report

        result = build_report(
            cases,
            out,
            previous=previous,
            columns=columns,
            model_dir=model,
            year=year,
            learning=learning,
            history=history,
            context=context,
            suppress_small=suppress_small,
            settings_path=settings,
            sheet=sheet,
        )
        meta = result.meta
        say(
            f"{result.title}: {meta['rows_in_period']:,} records, {len(result.tables)} tables"
            + (f", {len(result.omitted)} left out (see the report)" if result.omitted else ""),
            quiet,
        )
        for what, said in meta["label_sources"].items():
            say(f"  {what.replace('_', ' ')}: {said}", quiet)
        for note in result.notes:
            say(f"Note: {note}", quiet, err=True)
        for path in result.written.values():
            say(f"-> {path}", quiet)
