"""Opening articles.db: its schema version, read-only use, and the layout of older versions.

`PRAGMA user_version` records the schema version. 0 with tables in it is the layout before
versions were recorded (articles, passages, sentence_vectors, passage_terms; the indexes in
index/gen-*): it is migrated in place on the first writable open. Opening never writes
otherwise: a library on a read-only disk, a full disk or a backup being checked can be read.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from pathlib import Path
from urllib.parse import quote

from ..errors import StorageError
from ..files import FILE_MODE
from .migrate import migrate_v1 as _migrate_v1
from .migrate import migrate_v2 as _migrate_v2

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 4  # PRAGMA user_version; 0 with tables: the layout of before (see _migrate)
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
    added_by TEXT,
    published_from TEXT
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
-- Each passage's BM25 terms (analyzed: stemmed, stopwords dropped; space-separated). `analyzer`:
-- the version of the rules that made them (index.lexical.TERMS); others are made again.
CREATE TABLE IF NOT EXISTS passage_terms (
    passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
    analyzer INTEGER NOT NULL,
    terms TEXT NOT NULL
);
-- Each passage's vector (the normalized mean of its sentence vectors; float16), what the dense
-- index is loaded from, by the model meta.model names.
CREATE TABLE IF NOT EXISTS passage_vectors (
    passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
    vector BLOB NOT NULL
);
-- Every committed add, delete and re-index, in order: another process's in-memory indexes
-- apply the rows after the last one they saw. `passages`: the passage ids (int64 bytes);
-- `token`: random, so that a checkpoint can tell this row from one of another history.
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op TEXT NOT NULL,
    article_id INTEGER,
    passages BLOB NOT NULL,
    token TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Each article's near-duplicate signature (index.neardup: MinHash of word shingles + figures),
-- from which every process's detector of agency copies is made (embedded_copies.py).
CREATE TABLE IF NOT EXISTS signatures (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    signature BLOB NOT NULL
);
-- Other outlets' near-copies of a stored article, recorded as its other sources instead of
-- being stored as articles of their own (an add logs a `copy` change for the article).
CREATE TABLE IF NOT EXISTS copies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    url TEXT,
    canonical_url TEXT UNIQUE,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT,
    content_hash TEXT NOT NULL UNIQUE,
    similarity REAL NOT NULL,
    signature BLOB NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT
);
CREATE INDEX IF NOT EXISTS copies_article ON copies(article_id);
-- Each article's sentence analysis (index.sentence_analysis: every sentence's terms and matching
-- keys, zlib-compressed JSON), made when it is added so that answering need not; `version`: the
-- rules that made it (others, or none, are computed at ask time; `articlebot analyze`).
CREATE TABLE IF NOT EXISTS sentence_analysis (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    data BLOB NOT NULL
);
"""


def writable(path: Path) -> bool:
    """Whether the database (or, when there is none yet, its folder) can be written."""
    if path.exists():
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return os.access(path.parent, os.W_OK)


def connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    try:
        return _connect(path, read_only=read_only)
    except sqlite3.DatabaseError as exc:
        raise damaged(path, exc) from None


def _foreign(conn: sqlite3.Connection) -> bool:
    """Whether the database holds another application's tables: version 0, tables, none of
    them articlebot's `articles` (a library of the first layout has that one)."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return found == 0 and bool(tables) and "articles" not in tables


def not_ours(path: Path) -> StorageError:
    return StorageError(
        f"{path} is not an articlebot database (it holds another application's tables): "
        "point DATA_DIR or --data-dir at another folder; nothing was changed"
    )


def damaged(path: Path, exc: Exception) -> StorageError:
    return StorageError(
        f"{path} is damaged or not an articlebot database ({exc}); restore it from a backup "
        "(`articlebot backup` makes one) or move it away to start an empty library"
    )


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if not read_only:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=30000")
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":  # a new database (the pragma writes only then)
            if _foreign(conn):  # before anything is written to it
                conn.close()
                raise not_ours(path)
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=True)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        # A WAL database whose -shm cannot be made (a read-only folder): read it as immutable,
        # which is right for a copy nobody writes.
        conn.close()
        conn = sqlite3.connect(f"{uri}&immutable=1", uri=True, isolation_level=None)
    return conn


def create_file(path: Path) -> None:
    """Owner-only before SQLite opens it: its -wal and -shm files take its mode."""
    if not path.exists():
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
        return
    for own in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if own.exists() and own.stat().st_mode & 0o077 and os.access(own, os.W_OK):
            os.chmod(own, FILE_MODE)  # a library made by an older version, or a wider umask


def prepare(conn: sqlite3.Connection, path: Path, *, write: bool) -> None:
    """Check the schema version; create or migrate the schema where `write` allows."""
    try:
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise damaged(path, exc) from None
    version = SCHEMA_VERSION
    if found > version:
        raise StorageError(
            f"{path} has schema version {found}, made by a newer articlebot (this one reads "
            f"version {version}): upgrade articlebot, or use a backup made by this version"
        )
    if found == version:
        return
    if found == 0 and tables and "articles" not in tables:
        raise not_ours(path)
    if not write:
        if not tables:
            return  # an empty database that cannot be written: an empty library
        raise StorageError(
            f"{path} has schema version {found} (this articlebot uses {version}); open it once "
            "with write access (e.g. `articlebot stats`) to upgrade it in place"
        )
    conn.execute("BEGIN IMMEDIATE")
    try:
        # One statement at a time inside this transaction (executescript would commit).
        code = "\n".join(x for x in SCHEMA.splitlines() if not x.lstrip().startswith("--"))
        for statement in code.split(";"):
            if statement.strip():
                conn.execute(statement)
        if "articles" in tables and found == 0:
            _migrate_v1(conn)
        if "articles" in tables and found < 3:
            _migrate_v2(conn)
        if "articles" in tables and found < 4:
            # Version 3 -> 4: the sentence_analysis table, empty. `articlebot analyze` fills it
            # (~40 ms an article, while the bot runs); until then answering computes each
            # article's analysis, as before.
            logger.warning(
                "articles.db upgraded to version 4: run `articlebot analyze` to store the "
                "articles' sentence analysis (faster answers in a big library)"
            )
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('library_id', ?)", (uuid.uuid4().hex,)
        )
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
