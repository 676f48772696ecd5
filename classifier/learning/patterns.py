"""Pattern groups for the learning extractor: read and checked from `patterns.yml`, matched with spaCy.

Groups for obligation and change language pull a sentence in; groups for
statistics, procedure and what the complainant said pull it out. The file is
data: a trust can add phrases without touching code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml

from classifier.errors import PatternFileError
from classifier.learning.sentences import nlp
from classifier.text import PreparedText, spacy_input
from classifier.yamlio import safe_load as _yaml_load

LEARNING_TYPES = ("lesson", "staff_reminder", "training", "process_change", "remedy", "reflective_discussion", "other")
# The two models a pattern group can feed: sentence detection and type assignment.
MODELS = ("detect", "type")


def default_patterns_path() -> Path:
    return Path(__file__).with_name("patterns.yml")


def load_patterns(path: str | Path | None = None) -> dict[str, dict]:
    """Read and check the pattern file; returns {group: {cue, type_hint, phrases, tokens, models}}."""
    p = Path(path) if path is not None else default_patterns_path()
    try:
        data = _yaml_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PatternFileError(f"pattern file '{p}' not found") from None
    except (OSError, yaml.YAMLError) as exc:
        raise PatternFileError(f"cannot read pattern file '{p.name}' ({type(exc).__name__})") from None
    groups = (data or {}).get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, dict) or not groups:
        raise PatternFileError(f"pattern file '{p.name}' has no 'groups' mapping")
    out: dict[str, dict] = {}
    for name, spec in groups.items():
        if not isinstance(spec, dict):
            raise PatternFileError(f"group '{name}' in '{p.name}' must be a mapping")
        phrases = spec.get("phrases") or []
        tokens = spec.get("tokens") or []
        if not all(isinstance(x, str) and x == x.lower() for x in phrases):
            raise PatternFileError(f"group '{name}': every phrase must be a lower-case string")
        if not all(isinstance(t, list) and t and all(isinstance(d, dict) for d in t) for t in tokens):
            raise PatternFileError(f"group '{name}': each token pattern must be a list of mappings")
        if any(_has_yaml_bool(d) for t in tokens for d in t):
            raise PatternFileError(
                f"group '{name}': a token pattern holds true/false where a word was meant; "
                'quote words such as "on", "off", "yes" and "no"'
            )
        hint = spec.get("type_hint")
        if hint is not None and hint not in LEARNING_TYPES:
            raise PatternFileError(f"group '{name}': unknown type_hint '{hint}'")
        models = spec.get("models", list(MODELS))
        if isinstance(models, str):
            models = [models]
        if not isinstance(models, list) or not models or any(m not in MODELS for m in models):
            raise PatternFileError(f"group '{name}': 'models' must list one or both of {', '.join(MODELS)}")
        out[str(name)] = {
            "cue": spec.get("cue", "learning"),
            "type_hint": hint,
            "phrases": list(phrases),
            "tokens": tokens,
            "models": list(models),
        }
    return out


def _has_yaml_bool(spec) -> bool:
    """True if a token spec holds a bool inside a word list ({LOWER: {IN: [on, by]}} reads `on` as True)."""
    if isinstance(spec, dict):
        return any(_has_yaml_bool(v) for v in spec.values())
    if isinstance(spec, list):
        return any(isinstance(v, bool) or _has_yaml_bool(v) for v in spec)
    return False


class PatternSet:
    """Compiled spaCy Matcher for the pattern groups (built lazily, never pickled)."""

    def __init__(self, groups: dict[str, dict]):
        from spacy.matcher import Matcher

        self.names = list(groups)
        pipe = nlp()
        self._matcher = Matcher(pipe.vocab, validate=True)
        for name, spec in groups.items():
            pats = [[{"LOWER": t.text} for t in pipe.make_doc(ph)] for ph in spec["phrases"]]
            pats += spec["tokens"]
            if not pats:
                continue
            try:
                self._matcher.add(name, pats)
            except (ValueError, KeyError, TypeError) as exc:
                raise PatternFileError(f"group '{name}' has an invalid token pattern ({type(exc).__name__})") from None
        self._index = {pipe.vocab.strings[n]: j for j, n in enumerate(self.names)}

    def matrix(self, docs: Sequence[PreparedText]) -> np.ndarray:
        """One row per text, one 0/1 column per group (in `names` order)."""
        out = np.zeros((len(docs), len(self.names)), dtype=np.float32)
        # Lower-cased so sentence-initial words lemmatise ("Reminders" -> "reminder").
        texts = (spacy_input(d.redacted).lower() for d in docs)
        for i, doc in enumerate(nlp().pipe(texts, disable=["sentencizer"], batch_size=256)):
            for match_id, _, _ in self._matcher(doc):
                out[i, self._index[match_id]] = 1.0
        return out
