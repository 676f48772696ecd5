"""complaint-themes: themes, child-authored flag, kind and learning for complaints.

Data flows: tables (read) -> text/redact (clean) -> features -> themes/child/kind
(model) -> decide -> labelling/tables (write).

Names are imported on first use, so the CLI starts without loading
scikit-learn for commands that do not need it.
"""

import os
from importlib import import_module
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

from classifier.errors import (
    ComplaintThemesError,
    InputDataError,
    LabelError,
    MissingColumnError,
    ModelIntegrityError,
    ModelLoadError,
    OutputError,
    TaxonomyError,
    TaxonomyMismatchError,
)

# onnxruntime records usage events (device id, OS, CPU) for upload unless this is set before it is
# imported; councils' machines must not send anything anywhere, so it is set for every use of the package.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

try:  # the one place the version is read: pyproject.toml, through the installed metadata
    __version__ = _dist_version("complaint-themes")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

_LAZY = {
    "ComplaintModel": "pipeline.model",
    "ThemeClassifier": "models.themes",
    "Redactor": "redact",
    "redact_text": "redact",
    "Taxonomy": "taxonomy",
    "load_taxonomy": "taxonomy",
    "default_model_dir": "pipeline.persistence",
    "load_model": "pipeline.persistence",
    "save_model": "pipeline.persistence",
    "train_model": "pipeline.training",
    "label_table": "pipeline.labelling",
    "label_dataframe": "parallel",
    "evaluate_model": "pipeline.evaluation",
}
__all__ = [
    "ComplaintThemesError",
    "InputDataError",
    "LabelError",
    "MissingColumnError",
    "ModelIntegrityError",
    "ModelLoadError",
    "OutputError",
    "TaxonomyError",
    "TaxonomyMismatchError",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'classifier' has no attribute {name!r}")
