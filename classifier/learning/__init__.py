"""Learning extractor (issue 5): learning statements from responses and reports.

`LearningExtractor.find(text)` returns verbatim sentences with offsets, a
type and a score; `api.extract_learning_table` runs it over a table or
documents and can write a learning register grouped by theme.
"""
from importlib import import_module

_LAZY = {
    "BUNDLED_SENTENCES": "api", "LearningSummary": "api", "evaluate_learning": "api",
    "evaluate_learning_documents": "api",
    "extract_learning_table": "api", "train_learning_extractor": "api",
    "DOCUMENT_SUFFIXES": "documents", "DocumentError": "documents", "SourceDocument": "documents",
    "iter_documents": "documents", "read_document": "documents",
    "LEARNING_TYPES": "extractor", "LearningError": "extractor", "LearningExtractor": "extractor",
    "LearningStatement": "extractor", "NotFittedError": "extractor", "PatternFileError": "extractor",
    "load_patterns": "extractor", "split_sentences": "extractor", "build_register": "register",
}
__all__ = sorted(_LAZY)


def __getattr__(name):  # imported on first use: the CLI should not pay for scikit-learn up front
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'classifier.learning' has no attribute {name!r}")
