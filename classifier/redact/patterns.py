"""Structured personal data found with patterns: emails, phones, NHS numbers,
postcodes, addresses, dates of birth and reference numbers.

A label such as "DOB" or "ref" is kept and only the value is replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


_STREET = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Cl|Drive|Dr|Way|Court|Ct|Crescent|Cres|Place|Pl|"
    r"Grove|Gardens|Gdns|Terrace|Walk|Mews|Row|Hill|Park|Square|Sq|View|Rise|Parade|Green|Vale|Fold|"
    r"Croft|Estate|Gate|Yard|Wharf|Quay|Chase|Meadows?|Brow|Bank|End|Heights|Cottages|Villas|Wynd|"
    r"Boulevard|Circus|Broadway|Mount|Fields?|Side|Hall|House|Lodge|Gardens|Precinct|Site|Approach)"
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# Patterns for structured identifiers. Each is tried only where a run of
# digits starts (see `_find_patterns`): scanning a text once for digits is
# far cheaper than scanning it once per pattern. Label words ("DOB", "ref",
# "NHS number") are kept; only the value is replaced.
_EMAIL = re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+")
_NHS = re.compile(r"\d{3}[ \-]?\d{3}[ \-]?\d{4}(?![ \-]?\d)")
_NHS_SPACED = re.compile(r"[1-9]\d{2} \d{3} \d{4}$")
_PHONE = re.compile(r"\(0\d{2,4}\)\s?\d{3,4}[\s\-]?\d{3,4}(?!\d)|(?:\+44\s?\(?0?\)?\s?|0)\d(?:[\s\-]?\d){7,10}(?!\d)")
_POSTCODE = re.compile(r"[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}\b")
_ADDRESS = re.compile(r"\d{1,4}[A-Za-z]?,?\s+(?P<words>(?:[A-Z][\w'’\-]+\s+){0,3})" + _STREET + r"\b")
# "12 Oak Road, Dunmere DN4 5XX": the town (and county) after an address goes with it when a postcode, a comma, a full
# stop or the line's end follows (so "12 Oak Road, Social Services said" keeps "Social Services").
_TOWN_AFTER = re.compile(
    r",\s*[A-Z][\w'’\-]+(?:[ \-][A-Z][\w'’\-]+){0,2}"
    r"(?=\s*(?:[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b|[,.;:)]|\n|$))"
)
_ADDRESS_LABEL = re.compile(r"(?i)\b(?:flat|apartment|apt|unit|plot|pitch|room|house)(?:\s+\d+[A-Za-z]?,?)?\s*$")
_DATE = re.compile(
    r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2}\b"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_DATE_MONTH_FIRST = re.compile(_MONTH + r"\s+$", re.IGNORECASE)
_DATE_AFTER_MONTH = re.compile(r"\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}\b")
# A date is a date of birth when one of these is in the 80 characters before it.
_BIRTH_WORDS = ("birth", "dob", "d.o.b", "born")
_REF_LABEL = re.compile(
    r"(?i)\b(?:ref(?:erence)?|case|complaint|crn|id|file|claim|account)\.?\s*"
    r"(?:no\.?|number|#)?\s*[:#\-]?\s*$"
)
_REF_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-")
_RUN = re.compile(r"\d+")


def end_of_town(text: str, pos: int) -> int:
    """Where the town (and county) written after an address ending at `pos` ends; `pos` when there is none."""
    for _ in range(2):  # "…, Dunmere, West Brackley"
        town = _TOWN_AFTER.match(text, pos)
        if town is None:
            break
        pos = town.end()
    return pos


def _birth_before(lt: str, pos: int) -> bool:
    """A birth word shortly before `pos`, in the same sentence (or the next clause)."""
    window = lt[max(0, pos - 60) : pos]
    last = max(window.rfind(w) for w in _BIRTH_WORDS)
    if last < 0:
        return False
    between = window[last:]
    return ". " not in between and "\n" not in between


def _find_patterns(text: str) -> list[Span]:
    """Structured identifiers, as non-overlapping spans."""
    spans: list[Span] = []
    taken = bytearray(len(text))

    def claim(s: int, e: int, kind: str) -> bool:
        if e > s and not any(taken[s:e]):
            spans.append(Span(s, e, kind))
            taken[s:e] = b"\x01" * (e - s)
            return True
        return False

    if "@" in text:
        for m in _EMAIL.finditer(text):
            claim(m.start(), m.end(), "email")
    runs = [m.span() for m in _RUN.finditer(text)]
    if not runs:
        return spans
    lt = text.lower()
    birth = any(w in lt for w in _BIRTH_WORDS)
    n = len(text)
    for s, e in runs:
        if taken[s]:
            continue
        before = text[s - 1] if s else " "
        # NHS number: 10 digits after "NHS", or in the 3-3-4 spacing phones never use.
        m = _NHS.match(text, s)
        if m and not before.isalnum() and ("nhs" in lt[max(0, s - 30) : s] or _NHS_SPACED.match(m.group())):
            if claim(s, m.end(), "nhs_number"):
                continue
        start = s - 1 if before in "+(" else s
        if start == 0 or not text[start - 1].isalnum():
            # "(0121) 496 0000" from the bracket; "(07700 900123)" from the digits.
            m = _PHONE.match(text, start) or (_PHONE.match(text, s) if start != s else None)
            if m and claim(m.start(), m.end(), "phone"):
                continue
        # Postcode: one or two letters before the digits.
        for k in (2, 1):
            p = s - k
            if p >= 0 and text[p:s].isalpha() and (p == 0 or not text[p - 1].isalnum()):
                m = _POSTCODE.match(text, p)
                if m and claim(p, m.end(), "postcode"):
                    break
        if taken[s]:
            continue
        if not before.isalnum() and before not in ".,/:£$":
            m = _ADDRESS.match(text, s)
            if m:
                # "Flat 6, 22 Corporation Street", "plot 4, Greenbank Park".
                label = _ADDRESS_LABEL.search(text, max(0, s - 20), s)
                end = end_of_town(text, m.end())
                if (m.group("words") or label) and claim(label.start() if label else s, end, "address"):
                    continue
        if birth and not before.isalnum():
            m, ds = _DATE.match(text, s), s
            if m is None:
                mm = _DATE_MONTH_FIRST.search(text, max(0, s - 12), s)
                if mm:
                    m, ds = _DATE_AFTER_MONTH.match(text, s), mm.start()
            if m is not None and _birth_before(lt, ds):
                if claim(ds, m.end(), "dob"):
                    continue
        # Reference: the run of letters, digits, "/" and "-" around the digits.
        a, b = s, e
        while a > 0 and text[a - 1] in _REF_CHARS:
            a -= 1
        while b < n and text[b] in _REF_CHARS:
            b += 1
        while b > e and text[b - 1] in "/-":
            b -= 1
        while a < s and text[a] in "/-":
            a += 1
        tok = text[a:b]
        coded = (
            ("/" in tok or "-" in tok)
            and any(c.isupper() for c in tok)
            and any(c.isalpha() for c in tok)
            and not tok.upper().startswith("COVID")
        )
        labelled = len(tok) >= 4 and _REF_LABEL.search(text, max(0, a - 30), a) is not None
        if labelled or coded or (tok.isdigit() and len(tok) >= 6):
            claim(a, b, "reference")
    return spans
