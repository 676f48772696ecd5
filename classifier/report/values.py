"""Category values as the report shows them: spelling variants merged, values that may not be categories hidden.

Staff type category cells (outcome, service, complainant, theme ...) by hand,
and a cell can hold a name ('Grandparent - <name>') or a sentence about a
child typed in the wrong column ('Dad drunk at contact'). The report prints
these values as row labels in every output, so the rule is positive: a value
is shown only when it is known to be a category or is shaped like one
(`shown_value`):

- it is a known value: listed in the settings (`known_values` for its column,
  `shown_values`, or the outcome, procedure, mediation, kind and
  children-and-young-people words), or
- it is on at least `category_min_rows` of the rows the report counts, and
  `looks_like_name` (settings `category_names`): a short label in which the
  redactor finds no name (`is_safe_label`), with no pronoun or verb
  (`reads_as_sentence`) and none of the sentence words ('at', 're', 'with',
  'my' ... in any case), written in Title Case ('Kinship Care Team') or ending
  in a word such as Team, Service, Hub, Unit, Line or Form.

A list of verbs cannot be complete ('drunk', 'moved', 'upset'), so a value
that is neither is hidden rather than checked for what makes it a sentence.
Any other value is counted under `HIDDEN_VALUE` and the notes say so. Values
that differ only in case, spaces or punctuation are one value.
"""

from __future__ import annotations

import re

import pandas as pd

from classifier.redact.quote import is_safe_label
from classifier.taxonomy.schema import theme_name_key

HIDDEN_VALUE = "Other value (not shown)"

# Closed-class words a category label does not hold but a sentence about a person does.
_PRONOUNS = frozenset(
    "i me my mine myself you your yours yourself he him his himself she her hers herself we us our ours "
    "ourselves they them their theirs themselves i'm i've i'd i'll he's she's they're we're you're".split()
)
# Auxiliaries and verbs of what happened: 'Social worker shouted at my child', 'Hit by foster carer'.
_VERBS = frozenset(
    "is isn't was wasn't were weren't are aren't am be been being has hasn't had hadn't have haven't do does "
    "doesn't did didn't don't won't can't cannot couldn't wouldn't shouldn't would could should will shall "
    "might must said says told tells shouted shouts hit hits rang rings phoned phones called asked refused "
    "wanted wants came comes went goes left took takes gave gives got gets saw sees felt feels feel "
    "kept keeps threatened ignored lied lies hurt hurts screamed swore cried crying".split()
)
# A word ending -ed / -ing right before one of these reads as a verb phrase ('shouted at', 'crying about').
_VERB_OBJECT = frozenset("at by about me him her them us my his their our your the a an".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")


def value_key(value: object) -> str:
    """'Not Upheld ' and 'not-upheld' -> 'notupheld': how variants of one value are recognised."""
    return theme_name_key(str(value))


def reads_as_sentence(value: object) -> bool:
    """True when the value has a pronoun or a verb in it: a sentence about someone, not a category."""
    words = [w.lower().replace("\u2019", "'") for w in _WORD.findall(str(value))]
    if any(w in _PRONOUNS or w in _VERBS for w in words):
        return True
    return any(w.endswith(("ed", "ing")) and nxt in _VERB_OBJECT for w, nxt in zip(words, words[1:]))


def is_label(value: object) -> bool:
    """A short label with no name and no sentence in it (the row-count and name-shape rules aside)."""
    return is_safe_label(value) and not reads_as_sentence(value)


def looks_like_name(value: object, names=None) -> bool:
    """Whether a value is shaped like the name of a team, service or method (`CategoryNames` rules):
    'Kinship Care Team', 'Complaints line', 'MASH'; not 'Dad drunk at contact'."""
    from classifier.report.settings import CategoryNames

    names = names if names is not None else CategoryNames()
    if not is_label(value):
        return False
    found = [w.lower().replace("\u2019", "'") for w in _WORD.findall(str(value))]
    tokens = str(value).split()
    if not found or len(tokens) > names.max_words or any(w in names.sentence_words for w in found):
        return False
    if found[-1] in names.suffixes:
        return True
    return all(_title_word(t, names.joining_words) for t in tokens) and _title_word(tokens[0], frozenset())


def _title_word(token: str, joining: frozenset[str]) -> bool:
    """A word of a Title Case name: capitalised ('Care', 'MASH', 'E-mail'), a number, or a joining word."""
    if token.lower() in joining or not any(ch.isalpha() for ch in token):
        return True
    first = next(ch for ch in token if ch.isalpha())
    return first.isupper()


def merge_variants(values: pd.Series, named: dict[str, str] | None = None) -> pd.Series:
    """One spelling per value: the settings' name when `named` (key -> name) has the key, else the most
    frequent spelling as written (ties: the first alphabetically). Blank stays blank."""
    named = named or {}
    counts = values[values.ne("")].value_counts()
    spelling: dict[str, str] = {}
    for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        spelling.setdefault(value_key(v), named.get(value_key(v), v))
    return values.map(lambda v: spelling.get(value_key(v), v) if v else v)


def shown_value(value: str, rows: int, known=frozenset(), min_rows: int = 1, names=None) -> bool:
    """Whether a category value on `rows` rows is printed (see the module docstring). Without `names`
    (the learning register's own columns, written by `complaints learning`) a short label with no name and
    no sentence in it is enough."""
    if not value or value_key(value) in known:
        return True
    return rows >= min_rows and (looks_like_name(value, names) if names is not None else is_label(value))


def hide_unsafe(values: pd.Series, known=frozenset(), min_rows: int = 1, names=None) -> tuple[pd.Series, int]:
    """Values that may not be categories -> HIDDEN_VALUE, and how many rows were hidden.

    `known`: value keys always shown (settings `known_values`, `shown_values` and the outcome words);
    `min_rows`: rows a value needs to be shown otherwise (settings `category_min_rows`); `names`: the
    shape it must have (settings `category_names`).
    """
    counts = values.value_counts()
    verdict = {v: shown_value(v, int(counts.get(v, 0)), known, min_rows, names) for v in pd.unique(values)}
    safe = values.map(verdict).astype(bool)
    return values.where(safe, HIDDEN_VALUE), int((~safe).sum())
