"""Intake decisions kept in SQLite: what an officer confirmed, for `adapt --feedback` to learn from.

Only redacted text is stored (names, contacts and references replaced by
`classifier.text.prepare` before the row is written), with the themes and
child flag the officer confirmed, what the model had suggested, the model
version, the taxonomy and the time. The raw text never reaches the database.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from classifier.errors import FeedbackError
from classifier.io.safety import output_mode
from classifier.taxonomy.schema import Taxonomy
from classifier.text import prepare

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    model_version TEXT NOT NULL,
    taxonomy_id TEXT NOT NULL,
    taxonomy_version TEXT NOT NULL,
    redacted_text TEXT NOT NULL,
    themes TEXT NOT NULL,
    suggested_themes TEXT NOT NULL,
    child_authored INTEGER NOT NULL,
    suggested_child_authored INTEGER
)
"""


@dataclass
class Decision:
    id: int
    created_at: str
    model_version: str
    taxonomy_id: str
    taxonomy_version: str
    redacted_text: str
    themes: list[str]
    suggested_themes: list[str]
    child_authored: bool
    suggested_child_authored: bool | None

    @property
    def is_correction(self) -> bool:
        """The officer changed the themes or the child flag the model suggested."""
        suggested = self.suggested_child_authored
        changed_flag = suggested is not None and self.child_authored != suggested
        return set(self.themes) != set(self.suggested_themes) or changed_flag


class FeedbackStore:
    """One SQLite file; safe to share between the server's threads (one connection per call)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        if not self.path.parent.is_dir():
            raise FeedbackError(f"folder '{self.path.parent}' for the feedback database does not exist; create it")
        try:
            with self._connect() as con:
                con.execute(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise FeedbackError(
                f"'{self.path}' is not a feedback database ({type(exc).__name__}); pass a new file name or restore it"
            ) from None

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():
            # Create it private (0600 unless --umask): SQLite's own journal files copy its mode.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, output_mode(self.path)))
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        return con

    def record(
        self,
        text: str,
        themes: list[str],
        child_authored: bool,
        model_version: str,
        taxonomy: Taxonomy,
        suggested_themes: list[str] | None = None,
        suggested_child_authored: bool | None = None,
    ) -> int:
        """Store one decision (the text is redacted first); returns its id."""
        unknown = [t for t in themes if t not in taxonomy.ids]
        if unknown:
            raise FeedbackError(
                f"unknown theme id(s) {', '.join(u[:30] for u in unknown[:5])} for taxonomy "
                f"'{taxonomy.id}'; use ids from: {', '.join(taxonomy.ids)}"
            )
        redacted = prepare([text])[0].redacted
        if not redacted.strip():
            raise FeedbackError("the text is empty; nothing to store")
        row = (
            datetime.now(UTC).replace(microsecond=0).isoformat(),
            model_version,
            taxonomy.id,
            str(taxonomy.version),
            redacted,
            ";".join(themes),
            ";".join(suggested_themes or []),
            int(bool(child_authored)),
            None if suggested_child_authored is None else int(bool(suggested_child_authored)),
        )
        with self._lock, closing(self._connect()) as con, con:
            cur = con.execute(
                "INSERT INTO decisions (created_at, model_version, taxonomy_id, taxonomy_version, redacted_text,"
                " themes, suggested_themes, child_authored, suggested_child_authored)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid or 0)

    def decisions(self, taxonomy_id: str | None = None) -> list[Decision]:
        with closing(self._connect()) as con:
            query = "SELECT * FROM decisions" + (" WHERE taxonomy_id = ?" if taxonomy_id else "") + " ORDER BY id"
            rows = con.execute(query, (taxonomy_id,) if taxonomy_id else ()).fetchall()
        return [
            Decision(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                _ids(r[6]),
                _ids(r[7]),
                bool(r[8]),
                None if r[9] is None else bool(r[9]),
            )
            for r in rows
        ]


def open_feedback(path: str | Path, must_exist: bool = False) -> FeedbackStore:
    p = Path(path)
    if must_exist and not p.exists():
        raise FeedbackError(f"feedback database '{p}' not found; pass the file 'complaints serve --feedback' wrote")
    return FeedbackStore(p)


def _ids(value: str) -> list[str]:
    return [t for t in (value or "").split(";") if t]
