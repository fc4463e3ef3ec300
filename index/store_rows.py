"""The rows the indexes are made from, and the change log other processes follow: part of
index.store.Store (a mixin over its per-thread connection), kept apart from the articles and
passages themselves."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator

import numpy as np


class IndexRows:
    """Passage vectors, sentence vectors, analyzed terms, the change log and metadata."""

    conn: sqlite3.Connection  # Store's connection of this thread

    # -- the change log and metadata ----------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def log_change(
        self, conn: sqlite3.Connection, op: str, article_id: int | None, passages: list[int]
    ) -> int:
        cur = conn.execute(
            "INSERT INTO changes (op, article_id, passages, token) VALUES (?,?,?,?)",
            (op, article_id, np.asarray(passages, dtype=np.int64).tobytes(), uuid.uuid4().hex),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def head(self) -> tuple[int, str]:
        """(seq, token) of the last change; (0, "") before the first."""
        row = self.conn.execute(
            "SELECT seq, token FROM changes ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return (row[0], row[1]) if row else (0, "")

    def token_at(self, seq: int) -> str | None:
        row = self.conn.execute("SELECT token FROM changes WHERE seq = ?", (seq,)).fetchone()
        return row[0] if row else None

    def changes_after(
        self, conn: sqlite3.Connection, seq: int
    ) -> list[tuple[int, str, np.ndarray]]:
        """(seq, op, passage ids) of every change after `seq`, in order."""
        return [
            (s, op, np.frombuffer(blob, dtype=np.int64))
            for s, op, blob in conn.execute(
                "SELECT seq, op, passages FROM changes WHERE seq > ? ORDER BY seq", (seq,)
            )
        ]

    def index_rows(
        self,
        conn: sqlite3.Connection,
        ids: list[int] | None = None,
        *,
        after: int = 0,
        version: int = 0,
    ) -> Iterator[tuple[int, str, bytes, str | None, str | None, str | None]]:
        """(id, language, passage vector, terms, text, title) of the given passages (or of every
        passage with an id above `after`), in id order; passages without a vector are left out.
        Terms of another `version` than the one asked for (or none) come as None, with the
        passage's text and, for an article's first passage, its title to make them again from
        (in this one query: at 1M passages a look-up per passage would take minutes)."""
        sql = (
            "SELECT p.id, p.language, v.vector, "
            "CASE WHEN t.analyzer IS ? THEN t.terms END, "
            "CASE WHEN t.analyzer IS NOT ? THEN p.text END, "
            "CASE WHEN t.analyzer IS NOT ? AND p.ordinal = 0 "
            "THEN (SELECT a.title FROM articles a WHERE a.id = p.article_id) END "
            "FROM passages p JOIN passage_vectors v ON v.passage_id = p.id "
            "LEFT JOIN passage_terms t ON t.passage_id = p.id "
        )
        versions = (version, version, version)
        if ids is None:
            yield from conn.execute(sql + "WHERE p.id > ? ORDER BY p.id", (*versions, after))
            return
        for batch, marks in id_batches(sorted(ids)):
            query = sql + f"WHERE p.id IN ({marks}) ORDER BY p.id"
            yield from conn.execute(query, (*versions, *batch))

    def put_passage_vectors(
        self, conn: sqlite3.Connection, items: Iterable[tuple[int, np.ndarray]]
    ) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO passage_vectors (passage_id, vector) VALUES (?,?)",
            [(pid, np.asarray(v, dtype=np.float16).tobytes()) for pid, v in items],
        )

    def passage_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        found: dict[int, np.ndarray] = {}
        for batch, marks in id_batches(ids):
            for pid, blob in self.conn.execute(
                f"SELECT passage_id, vector FROM passage_vectors WHERE passage_id IN ({marks})",
                tuple(batch),
            ):
                found[pid] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        return found

    def put_sentence_vectors(
        self, conn: sqlite3.Connection, model: str, items: Iterable[tuple[int, np.ndarray]]
    ) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO sentence_vectors (passage_id, model, vectors) VALUES (?,?,?)",
            [(pid, model, np.asarray(v, dtype=np.float16).tobytes()) for pid, v in items],
        )

    def sentence_vectors(self, ids: list[int], model: str, dimension: int) -> dict[int, np.ndarray]:
        """The stored sentence vectors (float32) of those passages that have them for `model`."""
        found: dict[int, np.ndarray] = {}
        for batch, marks in id_batches(ids):
            for pid, blob in self.conn.execute(
                f"SELECT passage_id, vectors FROM sentence_vectors WHERE model = ? "
                f"AND passage_id IN ({marks})",
                (model, *batch),
            ):
                vectors = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
                found[pid] = vectors.reshape(-1, dimension)
        return found

    def put_terms(
        self, conn: sqlite3.Connection, analyzer: int, items: Iterable[tuple[int, list[str]]]
    ) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO passage_terms (passage_id, analyzer, terms) VALUES (?,?,?)",
            [(pid, analyzer, " ".join(terms)) for pid, terms in items],
        )


def id_batches(ids: list[int]) -> Iterator[tuple[list[int], str]]:
    """`ids` in slices of 500 (well below SQLite's limit on bound parameters), each with its
    "?,?,..." placeholders for an IN (...) clause."""
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        yield batch, ",".join("?" * len(batch))
