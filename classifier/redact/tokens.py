"""One text's tokens and the facts the name rules ask about them.

For speed, facts about a token (gap before it, sentence start, possessive)
are worked out only for candidates: capitalised words and lower-case words
the lexicon or a cue makes plausible. Other tokens are never names.
"""

from __future__ import annotations

from itertools import accumulate, compress, repeat
from operator import ne

from classifier.redact.lexicon import (
    _CONTRACTION,
    _SENT_PUNCT,
    _WORD_SPLIT,
    _WORD_SPLIT_ASCII,
    _lexicon,
    _rules,
)
from classifier.redact.patterns import Span


class TokenView:
    """Tokens of one text, with the per-token helpers the rules in `names` use."""

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
        self.starts = offsets[1::2]  # starts[i] = start of token i
        self.ends = offsets[0::2]  # ends[i] = end of token i-1 (ends[0] = 0)
        self.gaps = parts[0::2]  # gaps[i] = text between token i-1 and token i
        self.words, self.n = words, n
        self.low = low = list(map(str.lower, words))
        # Capitalised ("Will", "O'Neil"), not all-caps; only words with a capital can be.
        cap = [False] * n
        for i in compress(range(n), map(ne, words, low)):
            w = words[i]
            cap[i] = w[0].isupper() and not (len(w) > 1 and w.isupper())
        self.cap = cap
        n_cap = sum(cap)
        # Text-speak: "i" for "I", a lower-case start, almost no capitals, or "lol", "tbh", "u".
        self.casual = (
            self.shouting
            or "i" in words
            or "im" in words
            or words[0][0].islower()
            or n_cap * 25 < n
            or not r["textspeak"].isdisjoint(low)
        )
        if self.casual:
            plaus, fw = r["lex_casual"], r["function_words"]
            cand = [i for i, w in enumerate(low) if cap[i] or w in plaus or (w not in lex and w not in fw)]
            roles, verbs, starts = r["roles"], r["reporting_verbs"], r["clause_start"]
            for i in range(1, n):
                p1 = low[i - 1]
                if (p1 in ("n", "and", "an") and i > 1 and low[i - 2] == "me") or p1 in roles:
                    cand.append(i)  # "me n will", "aunty precious": any word after it is a person
                if low[i] in verbs and (i == 1 or low[i - 2] in starts):
                    cand.append(i - 1)  # "but will said": a modal is never followed by "said"
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
