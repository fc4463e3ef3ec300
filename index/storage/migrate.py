"""Migrating articles.db from the layouts of before (index.storage.schema.prepare calls these
inside its transaction): version 0 with tables (vectors per passage from its sentences') and
version 2 (the copies and provenance of schema version 3)."""

from __future__ import annotations

import logging
import sqlite3

import numpy as np

logger = logging.getLogger("index.storage.schema")  # the name its messages always had


def migrate_v1(conn: sqlite3.Connection) -> None:
    """The layout of before: passage vectors are made from the stored sentence vectors (the
    means the old index held), and the model recorded. Passages without sentence vectors (from
    before those were stored) get none: `articlebot rebuild` embeds them."""
    row = conn.execute(
        "SELECT model, COUNT(*) AS n FROM sentence_vectors GROUP BY model ORDER BY n DESC"
    ).fetchone()
    if row is None:
        return
    model = row[0]
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('model', ?)", (model,))
    cursor = conn.execute(
        "SELECT passage_id, vectors FROM sentence_vectors WHERE model = ?", (model,)
    )
    migrated = 0
    while rows := cursor.fetchmany(2000):
        out = []
        for pid, blob in rows:
            sentences = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
            out.append((pid, _mean(sentences, conn, pid)))
        conn.executemany(
            "INSERT OR REPLACE INTO passage_vectors (passage_id, vector) VALUES (?, ?)",
            [(pid, v) for pid, v in out if v is not None],
        )
        migrated += len(out)
    logger.warning("articles.db upgraded to the new layout: %d passage vectors made", migrated)


def migrate_v2(conn: sqlite3.Connection) -> None:
    """Version 2 -> 3: every article gets a publication date with its provenance (a stored date
    came from the page; an article without one is dated by the day it was added, marked so) and
    a near-duplicate signature (index.neardup), made from its stored text (~2 ms an article)."""
    from ..neardup import signature

    columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    if "published_from" not in columns:
        conn.execute("ALTER TABLE articles ADD COLUMN published_from TEXT")
    conn.execute(
        "UPDATE articles SET published_from = CASE WHEN published IS NULL THEN 'added' "
        "ELSE 'page' END, published = COALESCE(published, substr(added_at, 1, 10)) "
        "WHERE published_from IS NULL"
    )
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM signatures)"
        )
    ]
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        rows = conn.execute(
            f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(batch))})", batch
        ).fetchall()
        conn.executemany(
            "INSERT INTO signatures (article_id, signature) VALUES (?, ?)",
            [(article_id, signature(text).to_bytes()) for article_id, text in rows],
        )
    signed = len(ids)
    if signed:
        logger.warning("articles.db upgraded to version 3: %d articles signed and dated", signed)


def _mean(flat: np.ndarray, conn: sqlite3.Connection, pid: int) -> bytes | None:
    count = conn.execute("SELECT sentences FROM passages WHERE id = ?", (pid,)).fetchone()
    if count is None:
        return None
    import json

    n = len(json.loads(count[0]))
    if n == 0 or flat.size % n:
        return None
    mean = flat.reshape(n, -1).mean(axis=0)
    mean /= max(float(np.linalg.norm(mean)), 1e-12)
    return mean.astype(np.float16).tobytes()
