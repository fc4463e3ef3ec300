"""The storage of index.bm25.LanguageIndex: growable arrays and immutable CSR postings segments
(see bm25.py for why the index is written here)."""

from __future__ import annotations

import numpy as np


class Grow:
    """A numpy array that grows by doubling; `view` is the filled part."""

    def __init__(self, dtype: type, data: np.ndarray | None = None) -> None:
        self.data = np.zeros(16, dtype=dtype) if data is None else data
        self.size = 0 if data is None else len(data)

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.size]

    def extend(self, values: np.ndarray) -> None:
        while self.size + len(values) > len(self.data):
            self.data = np.concatenate([self.data, np.zeros_like(self.data)])
        self.data[self.size : self.size + len(values)] = values
        self.size += len(values)

    def append(self, value: float | bool) -> None:
        if self.size == len(self.data):
            self.data = np.concatenate([self.data, np.zeros_like(self.data)])
        self.data[self.size] = value
        self.size += 1


class Segment:
    """Immutable CSR postings: sorted term ids, each one's slice of doc numbers and term
    frequencies (6 bytes a posting)."""

    def __init__(
        self, terms: np.ndarray, indptr: np.ndarray, docs: np.ndarray, tfs: np.ndarray
    ) -> None:
        self.terms, self.indptr, self.docs, self.tfs = terms, indptr, docs, tfs

    @classmethod
    def of(cls, term_ids: np.ndarray, docs: np.ndarray, tfs: np.ndarray) -> Segment:
        """From one (term id, doc, tf) row per posting, in any order."""
        order = np.lexsort((docs, term_ids))
        term_ids, docs, tfs = term_ids[order], docs[order], tfs[order]
        terms, starts = np.unique(term_ids, return_index=True)
        indptr = np.append(starts, len(term_ids)).astype(np.int64)
        return cls(terms.astype(np.int32), indptr, docs.astype(np.int32), tfs.astype(np.uint16))

    @property
    def doc_count(self) -> int:
        return len(np.unique(self.docs)) if len(self.docs) else 0

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray] | None:
        j = int(np.searchsorted(self.terms, term))
        if j == len(self.terms) or self.terms[j] != term:
            return None
        a, b = self.indptr[j], self.indptr[j + 1]
        return self.docs[a:b], self.tfs[a:b]

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.repeat(self.terms, np.diff(self.indptr)), self.docs, self.tfs
