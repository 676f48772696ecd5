"""Library functions behind the `learning` and `evaluate-learning` commands."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from classifier.errors import InputDataError, OutputError
from classifier.io.documents import DOCUMENT_SUFFIXES, iter_documents
from classifier.io.tables import TABLE_SUFFIXES, is_stdio, iter_table, no_rows_error, require_column, table_kind
from classifier.io.writer import TableWriter, write_table
from classifier.learning.cells import for_output
from classifier.learning.extractor import LearningError, LearningExtractor, LearningStatement
from classifier.learning.register import register_from_rows
from classifier.learning.structure import COMPLAINT_REF

log = logging.getLogger(__name__)

# The statements table: what a team acts on. Offsets (start, end) only in .jsonl output;
# columns of the input table named in `carry` come after `issue` (the issue a table row's action answers).
OUTPUT_COLUMNS = [
    "source",
    "page",
    "section",
    "issue",
    "sentence",
    "type",
    "themes",
    "complaint_ref",
    "score",
    "action_owner",
    "due_date",
    "status",
]
OFFSET_COLUMNS = ["start", "end"]
# Input columns carried through by default: any whose name contains one of these words.
CARRY_WORDS = ("date", "team", "service", "area", "stage", "ref", "year", "month", "locality", "manager")
_BATCH = 200  # sources per extractor call: bounded memory on big tables


@dataclass
class LearningSummary:
    """What `extract_learning_table` read and wrote (the CLI formats it for people).

    Parameters
    ----------
    input_path, output_path : str
    kind : str
        "table" or "documents".
    sources, sources_with_statements, statements : int
        Rows or files read; those with at least one statement; statements written.
    rows_skipped : list of int
        Damaged table rows (1-based).
    documents_skipped : list of (file, reason)
    warnings : list of str
    lines_read : int
        Physical lines of a CSV input, header included.
    ids_from_row_numbers : bool
        No id column: sources are named by row number.
    carried_columns : list of str
        Input columns copied into the output.
    register_path : str, optional
    register_entries : int
    by_type : dict
        Statements per learning type.
    """

    input_path: str
    output_path: str
    kind: str  # "table" or "documents"
    sources: int = 0  # rows or files read
    sources_with_statements: int = 0
    statements: int = 0
    rows_skipped: list[int] = field(default_factory=list)  # damaged table rows (1-based)
    documents_skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    warnings: list[str] = field(default_factory=list)
    lines_read: int = 0  # physical lines of a CSV input, header included
    ids_from_row_numbers: bool = False
    carried_columns: list[str] = field(default_factory=list)
    register_path: str | None = None
    register_entries: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


def _check_output(path: Path, what: str) -> None:
    if is_stdio(path):
        return
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise OutputError(f"{what} '{path.name}' must end in one of {', '.join(TABLE_SUFFIXES)}")


def complaint_refs(text: str) -> list[tuple[int, str]]:
    """(offset, reference) of each complaint reference the text names."""
    return [(m.start(1), m.group(1)) for m in COMPLAINT_REF.finditer(text)]


def _ref_for(refs: list[tuple[int, str]], start: int, end: int) -> str:
    """The reference named in the statement, else the document's only reference, else ""."""
    inside = [r for pos, r in refs if start <= pos < end]
    if inside:
        return inside[0]
    distinct = {r.upper() for _, r in refs}
    return refs[0][1] if len(distinct) == 1 else ""


def _themes(theme_model, sentences: list[str]) -> list[str]:
    """';'-joined themes above their thresholds; "" where no theme is clear (no default theme)."""
    if theme_model is None or not sentences:
        return [""] * len(sentences)
    try:
        got = theme_model.predict(sentences, at_least_one=False)
    except TypeError:  # a theme model without the option
        got = theme_model.predict(sentences)
    return [";".join(map(str, t)) for t in got]


@dataclass
class _Source:
    id: str
    text: str
    carried: dict = field(default_factory=dict)
    item_starts: frozenset = frozenset()
    page_of: Callable[[int], int] | None = None  # offset -> page number; None for tables, .docx


def _rows(found: list[tuple[_Source, LearningStatement]], theme_model, carry: list[str]) -> list[dict]:
    themes = _themes(theme_model, [s.sentence for _, s in found])
    refs_cache: dict[int, list] = {}
    rows = []
    for (src, s), th in zip(found, themes):
        refs = refs_cache.setdefault(id(src), complaint_refs(src.text))
        page = src.page_of(s.start) if src.page_of is not None else None
        row = {
            "source": src.id,
            "page": page,
            "section": s.section,
            # The row's cell under "Issue" in an "Issue | Finding | Action" table: what the action answers.
            "issue": s.actions.get("issue", ""),
            "sentence": s.sentence,
            "type": s.type,
            "themes": th,
            "complaint_ref": _ref_for(refs, s.start, s.end),
            "score": s.score,
            # Filled from the statement's own action-table row ("Owner", "By when", "RAG"), else blank.
            "action_owner": s.actions.get("action_owner", ""),
            "due_date": s.actions.get("due_date", ""),
            "status": s.actions.get("status", ""),
            "start": s.start,
            "end": s.end,
        }
        row.update({c: src.carried.get(c, "") for c in carry})
        rows.append(row)
    return rows


