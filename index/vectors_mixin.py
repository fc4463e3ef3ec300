"""Sentence vectors for a Library: embedding passages' sentences (on adding, for answer
selection where none are stored) and `rebuild`, which embeds and analyzes every passage afresh."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import analysis_backfill
from .chunking import Chunk
from .embedder import Embedder
from .lexical import passage_terms
from .models import Passage, Stats
from .storage import Reindexed
from .storage.base import passage_vectors

if TYPE_CHECKING:
    from .article_cache import ArticleCache
    from .storage import StorageBackend


class VectorsMixin:
    backend: StorageBackend
    embedder: Embedder
    _articles: ArticleCache
    _vectors: str  # the name the stored vectors are known by

    def stats(self) -> Stats:
        raise NotImplementedError

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> Stats:
        """Re-embed every passage (e.g. after a model change) and analyze its terms and each
        article's sentences afresh; questions keep using the old vectors until the new ones
        are all stored."""
        total = self.backend.counts().passages
        self.backend.reindex(
            self._vectors, self.embedder.dimension, self._reindexed(total, progress)
        )
        analysis_backfill.backfill(self.backend, every=True)  # the sentence analyses too
        self._articles.clear()
        return self.stats()

    def _reindexed(
        self, total: int, progress: Callable[[int, int], None] | None
    ) -> Iterator[list[Reindexed]]:
        done = 0
        for batch in self.backend.iter_passages(256):
            found = self._encode_sentences(batch)
            vectors = passage_vectors(found)
            # An article's first passage holds its title's terms too (lexical.passage_terms).
            firsts = self.backend.articles({p.article_id for p in batch if p.ordinal == 0})
            titles = [getattr(firsts.get(p.article_id), "title", None) for p in batch]
            titles = [t if p.ordinal == 0 else None for t, p in zip(titles, batch, strict=True)]
            yield [
                Reindexed(p.id, vectors[i], found[i], passage_terms(p.text, p.language, titles[i]))
                for i, p in enumerate(batch)
            ]
            done += len(batch)
            if progress:
                progress(done, total)

    def _stored_or_encoded(self, passages: list[Passage]) -> dict[int, np.ndarray]:
        """Sentence vectors by passage id: as stored when added, else (passages stored before
        they were, or by another model) embedded now."""
        stored = self.backend.sentence_vectors([p.id for p in passages])
        counts = {p.id: len(p.sentences) for p in passages}
        found = {i: v for i, v in stored.items() if len(v) == counts[i]}
        rest = [p for p in passages if p.id not in found]
        if rest:
            found.update(zip([p.id for p in rest], self._encode_sentences(rest), strict=True))
        return found

    def _encode_sentences(self, passages: Sequence[Chunk | Passage]) -> list[np.ndarray]:
        """Each passage's sentence vectors, from one encode call over all their sentences."""
        flat = self.embedder.encode_documents(
            [p.text[a:b] for p in passages for a, b in p.sentences]
        )
        return _split(flat, [len(p.sentences) for p in passages])


def _split(flat: np.ndarray, counts: list[int]) -> list[np.ndarray]:
    """Consecutive row blocks of `flat`, `counts[i]` rows each."""
    bounds = np.cumsum([0, *counts])
    return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
