"""Learning extractor (issue 5): learning statements from responses and reports.

`LearningExtractor.find(text)` returns verbatim sentences with offsets, a
type and a score; `api.extract_learning_table` runs it over a table or
documents and can write a learning register grouped by theme.
"""
from .api import (BUNDLED_SENTENCES, LearningSummary, evaluate_learning, extract_learning_table,
                  train_learning_extractor)
from .documents import DOCUMENT_SUFFIXES, DocumentError, SourceDocument, iter_documents, read_document
from .extractor import (LEARNING_TYPES, LearningError, LearningExtractor, LearningStatement,
                        NotFittedError, PatternFileError, load_patterns, split_sentences)
from .register import build_register

__all__ = [
    "BUNDLED_SENTENCES", "DOCUMENT_SUFFIXES", "DocumentError", "LEARNING_TYPES", "LearningError",
    "LearningExtractor", "LearningStatement", "LearningSummary", "NotFittedError", "PatternFileError",
    "SourceDocument", "build_register", "evaluate_learning", "extract_learning_table",
    "iter_documents", "load_patterns", "read_document", "split_sentences", "train_learning_extractor",
]
