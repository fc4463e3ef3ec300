"""FAISS, keyed by passage id; knows no text. Exact while small, approximate when large.

Below `ann_threshold` passages: exact inner product on float32 (cosine on normalized vectors).
Above it: an inverted-file index with 8-bit scalar quantization (IVF-SQ8, 392 bytes a vector
instead of 1,536), probing enough lists for >= 0.98 recall@10 against exact search (measured in
`make bench`). Both take adds and deletions in place (IVF removes ids from its lists).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import faiss
import numpy as np

logger = logging.getLogger(__name__)
TRAIN_SAMPLE = 64  # training vectors per IVF list


def ivf_lists(count: int) -> int:
    """IVF lists for a library of `count` passages: about sqrt(count), at least 256 (fewer
    only for tiny libraries: k-means wants 39 vectors a list)."""
    lists = int(min(max(256, 2 ** round(np.log2(max(count, 1)) / 2)), 8192))
    return max(1, min(lists, count // 39))


class VectorIndex:
    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        # The fraction of IVF lists probed per query: set for the recall target, see the bench.
        self.nprobe = max(16, getattr(index, "nlist", 0) // 16)

    @classmethod
    def empty(cls, dimension: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)))

    @classmethod
    def approximate(cls, sample: np.ndarray, lists: int) -> VectorIndex:
        """An empty IVF-SQ8 index trained on `sample` (normalized rows)."""
        dimension = sample.shape[1]
        quantizer = faiss.IndexFlatIP(dimension)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dimension, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        index.cp.seed = 1234  # the same sample trains the same index in every process
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        return cls(index)

    @property
    def approximate_kind(self) -> bool:
        return isinstance(self._index, faiss.IndexIVF)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> set[int]:
        if isinstance(self._index, faiss.IndexIDMap2):
            return {int(i) for i in faiss.vector_to_array(self._index.id_map)}
        invlists = self._index.invlists
        out: set[int] = set()
        for j in range(self._index.nlist):
            size = invlists.list_size(j)
            if size:
                ids = faiss.rev_swig_ptr(invlists.get_ids(j), size)
                out.update(int(i) for i in ids)
        return out

    def add(self, ids: list[int] | np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64)
            )

    def remove(self, ids: list[int] | np.ndarray) -> None:
        if len(ids):
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, query: np.ndarray, k: int) -> dict[int, float]:
        """Top `k` passages for one normalized query vector: {passage id: cosine}."""
        if len(self) == 0:
            return {}
        # One query on OpenMP threads costs more than it gains, and on a busy machine far more
        # (measured at 10k passages, 2 cores, under load: p95 32 ms on 2 threads, 5 ms on 1).
        # The setting is per calling thread, so this leaves other work's threads alone.
        faiss.omp_set_num_threads(1)
        params = faiss.SearchParametersIVF(nprobe=self.nprobe) if self.approximate_kind else None
        scores, ids = self._index.search(
            query.reshape(1, -1).astype(np.float32), min(k, len(self)), params=params
        )
        return {int(i): float(s) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0}

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        index = faiss.read_index(str(path))  # already of its own class (downcast would free it)
        if isinstance(index, faiss.IndexIDMap2):
            pass
        elif not isinstance(index, faiss.IndexIVFScalarQuantizer):
            raise ValueError(f"unexpected FAISS index {type(index).__name__}")
        return cls(index)
