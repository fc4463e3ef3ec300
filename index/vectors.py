"""FAISS, keyed by passage id; knows no text. Exact while small, approximate when large.

Below `ann_threshold` passages: exact inner product on float32 (cosine on normalized vectors).
Above it: a scan of every vector's 4-bit product-quantized code (PQ96x4fs: 48 bytes a vector,
FAISS's SIMD "fast scan") picks K_FACTOR x RERANK candidates, their 4-bit scalar-quantized
copies (SQ4, 192 bytes a vector) re-rank them (FAISS IndexRefine), and the caller re-ranks the
best RERANK by the exact stored vectors (`search(..., exact=...)`). Measured with
`python -m benchmarks.ann_probe` on the scale benchmark's libraries (XQuAD questions against
synthetic distractors, one thread, 2 busy cores; BENCHMARKS.md): at 1M passages recall@10
against exact search 0.986 in 10 ms a query, made in 11 s from the vectors (8-bit copies
instead: 0.987, twice the memory; 6-bit: 0.987); at 100k 0.998 in 2.6 ms (with SQ8), where
exact search took 19 ms (p95 42). Rejected: HNSW-SQ8 (M 32, efConstruction 64;
used before): 0.975 at 100k (0.980 re-ranked), at 1M 0.955 at efSearch 256 and 0.977 at
1024 (10 ms): its graph misses neighbours of questions that lie far from every passage, and
making it took an hour at 1M; RaBitQ fast scan: 0.998 at 1M but 17 ms; PQ192x4fs: 0.999
but ~50 ms (a first probe on vectors made the same way, the machine heavily loaded); IVF:
those far questions' neighbours spread over many lists (IVF-SQ8 at 20k: 0.96 with a quarter
of the lists probed).
Deleted vectors stay in the approximate index and are filtered out of its results until the
index is made again (embedded.py does so when they pass DELETED_LIMIT of it).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

logger = logging.getLogger(__name__)
TRAIN_SAMPLE = 50_000  # vectors the quantizers learn from (an even sample of the stored ones)
PQ_PARTS = 96  # codes of 96 4-bit parts (for 384 dimensions; fewer where 96 does not divide)
RERANK = 50  # candidates the approximate index returns for re-ranking by exact vectors
K_FACTOR = 40  # ... from K_FACTOR times as many fast-scan candidates, re-ranked by SQ4
MIN_TRAIN = 1_024  # the product quantizer learns 16 centroids a part: FAISS wants 624+ points
DELETED_LIMIT = 0.1
ROOM = 20_000  # vectors' room kept ahead (at least; 10% of the index when larger)


class VectorIndex:
    def __init__(self, index: faiss.IndexIDMap2, deleted: set[int] | None = None) -> None:
        self._index = index
        self._deleted: set[int] = deleted or set()
        self.capacity = int(index.ntotal)

    @property
    def room(self) -> int:
        """Vectors that can still be added without the arrays being reallocated."""
        return self.capacity - int(self._index.ntotal)

    def reserve(self) -> None:
        """Room for ROOM (or 10%) more vectors. FAISS keeps vectors in growing arrays: the add
        that outgrows one copies it whole, briefly twice its memory (at 1M passages several
        hundred MB on one add). Growing them here, off the add path, and shrinking them again
        keeps the room (the arrays keep their capacity). The fast-scan codes (48 bytes a
        vector) grow by doubling on their own."""
        n = int(self._index.ntotal)
        extra = max(ROOM, n // 10)
        inner = faiss.downcast_index(self._index.index)
        if isinstance(inner, faiss.IndexRefine):
            inner = faiss.downcast_index(inner.refine_index)
        array = inner.codes
        size = array.size()
        array.resize(size + extra * inner.code_size)
        array.resize(size)
        self.capacity = n + extra

    @classmethod
    def empty(cls, dimension: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)))

    @classmethod
    def approximate(cls, sample: np.ndarray) -> VectorIndex:
        """An empty approximate index whose quantizers learned from `sample` (normalized
        rows). A small sample (a test's library with a low threshold) is repeated with a little
        noise: the product quantizer needs at least 16 points per part to learn from."""
        sample = np.ascontiguousarray(sample, dtype=np.float32)
        if len(sample) < MIN_TRAIN:
            rng = np.random.default_rng(0)
            rows = sample[rng.integers(0, len(sample), MIN_TRAIN)]
            rows = rows + rng.normal(0, 0.01, rows.shape).astype(np.float32)
            sample = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        d = sample.shape[1]
        parts = max(m for m in range(1, PQ_PARTS + 1) if d % m == 0)
        inner = faiss.index_factory(d, f"PQ{parts}x4fs,Refine(SQ4)", faiss.METRIC_INNER_PRODUCT)
        index = faiss.IndexIDMap2(inner)
        faiss.omp_set_num_threads(1)  # see add()
        index.train(sample)
        return cls(index)

    @property
    def approximate_kind(self) -> bool:
        return isinstance(faiss.downcast_index(self._index.index), faiss.IndexRefine)

    @property
    def deleted_fraction(self) -> float:
        return len(self._deleted) / max(1, int(self._index.ntotal))

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal) - len(self._deleted)

    def ids(self) -> set[int]:
        return {int(i) for i in faiss.vector_to_array(self._index.id_map)} - self._deleted

    def add(self, ids: list[int] | np.ndarray, vectors: np.ndarray) -> None:
        # On one thread, like search(): on 2 busy cores FAISS's OpenMP threads wait on each
        # other (training on 2,500 vectors: 43 s on 2 threads under load, 1.7 s on 1); making
        # an index is background work, and one core stays free for questions.
        faiss.omp_set_num_threads(1)
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
        wanted = {int(i) for i in ids} - self._deleted
        self._deleted |= {i for i in wanted if self._holds(i)}

    def _holds(self, passage_id: int) -> bool:
        """Whether the index holds `passage_id`: a lookup in IndexIDMap2's id -> position map
        (its reconstruct fails for an id it lacks), so a removal costs what it removes
        (listing the whole id map took ~90 ms a removal at 1M passages)."""
        try:
            self._index.reconstruct(passage_id)
        except RuntimeError:
            return False
        return True

    def search(
        self,
        query: np.ndarray,
        k: int,
        exact: Callable[[list[int]], dict[int, float]] | None = None,
    ) -> dict[int, float]:
        """Top `k` passages for one normalized query vector: {passage id: cosine}. The
        approximate index's best max(k, RERANK) are re-ranked by `exact` (the cosine with
        each id's stored vector) where given, else by their 4-bit copies."""
        if len(self) == 0:
            return {}
        # One query on OpenMP threads costs more than it gains, and on a busy machine far more
        # (measured at 10k passages, 2 cores, under load: p95 32 ms on 2 threads, 5 ms on 1).
        # The setting is per calling thread, so this leaves other work's threads alone.
        faiss.omp_set_num_threads(1)
        if not self.approximate_kind:
            return self._search(query, min(k, len(self)), None)
        params = faiss.IndexRefineSearchParameters(k_factor=K_FACTOR)
        want = min(max(k, RERANK), len(self))
        asked, total = want, int(self._index.ntotal)
        while True:  # deleted ids are dropped: asked for more until enough are left
            found = self._search(query, asked, params)
            kept = {i: s for i, s in found.items() if i not in self._deleted}
            if len(kept) >= want or asked >= total:
                break
            asked = min(asked * 4, total)
        if exact is not None:
            kept.update(exact(list(kept)))
        best = sorted(kept.items(), key=lambda item: -item[1])[:k]
        return dict(best)

    def _search(
        self, query: np.ndarray, k: int, params: faiss.SearchParameters | None
    ) -> dict[int, float]:
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
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
        inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else None
        if not isinstance(inner, (faiss.IndexFlat, faiss.IndexRefine)):
            # e.g. the HNSW index of before: the checkpoint is not used, the index is made anew
            kind = type(inner if inner is not None else index).__name__
            raise ValueError(f"unexpected FAISS index {kind}")
        deleted = np.load(path.with_name(path.name + ".deleted.npy"))
        return cls(index, {int(i) for i in deleted})
