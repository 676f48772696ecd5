"""What every command shares: library errors as one line, the --model option, loading a model."""

from __future__ import annotations

import os
import warnings
from functools import wraps
from typing import Optional

import typer

from classifier.errors import ComplaintThemesError
from classifier.io.safety import Terminated, describe_os_error, install_signal_cleanup, set_umask

MODEL_OPT = typer.Option(None, "--model", help="Model folder (default, or the name 'default': the bundled model).")


def _warn(message, category, filename, lineno, file=None, line=None):
    typer.echo(f"Warning: {message}", err=True)


def friendly(fn):
    """Library errors -> one line on stderr and exit 1, never a traceback."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        warnings.showwarning = _warn
        # SIGTERM/SIGHUP unwind like Ctrl-C, so writers remove their temp files.
        install_signal_cleanup()
        try:
            return fn(*args, **kwargs)
        except ComplaintThemesError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("Error: interrupted; no output was written", err=True)
            raise typer.Exit(130) from None
        except Terminated as exc:
            typer.echo("Error: stopped by a signal; no output was written", err=True)
            raise typer.Exit(exc.code) from None
        except (typer.Exit, typer.Abort):
            raise
        except OSError as exc:  # not mapped by the library: still one line with the fix
            typer.echo(f"Error: {describe_os_error(exc)}", err=True)
            raise typer.Exit(1) from None
        except Exception as exc:  # message could quote data: show the type only
            typer.echo(
                f"Error: unexpected failure ({type(exc).__name__}); no output was written. "
                "Re-run with COMPLAINTS_DEBUG=1 for details and report it",
                err=True,
            )
            if os.environ.get("COMPLAINTS_DEBUG"):
                raise
            raise typer.Exit(2) from None

    return wrapper


def umask_option(value: Optional[str]) -> None:
    """`--umask 022`: new output files get 0666 & ~umask instead of the private default 0600."""
    if value is None:
        set_umask(None)
        return
    try:
        umask = int(value, 8)
    except ValueError:
        raise typer.BadParameter("give an octal umask such as 077 or 022") from None
    if not 0 <= umask <= 0o777:
        raise typer.BadParameter("give an octal umask between 000 and 777")
    set_umask(umask)


def load_model(model_dir):
    """The model in `model_dir` (None: the default model)."""
    from classifier.pipeline.persistence import load_model as _load_model

    return _load_model(model_dir)


SHEET_OPT = typer.Option(
    None, "--sheet", help="Sheet of an .xlsx workbook: its name or number (1 = first). Default: the first sheet."
)
HEADER_ROW_OPT = typer.Option(
    None,
    "--header-row",
    help="Row of an .xlsx sheet (or line of a .csv) holding the column names (default: found by skipping title and blank rows).",
)


def say(text: str, quiet: bool = False, err: bool = False) -> None:
    """A summary line for the user; on stderr when the data itself goes to standard output."""
    if not quiet:
        typer.echo(text, err=err)
