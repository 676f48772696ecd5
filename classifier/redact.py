"""Redact personal data from complaint text before anything else sees it.

Structured identifiers (emails, phones, NHS numbers, postcodes, addresses,
dates of birth, reference numbers) are found with patterns. Names are found
with rules over a word-frequency lexicon: a word whose Capitalised form is
far more common than its lower-case form behaves like a name (see
scripts/build_name_lexicon.py for the source and licence), helped by
context (titles, "my social worker X", signature lines) and by carrying
every name found to its other mentions, in any case, and to nicknames that
are prefixes of it ("Sukhjinder ... Sukhi").
"""
from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "nhs_number": "[NHS_NUMBER]",
    "phone": "[PHONE]",
    "postcode": "[POSTCODE]",
    "dob": "[DOB]",
    "address": "[ADDRESS]",
    "reference": "[REF]",
    "name": "[NAME]",
}

_STREET = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Way|Court|Crescent|Place|Grove|"
    r"Gardens|Terrace|Walk|Mews|Row|Hill|Park|Square|View|Rise|Parade|Green|Vale|Fold|Croft|Estate)"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3,9}\.?,?\s+\d{4}"
    r"|[A-Za-z]{3,9}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
)
# Order matters: earlier patterns claim their characters first.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+")),
    ("dob", re.compile(
        r"(?i)(?<=\b)(?:d\.?o\.?b\.?|date of birth|born(?: on)?|birthday is)\s*[:\-]?\s*" + _DATE)),
    ("nhs_number", re.compile(r"(?i)(?:nhs\s*(?:no\.?|number|num)?\s*[:\-]?\s*)?\b\d{3}[ \-]?\d{3}[ \-]?\d{4}\b(?!\s*\d)")),
    ("phone", re.compile(
        r"(?:\+44\s?\(?0?\)?\s?|\b0)\d(?:[\s\-]?\d){8,10}(?!\d)")),
    ("postcode", re.compile(r"(?i)\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b")),
    ("address", re.compile(
        r"(?:\b(?:Flat|Apartment|Unit)\s+\d+[A-Za-z]?,?\s+)?\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'\-]+\s+){1,3}"
        + _STREET + r"\b")),
    ("reference", re.compile(
        r"(?i)\b(?:ref(?:erence)?|case|complaint|crn|id)\.?\s*(?:no\.?|number|#)?\s*[:#\-]?\s*"
        r"(?=[A-Z0-9/\-]*\d)[A-Z0-9][A-Z0-9/\-]{3,}\b"
        r"|\b(?=[A-Za-z]*[\-/]?\d)[A-Z]{1,6}[\-/]\d[\w/\-]{2,}\b|\b\d{6,}\b")),
]

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*")
_SENT_END = re.compile(r"[.!?:;\n•*\"“(]\s*$|^\s*$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, tuple[float, float]]:
    path = resources.files("classifier") / "data" / "name_lexicon.tsv.gz"
    out: dict[str, tuple[float, float]] = {}
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            w, ratio, lp = line.rstrip("\n").split("\t")
            out[w] = (float(ratio), float(lp))
    return out


@lru_cache(maxsize=1)
def _rules() -> dict:
    text = (resources.files("classifier") / "data" / "redact_rules.yml").read_text("utf-8")
    rules = yaml.safe_load(text)
    return {
        "titles": set(rules["titles"]),
        "cues": set(rules["name_cues"]),
        "signoffs": set(rules["signoffs"]),
        "keep": set(rules["keep"]),
    }


class Redactor:
    """Find and replace personal data. `names=False` keeps names (patterns only)."""

    def __init__(self, names: bool = True, placeholders: dict[str, str] | None = None):
        self.names = names
        self.placeholders = {**PLACEHOLDERS, **(placeholders or {})}

    # ------------------------------------------------------------ public
    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        taken = bytearray(len(text))
        for kind, pattern in _PATTERNS:
            for m in pattern.finditer(text):
                s, e = m.span()
                if kind == "nhs_number" and not re.search(r"(?i)nhs", text[max(0, s - 20): e]) \
                        and not re.fullmatch(r"\d{3} \d{3} \d{4}", m.group(0).strip()):
                    continue  # a bare 10-digit run is more likely a phone number
                if e > s and not any(taken[s:e]):
                    spans.append(Span(s, e, kind))
                    taken[s:e] = b"\x01" * (e - s)
        if self.names:
            for s, e in self._find_names(text):
                if not any(taken[s:e]):
                    spans.append(Span(s, e, "name"))
                    taken[s:e] = b"\x01" * (e - s)
        return sorted(spans, key=lambda sp: sp.start)

    def redact(self, text: str) -> str:
        if not text:
            return text
        out, pos = [], 0
        for sp in self._merge(self.find(text), text):
            out.append(text[pos: sp.start])
            out.append(self.placeholders[sp.kind])
            pos = sp.end
        out.append(text[pos:])
        return "".join(out)

    # ------------------------------------------------------------ names
    def _find_names(self, text: str) -> list[tuple[int, int]]:
        lex, rules = _lexicon(), _rules()
        keep, titles, cues = rules["keep"], rules["titles"], rules["cues"]
        toks = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
        is_name = [False] * len(toks)
        signature_lines = self._signature_lines(text, rules["signoffs"])

        def base(word: str) -> str:
            w = word.lower()
            for suffix in ("'s", "’s"):
                if w.endswith(suffix):
                    return w[:-2]
            return w

        for i, (s, e, word) in enumerate(toks):
            w = base(word)
            if len(w) < 2 or w in keep:
                continue
            prev = toks[i - 1][2].lower().rstrip(".") if i else ""
            prev2 = (toks[i - 2][2].lower() + " " + prev) if i > 1 else prev
            initial = i == 0 or bool(_SENT_END.search(text[toks[i - 1][1]: s] if i else text[:s]))
            ratio, lower_lp = lex.get(w, (None, None))
            cued = prev in titles or prev in cues or prev2 in cues
            if any(a <= s < b for a, b in signature_lines):
                is_name[i] = True
            elif word[0].isupper() and not (word.isupper() and len(word) <= 5):
                if prev in titles:
                    is_name[i] = True
                elif ratio is None:
                    is_name[i] = True  # an unknown capitalised word: almost always a name
                elif initial:
                    is_name[i] = ratio > 1.5
                else:
                    is_name[i] = ratio > 0.5 or (cued and ratio > -1.0 and lower_lp < -9.5)
            else:
                # Lower-case: only strong evidence (text-speak often drops capitals).
                if ratio is not None and ratio > 2.5 and lower_lp < -15.5:
                    is_name[i] = True
                elif prev in {"called", "named"} or prev2 in {"name is", "named as"}:
                    is_name[i] = ratio is None or ratio > 0.0
                elif cued and prev not in {"and", "to", "from", "with", "love"}:
                    is_name[i] = ratio is None or (ratio > 1.0 and lower_lp < -13.0)

        # A capitalised common word right before a name is usually a first name.
        for i in range(len(toks) - 2, -1, -1):
            word = toks[i][2]
            if not is_name[i] and is_name[i + 1] and word[0].isupper() and base(word) not in keep \
                    and toks[i + 1][0] - toks[i][1] <= 1 and not word.isupper():
                is_name[i] = True

        # Carry every name found to its other mentions and to nickname prefixes.
        found = {base(toks[i][2]) for i in range(len(toks)) if is_name[i]}
        if found:
            for i, (s, e, word) in enumerate(toks):
                w = base(word)
                if is_name[i] or w in keep or len(w) < 3:
                    continue
                ratio = lex.get(w, (None,))[0]
                if w in found and (word[0].isupper() or ratio is None or ratio > 0.5):
                    is_name[i] = True
                elif word[0].isupper() and any(n.startswith(w) and len(n) > len(w) for n in found):
                    is_name[i] = True
        return [(s, e if not toks[i][2].lower().endswith(("'s", "’s")) else e - 2)
                for i, (s, e, _) in enumerate(toks) if is_name[i]]

    @staticmethod
    def _signature_lines(text: str, signoffs: set[str]) -> list[tuple[int, int]]:
        """Character ranges of short lines that follow a sign-off line."""
        out: list[tuple[int, int]] = []
        lines = text.split("\n")
        pos, prev_signoff = 0, False
        for line in lines:
            stripped = line.strip().rstrip(",.!").lower()
            if prev_signoff and stripped:
                words = line.split()
                if 1 <= len(words) <= 4 and all(_WORD.fullmatch(w.strip(",.")) for w in words):
                    out.append((pos, pos + len(line)))
                prev_signoff = False
            elif stripped in signoffs:
                prev_signoff = True
            elif stripped:
                prev_signoff = False
            pos += len(line) + 1
        return out

    @staticmethod
    def _merge(spans: list[Span], text: str) -> list[Span]:
        """Join name spans separated only by spaces or hyphens: one [NAME] per name."""
        merged: list[Span] = []
        for sp in spans:
            if merged and sp.kind == "name" and merged[-1].kind == "name" \
                    and re.fullmatch(r"[ \-]{0,2}", text[merged[-1].end: sp.start]):
                merged[-1] = Span(merged[-1].start, sp.end, "name")
            else:
                merged.append(sp)
        return merged


_DEFAULT = Redactor()


def redact_text(text: str) -> str:
    """Redact one text with the default rules."""
    return _DEFAULT.redact(text)
