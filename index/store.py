"""SQLite, the source of truth: articles and their passages. The indexes are derived from it
(their rows, and the change log other processes follow: store_rows.py)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .chunking import Chunk
from .errors import StorageError
from .models import Article, Passage
from .storage import schema
from .store_rows import IndexRows, id_batches

_ARTICLE_COLUMNS = (
    "a.id, a.title, a.url, a.source, a.published, a.language, a.content_hash, a.added_at, "
    "a.added_by, (SELECT COUNT(*) FROM passages p WHERE p.article_id = a.id), a.published_from, "
    "(SELECT group_concat(c.source, char(10)) FROM "
    "(SELECT source FROM copies WHERE article_id = a.id ORDER BY id) c)"
)


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT on `conn` (autocommit mode), rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Store(IndexRows):
    """One SQLite connection per thread (WAL mode: readers never wait for a writer). Opening
    never writes unless the schema must be made or upgraded; `read_only` (default: whether
    the file can be written) opens it for reading only."""

    def __init__(self, path: Path, *, read_only: bool | None = None) -> None:
        self.path = path
        self.read_only = not schema.writable(path) if read_only is None else read_only
        self._local = threading.local()
        if not self.read_only:
            schema.create_file(path)
        elif not path.exists():
            raise StorageError(f"there is no library at {path.parent} (and it cannot be written)")
        schema.prepare(self.conn, path, write=not self.read_only)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = schema.connect(self.path, read_only=self.read_only)
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        if self.read_only:
            raise StorageError(f"{self.path} is read-only here: nothing can be added or changed")
        with immediate(self.conn) as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query in it sees the same commit."""
        conn = self.conn
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- articles ---------------------------------------------------------------------------

    def find_duplicate(self, canonical_url: str | None, content_hash: str) -> Article | None:
        """The article with this content or address, or whose recorded copy has it."""
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a "
            "WHERE a.content_hash = ? OR (? IS NOT NULL AND a.canonical_url = ?) OR a.id IN "
            "(SELECT article_id FROM copies WHERE content_hash = ? OR canonical_url = ?)",
            (content_hash, canonical_url, canonical_url, content_hash, canonical_url),
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
        published_from: str | None = None,
    ) -> int:
        cur = conn.execute(
            "INSERT INTO articles (url, canonical_url, title, source, published, language, "
            "content_hash, text, added_at, added_by, published_from) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
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
                published_from,
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

    def articles_before(self, before: int | None, limit: int) -> list[Article]:
        """The `limit` newest articles with ids below `before` (all: None). Each page starts
        where the last ended, by id: OFFSET would step over every earlier row again, and an
        article added meanwhile would shift a row into the next page twice."""
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id < ? ORDER BY a.id DESC LIMIT ?",
            (2**63 - 1 if before is None else before, limit),
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
        for batch, marks in id_batches(ids):
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


def _article(row: tuple) -> Article:
    outlets = tuple(row[11].split("\n")) if row[11] else ()
    return Article(*row[:11], copies=len(outlets), outlets=tuple(dict.fromkeys(outlets)))


def _passage(row: tuple) -> Passage:
    sentences = tuple(tuple(span) for span in json.loads(row[6]))
    return Passage(row[0], row[1], row[2], row[3], row[4], row[5], sentences, row[7])  # type: ignore[arg-type]