def _carry_columns(cols: list[str], chosen: list[str] | None, skip: set) -> list[str]:
    if chosen is not None:
        return [require_column(cols, c, "--keep-column") for c in chosen]
    return [c for c in cols if c not in skip and any(w in str(c).lower() for w in CARRY_WORDS)]


def _batches_from_table(
    path: Path,
    text_column: str,
    id_column: str,
    summary: LearningSummary,
    keep_columns: list[str] | None,
    sheet=None,
    header_row=None,
):
    id_col = None
    for chunk in iter_table(path, sheet=sheet, header_row=header_row):
        cols = list(chunk.frame.columns)
        text_col = require_column(cols, text_column, "--text-column")
        if id_col is None and not summary.ids_from_row_numbers:
            try:
                id_col = require_column(cols, id_column, "--id-column")
            except InputDataError:
                if id_column != "id":
                    raise
                summary.ids_from_row_numbers = True  # default column absent: fall back quietly
        if not summary.carried_columns:
            summary.carried_columns = _carry_columns(cols, keep_columns, {text_col, id_col})
        carry = [cols.index(c) for c in summary.carried_columns]
        sources = []
        summary.lines_read = chunk.lines_read
        for k, problem in enumerate(chunk.problems):
            row_no = chunk.first_row + k
            summary.sources += 1
            if problem is not None:
                summary.rows_skipped.append(row_no)
                log.warning("row %d skipped: %s", row_no, problem)
                continue
            text = chunk.frame.iat[k, cols.index(text_col)]
            sid = str(row_no) if id_col is None else chunk.frame.iat[k, cols.index(id_col)]
            sources.append(
                _Source(
                    "" if sid is None else str(sid),
                    "" if text is None else str(text),
                    {cols[j]: chunk.frame.iat[k, j] for j in carry},
                )
            )
        for s in range(0, len(sources), _BATCH):
            yield sources[s : s + _BATCH]


def _page_lookup(doc):
    if doc.path.suffix.lower() == ".docx" or not doc.pieces:
        return None  # Word files have no pages until printed
    starts = [p.start for p in doc.pieces]
    pages = [p.page for p in doc.pieces]

    def page_of(offset: int) -> int:
        return int(pages[max(0, bisect.bisect_right(starts, offset) - 1)])

    return page_of


def _batches_from_documents(path: Path, summary: LearningSummary):
    batch = []
    for doc in iter_documents(path, skipped=summary.documents_skipped):
        summary.sources += 1
        summary.warnings.extend(doc.warnings)
        batch.append(_Source(doc.id, doc.text, {}, doc.item_starts(), _page_lookup(doc)))
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _columns(summary: LearningSummary, out: Path) -> list[str]:
    columns = OUTPUT_COLUMNS[:4] + summary.carried_columns + OUTPUT_COLUMNS[4:]
    return columns + OFFSET_COLUMNS if out.suffix.lower() == ".jsonl" else columns


