"""`complaints`: the command line, a thin layer over the library.

Each command parses options, calls one library function and prints its
result. Library errors become one `Error: ...` line and exit code 1. The
commands live one group per file beside this one; this file assembles them.
"""
from __future__ import annotations

import logging

import typer

from classifier.cli import adapt, labelling, learning, models, report, taxonomy

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Theme, child-authored and learning extraction for children's social care complaints.")

for _group in (models, labelling, taxonomy, learning, report, adapt):
    _group.register(app)


def main():
    """Entry point of the `complaints` script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
