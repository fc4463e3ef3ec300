"""The embedded backend's reads: SQLite for records, the live in-memory indexes for search."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..lexical import LexicalIndex
from ..locking import ReadWriteLock
from ..models import Article, Passage
from .base import Counts

if TYPE_CHECKING:
    from ..store import Store


class EmbeddedReads:
    store: Store
    _live: Any  # embedded._Live | None
    _rw: ReadWriteLock
    _checkpointing: threading.Thread | None
    _storing: threading.Thread | None

    @property
    def model(self) -> str | None:
        return self.store.meta("model")

    def find_duplicate(self, canonical_url: str | None, content_hash: str) -> Article | None:
        return self.store.find_duplicate(canonical_url, content_hash)

    def get_article(self, article_id: int) -> Article | None:
        return self.store.get_article(article_id)

    def articles(self, ids: set[int]) -> dict[int, Article]:
        return self.store.articles(ids)

    def list_articles(self, offset: int, limit: int) -> list[Article]:
        return self.store.list_articles(offset, limit)

    def iter_articles(self, batch: int = 500) -> Iterator[list[Article]]:
        before = None
        while page := self.store.articles_before(before, batch):
            yield page
            if len(page) < batch:
                return
            before = page[-1].id

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]:
        return self.store.passages(list(ids))

    def article_passages(self, article_id: int) -> list[Passage]:
        return self.store.article_passages(article_id)

    def article_text(self, article_id: int) -> str | None:
        return self.store.article_text(article_id)

    def iter_passages(self, batch: int = 256) -> Iterator[list[Passage]]:
        every = sorted(self.store.passage_ids())
        for start in range(0, len(every), batch):
            found = self.store.passages(every[start : start + batch])
            yield [found[i] for i in sorted(found)]

    def sentence_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        model = self.model
        if model is None or not ids:
            return {}
        live = self._live
        dimension = live.vectors.dimension if live and live.vectors else None
        if dimension is None:
            return {}
        return self.store.sentence_vectors(list(ids), model, dimension)

    def dense_search(self, vector: np.ndarray, k: int) -> dict[int, float]:
        live = self._live
        if live is None or live.vectors is None:
            return {}
        with self._rw.reading():
            # The approximate index's candidates re-ranked by the stored vectors (exact).
            return live.vectors.search(vector, k, lambda ids: self.dense_scores(vector, ids))

    def dense_scores(self, vector: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """From the stored passage vectors (float16): exact whichever index is in use."""
        stored = self.store.passage_vectors(list(ids))
        q = np.asarray(vector, dtype=np.float32).ravel()
        return {i: float(v @ q) for i, v in stored.items() if len(v) == len(q)}

    def lexical_search(
        self, question: str, k: int, language: str | None = None
    ) -> dict[int, float]:
        live = self._live
        if live is None:
            return {}
        with self._rw.reading():
            return live.lexical.search(question, k, language)

    def idf(self, language: str, terms: Iterable[str]) -> dict[str, float]:
        live = self._live
        lexical = live.lexical if live is not None else LexicalIndex()
        with self._rw.reading():
            return lexical.idf(language, terms)

    @property
    def languages(self) -> list[str]:
        live = self._live
        return live.lexical.languages if live is not None else []

    @property
    def dimension(self) -> int | None:
        live = self._live
        return live.vectors.dimension if live is not None and live.vectors is not None else None

    def counts(self) -> Counts:
        articles, passages, languages = self.store.counts()
        live = self._live
        vectors = len(live.vectors) if live is not None and live.vectors is not None else 0
        lexical = len(live.lexical) if live is not None else 0
        return Counts(articles, passages, vectors, languages, lexical)

    def searched(self) -> int:
        live = self._live
        if live is None:
            return 0
        return len(live.vectors) if live.vectors is not None else len(live.lexical)

    def close(self) -> None:
        for thread in (self._checkpointing, self._storing):  # a checkpoint, terms being stored
            if thread is not None:
                thread.join()
        self.store.close()
