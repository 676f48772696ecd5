"""Read response letters and reports (.txt, .docx, .pdf, or a folder of them).

Each file is one source. Text extracted from documents is laid out for the
page, not for sentences, so before sentence splitting the reader:
- drops running headers and footers (lines repeated at the top or bottom of
  most pages) and lines that are only a page number ("3", "Page 3 of 9");
- drops bullet glyphs and starts a new line at each list item;
- re-joins lines that were broken mid-sentence (including across a page
  break, a page-number line set off by blank lines, and hyphenated words),
  so a wrapped line or a page number does not cut a sentence in two;
- separates list items, headings and other short lines that end without a
  full stop from what follows by a blank line, so the sentence splitter
  never glues a bullet list or a heading into one long "sentence";
- keeps table cells apart: a tab between two cells (a Word table pasted as
  text) becomes " | ", and .docx table rows are written "cell | cell";
- re-joins a line that ends in a word no sentence or cell ends with ("the",
  "of", "and", ...) to the next, even when that starts with a capital, so a
  wrapped table cell stays one statement;
- rebuilds table rows ("a | b | c") whose cells wrap over several lines (a
  table flattened from a PDF): one line per row, the first row on its own.
Offsets of statements refer to the cleaned text returned here; `pieces`
records, for every stretch of it, the page (or paragraph) and line it came from.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from classifier.errors import DocumentError, InputDataError  # noqa: F401 (re-exported)
from classifier.io.limits import check_archive
from classifier.io.tables import detect_encoding

DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Piece:
    start: int  # offsets in SourceDocument.text
    end: int
    page: int  # 1-based page (.pdf, .txt with form feeds) or paragraph (.docx)
    line: int  # 1-based line within that page or paragraph
    item: bool = False  # the line started a list item (its bullet glyph or number)


@dataclass
class SourceDocument:
    id: str  # the file name: what output rows use as `id`
    path: Path
    text: str
    pieces: list[Piece] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. an image-only PDF: no text to read

    def item_starts(self) -> frozenset:
        """Offsets in `text` where a list item starts (its bullet glyph was dropped)."""
        return frozenset(p.start for p in self.pieces if p.item)

    def locate(self, offset: int) -> Piece | None:
        """The page and line an offset of `text` came from."""
        for p in self.pieces:
            if p.start <= offset < p.end:
                return p
        return None


# ------------------------------------------------------------------ cleaning

_BULLET_GLYPH = re.compile(
    r"^[\u2022\u2023\u2043\u2219\u25aa\u25ab\u25cf\u25cb\u25e6\u25a0\u25a1\u00b7\u27a2\u2794\u2192"
    r"\u2713\u2714\uf0b7\uf0a7\uf076\uf0d8\uf0fc\u25ba\u25b6*]\s*|^[-\u2013\u2014o]\s+(?=\S)"
)
_LIST_NUMBER = re.compile(r"^\(?(?:\d{1,2}|[a-hA-H]|[ivxIVX]{1,4})[.)]\s+(?=\S)")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]$"
    r"|^[ivx]{1,5}$",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?:;][\"')\]\u2019\u201d]*$")
# "We did: ...", "Action 3: ...", "Recommendation 2: ...": a labelled line starts a new unit.
_LABEL = re.compile(r"^[A-Z][\w'\u2019()/-]*(?: [\w'\u2019()/-]+){0,3}:\s+\S")
# "4.2 Next steps", "9.3 The service will ...": a numbered section or paragraph.
_SECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+\S")
# '..." (Parent, Family Safeguarding)' at the end of a quote, or on a line of its own: it ends the line.
_ATTRIBUTION = re.compile(r"(?:^|[.!?][\"\u201d\u2019]?\s*)\([^()]{2,80}\)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\ufeff]")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
# Lines within this many non-blank lines of the top or bottom of a page can be running heads.
_EDGE_LINES = 3


# A tab right after a bullet glyph or list number is spacing; a tab between words separates cells.
_MARKER_TAB = re.compile(
    r"^(\s*(?:[\u2022\u25aa\u25cf\u00b7\uf0b7\uf0a7*o\-\u2013]|\(?(?:\d{1,2}|[a-hA-H]|[ivxIVX]{1,4})[.)]))\t+"
)
_CELL_TAB = re.compile(r"(?<=\S)[ ]*\t+[ \t]*(?=\S)")
# A line ending in one of these words was wrapped: the next line continues it, capital or not.
_OPEN_END = re.compile(
    r"\b(?:the|a|an|of|to|and|or|with|for|in|on|by|at|from|that|their|our|your|its|was|were|"
    r"is|are|be|been|has|have|had|not|about|into|when|where|which|who|this|these|any|all|"
    r"each|every|between|than|as|but)$",
    re.IGNORECASE,
)


_SEP = " | "


def _table_breaks(lines: list[str], starts: list[bool]) -> dict[int, str]:
    """How to join line k to line k-1 inside tables: "\n" starts a row, " " continues one.

    A table starts at a line with cell separators after a line without; its
    first row sets the number of separators n. A row is complete once it
    has n separators; it then ends at a line break after a full stop, or
    before a capital that does not continue an open-ended line ("... of the" /
    "Agency"), or where the next line would add too many separators. `starts`
    marks lines after a blank line or starting a list item (they end a table).
    A trailing row that never reaches n separators is not part of the table.
    """
    out: dict[int, str] = {}
    k = 0
    while k < len(lines):
        n = lines[k].count(_SEP)
        if n == 0 or (k > 0 and not starts[k] and _SEP in lines[k - 1]):
            k += 1
            continue
        rows: list[list[int]] = [[k]]
        count = n
        j = k + 1
        while j < len(lines) and not starts[j]:
            cur, prev = lines[j], lines[j - 1]
            c = cur.count(_SEP)
            if count >= n and (
                count + c > n
                or _TERMINAL.search(prev)
                or ((cur[:1].isupper() or cur[:1] in "\"'\u201c") and not _OPEN_END.search(prev))
            ):
                rows.append([j])
                count = c
            else:
                rows[-1].append(j)
                count += c
            j += 1
        if count < n:
            rows.pop()  # prose after the table, not a row
        if len(rows) > 1 or len(rows[0]) > 1:
            for row in rows:
                out[row[0]] = "\n"
                for i in row[1:]:
                    out[i] = " "
            out.pop(k, None)  # the first row joins what came before as any line does
        k = max(j, k + 1) if len(rows) > 1 else k + 1
    return out


def _clean_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line)
    for k, v in _LIGATURES.items():
        line = line.replace(k, v)
    line = _CELL_TAB.sub(" | ", _MARKER_TAB.sub(r"\1 ", line))
    line = _CONTROL.sub(" ", line.replace("\t", " ").replace("\u00a0", " "))
    return re.sub(r" {2,}", " ", line).strip()


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Keys of lines that sit at the top or bottom of at least half the pages."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        body = [l for l in lines if l]
        edge = body[:_EDGE_LINES] + body[-_EDGE_LINES:]
        counts.update({_running_key(l) for l in edge})
    need = max(2, math.ceil(len(pages) / 2))
    return {k for k, n in counts.items() if n >= need}


def clean_pages(
    pages: list[str], drop_running: bool = True, number_paragraphs: bool = False
) -> tuple[str, list[Piece]]:
    """Join page texts into one clean text; returns the text and its pieces.

    With `number_paragraphs`, a piece's `page` is the paragraph (blank-line
    separated block of the source) and `line` the line within it (.docx).
    """
    split = [[_clean_line(l) for l in page.replace("\r\n", "\n").replace("\r", "\n").split("\n")] for page in pages]
    running = _running_lines(split) if drop_running else set()

    # (text, page, line, starts_item, blank_before)
    kept: list[tuple[str, int, int, bool, bool]] = []
    for p, lines in enumerate(split, start=1):
        body_idx = [i for i, l in enumerate(lines) if l]
        edges = set(body_idx[:_EDGE_LINES] + body_idx[-_EDGE_LINES:])
        # A page break itself is not a paragraph break: the join rules decide.
        blank = seen = dropped = False
        for i, line in enumerate(lines):
            if not line:
                blank = seen
                continue
            if _PAGE_NUMBER.match(line) or (i in edges and _running_key(line) in running):
                dropped = True
                continue
            item = False
            m = _BULLET_GLYPH.match(line)
            if m:
                line, item = line[m.end() :].strip(), True
            elif _LIST_NUMBER.match(line):
                item = True
            if not line:
                continue
            if dropped and blank and not item and kept and line[:1].islower() and not _TERMINAL.search(kept[-1][0]):
                # "... and staff\n\nPage 14\n\nmust record ...": the blank lines frame the
                # page number, they do not end a paragraph.
                blank = False
            kept.append((line, p, i + 1, item, blank))
            blank, seen, dropped = False, True, False

    lengths = [len(l) for l, *_ in kept if len(l) >= 20]
    wrap = median(lengths) if lengths else 80
    # The width text was wrapped at (if it was): a line well short of it ended by choice.
    width = sorted(lengths)[int(0.9 * (len(lengths) - 1))] if lengths else 80
    lead_run = False  # inside the lines after "... the following:" (no blank line yet)
    parts: list[str] = []
    pieces: list[Piece] = []
    paragraphs: list[int] = []
    pos = 0
    prev = ""
    # A break that the sentence splitter could mistake for a wrapped line (no
    # full stop before it) is written as a blank line; `para` counts the
    # blank lines of the source, so .docx paragraph numbers are unaffected.
    para = 1

    table = _table_breaks([l for l, *_ in kept], [bool(it or blank) for _, _, _, it, blank in kept])

    def heading_like(k: int) -> bool:
        """A short line without a full stop, followed by a break: a heading."""
        line = kept[k][0]
        if (
            len(line) >= 0.6 * wrap
            or len(line.split()) > 8
            or _TERMINAL.search(line)
            or not (line[:1].isupper() or line[:1].isdigit())
        ):
            return False
        if k + 1 == len(kept):
            return True
        nxt = kept[k + 1]
        return nxt[3] or nxt[4] or nxt[0][:1].isupper() or nxt[0][:1].isdigit()

    for k, (line, page, lineno, item, blank_before) in enumerate(kept):
        lead_run = not blank_before and (lead_run or prev.endswith(":"))
        if (
            lead_run
            and k not in table
            and not item
            and (prev.endswith(":") or (len(prev) < 0.7 * width and not _OPEN_END.search(prev)))
        ):
            item = True  # "Next year we will:" then one unbulleted item per line (a web page copied)
        if parts:
            if blank_before:
                sep = "\n\n"
                para += 1
            elif k in table:
                sep = table[k]  # a new table row, or a wrapped cell
            elif item or _LABEL.match(line) or _SECTION.match(line) or heading_like(k):
                sep = "\n" if _TERMINAL.search(prev) else "\n\n"  # a new list item or "We did: ..."
            elif prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and line[:1].islower():
                parts[-1] = parts[-1][:-1]  # de-hyphenate "investi- gation"
                pos -= 1
                pieces[-1] = Piece(pieces[-1].start, pieces[-1].end - 1, pieces[-1].page, pieces[-1].line)
                sep = ""
            elif _TERMINAL.search(prev) or _ATTRIBUTION.search(prev):
                sep = "\n"
            elif _OPEN_END.search(prev) and " | " not in line and " | " not in prev:
                sep = " "  # "... agreed with the" / "Independent Reviewing Officer"
            elif len(prev) < 0.6 * max(wrap, width) and (
                line[:1].isupper() or line[:1].isdigit() or line[:1] in '"\u201c'
            ):
                sep = "\n\n"  # a heading or the short last line of a paragraph
            else:
                sep = " "  # a line wrapped mid-sentence
            parts.append(sep)
            pos += len(sep)
        parts.append(line)
        pieces.append(Piece(pos, pos + len(line), page, lineno, item))
        paragraphs.append(para)
        pos += len(line)
        prev = line
    if number_paragraphs:
        out, line_no = [], 0
        for k, pc in enumerate(pieces):
            line_no = 1 if k == 0 or paragraphs[k] != paragraphs[k - 1] else line_no + 1
            out.append(Piece(pc.start, pc.end, paragraphs[k], line_no, pc.item))
        pieces = out
    return "".join(parts), pieces


# ------------------------------------------------------------------ readers


def _read_txt(path: Path) -> list[str]:
    enc = detect_encoding(path)
    name, _, errors = enc.partition(":")
    text = path.read_text(encoding=name, errors=errors or "strict")
    return text.split("\f")  # form feed: the page break of plain-text exports


def _read_docx(path: Path) -> list[str]:
    import docx

    check_archive(path, "docx")  # size before python-docx unpacks it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    paras: list[str] = []
    # Body paragraphs and table cells in reading order; page headers and
    # footers live in separate parts and are never read.
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paras.append(Paragraph(child, document).text)
        elif tag == "tbl":
            # One line per row, cells joined by " | ": the learning reader keeps them as
            # cells and pairs each with its column heading. Line breaks inside a cell become spaces.
            for row in Table(child, document).rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(p.text.strip().replace("|", "/") for p in cell.paragraphs if p.text.strip()))
                if any(cells):
                    paras.append(" | ".join(c or "-" for c in cells))
    # One paragraph per "page" would defeat running-head detection, so the
    # whole body is one page with blank lines between paragraphs.
    return ["\n\n".join(paras)]


def _read_pdf(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs its own repairs ("EOF marker not found") straight to the console, sometimes with
    # bytes of the file; a damaged file is reported by us instead (DocumentError, skipped in folders).
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"'{path.name}' is password-protected; save an unprotected copy")
        return [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DocumentError(f"could not read '{path.name}' as PDF ({type(exc).__name__})") from None


def read_document(path: str | Path) -> SourceDocument:
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise DocumentError(f"'{p.name}' is not a document; use one of {', '.join(DOCUMENT_SUFFIXES)}")
    if not p.is_file():
        raise DocumentError(f"document '{p}' not found; check the path")
    if p.stat().st_size == 0:  # an empty .docx or .pdf is no damaged file: there is nothing in it
        return SourceDocument(id=p.name, path=p, text="")
    try:
        if suffix == ".txt":
            pages, docx_like = _read_txt(p), False
        elif suffix == ".docx":
            pages, docx_like = _read_docx(p), True
        else:
            pages, docx_like = _read_pdf(p), False
    except (DocumentError, InputDataError):
        raise
    except Exception as exc:  # parser messages can quote document text: type only
        raise DocumentError(
            f"could not read '{p.name}' ({type(exc).__name__}); check that it is a valid, unprotected file"
        ) from None
    # For .docx, `page` counts paragraphs (blank-line separated blocks).
    text, pieces = clean_pages(pages, drop_running=not docx_like, number_paragraphs=docx_like)
    warnings = []
    if suffix == ".pdf" and pages and not text.strip():
        warnings.append(f"'{p.name}' has no text layer (a scanned or image-only PDF?); nothing was read from it")
    return SourceDocument(id=p.name, path=p, text=text, pieces=pieces, warnings=warnings)


def document_paths(path: str | Path) -> list[Path]:
    """The document files at `path`: the file itself, or a folder's documents (recursively, sorted)."""
    p = Path(path)
    if p.is_dir():
        found = sorted(
            f
            for f in p.rglob("*")
            if f.is_file()
            and f.suffix.lower() in DOCUMENT_SUFFIXES
            and not any(part.startswith((".", "~$")) for part in f.relative_to(p).parts)
        )
        if not found:
            raise DocumentError(f"folder '{p}' has no {', '.join(DOCUMENT_SUFFIXES)} files")
        return found
    if not p.exists():
        raise DocumentError(f"input '{p}' not found; check the path")
    if p.suffix.lower() not in DOCUMENT_SUFFIXES:
        raise DocumentError(f"'{p.name}' is not a document; use one of {', '.join(DOCUMENT_SUFFIXES)}")
    return [p]


def empty_reason(doc: SourceDocument) -> str | None:
    """Why a document gives nothing to read ("the file is empty"), or None (an image-only PDF warns instead)."""
    if doc.text.strip() or doc.warnings:
        return None
    return "the file is empty" if doc.path.stat().st_size == 0 else "the file holds no text"


def iter_documents(path: str | Path, skipped: list[tuple[str, str]] | None = None) -> Iterator[SourceDocument]:
    """Read each document at `path` (file or folder); ids are paths relative to the folder.

    When a `skipped` list is given, an empty file (or one with no text) is
    skipped and reported in it as (name, reason), and so, in a folder, is a
    file that cannot be read (damaged, protected); with no list, or for a
    single file that cannot be read, the `DocumentError` is raised.
    """
    base = Path(path)
    for f in document_paths(base):
        name = f.relative_to(base).as_posix() if base.is_dir() else f.name
        try:
            doc = read_document(f)
        except InputDataError as exc:  # DocumentError, or a size limit (io.limits)
            if skipped is None or not base.is_dir():
                raise
            skipped.append((name, str(exc)))
            continue
        doc.id = name
        empty = empty_reason(doc) if skipped is not None else None
        if empty is not None:
            skipped.append((name, empty))
            continue
        yield doc
