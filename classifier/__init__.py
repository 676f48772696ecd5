"""complaint-themes: themes, child-authored flag, kind and learning for complaints.

Data flows: tables (read) -> text/redact (clean) -> features -> themes/child/kind
(model) -> decide -> labelling/tables (write).
"""
from .errors import (ComplaintThemesError, InputDataError, LabelError, MissingColumnError,
                     ModelIntegrityError, ModelLoadError, OutputError, TaxonomyError,
                     TaxonomyMismatchError)
from .model import ComplaintModel
from .persistence import default_model_dir, load_model, save_model
from .redact import Redactor, redact_text
from .taxonomy import Taxonomy, load_taxonomy
from .themes import ThemeClassifier

__version__ = "0.1.0"
__all__ = [
    "ComplaintModel", "ComplaintThemesError", "InputDataError", "LabelError", "MissingColumnError",
    "ModelIntegrityError", "ModelLoadError", "OutputError", "Redactor", "Taxonomy", "TaxonomyError",
    "TaxonomyMismatchError", "ThemeClassifier", "default_model_dir", "load_model", "load_taxonomy",
    "redact_text", "save_model",
]
