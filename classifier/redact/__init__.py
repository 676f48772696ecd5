"""Redact: personal data out of text before any feature is built.

`patterns` finds contact details, dates of birth and references; `lexicon` holds
the name-likelihood table and rules; `names` finds person names; `redactor`
puts them together; `table` redacts a whole table; `evaluation` scores it.
"""

from classifier.redact import quote  # noqa: F401 (installs the column display for io's errors)
from classifier.redact.redactor import PLACEHOLDERS, Redactor, Span, redact_text

__all__ = ["PLACEHOLDERS", "Redactor", "Span", "redact_text"]
