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

import gc
import gzip
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import ne
from pathlib import Path

from .yamlio import safe_load as _yaml_load

_DATA = Path(__file__).resolve().parent / "data"

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
_ADDRESS = re.compile(
    r"\d{1,4}[A-Za-z]?,?\s+(?P<words>(?:[A-Z][\w'’\-]+\s+){0,3})" + _STREET + r"\b")
_ADDRESS_LABEL = re.compile(r"(?i)\b(?:flat|apartment|apt|unit|plot|pitch|room|house)(?:\s+\d+[A-Za-z]?,?)?\s*$")
_DATE = re.compile(
    r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2}\b"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?:19|20)\d{2}\b", re.IGNORECASE)
_DATE_MONTH_FIRST = re.compile(_MONTH + r"\s+$", re.IGNORECASE)
_DATE_AFTER_MONTH = re.compile(r"\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}\b")
# A date is a date of birth when one of these is in the 80 characters before it.
_BIRTH_WORDS = ("birth", "dob", "d.o.b", "born")
_REF_LABEL = re.compile(
    r"(?i)\b(?:ref(?:erence)?|case|complaint|crn|id|file|claim|account)\.?\s*"
    r"(?:no\.?|number|#)?\s*[:#\-]?\s*$")
_REF_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-")
_RUN = re.compile(r"\d+")


def _birth_before(lt: str, pos: int) -> bool:
    """A birth word shortly before `pos`, in the same sentence (or the next clause)."""
    window = lt[max(0, pos - 60):pos]
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
        if m and not before.isalnum() and ("nhs" in lt[max(0, s - 30):s] or _NHS_SPACED.match(m.group())):
            if claim(s, m.end(), "nhs_number"):
                continue
        start = s - 1 if before in "+(" else s
        if start == 0 or not text[start - 1].isalnum():
            m = _PHONE.match(text, start)
            if m and claim(start, m.end(), "phone"):
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
                if (m.group("words") or label) and claim(label.start() if label else s, m.end(), "address"):
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
        coded = ("/" in tok or "-" in tok) and any(c.isupper() for c in tok) \
            and any(c.isalpha() for c in tok) and not tok.upper().startswith("COVID")
        labelled = len(tok) >= 4 and _REF_LABEL.search(text, max(0, a - 30), a) is not None
        if labelled or coded or (tok.isdigit() and len(tok) >= 6):
            claim(a, b, "reference")
    return spans


