"""The embedded backend's agency copies: signatures and recorded copies in SQLite, and the
near-duplicate detector (index.neardup) each process holds, kept in step with the change log.

The detector is made on the first add, not at open (questions never need it): from the stored
signature bytes, about 0.1 s per 10k articles. Before each look-up it applies the changes
logged since it was made (`add` and `copy`: that article's signatures read again; `delete`:
forgotten), so a copy added by another process is found here too. A database replaced under
it (a restore) makes it again from scratch.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..neardup import Detector, Match, Signature, signature
from .base import NewCopy

if TYPE_CHECKING:
    from ..store import Store

logger = logging.getLogger(__name__)


def put_signature(conn: sqlite3.Connection, article_id: int, data: bytes) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO signatures (article_id, signature) VALUES (?, ?)",
        (article_id, data),
    )


def insert_copy(conn: sqlite3.Connection, article_id: int, copy: NewCopy) -> None:
    """sqlite3.IntegrityError when the copy is stored already (its hash or address) or the
    article is gone (the foreign key)."""
    conn.execute(
        "INSERT INTO copies (article_id, url, canonical_url, source, title, published, "
        "content_hash, similarity, signature, added_at, added_by) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            article_id,
            copy.url,
            copy.canonical_url,
            copy.source or "?",
            copy.title,
            copy.published,
            copy.content_hash,
            copy.similarity,
            copy.signature,
            datetime.now(UTC).isoformat(timespec="seconds"),
            copy.added_by,
        ),
    )


def _signature_rows(
    conn: sqlite3.Connection, article_ids: list[int] | None = None
) -> Iterator[tuple[int, bytes, bool]]:
    """(article id, signature bytes, whether it is the article's own) of those articles (or
    of all): the article's own signature and those of its recorded copies."""
    where, args = "", ()
    if article_ids is not None:
        marks = ",".join("?" * len(article_ids))
        where, args = f"WHERE article_id IN ({marks})", tuple(article_ids)
    for sql in (
        f"SELECT article_id, signature, 1 FROM signatures {where}",
        f"SELECT article_id, signature, 0 FROM copies {where}",
    ):
        for article_id, data, own in conn.execute(sql, args):
            yield article_id, data, bool(own)


class CopyIndex:
    """The detector of one embedded library (thread-safe; see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._detector: Detector | None = None
        self._seq = 0
        self._token = ""

    def query(self, sig: Signature) -> list[Match]:
        """The stored articles `sig`'s text is a near-copy of, most similar first."""
        with self._lock:
            self._catch_up()
            assert self._detector is not None
            return self._detector.query(sig)

    def _catch_up(self) -> None:
        store = self.store
        with store.reading() as conn:
            seq, token = store.head()
            stale = (
                self._detector is None
                or seq < self._seq
                or bool(self._seq and store.token_at(self._seq) != self._token)
            )
            if stale:
                self._detector = self._load(conn, None, Detector())
            elif seq != self._seq:
                assert self._detector is not None
                changed = conn.execute(
                    "SELECT op, article_id FROM changes WHERE seq > ? AND article_id IS NOT NULL "
                    "ORDER BY seq",
                    (self._seq,),
                ).fetchall()
                reread: dict[int, None] = {}  # each article read once, after its last change
                for op, article_id in changed:
                    self._detector.remove(article_id)
                    if op in ("add", "copy"):
                        reread[article_id] = None
                    else:
                        reread.pop(article_id, None)
                ids = list(reread)
                for start in range(0, len(ids), 500):
                    self._load(conn, ids[start : start + 500], self._detector)
            self._seq, self._token = seq, token

    def _load(
        self, conn: sqlite3.Connection, article_ids: list[int] | None, detector: Detector
    ) -> Detector:
        remade = 0
        for article_id, data, own in _signature_rows(conn, article_ids):
            try:
                detector.add(article_id, Signature.from_bytes(data))
            except ValueError:  # made by another version of index.neardup
                if own:
                    text = self.store.article_text(article_id) or ""
                    detector.add(article_id, signature(text))
                    remade += 1
        if remade:
            logger.info("%d signatures of another format made again from the text", remade)
        return detector
