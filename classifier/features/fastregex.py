"""Presence tests for word-boundary regexes, several times faster than `search`.

Python's `re` scans quickly for a pattern that begins with a literal or a set
of first characters, but a leading `\\b` turns that scan off and the engine
tries the whole pattern at every position. `AnyMatch` searches each top-level
branch with the leading `\\b` removed (fast scan), then confirms the boundary
by matching the full branch at each candidate start. The answer is exactly
`re.search(pattern, text) is not None`: the branch without `\\b` matches at
every position where the full branch does, and candidates are tried in order.
"""

from __future__ import annotations

import re

_BACKREF = re.compile(r"\\[1-9]|\(\?P=")
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def top_level_branches(pattern: str) -> list[str]:
    """Split `a|b(c|d)|e` into ['a', 'b(c|d)', 'e']; escapes and [classes] respected."""
    out, depth, start, in_class, i = [], 0, 0, False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":  # "[]...]": a literal ']' first
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


class AnyMatch:
    """`AnyMatch(p).found(text)` == `re.search(p, text) is not None`."""

    MAX_CANDIDATES = 4

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = pattern
        self.flags = flags
        re.compile(pattern, flags)  # validates the pattern as a whole
        # Back-references and leading inline flags span branches: keep those whole.
        splittable = not _BACKREF.search(pattern) and not _GLOBAL_FLAGS.match(pattern)
        self._parts = []
        for b in top_level_branches(pattern) if splittable else [pattern]:
            full = re.compile(b, flags)
            scan = None
            if b.startswith(r"\b") and len(b) > 2:
                try:
                    scan = re.compile(b[2:], flags)
                except re.error:
                    scan = None
            self._parts.append((full, scan))

    def found(self, text: str) -> bool:
        for full, scan in self._parts:
            if scan is None:
                if full.search(text) is not None:
                    return True
                continue
            # A branch whose first word is common ("u", "cos") gives many
            # candidates: after a few, one plain search is cheaper.
            pos = 0
            for _ in range(self.MAX_CANDIDATES):
                m = scan.search(text, pos)
                if m is None:
                    break
                if full.match(text, m.start()) is not None:
                    return True
                pos = m.start() + 1
            else:
                if full.search(text, pos) is not None:
                    return True
        return False
