"""Exception types raised by the library.

Messages name the problem and the fix. They never contain complaint text:
rows are referred to by number or id only.
"""


class ComplaintThemesError(Exception):
    """Base class: the CLI turns any of these into one `Error: ...` line."""


class TaxonomyError(ComplaintThemesError):
    """A taxonomy or mapping file is invalid."""


class InputDataError(ComplaintThemesError):
    """An input table cannot be read or lacks what the command needs."""


class MissingColumnError(InputDataError):
    def __init__(self, column: str, available: list[str], flag: str):
        self.column = column
        self.available = list(available)
        self.flag = flag
        shown = ", ".join(map(str, self.available[:30])) or "(none)"
        super().__init__(
            f"column '{column}' not found; available: {shown}; pass {flag} COLUMN"
        )


class LabelError(InputDataError):
    """Training labels are invalid (unknown theme ids and similar)."""


class ModelLoadError(ComplaintThemesError):
    """A saved model is missing, incomplete, or failed its integrity check."""


class ModelIntegrityError(ModelLoadError):
    """The model file's SHA-256 does not match meta.json: refuse to unpickle."""


class TaxonomyMismatchError(ComplaintThemesError):
    """Data declares a taxonomy different from the model's."""


class OutputError(ComplaintThemesError):
    """Output cannot be written where asked."""