_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_WORD_SPLIT = re.compile("(" + _WORD.pattern + ")")
# The same split for ASCII text, where [^\W\d_] is exactly [A-Za-z] (and "’"
# cannot occur): a plain range is a quarter faster than the Unicode class.
_WORD_SPLIT_ASCII = re.compile(r"([A-Za-z]+(?:['\-][A-Za-z]+)*)")
_SENT_PUNCT = frozenset(".!?:;\n•*\"“(|>")
_CONTRACTION = frozenset(("t", "m", "ll", "re", "ve", "d"))
_ABBREV_TITLES = frozenset(("mr", "mrs", "ms", "mx", "dr", "prof", "rev", "revd", "cllr", "fr", "sgt"))
_NUMBER_WORDS = (r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                 r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)")
_NOT_AGE = (r"(?!\s*(?:weeks?|wks?|days?|months?|hours?|hrs?|minutes?|mins?|%|am|pm|miles?|times?|"
            r"o'clock|[:/.]\d|years? ago|th|st|nd|rd)\b)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


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
    r = {k: frozenset(str(x).lower() for x in v) for k, v in rules.items()}
    r["roles"] = r["roles"] | r["titles"]
    r["called"] = frozenset(("called", "named", "calls"))
    lex = _lexicon()
    # Lower-case words that could be names: with a cue, or on their own.
    r["lex_plausible"] = frozenset(w for w, (ratio, lp) in lex.items() if ratio > 0.0 and lp < -10.0)
    r["lex_strict"] = frozenset(w for w, (ratio, lp) in lex.items() if ratio > 1.0 and lp < -13.0)
    # Titles and roles are never names themselves.
    r["keep"] = r["keep"] | r["titles"] | r["roles"]
    kin = "|".join(sorted(r["kin_after_is"]))
    role = "|".join(sorted(re.escape(x) for x in r["roles"]))
    r["after_re"] = re.compile(
        r"(?:['’]s)?(?:\s*\(\s*\d{1,2}\s*[),]|,\s*(?:aged?\s+)?\d{1,2}" + _NOT_AGE + r"\s*(?:[,.;)]|$|\s)"
        r"|\s+(?:is|was|turns|turned|aged|age|who is|is now|are|were)\s+" + _NUMBER_WORDS + r"\b" + _NOT_AGE
        + r"|\s+(?:is|was)\s+(?:my|our|her|his|their)\s+(?:\w+\s+)?(?:" + kin + r")\b"
        r"|\s*\(\s*(?:my|his|her|their|our|the|a|an|ex|former|old)?\s*(?:\w+[\s\-]+){0,2}?(?:" + role + r")\b"
        r"|,\s+(?:my|his|her|their|our|the|a|an)\s+(?:(?:new|old|former|previous|current|allocated|foster|social|family|personal|key|support|senior|team|duty)\s+){0,2}(?:" + role + r")\b)",
        re.IGNORECASE,
    )
    return r


class Redactor:
    """Find and replace personal data. `names=False` keeps names (patterns only)."""

    def __init__(self, names: bool = True, placeholders: dict[str, str] | None = None):
        self.names = names
        self.placeholders = {**PLACEHOLDERS, **(placeholders or {})}

    # ------------------------------------------------------------ public
    def find(self, text: str) -> list[Span]:
        """Spans of personal data in `text`, sorted and not overlapping."""
        if not text:
            return []
        spans = _find_patterns(text)
        taken = bytearray(len(text))
        for sp in spans:
            taken[sp.start:sp.end] = b"\x01" * (sp.end - sp.start)
        if self.names:
            for s, e in _NameFinder(text, spans).find():
                if not any(taken[s:e]):
                    spans.append(Span(s, e, "name"))
                    taken[s:e] = b"\x01" * (e - s)
        return sorted(spans, key=lambda sp: sp.start)

    def redact(self, text: str) -> str:
        """`text` with every span found replaced by its placeholder."""
        if not text:
            return text
        out, pos = [], 0
        for sp in self._merge(self.find(text), text):
            out.append(text[pos: sp.start])
            out.append(self.placeholders[sp.kind])
            pos = sp.end
        out.append(text[pos:])
        return "".join(out)

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


class _NameFinder:
    """One text's tokens and the rules that mark some of them as names.

    For speed, facts about a token (gap before it, sentence start, possessive)
    are worked out only for candidates: capitalised words and lower-case
    words the lexicon or a cue makes plausible. Other tokens are never names.
    """

    def __init__(self, text: str, pattern_spans: list[Span]):
        self.lex, self.r = _lexicon(), _rules()
        self.pattern_spans = pattern_spans
        self.text = text

    # ---------------------------------------------------------- helpers
    def _setup(self) -> bool:
        text, lex, r = self.text, self.lex, self.r
        # split() with the word pattern captured gives [gap, word, gap, word, ..., gap]
        # as plain strings: no Match object per token.
        parts = (_WORD_SPLIT_ASCII if text.isascii() else _WORD_SPLIT).split(text)
        if len(parts) < 2:
            return False
        # Whole-list steps go through map() with C functions: this runs for
        # every token of every text, so it sets the pace of batch labelling.
        words = parts[1::2]
        n = len(words)
        n_upper = sum(map(str.isupper, words))
        # All-caps shouting: judge the words as lower-case text-speak.
        self.shouting = n > 3 and n_upper * 10 > n * 6
        if self.shouting:
            lowered = text.lower()
            if len(lowered) == len(text):
                self.text = text = lowered
                words = list(map(str.lower, words))
            else:
                self.shouting = False
        offsets = [0]
        offsets += accumulate(map(len, parts))
        self.starts = offsets[1::2]   # starts[i] = start of token i
        self.ends = offsets[0::2]     # ends[i] = end of token i-1 (ends[0] = 0)
        self.gaps = parts[0::2]       # gaps[i] = text between token i-1 and token i
        self.words, self.n = words, n
        self.low = low = list(map(str.lower, words))
        # Capitalised ("Will", "O'Neil"), not all-caps; only words with a capital can be.
        cap = [False] * n
        for i in compress(range(n), map(ne, words, low)):
            w = words[i]
            cap[i] = w[0].isupper() and not (len(w) > 1 and w.isupper())
        self.cap = cap
        n_cap = sum(cap)
        # Text-speak: "i" for "I", a lower-case start, or almost no capitals.
        self.casual = self.shouting or "i" in words or "im" in words or words[0][0].islower() \
            or n_cap * 25 < n
        if self.casual:
            plaus, fw = r["lex_plausible"], r["function_words"]
            cand = [i for i, w in enumerate(low) if cap[i] or w in plaus or (w not in lex and w not in fw)]
            for i in range(2, n):
                if low[i - 2] == "me" and low[i - 1] in ("n", "and", "an"):
                    cand.append(i)  # "me n will": any word after it is a person
        else:
            strict = r["lex_strict"]
            cand = list(compress(range(n), cap))
            cand += compress(range(n), map(strict.__contains__, low))
            if "mc" in text or "Mc" in text or "MC" in text or "mC" in text:  # rare: skip the pass
                cand += compress(range(n), map(str.startswith, low, repeat("mc")))
            if n_upper > n_cap:
                cand += [i for i, w in enumerate(words) if len(w) > 1 and w.isupper()]
            for cue in r["called"]:
                if cue in low:
                    cand += [i + 1 for i, w in enumerate(low[:-1]) if w == cue]
        cand = sorted(set(cand))
        self.skip, self.poss = {}, {}
        for i in cand:
            w = low[i]
            skip = poss = False
            if "'" in w or "’" in w:
                pre, _, suf = w.replace("’", "'").rpartition("'")
                if suf == "s":
                    w, poss = pre, True
                elif suf in _CONTRACTION and (len(pre) > 1 or pre == "i"):
                    skip = True
            if "-" in w and cap[i] and words[i].rsplit("-", 1)[1][:1].islower():
                skip = True  # "Pashto-speaking", "Leeds-based"
            if len(w) < 2 or (len(w) > 2 and words[i][1].isupper() and cap[i]):
                skip = True  # one letter, or a plural acronym such as "GCSEs"
            low[i] = w
            self.skip[i], self.poss[i] = skip, poss
        self.cand = [i for i in cand if not self.skip[i]]
        self.name: dict[int, bool] = {}
        self.veto: dict[int, bool] = {}
        self.aged: dict[int, bool] = {}  # followed by an age or a role: "Will Ashcroft, 17,"
        self._growable: list[int] | None = None  # candidates _grow may name (set on first use)
        return True

    def gap(self, i: int) -> str:
        """Text between token i-1 and token i."""
        if 0 <= i < self.n:
            return self.gaps[i]
        return ""

    def initial(self, i: int) -> bool:
        if i == 0:
            return True
        g = self.gap(i)
        gs = g.rstrip(" \t")
        return "\n" in g or (bool(gs) and gs[-1] in _SENT_PUNCT)

    def _lx(self, i: int) -> tuple[float, float] | None:
        w = self.low[i]
        v = self.lex.get(w)
        if v is None and "-" in w:
            parts = [self.lex.get(p) for p in w.split("-")]
            known = [p for p in parts if p is not None]
            if len(known) == len(parts):
                return max(known)
        return v

    def _plausible(self, i: int, strict: bool = False) -> bool:
        """A lower-case (or all-caps) word that could be a name given a cue."""
        v = self._lx(i)
        if v is None:
            if strict:
                return self.low[i].startswith(("mc", "o'"))
            return len(self.low[i]) >= 3
        ratio, lp = v
        if strict:
            return ratio > 1.0 and lp < -13.0
        return ratio > 0.0 and lp < -10.0

    def _free(self, i: int, soft: bool = False) -> bool:
        """Could be a name at all: not a contraction, keep-word or function word.

        `soft` lets through keep-words that are also given names ("Jan").
        """
        w, r = self.low[i], self.r
        if self.skip.get(i, True) or w in r["function_words"]:
            return False
        if w in r["keep"]:
            return soft and w in r["soft_keep"]
        # Plurals of keep-words ("Bulgarians", "Mondays").
        return not (w.endswith("s") and w[:-1] in r["keep"] and len(w) > 3)

    def _capital_ok(self, i: int) -> bool:
        """Written as a name would be, for this text's style."""
        if self.cap[i]:
            return True
        if self.casual or not self.words[i][0].islower():
            return self._plausible(i)
        return False

    def _prev(self, i: int, k: int = 1) -> str:
        return self.low[i - k] if i - k >= 0 else ""

    def _tight(self, i: int) -> bool:
        """Token i follows token i-1 with only a space or hyphen between."""
        if i <= 0:
            return False
        g = self.gap(i)
        return g == " " or g == "-" or g == "  "

    # ------------------------------------------------------------ rules
    def find(self) -> list[tuple[int, int]]:
        if not self._setup() or not self.cand:
            return []
        self._vetoes()
        self._first_pass()
        for _ in range(3):
            if not self._grow():
                break
        self._propagate()
        for _ in range(2):
            if not self._grow():
                break
        self._signatures()
        out = []
        for i in sorted(k for k, v in self.name.items() if v):
            end = self.ends[i + 1]
            out.append((self.starts[i], end - 2 if self.poss.get(i) else end))
        return out

    def _vetoes(self) -> None:
        """Places, languages and organisations in typical positions."""
        r, low, n, veto = self.r, self.low, self.n, self.veto
        places, motion = r["place_prepositions"], r["motion_words"]
        cand, gaps = self.cand, self.gaps
        # _prev and gap written out: this loop runs for every candidate of every text.
        for i in cand:
            if not self.cap[i] and not self.casual:
                continue
            p1 = low[i - 1] if i else ""
            if i and gaps[i] == " " and not self.poss[i]:
                p2 = low[i - 2] if i > 1 else ""
                if p1 in places and p2 not in r["at_person_words"]:
                    veto[i] = True
                elif p1 in ("from", "to") and p2 in motion:
                    veto[i] = True
                elif p1 in r["language_before"]:
                    veto[i] = True
            if i + 1 < n and gaps[i + 1] in (" ", "-"):
                nxt = low[i + 1]
                if nxt in r["language_after"] and not self.cap[i + 1]:
                    veto[i] = True
                elif nxt in r["org_words"] and self.cap[i + 1]:
                    veto[i] = True
            # A run of capitalised words continues a place ("at Tŷ Gwyn").
            if not veto.get(i) and veto.get(i - 1) and self._tight(i):
                veto[i] = True
        # Org words apply backwards through a run ("Child Abuse Investigation Team").
        for i in reversed(cand):
            if self.cap[i] and veto.get(i + 1) and self._tight(i + 1) and self.cap[i + 1] \
                    and not self.poss.get(i):
                veto[i] = True
        # A town between an address and a postcode, or just before a postcode.
        for sp in self.pattern_spans:
            if sp.kind not in ("address", "postcode"):
                continue
            after = bisect_left(self.starts, sp.end)
            for i in (after - 1 - (after > 0 and self.starts[after - 1] >= sp.start), after):
                if not 0 <= i < n or not self.cap[i]:
                    continue
                s, e = self.starts[i], self.ends[i + 1]
                between = self.text[e:sp.start] if e <= sp.start else self.text[sp.end:s]
                if len(between) <= 3 and between.strip(" ,") == "":
                    veto[i] = True

    def _first_pass(self) -> None:
        r, lex, low, n, name = self.r, self.lex, self.low, self.n, self.name
        text = self.text
        titles, roles = r["titles"], r["roles"]
        strong, weak = r["strong_cues"], r["weak_cues"]
        after_re = r["after_re"]
        gaps = self.gaps
        for i in self.cand:
            w = low[i]
            p1 = low[i - 1] if i else ""  # _prev and gap written out, as in _vetoes
            cap = self.cap[i]
            g = gaps[i]
            # Titles: the next word is a name, even a month or a common word.
            if p1 in titles and w not in titles and (w not in r["function_words"] or w in r["soft_keep"]) \
                    and (cap or self.casual) \
                    and (g == " " or (g in (". ", ".") and p1 in _ABBREV_TITLES)):
                name[i] = True
                continue
            if not self._free(i):
                continue
            p2 = (low[i - 2] + " " + p1) if i > 1 else p1
            if (p1 in strong or p2 in strong) and g in (" ", ", ", ": ", " '", ' "'):
                if cap or (self.casual and self._plausible(i)) or \
                        (p1 in r["called"] and self._plausible(i)) or \
                        (p2 in ("me n", "me and", "me an", "me &") and self.casual):
                    name[i] = True
                    continue
            if p1 in roles and g in (" ", ", ", ": ", " - ") and not self.veto.get(i):
                if cap and not self.initial(i):
                    # "social worker Will Fairbrother", "baby Mason", not "Child Protection".
                    v = lex.get(w)
                    if v is None or v[0] > -2.0 or v[1] < -12.0 or (
                            i + 1 < n and self.cap[i + 1] and self._tight(i + 1)
                            and low[i + 1] not in r["keep"]):
                        name[i] = True
                        continue
                elif self.casual and self._plausible(i):
                    name[i] = True
                    continue
            # What follows: an age, "is my daughter", "(my sw)", "(mum)".
            if not self.veto.get(i) and (cap or (self.casual and self._plausible(i))) and after_re.match(text, self.ends[i + 1]):
                v = lex.get(w)
                if v is None or v[1] < -7.5:
                    name[i] = self.aged[i] = True
                    continue
            if cap and i + 1 < n and low[i + 1] in r["reporting_verbs"] and self.gap(i + 1) == " " \
                    and self.initial(i):
                v = lex.get(w)
                if v is None or v[1] < -10.0:
                    name[i] = True
                    continue
            # "Iwan Price here." / "shanice here" opening a text or a line.
            if self._here(i):
                name[i] = True
                continue
            if self.veto.get(i):
                continue
            v = self._lx(i)
            word = self.words[i]
            if cap:
                if v is None:
                    name[i] = True  # an unknown capitalised word: almost always a name
                    continue
                ratio, lp = v
                if self.initial(i):
                    name[i] = ratio > 1.5 or (ratio > 0.8 and lp < -14.0)
                elif p1 in weak:
                    name[i] = ratio > 0.0 or (ratio > -1.5 and lp < -11.0)
                else:
                    name[i] = ratio > 0.3 or (ratio > -1.0 and lp < -12.5)
            elif len(word) > 1 and word.isupper():
                # An all-caps word inside normal text: a name only if clearly one.
                name[i] = v is not None and v[0] > 1.5 and v[1] < -14.0
            elif v is not None:
                ratio, lp = v
                if self.casual:
                    name[i] = ratio > 1.0 and lp < -13.0
                else:
                    name[i] = ratio > 2.5 and lp < -15.5
            elif w.startswith("mc") and len(w) > 4:
                name[i] = True

    def _here(self, i: int) -> bool:
        if i + 1 >= self.n or self.low[i + 1] not in ("here", "speaking") or self.gap(i + 1) != " ":
            return False
        j = i
        while j > 0 and not self.initial(j):
            j -= 1
        if i - j > 2 or not self.initial(j):
            return False
        return all(self._free(k) and self._capital_ok(k) for k in range(j, i + 1))

    def _grow(self) -> bool:
        """Neighbours of names: surnames, first names, "X and Y", "(Nickname)"."""
        r, lex, low, name = self.r, self.lex, self.low, self.name
        changed = False
        # Vetoes and _free(soft) of a candidate do not change once vetoes are set
        # (_propagate only unskips words that were not candidates): filter once.
        if self._growable is None:
            self._growable = [i for i in self.cand if not self.veto.get(i) and self._free(i, soft=True)]
        for i in self._growable:
            if name.get(i):
                continue
            soft = low[i] in r["keep"]
            cap = self.cap[i]
            if not cap and not (self.casual or self.words[i].isupper()) and not self._plausible(i, True):
                continue
            if not cap and not self._plausible(i):
                continue
            v = lex.get(low[i])
            ratio, lp = v if v is not None else (5.0, -25.0)
            hit = False
            # Surname after a first name.
            if name.get(i - 1) and self._tight(i):
                hit = ratio > -4.0 or lp < -9.0
            # First name before a surname.
            if not hit and name.get(i + 1) and self._tight(i + 1):
                if self.aged.get(i + 1):
                    hit = True
                elif self.initial(i):
                    hit = lp < -9.0 or ratio > -1.0
                else:
                    hit = ratio > -2.5 or lp < -11.0
            # "X and Y", "X & Y", "X n Y" where one of them is a name.
            if not hit and not soft:
                other = self._coordinated(i)
                if other is not None and name.get(other):
                    hit = lp < -7.5 or ratio > -1.0
            # "Abdirahman Warsame (Abdi)": a bracketed word right after a name.
            if not hit and not soft and cap and name.get(i - 1) and self.gap(i).strip() == "(":
                hit = True
            if hit:
                name[i] = True
                changed = True
        return changed

    def _coordinated(self, i: int) -> int | None:
        low, n = self.low, self.n
        if i + 1 < n:
            g = self.gap(i + 1)
            if g.strip() == "&" and "\n" not in g:
                return i + 1
        if i:
            g = self.gap(i)
            if g.strip() == "&" and "\n" not in g:
                return i - 1
        if i + 2 < n and low[i + 1] in ("and", "n", "or") and self.gap(i + 1) == " " and self.gap(i + 2) == " ":
            return i + 2
        if i > 1 and low[i - 1] in ("and", "n", "or") and self.gap(i) == " " and self.gap(i - 1) == " ":
            return i - 2
        return None

    def _propagate(self) -> None:
        """Carry names to their other mentions and to nicknames inside them."""
        low, lex, name, words = self.low, self.lex, self.name, self.words
        exact, lowers = set(), set()
        for i, v in name.items():
            if v:
                exact.add(words[i][:-2] if self.poss[i] else words[i])
                lowers.add(low[i])
        if not exact:
            return
        # Nicknames inside a longer name: "Sukhi" in "Sukhjinder", "Bayo" in "Adebayo".
        parts = {x[:k] for x in lowers if len(x) >= 5 for k in range(3, len(x))}
        parts |= {x[-k:] for x in lowers if len(x) >= 5 for k in range(4, len(x))}
        # Exact mentions may be words that were not candidates ("grace" in text-speak).
        skip = self.skip
        extra = [i for i in compress(range(len(words)), map(exact.__contains__, words)) if i not in skip]
        for i in extra:
            self.skip[i], self.poss[i] = False, False
        for i in sorted(set(self.cand).union(extra)):
            if name.get(i):
                continue
            w, word = low[i], words[i]
            if self.poss[i]:
                word = word[:-2]
            if word in exact:
                name[i] = True
                continue
            if not self._free(i) or self.veto.get(i):
                continue
            v = lex.get(w)
            if w in lowers and (self.cap[i] or v is None or v[0] > 0.5):
                name[i] = True
            elif self.cap[i] and w in parts and (v is None or v[0] > -1.5 or v[1] < -10.0):
                name[i] = True

    def _signatures(self) -> None:
        """Short lines after a sign-off, and a short closing line of capitalised words."""
        text = self.text
        if "\n" not in text.strip():
            return
        signoffs, roles = self.r["signoffs"], self.r["roles"]
        starts = self.starts
        lines = text.split("\n")
        last_nonempty = max((k for k, ln in enumerate(lines) if ln.strip()), default=-1)
        pos, prev_signoff = 0, False
        for k, line in enumerate(lines):
            line_start, pos = pos, pos + len(line) + 1
            stripped = line.strip().strip(",.!-–— ").lower()
            if not stripped:
                continue
            if prev_signoff or k == last_nonempty:
                idx = list(range(bisect_left(starts, line_start), bisect_left(starts, line_start + len(line))))
                short = 1 <= len(idx) <= 5 and not line.rstrip().endswith(("?", "."))
                closing = k == last_nonempty and k > 0 and short \
                    and not any(self.low[i] in roles for i in idx) \
                    and all(self.cap[i] or i not in self.skip or not self._free(i)
                            or self._inside_brackets(i) for i in idx)
                if (prev_signoff and short) or closing:
                    for i in idx:
                        if i in self.skip and not self.name.get(i) and self._free(i) \
                                and not self.veto.get(i) and not self._inside_brackets(i) \
                                and self._capital_ok(i):
                            self.name[i] = True
            prev_signoff = stripped in signoffs

    def _inside_brackets(self, i: int) -> bool:
        s = self.starts[i]
        line_start = self.text.rfind("\n", 0, s) + 1
        return self.text.count("(", line_start, s) > self.text.count(")", line_start, s)


_DEFAULT = Redactor()


def redact_text(text: str) -> str:
    """Redact one text with the default rules."""
    return _DEFAULT.redact(text)
