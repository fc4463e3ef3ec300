"""FAISS, keyed by passage id; knows no text. Exact while small, approximate when large.

Below `ann_threshold` passages: exact inner product on float32 (cosine on normalized vectors).
Above it: HNSW over 8-bit scalar-quantized vectors (HNSW-SQ8: 384 bytes a vector plus its graph
links, against 1,536 for float32). IVF was measured first and rejected: questions lie far from
every passage, so their neighbours spread over many lists (IVF-SQ8 at 20k passages: recall@10
0.96 with a quarter of the lists probed; HNSW-SQ8: 0.98 at efSearch 256; flat SQ8 alone: 0.99).
HNSW cannot remove vectors: deleted ids are kept out of results by a selector until the index
is made again (embedded.py does so when they pass DELETED_LIMIT of it).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import faiss
import numpy as np

logger = logging.getLogger(__name__)
TRAIN_SAMPLE = 20_000  # vectors the 8-bit quantizer learns its ranges from
HNSW_LINKS = 32
EF_CONSTRUCTION = 64
EF_SEARCH = 256
DELETED_LIMIT = 0.1
ROOM = 20_000  # vectors' room kept ahead (at least; 10% of the index when larger)


class VectorIndex:
    def __init__(self, index: faiss.IndexIDMap2, deleted: set[int] | None = None) -> None:
        self._index = index
        self._deleted: set[int] = deleted or set()
        self._selector: faiss.IDSelector | None = None
        self._select()
        self.capacity = int(index.ntotal)

    @property
    def room(self) -> int:
        """Vectors that can still be added without the arrays being reallocated."""
        return self.capacity - int(self._index.ntotal)

    def reserve(self) -> None:
        """Room for ROOM (or 10%) more vectors. FAISS keeps vectors (and HNSW its links) in
        growing arrays: the add that outgrows one copies it whole, briefly twice its memory
        (at 1M passages several hundred MB on one add). Growing them here, off the add path,
        and shrinking them again keeps the room (the arrays keep their capacity)."""
        n = int(self._index.ntotal)
        extra = max(ROOM, n // 10)
        inner = faiss.downcast_index(self._index.index)
        if isinstance(inner, faiss.IndexHNSW):
            storage = faiss.downcast_index(inner.storage)
            per_links = int(inner.hnsw.nb_neighbors(0) * 1.2)  # level 0 and a share above
            arrays = [(storage.codes, storage.code_size), (inner.hnsw.neighbors, per_links)]
        else:
            arrays = [(inner.codes, inner.code_size)]
        for array, per in arrays:
            size = array.size()
            array.resize(size + extra * per)
            array.resize(size)
        self.capacity = n + extra

    @classmethod
    def empty(cls, dimension: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)))

    @classmethod
    def approximate(cls, sample: np.ndarray) -> VectorIndex:
        """An empty HNSW-SQ8 index whose quantizer learned from `sample` (normalized rows)."""
        hnsw = faiss.IndexHNSWSQ(
            sample.shape[1], faiss.ScalarQuantizer.QT_8bit, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT
        )
        hnsw.hnsw.efConstruction = EF_CONSTRUCTION
        index = faiss.IndexIDMap2(hnsw)
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        return cls(index)

    @property
    def approximate_kind(self) -> bool:
        return not isinstance(faiss.downcast_index(self._index.index), faiss.IndexFlat)

    @property
    def deleted_fraction(self) -> float:
        return len(self._deleted) / max(1, int(self._index.ntotal))

    def _select(self) -> None:
        """The selector that keeps deleted ids out of HNSW results (None: nothing deleted)."""
        if not self._deleted:
            self._selector = None
            return
        batch = faiss.IDSelectorBatch(np.fromiter(self._deleted, dtype=np.int64))
        self._selector = faiss.IDSelectorNot(batch)
        self._selector.referenced = batch  # type: ignore[attr-defined]  # keep it alive

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal) - len(self._deleted)

    def ids(self) -> set[int]:
        return {int(i) for i in faiss.vector_to_array(self._index.id_map)} - self._deleted

    def add(self, ids: list[int] | np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64)
            )

    def remove(self, ids: list[int] | np.ndarray) -> None:
        if not len(ids):
            return
        if not self.approximate_kind:
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))
            return
        present = set(faiss.vector_to_array(self._index.id_map).tolist())
        self._deleted |= {int(i) for i in ids} & present
        self._select()

    def search(self, query: np.ndarray, k: int) -> dict[int, float]:
        """Top `k` passages for one normalized query vector: {passage id: cosine}."""
        if len(self) == 0:
            return {}
        # One query on OpenMP threads costs more than it gains, and on a busy machine far more
        # (measured at 10k passages, 2 cores, under load: p95 32 ms on 2 threads, 5 ms on 1).
        # The setting is per calling thread, so this leaves other work's threads alone.
        faiss.omp_set_num_threads(1)
        params = None
        if self.approximate_kind:
            params = faiss.SearchParametersHNSW(efSearch=max(EF_SEARCH, k))
            if self._selector is not None:
                params.sel = self._selector
        scores, ids = self._index.search(
            query.reshape(1, -1).astype(np.float32), min(k, len(self)), params=params
        )
        return {int(i): float(s) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0}

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))
        np.save(path.with_name(path.name + ".deleted.npy"), np.fromiter(self._deleted, np.int64))
        for written in (path, path.with_name(path.name + ".deleted.npy")):
            with open(written, "rb") as fh:
                os.fsync(fh.fileno())

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        index = faiss.read_index(str(path))  # already of its own class (downcast would free it)
        if not isinstance(index, faiss.IndexIDMap2):
            raise ValueError(f"unexpected FAISS index {type(index).__name__}")
        deleted = np.load(path.with_name(path.name + ".deleted.npy"))
        return cls(index, {int(i) for i in deleted})
