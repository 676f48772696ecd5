"""`complaints`: the command line, a thin layer over the library.

Each command parses options, calls one library function and prints its
result. The commands live one group per file beside this one; this file
assembles them and fixes the conventions every command shares: `-h` /
`--help`, `--version`, and the exit codes below.
"""

from __future__ import annotations

import logging
import re
from typing import Optional

import typer
from typer.core import TyperGroup

from classifier.cli import adapt, labelling, learning, models, report, taxonomy
from classifier.cli.common import umask_option

EXIT_CODES = """Exit codes: 0 done; 1 a problem with the input, the options or the model (one 'Error: ...'
line says what to fix); 2 an unexpected failure (a bug: re-run with COMPLAINTS_DEBUG=1 and report it);
130 interrupted. A path '-' is standard input or output (CSV)."""
CONTEXT = {"help_option_names": ["-h", "--help"]}
# click's UsageError, whether Typer uses click itself or its own copy of it (Typer >= 0.22).
_USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class UsageExitsOne(TyperGroup):
    """Usage errors (unknown option, missing argument) exit 1 like every other input problem;
    click's default 2 is kept for unexpected failures."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except _USAGE_ERROR as exc:
            exc.exit_code = 1
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except _USAGE_ERROR as exc:
            exc.exit_code = 1
            raise


def _version(value: bool) -> None:
    if value:
        from classifier import __version__

        typer.echo(f"complaints {__version__}")
        raise typer.Exit()


# rich_markup_mode=None: help is printed as written (square brackets kept, no '<bool>' type labels).
app = typer.Typer(
    cls=UsageExitsOne,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
    epilog=EXIT_CODES,
    help="Theme, child-authored and learning extraction for children's social care complaints.",
)

for _group in (models, labelling, taxonomy, learning, report, adapt):
    _group.register(app)


def _examples_kept_whole(typer_app: typer.Typer) -> None:
    """Help paragraphs starting 'Example:' are printed unwrapped (click's '\b' marker): a command wrapped
    at a hyphen ('--text-' / 'column') breaks when pasted; the terminal soft-wraps a long line instead."""
    for info in typer_app.registered_commands:
        doc = getattr(info.callback, "__doc__", None)
        if doc and "Example:" in doc and "\b" not in doc:
            info.callback.__doc__ = re.sub(r"(?m)^([ \t]*)Example:", "\\1\b\n\\1Example:", doc)  # type: ignore[union-attr]
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _examples_kept_whole(group.typer_instance)


_examples_kept_whole(app)


@app.callback()
def _root(
    version: Optional[bool] = typer.Option(
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    umask: Optional[str] = typer.Option(
        None,
        "--umask",
        help="Octal umask for new output files (default: private, 0600; e.g. 022 for "
        "0644). An overwritten output keeps its permissions.",
    ),
):
    """Theme, child-authored and learning extraction for children's social care complaints."""
    umask_option(umask)


def main():
    """Entry point of the `complaints` script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
