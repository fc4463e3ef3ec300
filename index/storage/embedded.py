"""The embedded backend: SQLite is the one source of truth; FAISS and BM25 live in memory.

Consistency: `add_article` is one SQLite transaction (article, passages, sentence and passage
vectors, BM25 terms, and a row in the `changes` log); once it commits the article is stored,
and searchable in every process: each process's in-memory indexes apply the logged changes
they have not seen, reading only those passages, before each question (`refresh`: one indexed
SQLite read when nothing changed). Writers take turns through the data dir's write lock;
readers never wait for a writer's transaction (WAL). A kill loses nothing committed, and
there is no index file that has to agree with the database: the indexes are made from it (or
from an optional checkpoint plus the changes logged after it, see checkpoint.py). The detector
of agency copies follows the same log (embedded_copies.py); recording a copy is one transaction
that logs a `copy` change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..lexical import TERMS, LexicalIndex, passage_terms
from ..locking import ReadWriteLock
from ..store import Store
from ..vectors import TRAIN_SAMPLE, VectorIndex
from . import checkpoint
from .base import DATABASE, StorageConfig
from .embedded_analysis import EmbeddedAnalysis
from .embedded_checkpoints import BATCH, CHECKPOINT_MIN, EmbeddedCheckpoints
from .embedded_copies import CopyIndex
from .embedded_read import EmbeddedReads
from .embedded_write import EmbeddedWrites

logger = logging.getLogger(__name__)


@dataclass
class _Live:
    """The in-memory indexes and the last change they include."""

    vectors: VectorIndex | None  # None until the first vector is known
    lexical: LexicalIndex
    seq: int
    token: str
    changed: int = 0  # passages added or removed since the last checkpoint (or load)
    from_checkpoint: bool = False


class EmbeddedBackend(EmbeddedWrites, EmbeddedReads, EmbeddedAnalysis, EmbeddedCheckpoints):
    def __init__(self, data_dir: Path, config: StorageConfig, *, lock_timeout: float) -> None:
        self.store = Store(data_dir / DATABASE)
        self.read_only = self.store.read_only
        self.config = config
        self.lock_timeout = lock_timeout
        self._index_dir = data_dir / "index"
        self._lock_path = data_dir / "write.lock"
        self._rw = ReadWriteLock()
        self._apply = threading.Lock()  # one catch-up (or load) at a time
        self._write = threading.Lock()  # one writing thread at a time, then the file lock
        self._live: _Live | None = None
        self._checkpointing: threading.Thread | None = None
        self._remade: list[tuple[int, list[str]]] = []  # BM25 terms made again, to store
        self._storing: threading.Thread | None = None  # storing them (refresh)
        self.copies = CopyIndex(self.store)  # agency copies (embedded_copies.py)

    # -- keeping up with the database ------------------------------------------------------

    def refresh(self) -> None:
        live = self._live
        if live is not None and self.store.head()[0] == live.seq:
            return
        with self._apply:
            if self._live is None:
                # (room for adds is made on the background thread: _maybe_checkpoint below;
                # at 1M passages it copies 400 MB, half a second of the first answer)
                self._live = self._load()
            self._catch_up(self._live)
        remade, self._remade = self._remade, []
        if remade:  # on a thread of its own: a question never waits for a writer's lock
            before = self._storing  # (a reload's, after one at start: close joins the last)

            def store() -> None:
                if before is not None:
                    before.join()
                self.store_terms(remade)

            self._storing = threading.Thread(target=store, name="articlebot-terms")
            self._storing.start()
        self._maybe_checkpoint()

    def _catch_up(self, live: _Live) -> None:
        """Apply the changes logged after `live.seq` (under self._apply)."""
        with self.store.reading() as conn:
            seq, token = self.store.head()
            if seq == live.seq:
                return
            # A restored or replaced database, or a re-index: everything is made again.
            reload = seq < live.seq or bool(
                live.seq and self.store.token_at(live.seq) != live.token
            )
            changes = [] if reload else self.store.changes_after(conn, live.seq)
            reload = reload or any(op == "reindex" for _, op, _ in changes)
            added = [int(i) for _, op, ids in changes if op == "add" for i in ids]
            rows = {} if reload else {r[0]: r for r in self._index_rows(conn, added)}
        if reload:
            logger.info("the database was replaced or re-indexed; indexes made from it again")
            fresh = self._from_database()
            if fresh.vectors is not None:
                fresh.vectors.reserve()
            with self._rw.writing():
                live.__dict__.update(fresh.__dict__)
            return
        with self._rw.writing():
            for _, op, ids in changes:
                if op == "add":
                    self._add_rows(live, [rows[int(i)] for i in ids if int(i) in rows])
                elif op == "delete" and live.vectors is not None:
                    live.vectors.remove(ids)
                    live.lexical.remove(ids.tolist())
                live.changed += len(ids)
            live.seq, live.token = seq, token

    def _add_rows(self, live: _Live, rows: list[tuple[int, str, np.ndarray, list[str]]]) -> None:
        if not rows:
            return
        if live.vectors is None:
            live.vectors = VectorIndex.empty(len(rows[0][2]))
        live.vectors.add([r[0] for r in rows], np.vstack([r[2] for r in rows]))
        live.lexical.add_many((pid, language, terms) for pid, language, _, terms in rows)

    def _index_rows(
        self, conn: object, ids: list[int] | None = None, after: int = 0, *, keep: bool = False
    ) -> Iterator[tuple[int, str, np.ndarray, list[str]]]:
        """(id, language, passage vector, BM25 terms) from SQLite; terms of another version
        (lexical.TERMS: an upgrade) are made again. `keep` (a load): the first CHECKPOINT_MIN
        so made are kept in self._remade to be stored (refresh), since a library that small
        writes no checkpoint and would make them again at every start (a larger one's
        checkpoint holds them). Not those of passages another process adds: a process of other
        versions on the same data dir would store its terms over this one's at every add."""
        rows = self.store.index_rows(conn, ids, after=after, version=TERMS)  # type: ignore[arg-type]
        keep = keep and not self.read_only
        for pid, language, blob, terms, text, title in rows:
            if terms is not None:
                words = terms.split()
            else:
                words = passage_terms(text, language, title)
                if keep and len(self._remade) < CHECKPOINT_MIN:
                    self._remade.append((pid, words))
            yield pid, language, np.frombuffer(blob, dtype=np.float16).astype(np.float32), words

    # -- loading ---------------------------------------------------------------------------

    def _load(self) -> _Live:
        """From the checkpoint if there is a usable one, else from SQLite."""
        found = checkpoint.load(self._index_dir)
        if found is not None:
            manifest, vectors, lexical = found
            unfit = self._unfit(manifest)
            if unfit is None:
                return _Live(vectors, lexical, manifest.seq, manifest.token, 0, True)
            logger.warning("the checkpoint %s; the indexes are made from SQLite", unfit)
            # It would be refused at every start: a library under CHECKPOINT_MIN passages
            # writes no newer one, and said this at every start.
            if not self.read_only:
                checkpoint.retire(self._index_dir, manifest)
        return self._from_database()

    def _unfit(self, manifest: checkpoint.Manifest) -> str | None:
        """Why the checkpoint cannot be used for this database and these settings, or None."""
        if manifest.model != self.model:
            return f"is of another model ({manifest.model[:60]})"
        if manifest.analyzer != TERMS:
            return f"holds BM25 terms of version {manifest.analyzer}, this version makes {TERMS}"
        head, _ = self.store.head()
        if manifest.seq > head or (
            manifest.seq != 0 and self.store.token_at(manifest.seq) != manifest.token
        ):
            return "is of another database state (a database restored or replaced)"
        return None

    def _from_database(self) -> _Live:
        with self.store.reading() as conn:
            seq, token = self.store.head()
            count = conn.execute("SELECT COUNT(*) FROM passage_vectors").fetchone()[0]
            vectors = self._empty_vectors(conn, count)
            live = _Live(vectors, LexicalIndex(), seq, token, changed=count)
            batch: list = []
            for row in self._index_rows(conn, keep=True):
                batch.append(row)
                if len(batch) >= BATCH:
                    self._add_rows(live, batch)
                    batch = []
            self._add_rows(live, batch)
        return live

    def _empty_vectors(self, conn: object, count: int) -> VectorIndex | None:
        """Exact below the threshold; above it approximate (index/vectors.py), its quantizers
        trained on an even sample of the stored vectors (the same sample in every process)."""
        row = conn.execute("SELECT vector FROM passage_vectors LIMIT 1").fetchone()  # type: ignore[attr-defined]
        if row is None:
            return None
        dimension = len(row[0]) // 2
        if count < self.config.ann_threshold:
            return VectorIndex.empty(dimension)
        step = max(1, count // TRAIN_SAMPLE)
        blobs = conn.execute(  # type: ignore[attr-defined]
            "SELECT vector FROM passage_vectors WHERE passage_id % ? = 0", (step,)
        ).fetchall()
        sample = np.frombuffer(b"".join(b for (b,) in blobs), dtype=np.float16)
        return VectorIndex.approximate(sample.reshape(-1, dimension).astype(np.float32))
