"""`complaints`: the command line, a thin layer over the library.

Each command parses options, calls one library function and prints its
result. Library errors become one `Error: ...` line and exit code 1. The
commands live one group per file beside this one; this file assembles them.
"""
from __future__ import annotations

import logging
from typing import Optional

import typer

from classifier.cli import labelling, learning, models, report, taxonomy
from classifier.cli.common import umask_option

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Theme, child-authored and learning extraction for children's social care complaints.")

for _group in (models, labelling, taxonomy, learning, report):
    _group.register(app)


@app.callback()
def _options(umask: Optional[str] = typer.Option(
        None, "--umask", help="Octal umask for new output files (default: private, 0600; e.g. 022 for 0644). "
        "An overwritten output keeps its permissions.")):
    """Theme, child-authored and learning extraction for children's social care complaints."""
    umask_option(umask)


def main():
    """Entry point of the `complaints` script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
