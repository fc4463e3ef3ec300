"""Picking the quote: the best sentence or two from the top passages, verbatim, or an abstention."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .embedder import Embedder
from .models import Answer, Hit, Source


@dataclass(frozen=True)
class AnswerConfig:
    candidates: int = 5  # passages whose sentences compete for the quote
    max_chars: int = 300
    threshold: float = 0.0


def answer_question(question: str, language: str, hits: list[Hit], query_vector: np.ndarray,
                    embedder: Embedder, config: AnswerConfig, *, k: int = 3) -> Answer:  # fmt: skip
    """Placeholder: the first sentence of the top passage."""
    if not hits:
        return Answer(question=question, language=language, abstained=True)
    top = hits[0]
    s, e = top.passage.sentences[0]
    quote = top.passage.text[s:e]
    sources = tuple(Source(h.article, h.passage, h.score) for h in hits[:k])
    return Answer(question, language, False, quote, (0, len(quote)), top.score, sources)
