"""The name-likelihood lexicon and the redaction rules (both data, in `classifier/data/`).

A word whose Capitalised form is far more common than its lower-case form
behaves like a name (see scripts/build_name_lexicon.py for the source and
licence); `redact_rules.yml` lists titles, roles, cues and words to keep.
"""

from __future__ import annotations

import gc
import gzip
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from classifier.yamlio import safe_load as _yaml_load

_DATA = Path(__file__).resolve().parents[1] / "data"

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_WORD_SPLIT = re.compile("(" + _WORD.pattern + ")")
# The same split for ASCII text, where [^\W\d_] is exactly [A-Za-z] (and "’"
# cannot occur): a plain range is a quarter faster than the Unicode class.
_WORD_SPLIT_ASCII = re.compile(r"([A-Za-z]+(?:['\-][A-Za-z]+)*)")
_SENT_PUNCT = frozenset('.!?:;\n•*"“(|>')
_CONTRACTION = frozenset(("t", "m", "ll", "re", "ve", "d"))
_ABBREV_TITLES = frozenset(("mr", "mrs", "ms", "mx", "dr", "prof", "rev", "revd", "cllr", "fr", "sgt"))
_NUMBER_WORDS = (
    r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
_NOT_AGE = (
    r"(?!\s*(?:weeks?|wks?|days?|months?|hours?|hrs?|minutes?|mins?|%|am|pm|miles?|times?|"
    r"o'clock|[:/.]\d|years? ago|th|st|nd|rd)\b)"
)


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, tuple[float, float]]:
    with gzip.open(_DATA / "name_lexicon.tsv.gz", "rt", encoding="utf-8") as fh:
        cells = fh.read().split()  # word, cap_ratio, lower_logprob; no cell has a space
    if cells[:3] != ["word", "cap_ratio", "lower_logprob"] or len(cells) % 3:
        raise ValueError("name_lexicon.tsv.gz is malformed; rebuild it with scripts/build_name_lexicon.py")
    # Column slices and map(), and each distinct number parsed once (they have two
    # decimals, so few are distinct): a per-line loop took 0.35 s of every start-up.
    # The cyclic garbage collector is paused: 165k new tuples would trigger it
    # over and over, though none of them can form a cycle.
    ratios, logprobs = cells[4::3], cells[5::3]
    number = {v: float(v) for v in {*ratios, *logprobs}}
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return dict(zip(cells[3::3], zip(map(number.__getitem__, ratios), map(number.__getitem__, logprobs))))
    finally:
        if was_enabled:
            gc.enable()


@lru_cache(maxsize=1)
def _rules() -> dict:
    rules = _yaml_load((_DATA / "redact_rules.yml").read_text("utf-8"))
    r: dict[str, Any] = {k: frozenset(str(x).lower() for x in v) for k, v in rules.items()}
    r["roles"] = r["roles"] | r["titles"]
    r["called"] = frozenset(("called", "named", "calls"))
    lex = _lexicon()
    # Lower-case words that could be names: with a cue, or on their own.
    r["lex_plausible"] = frozenset(w for w, (ratio, lp) in lex.items() if ratio > 0.0 and lp < -10.0)
    r["lex_strict"] = frozenset(w for w, (ratio, lp) in lex.items() if ratio > 1.0 and lp < -13.0)
    # Text-speak candidates: also rare lower-case words that are not clearly common nouns ("ama"),
    # and ordinary words that are also given names ("will", "precious").
    r["lex_casual"] = (
        r["lex_plausible"]
        | r["word_names"]
        | frozenset(w for w, (ratio, lp) in lex.items() if ratio > -2.5 and lp < -12.5)
    )
    # Before a reporting verb a lower-case word may be a person, after one of these.
    r["clause_start"] = frozenset(("and", "but", "so", "or", "n", "because", "coz", "cus", "then", "when", "cause"))
    # Titles and roles are never names themselves.
    r["keep"] = r["keep"] | r["titles"] | r["roles"]
    kin = "|".join(sorted(r["kin_after_is"]))
    role = "|".join(sorted(re.escape(x) for x in r["roles"]))
    r["after_re"] = re.compile(
        r"(?:['’]s)?(?:\s*\(\s*\d{1,2}\s*[),]|,\s*(?:aged?\s+)?\d{1,2}" + _NOT_AGE + r"\s*(?:[,.;)]|$|\s)"
        r"|\s+(?:is|was|turns|turned|aged|age|who is|is now|are|were)\s+"
        + _NUMBER_WORDS
        + r"\b"
        + _NOT_AGE
        + r"|\s+(?:is|was)\s+(?:my|our|her|his|their)\s+(?:\w+\s+)?(?:"
        + kin
        + r")\b"
        r"|\s+(?:is|are|was|were)\s+(?:brothers?|sisters?|twins|siblings|cousins|step-?(?:brothers?|sisters?))\b"
        r"|\s*\(\s*(?:my|his|her|their|our|the|a|an|ex|former|old)?\s*(?:\w+[\s\-]+){0,2}?(?:" + role + r")\b"
        r"|,\s+(?:my|his|her|their|our|the|a|an)\s+(?:(?:new|old|former|previous|current|allocated|foster|social|family|personal|key|support|senior|team|duty)\s+){0,2}(?:"
        + role
        + r")\b)",
        re.IGNORECASE,
    )
    return r
