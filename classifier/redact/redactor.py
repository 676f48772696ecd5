"""Redact personal data from complaint text before anything else sees it.

Structured identifiers (emails, phones, NHS numbers, postcodes, addresses,
dates of birth, reference numbers) are found with patterns; a label such as
"DOB" or "ref" is kept and only the value is replaced. Names are found with
rules over a word-frequency lexicon: a word whose Capitalised form is far
more common than its lower-case form behaves like a name (see
scripts/build_name_lexicon.py for the source and licence). Context decides
the rest: titles ("Mrs May Whitaker"), roles ("my social worker Will"),
cues ("known as", "me n"), ages ("Hope is 9", "Jayden, 4,"), signature
lines, words next to or joined by "and" to a name, and every name found is
carried to its other mentions and to nicknames that are part of it
("Sukhjinder ... Sukhi"). Lower-case text-speak and all-caps shouting get
their own thresholds. Places, languages and organisations in typical
positions ("in Wigan", "speaks Tigrinya", "Moorside Medical Practice") are
left alone: they are not people.
"""

from __future__ import annotations

import re

from classifier.redact.names import NameFinder
from classifier.redact.patterns import PLACEHOLDERS, Span, _find_patterns

_NAME_WORD = re.compile(r"[^\W\d_]+")


class Redactor:
    """Find and replace personal data.

    Parameters
    ----------
    names : bool
        Also find person names; False keeps names (patterns only).
    placeholders : dict, optional
        Kind -> placeholder text, replacing the defaults (`[NAME]`, `[EMAIL]`, ...).
    """

    def __init__(self, names: bool = True, placeholders: dict[str, str] | None = None):
        self.names = names
        self.placeholders = {**PLACEHOLDERS, **(placeholders or {})}

    # ------------------------------------------------------------ public
    def find(self, text: str) -> list[Span]:
        """Spans of personal data in `text`, sorted and not overlapping.

        Parameters
        ----------
        text : str

        Returns
        -------
        list of Span
        """
        if not text:
            return []
        spans = _find_patterns(text)
        taken = bytearray(len(text))
        for sp in spans:
            taken[sp.start : sp.end] = b"\x01" * (sp.end - sp.start)
        if self.names:
            for s, e in NameFinder(text, spans).find():
                if not any(taken[s:e]):
                    spans.append(Span(s, e, "name"))
                    taken[s:e] = b"\x01" * (e - s)
        return sorted(spans, key=lambda sp: sp.start)

    def redact(self, text: str) -> str:
        """`text` with every span found replaced by its placeholder.

        Parameters
        ----------
        text : str

        Returns
        -------
        str
        """
        if not text:
            return text
        return self._replace(text, self.find(text))

    def redact_with_names(self, text: str) -> tuple[str, tuple[str, ...]]:
        """The redacted text, and the lower-case words it took for names (for vocabulary filters).

        Parameters
        ----------
        text : str

        Returns
        -------
        (str, tuple of str)
        """
        if not text:
            return text, ()
        spans = self.find(text)
        names = tuple(
            w.lower() for sp in spans if sp.kind == "name" for w in _NAME_WORD.findall(text, sp.start, sp.end)
        )
        return self._replace(text, spans), names

    def _replace(self, text: str, spans: list[Span]) -> str:
        out, pos = [], 0
        for sp in self._merge(spans, text):
            out.append(text[pos : sp.start])
            out.append(self.placeholders[sp.kind])
            pos = sp.end
        out.append(text[pos:])
        return "".join(out)

    @staticmethod
    def _merge(spans: list[Span], text: str) -> list[Span]:
        """Join name spans separated only by spaces or hyphens: one [NAME] per name."""
        merged: list[Span] = []
        for sp in spans:
            if (
                merged
                and sp.kind == "name"
                and merged[-1].kind == "name"
                and re.fullmatch(r"[ \-]{0,2}", text[merged[-1].end : sp.start])
            ):
                merged[-1] = Span(merged[-1].start, sp.end, "name")
            else:
                merged.append(sp)
        return merged


_DEFAULT = Redactor()


def redact_text(text: str) -> str:
    """Redact one text with the default rules.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        The text with names, contacts, addresses, dates of birth and references replaced.
    """
    return _DEFAULT.redact(text)
