"""Storing the sentence analysis (index.sentence_analysis) of articles stored without one: those
added before it was stored, or analyzed by other rules (`articlebot analyze`, and `articlebot
rebuild` after re-embedding). Safe while the bot runs: each batch is one short write; answering
meanwhile computes what is not stored yet, exactly as it would be stored."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .sentence_analysis import VERSION, analyze_sentences, encode
from .storage.base import StorageBackend

logger = logging.getLogger(__name__)
BATCH = 100  # articles analyzed, then stored in one transaction


def backfill(
    backend: StorageBackend,
    progress: Callable[[int, int], None] | None = None,
    *,
    every: bool = False,
) -> int:
    """Analyze and store every article without an analysis of this VERSION (`every`: every
    article); returns how many were stored (articles deleted meanwhile are skipped)."""
    todo = backend.unanalyzed("" if every else VERSION)  # no analysis is of version ""
    done = stored = 0
    for start in range(0, len(todo), BATCH):
        batch = [(i, data) for i in todo[start : start + BATCH] if (data := _one(backend, i))]
        if batch:
            backend.put_sentence_analysis(VERSION, batch)
            stored += len(batch)
        done = min(start + BATCH, len(todo))
        if progress:
            progress(done, len(todo))
    if stored:
        logger.info("stored the sentence analysis of %d articles", stored)
    return stored


def _one(backend: StorageBackend, article_id: int) -> bytes | None:
    """The article's analysis for the sentence spans of its stored passages (as answer
    selection reads them, index.sentences), None if it is gone."""
    passages = backend.article_passages(article_id)
    text = backend.article_text(article_id)
    if not passages or text is None:
        return None
    spans = sorted({(p.start + a, p.start + b) for p in passages for a, b in p.sentences})
    return encode(analyze_sentences(text, spans, passages[0].language))
