"""Learning statements from complaint responses and reports.

`sentences` cuts documents into sentences with offsets; `structure` gives each
its place (section, list lead-in, table column, paragraph kind; words in
`sections.yml`); `patterns` holds the pattern groups (data in `patterns.yml`);
`extractor.LearningExtractor` scores sentences and assigns a type; `api` runs it
over tables and documents; `training` and `evaluation` train and score it;
`register` groups statements into a register a team acts on.
"""

from importlib import import_module

_LAZY = {
    "BUNDLED_SENTENCES": "learning.api",
    "LearningSummary": "learning.api",
    "evaluate_learning": "learning.api",
    "evaluate_learning_documents": "learning.api",
    "extract_learning_table": "learning.api",
    "train_learning_extractor": "learning.api",
    "DOCUMENT_SUFFIXES": "io.documents",
    "SourceDocument": "io.documents",
    "iter_documents": "io.documents",
    "read_document": "io.documents",
    "DocumentError": "errors",
    "LearningError": "errors",
    "NotFittedError": "errors",
    "PatternFileError": "errors",
    "LEARNING_TYPES": "learning.patterns",
    "load_patterns": "learning.patterns",
    "split_sentences": "learning.sentences",
    "LearningExtractor": "learning.extractor",
    "LearningStatement": "learning.extractor",
    "build_register": "learning.register",
    "analyse": "learning.structure",
    "Context": "learning.structure",
}
__all__ = sorted(_LAZY)


def __getattr__(name):  # imported on first use: the CLI should not pay for scikit-learn up front
    if name in _LAZY:
        return getattr(import_module(f"classifier.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'classifier.learning' has no attribute {name!r}")
