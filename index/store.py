"""SQLite, the source of truth: articles and their passages. The indexes are derived from it."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .chunking import Chunk
from .errors import StorageError
from .models import Article, Passage
from .storage import schema

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


class Store:
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
        self, conn: sqlite3.Connection, ids: list[int] | None = None, *, after: int = 0
    ) -> Iterator[tuple[int, str, bytes, str | None, int | None]]:
        """(id, language, passage vector, terms, analyzer) of the given passages (or of every
        passage with an id above `after`), in id order; passages without a vector are left out."""
        sql = (
            "SELECT p.id, p.language, v.vector, t.terms, t.analyzer FROM passages p "
            "JOIN passage_vectors v ON v.passage_id = p.id "
            "LEFT JOIN passage_terms t ON t.passage_id = p.id "
        )
        if ids is None:
            yield from conn.execute(sql + "WHERE p.id > ? ORDER BY p.id", (after,))
            return
        for batch, marks in _id_batches(sorted(ids)):
            yield from conn.execute(sql + f"WHERE p.id IN ({marks}) ORDER BY p.id", tuple(batch))

    def put_passage_vectors(
        self, conn: sqlite3.Connection, items: Iterable[tuple[int, np.ndarray]]
    ) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO passage_vectors (passage_id, vector) VALUES (?,?)",
            [(pid, np.asarray(v, dtype=np.float16).tobytes()) for pid, v in items],
        )

    def passage_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        found: dict[int, np.ndarray] = {}
        for batch, marks in _id_batches(ids):
            for pid, blob in self.conn.execute(
                f"SELECT passage_id, vector FROM passage_vectors WHERE passage_id IN ({marks})",
                tuple(batch),
            ):
                found[pid] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        return found

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
    outlets = tuple(row[11].split("\n")) if row[11] else ()
    return Article(*row[:11], copies=len(outlets), outlets=tuple(dict.fromkeys(outlets)))


def _passage(row: tuple) -> Passage:
    sentences = tuple(tuple(span) for span in json.loads(row[6]))
    return Passage(row[0], row[1], row[2], row[3], row[4], row[5], sentences, row[7])  # type: ignore[arg-type]
