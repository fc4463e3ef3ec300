"""A bounded cache of articles' sentences for answer selection (see sentences.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from . import sentence_analysis
from .models import Answer, Hit, Passage
from .sentences import ArticleSentences
from .storage.base import StorageBackend

ARTICLES = 2_000  # articles whose sentences stay in memory


class ArticleCache:
    """`get(hits)`: the sentences of each hit's article, built from the stored passages,
    sentence vectors and sentence analysis on first use, then kept (least recently used out
    first). Articles are never changed once stored, only deleted, so an entry is valid until
    `forget`."""

    def __init__(
        self,
        store: StorageBackend,
        vectors: Callable[[list[Passage]], dict[int, np.ndarray]],
        size: int = ARTICLES,
    ) -> None:
        self._store = store
        self._vectors = vectors
        self._size = size
        self._cache: OrderedDict[int, ArticleSentences] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, hits: list[Hit]) -> list[ArticleSentences]:
        return [self._one(hit) for hit in hits]

    def quoted(self, answer: Answer) -> ArticleSentences:
        """The article `answer` quotes (its first source)."""
        source = answer.sources[0]
        return self._one(Hit(source.passage, source.article, source.score, 0.0, 0.0))

    def _one(self, hit: Hit) -> ArticleSentences:
        article_id = hit.article.id
        with self._lock:
            cached = self._cache.get(article_id)
            if cached is not None:
                self._cache.move_to_end(article_id)
                return cached
        passages = self._store.article_passages(article_id)
        built = ArticleSentences.build(
            article_id,
            hit.passage.language,
            self._store.article_text(article_id) or "",
            passages,
            self._vectors(passages),
            hit.article.title,
            # Stored when it was added (None for older articles: then computed now).
            sentence_analysis.decode(self._store.sentence_analysis(article_id)),
        )
        with self._lock:
            self._cache[article_id] = built
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return built

    def forget(self, article_id: int) -> None:
        with self._lock:
            self._cache.pop(article_id, None)

    def clear(self) -> None:
        """After a re-index: the stored vectors changed."""
        with self._lock:
            self._cache.clear()
