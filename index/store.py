"""SQLite, the source of truth: articles and their passages. The indexes are derived from it."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .chunking import Chunk
from .files import FILE_MODE
from .models import Article, Passage

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT,
    canonical_url TEXT UNIQUE,
    title TEXT NOT NULL,
    source TEXT,
    published TEXT,
    language TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    sentences TEXT NOT NULL,
    language TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id);
-- Each passage's sentence vectors (float16, one row per sentence), computed when it is added so
-- that answering needs no embedding but the question's. Keyed by the model that made them.
CREATE TABLE IF NOT EXISTS sentence_vectors (
    passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vectors BLOB NOT NULL
);
-- Each passage's BM25 terms (analyzed: stemmed, stopwords dropped; space-separated), so that
-- rebuilding the BM25 index after an add does not stem the whole library again. `analyzer`:
-- the version of the rules that made them (index.lexical.ANALYZER); others are made again.
CREATE TABLE IF NOT EXISTS passage_terms (
    passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
    analyzer INTEGER NOT NULL,
    terms TEXT NOT NULL
);
"""
_ARTICLE_COLUMNS = (
    "a.id, a.title, a.url, a.source, a.published, a.language, a.content_hash, a.added_at, "
    "a.added_by, (SELECT COUNT(*) FROM passages p WHERE p.article_id = a.id)"
)


class Store:
    """One SQLite connection per thread (WAL mode: readers never wait for a writer)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        # Created owner-only before SQLite opens it: its -wal and -shm files take its mode.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
        for own in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if own.exists():  # a library made by an older version, or under a wider umask
                os.chmod(own, FILE_MODE)
        self.conn.executescript(SCHEMA)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- articles ---------------------------------------------------------------------------

    def find_duplicate(self, canonical_url: str | None, content_hash: str) -> Article | None:
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a "
            "WHERE a.content_hash = ? OR (? IS NOT NULL AND a.canonical_url = ?)",
            (content_hash, canonical_url, canonical_url),
        ).fetchone()
        return _article(row) if row else None

    def insert_article(
        self,
        conn: sqlite3.Connection,
        *,
        title: str,
        text: str,
        url: str | None,
        canonical_url: str | None,
        source: str | None,
        published: str | None,
        language: str,
        content_hash: str,
        added_by: str | None,
    ) -> int:
        cur = conn.execute(
            "INSERT INTO articles (url, canonical_url, title, source, published, language, "
            "content_hash, text, added_at, added_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                url,
                canonical_url,
                title,
                source,
                published,
                language,
                content_hash,
                text,
                datetime.now(UTC).isoformat(timespec="seconds"),
                added_by,
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def insert_passages(
        self, conn: sqlite3.Connection, article_id: int, chunks: list[Chunk], language: str
    ) -> list[Passage]:
        passages = []
        for ordinal, chunk in enumerate(chunks):
            cur = conn.execute(
                'INSERT INTO passages (article_id, ordinal, text, start, "end", sentences, '
                "language) VALUES (?,?,?,?,?,?,?)",
                (
                    article_id,
                    ordinal,
                    chunk.text,
                    chunk.start,
                    chunk.end,
                    json.dumps(chunk.sentences),
                    language,
                ),
            )
            assert cur.lastrowid is not None
            passages.append(
                Passage(
                    cur.lastrowid,
                    article_id,
                    ordinal,
                    chunk.text,
                    chunk.start,
                    chunk.end,
                    chunk.sentences,
                    language,
                )
            )
        return passages

    def get_article(self, article_id: int) -> Article | None:
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id = ?", (article_id,)
        ).fetchone()
        return _article(row) if row else None

    def articles(self, ids: set[int]) -> dict[int, Article]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id IN ({marks})", tuple(ids)
        ).fetchall()
        return {row[0]: _article(row) for row in rows}

    def list_articles(self, offset: int = 0, limit: int = 20) -> list[Article]:
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a ORDER BY a.id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        return [_article(row) for row in rows]

    def article_text(self, article_id: int) -> str | None:
        row = self.conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def delete_article(self, conn: sqlite3.Connection, article_id: int) -> list[int]:
        """Delete an article and its passages; returns the deleted passage ids."""
        ids = [
            r[0]
            for r in conn.execute("SELECT id FROM passages WHERE article_id = ?", (article_id,))
        ]
        conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        return ids

    # -- passages ---------------------------------------------------------------------------

    def passages(self, ids: list[int]) -> dict[int, Passage]:
        found: dict[int, Passage] = {}
        for batch, marks in _id_batches(ids):
            for row in self.conn.execute(
                'SELECT id, article_id, ordinal, text, start, "end", sentences, language '
                f"FROM passages WHERE id IN ({marks})",
                tuple(batch),
            ):
                found[row[0]] = _passage(row)
        return found

    def article_passages(self, article_id: int) -> list[Passage]:
        """Every passage of one article, in order."""
        return [
            _passage(row)
            for row in self.conn.execute(
                'SELECT id, article_id, ordinal, text, start, "end", sentences, language '
                "FROM passages WHERE article_id = ? ORDER BY ordinal",
                (article_id,),
            )
        ]

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
        for batch, marks in _id_batches(ids):
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

    def iter_terms(
        self, analyzer: int, *, fresh: bool = False
    ) -> Iterator[tuple[int, str, str | None, str | None]]:
        """(id, language, stored terms, text) of every passage, in id order: the terms where
        `analyzer` made them (never when `fresh`), else None and the text to analyze."""
        yield from self.conn.execute(
            "SELECT p.id, p.language, t.terms, CASE WHEN t.terms IS NULL THEN p.text END "
            "FROM passages p LEFT JOIN passage_terms t "
            "ON t.passage_id = p.id AND t.analyzer = ? AND NOT ? ORDER BY p.id",
            (analyzer, fresh),
        )

    def iter_passages(self) -> Iterator[tuple[int, str, str]]:
        """(id, text, language) of every passage, in id order."""
        yield from self.conn.execute("SELECT id, text, language FROM passages ORDER BY id")

    def passage_ids(self) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT id FROM passages")}

    def counts(self) -> tuple[int, int, dict[str, int]]:
        """(articles, passages, articles per language)."""
        conn = self.conn
        articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        passages = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        languages = dict(
            conn.execute("SELECT language, COUNT(*) FROM articles GROUP BY language").fetchall()
        )
        return articles, passages, languages


def _id_batches(ids: list[int]) -> Iterator[tuple[list[int], str]]:
    """`ids` in slices of 500 (well below SQLite's limit on bound parameters), each with its
    "?,?,..." placeholders for an IN (...) clause."""
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        yield batch, ",".join("?" * len(batch))


def _article(row: tuple) -> Article:
    return Article(*row)


def _passage(row: tuple) -> Passage:
    sentences = tuple(tuple(span) for span in json.loads(row[6]))
    return Passage(row[0], row[1], row[2], row[3], row[4], row[5], sentences, row[7])  # type: ignore[arg-type]
