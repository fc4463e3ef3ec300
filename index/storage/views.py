"""Read-only views of a backend shaped like the index objects of before (`vectors.search`,
`lexical.idf`, ...): what hybrid search, answer selection, the evaluation and the benchmarks
call, whichever backend stores the library."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .base import StorageBackend


@dataclass(frozen=True)
class DenseView:
    backend: StorageBackend

    def search(self, query: np.ndarray, k: int) -> dict[int, float]:
        return self.backend.dense_search(query, k)

    def scores(self, query: np.ndarray, ids: list[int]) -> dict[int, float]:
        return self.backend.dense_scores(query, ids) if ids else {}

    def __len__(self) -> int:
        return self.backend.counts().vectors

    def searched(self) -> int:
        """The passages a question is searched among (StorageBackend.searched: cheap)."""
        return self.backend.searched()


@dataclass(frozen=True)
class LexicalView:
    backend: StorageBackend

    def search(self, question: str, k: int, language: str | None = None) -> dict[int, float]:
        return self.backend.lexical_search(question, k, language)

    def idf(self, language: str, terms: Iterable[str]) -> dict[str, float]:
        return self.backend.idf(language, terms)

    @property
    def languages(self) -> list[str]:
        return self.backend.languages

    def __len__(self) -> int:
        return self.backend.counts().lexical


@dataclass(frozen=True)
class View:
    """What `Library._current()` returns."""

    vectors: DenseView
    lexical: LexicalView
    model: str
    dimension: int
