"""Feed subscriptions and their polling state, in their own SQLite file (DATA_DIR/feeds.db).

Kept apart from the library's store: polling state changes every few minutes and is never part
of an article's transaction; an article is added through the library's normal add path and only
its canonical URL is remembered here. One connection per thread, WAL, owner-only files.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .files import FILE_MODE
from .store import immediate

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    title TEXT,
    site_url TEXT,
    etag TEXT,
    last_modified TEXT,
    added_at TEXT NOT NULL,
    last_fetch TEXT,
    last_success TEXT,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    paused INTEGER NOT NULL DEFAULT 0,
    next_due TEXT NOT NULL,
    articles_added INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS subscribers (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    subscriber TEXT NOT NULL,
    PRIMARY KEY (feed_id, subscriber)
);
-- Every entry URL (canonical) a feed has listed: added, already known to the library, left out
-- of the first poll's backfill, or failed (retried while attempts < the policy's limit).
CREATE TABLE IF NOT EXISTS entries (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('added', 'known', 'skipped', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_id, url)
);
"""


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    title: str | None
    site_url: str | None
    etag: str | None
    last_modified: str | None
    added_at: datetime
    last_fetch: datetime | None
    last_success: datetime | None  # None: never polled successfully (the next poll backfills)
    last_error: str | None
    failures: int  # consecutive
    paused: bool
    next_due: datetime
    articles_added: int
    subscribers: tuple[str, ...]


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class FeedStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        # Created owner-only before SQLite opens it: its -wal and -shm files take its mode.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
        os.chmod(path, FILE_MODE)
        self.conn.executescript(SCHEMA)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with immediate(self.conn) as conn:
            yield conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- subscriptions ----------------------------------------------------------------------

    def add(
        self, url: str, *, title: str | None, site_url: str | None, subscriber: str | None,
        now: datetime,
    ) -> tuple[Feed, bool]:  # fmt: skip
        """Subscribe (due at once); (feed, created). An existing feed gains the subscriber."""
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
            created = row is None
            if created:
                cursor = conn.execute(
                    "INSERT INTO feeds (url, title, site_url, added_at, next_due) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (url, title, site_url, _ts(now), _ts(now)),
                )
                feed_id = int(cursor.lastrowid or 0)
            else:
                feed_id = int(row[0])
            if subscriber:
                conn.execute(
                    "INSERT OR IGNORE INTO subscribers VALUES (?, ?)", (feed_id, subscriber)
                )
        feed = self.get(feed_id)
        assert feed is not None
        return feed, created

    def remove(self, feed_id: int) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,)).rowcount > 0

    def get(self, feed_id: int) -> Feed | None:
        feeds = self._select("WHERE id = ?", (feed_id,))
        return feeds[0] if feeds else None

    def list(self) -> list[Feed]:
        return self._select("ORDER BY id", ())

    def due(self, now: datetime) -> list[Feed]:
        """Feeds to poll now (not paused), the most overdue first."""
        return self._select("WHERE paused = 0 AND next_due <= ? ORDER BY next_due", (_ts(now),))

    def next_due(self) -> datetime | None:
        row = self.conn.execute("SELECT MIN(next_due) FROM feeds WHERE paused = 0").fetchone()
        return _dt(row[0])

    def _select(self, where: str, args: tuple) -> list[Feed]:
        rows = self.conn.execute(
            "SELECT id, url, title, site_url, etag, last_modified, added_at, last_fetch, "
            "last_success, last_error, failures, paused, next_due, articles_added, "
            "(SELECT group_concat(subscriber, char(10)) FROM subscribers s WHERE s.feed_id = f.id) "
            f"FROM feeds f {where}",
            args,
        ).fetchall()
        return [
            Feed(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                _dt(r[6]) or datetime.now(UTC),
                _dt(r[7]),
                _dt(r[8]),
                r[9],
                r[10],
                bool(r[11]),
                _dt(r[12]) or datetime.now(UTC),
                r[13],
                tuple(sorted(r[14].split("\n"))) if r[14] else (),
            )  # fmt: skip
            for r in rows
        ]

    # -- polling state ----------------------------------------------------------------------

    def record_success(
        self, feed_id: int, *, now: datetime, next_due: datetime, etag: str | None = None,
        last_modified: str | None = None, title: str | None = None, added: int = 0,
        not_modified: bool = False,
    ) -> None:  # fmt: skip
        """A fetch that worked (200 with a feed, or 304): failures reset, next poll set."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE feeds SET last_fetch = ?, last_success = ?, last_error = NULL, "
                "failures = 0, next_due = ?, articles_added = articles_added + ?, "
                "etag = CASE WHEN ? THEN etag ELSE ? END, "
                "last_modified = CASE WHEN ? THEN last_modified ELSE ? END, "
                "title = COALESCE(?, title) WHERE id = ?",
                (
                    _ts(now), _ts(now), _ts(next_due), added, not_modified, etag, not_modified,
                    last_modified, title, feed_id,
                ),
            )  # fmt: skip

    def record_failure(
        self, feed_id: int, *, now: datetime, error: str, next_due: datetime, limit: int
    ) -> tuple[int, bool]:
        """(consecutive failures, paused by this one): a feed is paused at `limit` failures,
        and only the failure that pauses it says so (the subscribers are told once)."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE feeds SET last_fetch = ?, last_error = ?, failures = failures + 1, "
                "next_due = ? WHERE id = ?",
                (_ts(now), error[:500], _ts(next_due), feed_id),
            )
            failures, paused = conn.execute(
                "SELECT failures, paused FROM feeds WHERE id = ?", (feed_id,)
            ).fetchone()
            pausing = not paused and failures >= limit
            if pausing:
                conn.execute("UPDATE feeds SET paused = 1 WHERE id = ?", (feed_id,))
        return int(failures), pausing

    def resume(self, feed_id: int, now: datetime) -> bool:
        """Unpause (an admin's decision): due at once, failures forgotten."""
        with self.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE feeds SET paused = 0, failures = 0, next_due = ? WHERE id = ?",
                    (_ts(now), feed_id),
                ).rowcount
                > 0
            )

    def entries(self, feed_id: int, urls: Iterable[str]) -> dict[str, tuple[str, int]]:
        """The recorded (status, attempts) of those of `urls` this feed has listed before."""
        out: dict[str, tuple[str, int]] = {}
        urls = list(urls)
        for start in range(0, len(urls), 500):
            batch = urls[start : start + 500]
            marks = ",".join("?" * len(batch))
            for url, status, attempts in self.conn.execute(
                f"SELECT url, status, attempts FROM entries WHERE feed_id = ? AND url IN ({marks})",
                (feed_id, *batch),
            ):
                out[url] = (status, attempts)
        return out

    def mark(
        self, feed_id: int, url: str, status: str, *, now: datetime, error: str | None = None
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO entries (feed_id, url, status, attempts, error, seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (feed_id, url) DO UPDATE SET "
                "status = excluded.status, attempts = attempts + excluded.attempts, "
                "error = excluded.error",
                (feed_id, url, status, int(status == "failed"), error, _ts(now)),
            )
