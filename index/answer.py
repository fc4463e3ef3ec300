"""Picking the quote: the best sentence (or two) of the top passages, verbatim, or an abstention.

Each sentence of the top passages is scored by how close it is to the question in the embedding
space, by how much of the question's (idf-weighted, stemmed) vocabulary it holds, and by its
passage's retrieval score. The best sentence is the key sentence; a neighbour joins it when the
two fit in `max_chars`, because answers often sit just before or after the sentence that shares
the question's words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .embedder import Embedder
from .lexical import LexicalIndex, analyze
from .models import Answer, Hit, Source


@dataclass(frozen=True)
class AnswerConfig:
    candidates: int = 3  # passages whose sentences compete for the quote
    max_chars: int = 300
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    passage_weight: float = 0.5
    threshold: float = 0.0  # below this confidence the answer abstains


@dataclass(frozen=True)
class _Sentence:
    hit: int  # index into hits
    index: int  # index into the passage's sentences
    score: float


def answer_question(question: str, language: str, hits: list[Hit], query_vector: np.ndarray,
                    embedder: Embedder, lexical: LexicalIndex, config: AnswerConfig,
                    *, k: int = 3) -> Answer:  # fmt: skip
    if not hits:
        return Answer(question=question, language=language, abstained=True)
    top = hits[: config.candidates]
    spans = [(h, i) for h, hit in enumerate(top) for i in range(len(hit.passage.sentences))]
    texts = [_sentence_text(top[h], i) for h, i in spans]
    dense = embedder.encode(texts) @ query_vector
    coverage = [_coverage(question, text, top[h].passage.language, lexical)
                for (h, _), text in zip(spans, texts, strict=True)]  # fmt: skip
    best_passage = top[0].score or 1.0
    scored = [
        _Sentence(h, i, config.dense_weight * float(d) + config.lexical_weight * c
                  + config.passage_weight * top[h].score / best_passage)
        for (h, i), d, c in zip(spans, dense, coverage, strict=True)
    ]  # fmt: skip
    by_key = {(s.hit, s.index): s.score for s in scored}
    best = max(scored, key=lambda s: s.score)
    hit = top[best.hit]
    confidence = _confidence(question, hit, query_vector, lexical)
    sources = (Source(hit.article, hit.passage, hit.score),) + tuple(
        Source(h.article, h.passage, h.score) for h in hits[:k] if h is not hit
    )[: max(k - 1, 0)]
    if confidence < config.threshold:
        return Answer(question, language, True, confidence=confidence, hits=tuple(hits))
    quote, key = _quote(hit, best.index, config.max_chars,
                        lambda i: by_key.get((best.hit, i), float("-inf")))  # fmt: skip
    return Answer(question, language, False, quote, key, confidence, sources, tuple(hits))


def _sentence_text(hit: Hit, index: int) -> str:
    start, end = hit.passage.sentences[index]
    return hit.passage.text[start:end]


def _coverage(question: str, text: str, language: str, lexical: LexicalIndex) -> float:
    """The idf-weighted share of the question's terms that occur in `text`."""
    terms = set(analyze(question, language))
    if not terms:
        return 0.0
    idf = lexical.idf(language, terms)
    present = set(analyze(text, language))
    total = sum(idf.values()) or 1.0
    return sum(w for t, w in idf.items() if t in present) / total


def _confidence(question: str, hit: Hit, query_vector: np.ndarray, lexical: LexicalIndex) -> float:
    coverage = _coverage(question, hit.passage.text, hit.passage.language, lexical)
    return max(coverage, hit.dense)


def _quote(hit: Hit, index: int, max_chars: int, score) -> tuple[str, tuple[int, int]]:  # noqa: ANN001
    """The key sentence, plus the better-scoring neighbour when both fit in `max_chars`."""
    spans = hit.passage.sentences
    text = hit.passage.text
    start, end = spans[index]
    neighbours = [i for i in (index - 1, index + 1) if 0 <= i < len(spans)]
    neighbours = [i for i in neighbours if max(end, spans[i][1]) - min(start, spans[i][0]) <= max_chars]
    if neighbours:
        other = max(neighbours, key=score)
        lo, hi = min(start, spans[other][0]), max(end, spans[other][1])
        return text[lo:hi], (start - lo, end - lo)
    return text[start:end], (0, end - start)
