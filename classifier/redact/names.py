"""Find person names in one text with rules over the lexicon.

Context decides: titles ("Mrs May Whitaker"), roles ("my social worker
Will"), cues ("known as", "me n"), ages ("Hope is 9", "Jayden, 4,"),
signature lines, words next to or joined by "and" to a name; every name
found is carried to its other mentions and to nicknames that are part of it
("Sukhjinder ... Sukhi"). Lower-case text-speak and all-caps shouting get
their own thresholds. Places, languages and organisations in typical
positions ("in Wigan", "speaks Tigrinya") are left alone.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import compress

from classifier.redact.lexicon import (
    _ABBREV_TITLES,
)
from classifier.redact.tokens import TokenView


class NameFinder(TokenView):
    """Mark the tokens of one text that are person names (`find` returns their spans)."""

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
        self._particles()  # last: a particle is never carried to other mentions ("a van")
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
                if nxt in r["language_after"] and not self.cap[i + 1] and not self.poss[i]:
                    veto[i] = True  # "Polish passport", not "Bogdan's passport"
                elif nxt in r["org_words"] and self.cap[i + 1]:
                    veto[i] = True
            # A run of capitalised words continues a place ("at Tŷ Gwyn").
            if not veto.get(i) and veto.get(i - 1) and self._tight(i):
                veto[i] = True
        # Org words apply backwards through a run ("Child Abuse Investigation Team").
        for i in reversed(cand):
            if self.cap[i] and veto.get(i + 1) and self._tight(i + 1) and self.cap[i + 1] and not self.poss.get(i):
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
                between = self.text[e : sp.start] if e <= sp.start else self.text[sp.end : s]
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
            if (
                p1 in titles
                and w not in titles
                and (w not in r["function_words"] or w in r["soft_keep"])
                and (cap or self.casual)
                and (g == " " or (g in (". ", ".") and p1 in _ABBREV_TITLES))
            ):
                name[i] = True
                continue
            if not self._free(i):
                continue
            p2 = (low[i - 2] + " " + p1) if i > 1 else p1
            if (p1 in strong or p2 in strong) and g in (" ", ", ", ": ", " '", ' "'):
                if (
                    cap
                    or (self.casual and self._plausible(i))
                    or (p1 in r["called"] and self._plausible(i))
                    or (p2 in ("me n", "me and", "me an", "me &") and self.casual)
                ):
                    name[i] = True
                    continue
            if p1 in roles and g in (" ", ", ", ": ", " - ") and not self.veto.get(i):
                if cap and not self.initial(i):
                    # "social worker Will Fairbrother", "baby Mason", not "Child Protection".
                    v = lex.get(w)
                    if (
                        v is None
                        or v[0] > -2.0
                        or v[1] < -12.0
                        or (i + 1 < n and self.cap[i + 1] and self._tight(i + 1) and low[i + 1] not in r["keep"])
                    ):
                        name[i] = True
                        continue
                elif (
                    (self.casual and (self._plausible(i) or w in r["lex_casual"])) or self._plausible(i, True)
                ) and not self._modal_verb(i):
                    name[i] = True  # "my pa destiny", "the new worker kayleigh"
                    continue
            # What follows: an age, "is my daughter", "(my sw)", "(mum)".
            if (
                not self.veto.get(i)
                and (cap or (self.casual and self._plausible(i)))
                and after_re.match(text, self.ends[i + 1])
            ):
                v = lex.get(w)
                if v is None or v[1] < -7.5:
                    name[i] = self.aged[i] = True
                    continue
            if i + 1 < n and low[i + 1] in r["reporting_verbs"] and gaps[i + 1] == " ":
                if cap and (self.initial(i) or (i and self.cap[i - 1] and g == " " and self.initial(i - 1))):
                    # "Summer says", "Autumn Fairweather complains"; not "Complainants told us",
                    # a rare word the lexicon knows is hardly ever a name.
                    v = lex.get(w)
                    if v is None or (v[1] < -10.0 and v[0] > -2.0) or w in r["word_names"]:
                        name[i] = True
                        continue
                elif (
                    not cap
                    and self.casual
                    and w in r["lex_casual"]
                    and (i == 0 or p1 in r["clause_start"] or self.initial(i))
                ):
                    name[i] = True  # "but will said": a modal is never followed by "said"
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
            if not cap and not (self._plausible(i) or (self.casual and low[i] in r["lex_casual"])):
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
                    hit = lp < -7.5 or ratio > -1.0 or low[i] in r["word_names"]
            # "Abdirahman Warsame (Abdi)": a bracketed word right after a name.
            if not hit and not soft and cap and name.get(i - 1) and self.gap(i).strip() == "(":
                hit = True
            if hit:
                name[i] = True
                changed = True
        return changed

    def _modal_verb(self, i: int) -> bool:
        """'will' in "the manager will remind": a modal that is also a name, followed by a verb."""
        r, low = self.r, self.low
        if low[i] not in r["modal_names"] or i + 1 >= self.n or self.gap(i + 1) != " ":
            return False
        return low[i + 1] not in r["person_after_modal"] and low[i + 1] not in r["reporting_verbs"]

    def _particles(self) -> None:
        """'van der', 'de', 'ap' between a name (or a title) and a name are part of it."""
        particles = self.r["name_particles"]
        low, name, n = self.low, self.name, self.n
        if particles.isdisjoint(low):
            return
        titles = self.r["titles"]
        for i in range(1, n):
            if low[i] not in particles or name.get(i) or not (name.get(i - 1) or low[i - 1] in titles):
                continue
            j = i
            while j < n and low[j] in particles and self._tight(j) and j - i < 3:
                j += 1
            if j < n and name.get(j) and self._tight(j):
                for k in range(i, j):
                    name[k] = True

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
        for i, is_name in name.items():
            if is_name:
                exact.add(words[i][:-2] if self.poss[i] else words[i])
                lowers.add(low[i])
        if not exact:
            return
        # Nicknames inside a longer name: "Sukhi" in "Sukhjinder", "Bayo" in "Adebayo".
        parts = {x[:k] for x in lowers if len(x) >= 5 for k in range(3 if len(x) < 6 else 2, len(x))}
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
                closing = (
                    k == last_nonempty
                    and k > 0
                    and short
                    and not any(self.low[i] in roles for i in idx)
                    and all(
                        self.cap[i] or i not in self.skip or not self._free(i) or self._inside_brackets(i) for i in idx
                    )
                )
                if (prev_signoff and short) or closing:
                    for i in idx:
                        if (
                            i in self.skip
                            and not self.name.get(i)
                            and self._free(i)
                            and not self.veto.get(i)
                            and not self._inside_brackets(i)
                            and self._capital_ok(i)
                        ):
                            self.name[i] = True
            prev_signoff = stripped in signoffs

    def _inside_brackets(self, i: int) -> bool:
        s = self.starts[i]
        line_start = self.text.rfind("\n", 0, s) + 1
        return self.text.count("(", line_start, s) > self.text.count(")", line_start, s)
