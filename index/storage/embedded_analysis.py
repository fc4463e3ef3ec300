"""The embedded backend's stored sentence analyses (index.sentence_analysis), one row an article
in the `sentence_analysis` table."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..locking import write_lock

if TYPE_CHECKING:
    from ..store import Store


def put_analysis(conn: sqlite3.Connection, article_id: int, version: str, data: bytes) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO sentence_analysis (article_id, version, data) VALUES (?, ?, ?)",
        (article_id, version, data),
    )


class EmbeddedAnalysis:
    store: Store
    lock_timeout: float
    _lock_path: Path
    _write: threading.Lock

    def sentence_analysis(self, article_id: int) -> bytes | None:
        row = self.store.conn.execute(
            "SELECT data FROM sentence_analysis WHERE article_id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def unanalyzed(self, version: str) -> list[int]:
        """The articles whose stored analysis is missing or of another version, in id order."""
        return [
            r[0]
            for r in self.store.conn.execute(
                "SELECT a.id FROM articles a LEFT JOIN sentence_analysis s ON s.article_id = a.id "
                "WHERE s.version IS NULL OR s.version != ? ORDER BY a.id",
                (version,),
            )
        ]

    def put_sentence_analysis(self, version: str, items: Sequence[tuple[int, bytes]]) -> None:
        """Store these articles' analyses (one transaction); those deleted meanwhile are left
        out. Answering reads them on the next article it loads: no change is logged."""
        with (
            self._write,
            write_lock(self._lock_path, timeout=self.lock_timeout),
            self.store.transaction() as conn,
        ):
            conn.executemany(
                "INSERT OR REPLACE INTO sentence_analysis (article_id, version, data) "
                "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?)",
                [(i, version, data, i) for i, data in items],
            )
