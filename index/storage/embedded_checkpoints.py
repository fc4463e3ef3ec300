"""The embedded backend's checkpoints (checkpoint.py) and the background work that keeps its
indexes sized: written from another thread while questions go on; a library under
CHECKPOINT_MIN passages writes none (it loads from SQLite in about a second)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..lexical import TERMS
from ..locking import ReadWriteLock
from ..store import Store
from ..vectors import DELETED_LIMIT, ROOM, VectorIndex
from . import checkpoint
from .base import StorageConfig

logger = logging.getLogger(__name__)
CHECKPOINT_MIN = 20_000  # passages: smaller libraries load from SQLite in about a second
BATCH = 20_000  # vectors read from SQLite at a time


class EmbeddedCheckpoints:
    store: Store
    config: StorageConfig
    read_only: bool
    model: str | None
    _index_dir: Path
    _live: Any  # embedded._Live | None
    _rw: ReadWriteLock
    _apply: threading.Lock
    _checkpointing: threading.Thread | None

    def _empty_vectors(self, conn: object, count: int) -> VectorIndex | None:  # the backend's
        raise NotImplementedError

    def _maybe_checkpoint(self) -> None:
        live = self._live
        if live is None or live.vectors is None:
            return
        if live.vectors.room < ROOM // 4:
            self._in_background(self._make_room)
        if self.read_only:
            return
        size = len(live.lexical)
        due = live.changed >= max(CHECKPOINT_MIN, size // 10) or (
            not live.from_checkpoint and live.changed >= CHECKPOINT_MIN
        )
        grown = not live.vectors.approximate_kind and size >= self.config.ann_threshold
        grown = grown or live.vectors.deleted_fraction > DELETED_LIMIT
        if (size < CHECKPOINT_MIN or not due) and not grown:
            return
        self._in_background(self.checkpoint)

    def _in_background(self, work: Callable[[], object]) -> None:
        """Run `work` on the background thread unless it is busy (it is only an optimization:
        the library works without it, so a failure is logged and nothing else)."""
        if self._checkpointing is not None and self._checkpointing.is_alive():
            return

        def run() -> None:
            try:
                work()
            except Exception:
                logger.exception("background index work failed")

        self._checkpointing = threading.Thread(target=run, name="articlebot-index", daemon=True)
        self._checkpointing.start()

    def _make_room(self) -> None:
        """More room in the vector arrays, while no change is being applied."""
        with self._apply, self._rw.writing():
            if self._live is not None and self._live.vectors is not None:
                self._live.vectors.reserve()

    def checkpoint(self) -> bool:
        """Write a checkpoint of the live indexes now; False if another process is writing
        one. Questions go on meanwhile; applying new changes waits for the files."""
        live = self._live
        model = self.model
        if live is None or live.vectors is None or model is None or self.read_only:
            return False
        vectors = live.vectors
        if vectors.deleted_fraction > DELETED_LIMIT or (
            not vectors.approximate_kind and len(vectors) >= self.config.ann_threshold
        ):
            self._make_approximate(live)
        try:
            with checkpoint.writer_lock(self._index_dir) as mine:
                if not mine:
                    return False
                with self._rw.reading():
                    manifest = checkpoint.Manifest(
                        live.seq,
                        live.token,
                        model,
                        live.vectors.dimension,
                        TERMS,
                        len(live.vectors),
                    )
                    checkpoint.write(self._index_dir, manifest, live.vectors, live.lexical)
                    live.changed, live.from_checkpoint = 0, True
                checkpoint.publish(self._index_dir, manifest)
            return True
        except OSError as exc:  # e.g. the disk is full: the checkpoint is only an optimization
            logger.warning("could not write a checkpoint: %s", exc)
            return False

    def _make_approximate(self, live: Any) -> None:  # embedded._Live
        """The library grew past the threshold (or its approximate index holds too many deleted
        vectors): the index is made again from SQLite beside the live one (questions go on),
        brought up to the changes applied meanwhile, and swapped in."""
        with self.store.reading() as conn:
            seq = self.store.head()[0]
            count = conn.execute("SELECT COUNT(*) FROM passage_vectors").fetchone()[0]
            vectors = self._empty_vectors(conn, count)
            assert vectors is not None
            rows = conn.execute("SELECT passage_id, vector FROM passage_vectors")
            while chunk := rows.fetchmany(BATCH):
                matrix = np.frombuffer(b"".join(r[1] for r in chunk), dtype=np.float16)
                vectors.add([r[0] for r in chunk], matrix.reshape(len(chunk), -1))
        with self._apply:  # no catch-up meanwhile: live.seq stays put
            with self.store.reading() as conn:
                changes = [c for c in self.store.changes_after(conn, seq) if c[0] <= live.seq]
                added = [int(i) for _, op, ids in changes if op == "add" for i in ids]
                stored = self.store.passage_vectors(added)
            for _, op, ids in changes:
                if op == "add":
                    found = [int(i) for i in ids if int(i) in stored]
                    if found:
                        vectors.add(found, np.vstack([stored[i] for i in found]))
                elif op == "delete":
                    vectors.remove(ids)
            vectors.reserve()
            with self._rw.writing():
                live.vectors = vectors
