"""Every exception and warning type the library raises, with a stable code.

Messages name the problem and the fix. They never contain complaint text:
rows are referred to by number or id only. `str(exc)` starts with the code in
square brackets (spaCy's style), so a user can search the docs for it; the
code stays the same when the wording changes.

| code | type | meaning |
|---|---|---|
| E000 | ComplaintThemesError | base class |
| E100 | InputDataError | an input table or document cannot be used |
| E101 | MissingColumnError | a named column is not in the table |
| E102 | LabelError | training labels are invalid |
| E103 | RelabelError | relabelling input is invalid |
| E104 | DocumentError | a document cannot be read |
| E105 | ReportColumnsError | the report cannot find the columns it needs in a case export |
| E106 | ReportSettingsError | a report column map or settings file is invalid |
| E107 | MalformedTableError | a CSV's quoting would merge or lose rows |
| E108 | InputLimitError | an input is past a size or row limit |
| E109 | ReportPeriodError | no record of a case export falls in the report's financial year, or (no --year) its records span more than a year |
| E110 | ReportFiguresError | a file of figures the report adds (--history, --context) is invalid |
| E111 | ReportYearError | --year is not a financial year the report can read |
| E200 | TaxonomyError | a taxonomy file is invalid |
| E201 | MappingError | a taxonomy mapping file is invalid |
| E202 | TaxonomyMismatchError | data declares another taxonomy than the model's |
| E300 | ModelLoadError | a saved model is missing, incomplete or from another format |
| E301 | ModelIntegrityError | a model file fails its integrity check |
| E302 | EncoderError | the sentence encoder is missing or fails its check |
| E303 | EmbeddingsUnavailable | the optional embeddings extra is not installed |
| E400 | OutputError | output cannot be written where asked |
| E401 | OutputLimitError | output does not fit the format's limits (Excel cell size) |
| E402 | OutputLockedError | an output file cannot be replaced (open in Excel, read-only) |
| E500 | LearningError | the learning extractor cannot run |
| E501 | PatternFileError | the learning pattern file is invalid |
| E502 | NotFittedError | an estimator was used before `fit` |
| E600 | AdaptError | a model cannot be adapted from the rows given |
| E601 | FeedbackError | the intake feedback database cannot be used |
| E602 | ServeError | the intake server cannot start as asked |
"""

from __future__ import annotations


class ComplaintThemesError(Exception):
    """Base class: the CLI turns any of these into one `Error: ...` line and exit code 1."""

    code = "E000"

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"


class InputDataError(ComplaintThemesError):
    """An input table or document cannot be read or lacks what the command needs."""

    code = "E100"


class MissingColumnError(InputDataError):
    """A column named by an option is not in the table.

    Parameters
    ----------
    column : str
        The column asked for.
    available : list of str
        The table's columns.
    flag : str
        The option that names the column (`--text-column`).
    where : str
        Where the table was read (sheet, header row), if it matters.
    fix : str
        Extra advice, e.g. another sheet that has the column.
    shown : str, optional
        The columns as they may be shown (`available` when None).
    """

    code = "E101"

    def __init__(
        self, column: str, available: list[str], flag: str, where: str = "", fix: str = "", shown: str | None = None
    ):
        self.column = column
        self.available = list(available)
        self.flag = flag
        # `shown`: the columns as safe to print (a first row of data must not be quoted).
        if shown is None:
            shown = ", ".join(map(str, self.available[:30])) or "(none)"
        # where: e.g. "sheet 'Summary', header row 1"; fix: a better hint than the flag alone.
        super().__init__(
            f"column '{column}' not found{f' in {where}' if where else ''}; available: {shown}; "
            f"{fix or f'pass {flag} COLUMN'}"
        )


class LabelError(InputDataError):
    """Training labels are invalid (unknown theme ids and similar)."""

    code = "E102"


class RelabelError(InputDataError):
    """Relabelling input is invalid (no usable historic labels, and similar)."""

    code = "E103"


class ReportColumnsError(InputDataError):
    """A case export lacks columns the report needs, or a column map names columns it lacks."""

    code = "E105"


class ReportSettingsError(InputDataError):
    """A report column map or settings file is not valid YAML or has unknown keys."""

    code = "E106"


class MalformedTableError(InputDataError):
    """A CSV whose quoting would merge rows into one cell: refused, naming the line."""

    code = "E107"


class InputLimitError(InputDataError):
    """An input is larger than a configured limit (unpacked size, rows)."""

    code = "E108"


class ReportPeriodError(InputDataError):
    """No record of a case export was received in the financial year asked for, though some were in others."""

    code = "E109"


class ReportFiguresError(InputDataError):
    """A file of figures the report adds (`--history` counts per year, `--context` activity) cannot be used."""

    code = "E110"


class ReportYearError(InputDataError):
    """`--year` is not a financial year (April to March) written in a form the report reads."""

    code = "E111"


class TaxonomyError(ComplaintThemesError):
    """A taxonomy file is invalid."""

    code = "E200"


class MappingError(TaxonomyError):
    """A taxonomy mapping file is invalid."""

    code = "E201"


class TaxonomyMismatchError(ComplaintThemesError):
    """Data declares a taxonomy different from the model's."""

    code = "E202"


class ModelLoadError(ComplaintThemesError):
    """A saved model is missing, incomplete, or from another model format."""

    code = "E300"


class ModelIntegrityError(ModelLoadError):
    """A model file does not match what was recorded for it: refuse to load it."""

    code = "E301"


class EncoderError(ModelLoadError):
    """The sentence encoder files are missing or do not match the hashes the package records."""

    code = "E302"


class EmbeddingsUnavailable(ComplaintThemesError, ImportError):
    """The optional `[embeddings]` extra (sentence-transformers) is not installed."""

    code = "E303"


class OutputError(ComplaintThemesError):
    """Output cannot be written where asked."""

    code = "E400"


class OutputLimitError(OutputError):
    """Output does not fit its format (an Excel cell holds at most 32,767 characters)."""

    code = "E401"


class OutputLockedError(OutputError):
    """An output file cannot be replaced: open in another program (Excel) or read-only."""

    code = "E402"


class LearningError(ComplaintThemesError):
    """The learning extractor cannot run."""

    code = "E500"


class DocumentError(LearningError, InputDataError):
    """A document (.txt, .docx, .pdf) cannot be read."""

    code = "E104"


class PatternFileError(LearningError):
    """The learning pattern file is missing or malformed."""

    code = "E501"


class NotFittedError(LearningError):
    """An estimator was used before `fit` (or before loading a fitted one)."""

    code = "E502"


class AdaptError(ComplaintThemesError):
    """A model cannot be adapted from the own rows given (too few, no usable labels, and similar)."""

    code = "E600"


class FeedbackError(ComplaintThemesError):
    """The intake feedback database cannot be opened, read or written."""

    code = "E601"


class ServeError(ComplaintThemesError):
    """The intake server cannot start as asked (for example: another address without a token)."""

    code = "E602"


class EncodingFallbackWarning(UserWarning):
    """A CSV was not UTF-8 and was read as Windows-1252."""


class LibraryVersionWarning(UserWarning):
    """A model was saved with other library versions than the ones installed."""
