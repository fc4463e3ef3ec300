"""The embedded backend's stored analyses: the sentence analysis (index.sentence_analysis), one row
an article in the `sentence_analysis` table, and BM25 terms made again after an upgrade."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LockBusy, StorageError
from ..lexical import TERMS
from ..locking import write_lock

if TYPE_CHECKING:
    from ..store import Store

logger = logging.getLogger(__name__)
TERMS_WAIT = 2.0  # seconds store_terms waits for another writer's locks


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

    def store_terms(self, items: Sequence[tuple[int, list[str]]]) -> None:
        """Store BM25 terms made again on loading (lexical.TERMS changed: an upgrade), so that
        the next start reads them instead of making them again; those of passages deleted
        meanwhile are left out. Only a speed-up: where another writer holds the locks for more
        than TERMS_WAIT seconds (`articlebot rebuild` holds them for minutes), or it fails, it
        is logged and skipped (the next start tries again)."""
        if not self._write.acquire(timeout=TERMS_WAIT):
            logger.warning("could not store the BM25 terms made again: another write is going on")
            return
        try:
            with (
                write_lock(self._lock_path, timeout=TERMS_WAIT),
                self.store.transaction() as conn,
            ):
                conn.executemany(
                    "INSERT OR REPLACE INTO passage_terms (passage_id, analyzer, terms) "
                    "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM passages WHERE id = ?)",
                    [(pid, TERMS, " ".join(terms), pid) for pid, terms in items],
                )
        except (LockBusy, StorageError, sqlite3.Error, OSError) as exc:
            logger.warning("could not store the BM25 terms made again: %s", exc)
            return
        finally:
            self._write.release()
        logger.info("stored the BM25 terms made again of %d passages", len(items))