def extract_learning_table(
    input_path,
    output_path,
    text_column: str = "text",
    id_column: str = "id",
    extractor: LearningExtractor | None = None,
    theme_model=None,
    register_path=None,
    sections: str = "all",
    keep_columns: list[str] | None = None,
    redact: bool = False,
    progress=None,
    sheet=None,
    header_row=None,
) -> LearningSummary:
    """Find learning statements in a table's text column or in documents; write one row each.

    Each row names its source (row id or file), page (PDF and text files),
    section, the issue its table row answers (an "Issue | Finding | Action"
    table), sentence, type, themes ("" where no theme is clear), the
    complaint reference the source names, the score, and action owner,
    due date and status columns for the team to fill in (taken from the
    statement's row when it sits in an action table with an "Owner", "By
    when" or "Status" column). CSV holds text; .xlsx typed cells (a due
    date is a date, read day-first); .jsonl JSON types (null when unknown,
    themes a list) and offsets. An empty document is skipped and reported
    in the summary, and so, in a folder, is a damaged one; an image-only
    PDF gives a warning.

    Parameters
    ----------
    input_path : str or Path
        A table (.csv / .xlsx / .jsonl; `-`: CSV on standard input), a document
        (.txt / .docx / .pdf) or a folder of them.
    output_path : str or Path
        The statements table (`-`: CSV on standard output).
    text_column, id_column : str
        For a table: the letter or report text, and the row's id.
    extractor : LearningExtractor
        A fitted extractor (a model's `learning`, or `train_learning_extractor()`).
    theme_model : optional
        Any object with `predict(texts) -> list[list[theme id]]` (a loaded ThemeClassifier).
    register_path : str or Path, optional
        Also write a learning register here.
    sections : str
        'learning': in documents with learning or action sections, keep only those; 'all'.
    redact : bool
        Replace names, contact details and other personal data in each statement with
        placeholders ([NAME], [PHONE] ...), for a register shared beyond the team.
    keep_columns : list of str, optional
        Table columns to carry through (default: those about dates, teams,
        services, stages and references).
    progress : callable, optional
        Called with the number of rows or documents done after each batch.
    sheet, header_row : optional
        Pick the table in an .xlsx workbook.

    Returns
    -------
    LearningSummary
    """
    if extractor is None:
        raise LearningError("no learning extractor given; load a model or call train_learning_extractor")
    inp, out = Path(input_path), Path(output_path)
    _check_output(out, "output")
    reg = Path(register_path) if register_path is not None else None
    if reg is not None:
        _check_output(reg, "register")
        if reg.resolve() == out.resolve():
            raise OutputError("--register must be a different file from --output")
    if not is_stdio(inp) and not inp.exists():
        raise InputDataError(f"'{inp}' not found; check the path")
    if is_stdio(inp) or inp.suffix.lower() in TABLE_SUFFIXES:
        summary = LearningSummary(str(inp), str(out), "table")
        batches = _batches_from_table(inp, text_column, id_column, summary, keep_columns, sheet, header_row)
    elif inp.is_dir() or inp.suffix.lower() in DOCUMENT_SUFFIXES:
        summary = LearningSummary(str(inp), str(out), "documents")
        batches = _batches_from_documents(inp, summary)
    else:
        raise InputDataError(
            f"'{inp.name}' is neither a table ({', '.join(TABLE_SUFFIXES)}) nor a "
            f"document ({', '.join(DOCUMENT_SUFFIXES)}) nor a folder"
        )
    kept: list[dict] = []
    writer = None
    done = 0
    try:
        for sources in batches:
            if writer is None:  # columns are known once the first chunk is read
                writer = TableWriter(out, _columns(summary, out), input_path=inp if inp.is_file() else None)
            found = extractor.find_all(
                [s.text for s in sources], [s.id for s in sources], [s.item_starts for s in sources], sections=sections
            )
            summary.sources_with_statements += sum(1 for f in found if f)
            rows = _rows(
                [(src, st) for src, f in zip(sources, found) for st in f], theme_model, summary.carried_columns
            )
            if redact and rows:
                from classifier.text import prepare

                for r, d in zip(rows, prepare([r["sentence"] for r in rows])):
                    r["sentence"] = d.redacted
                issues = sorted({r["issue"] for r in rows if r["issue"]})  # redacted as the sentence is
                shown = dict(zip(issues, (d.redacted for d in prepare(issues))))
                for r in rows:
                    r["issue"] = shown.get(r["issue"], r["issue"])
            summary.statements += len(rows)
            for r in rows:
                summary.by_type[r["type"]] = summary.by_type.get(r["type"], 0) + 1
            if rows:
                frame = pd.DataFrame(rows)
                # 3, or blank for .docx: never 3.0 / nan (a None among ints makes the column float)
                frame["page"] = pd.Series([r["page"] if r["page"] is not None else "" for r in rows], dtype=object)
                writer.write(for_output(frame, writer.kind))
            if reg is not None:
                kept.extend(rows)
            if progress:  # skipped files count as done
                seen = summary.sources + len(summary.documents_skipped)
                progress(seen - done)
                done = seen
        if writer is None and summary.kind == "table":
            raise no_rows_error(inp, sheet)
        if writer is None:  # a folder of damaged files: an empty table, and the summary says why
            writer = TableWriter(out, _columns(summary, out), input_path=inp if inp.is_file() else None)
        if reg is not None:  # before the statements are saved: a register that cannot be written leaves neither
            register = register_from_rows(kept)
            write_table(for_output(register, table_kind(reg)), reg, input_path=inp if inp.is_file() else None)
            summary.register_path, summary.register_entries = str(reg), len(register)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    writer.close()
    return summary


# Training and evaluation live in their own modules; re-exported here for callers of the api.
from classifier.learning.evaluation import evaluate_learning, evaluate_learning_documents, locate_sentence, match_spans  # noqa: E402,F401
from classifier.learning.training import BUNDLED_SENTENCES, complaint_sentences, train_learning_extractor  # noqa: E402,F401
