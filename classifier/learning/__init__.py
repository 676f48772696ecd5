"""Learning extractor: learning statements from responses and reports (issue 5)."""
from .extractor import (LEARNING_TYPES, LearningError, LearningExtractor, LearningStatement,
                        NotFittedError, PatternFileError, load_patterns, split_sentences)

__all__ = ["LEARNING_TYPES", "LearningError", "LearningExtractor", "LearningStatement",
           "NotFittedError", "PatternFileError", "load_patterns", "split_sentences"]
