"""Library.ask / ask_many / search: hybrid retrieval, answer selection (index.answer) and the
preference for recent articles (index.recency, index.timeexpr)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np

from . import ranker, recency
from .answer import answer_question
from .article_cache import ArticleCache
from .embedder import Embedder
from .errors import BadInput
from .followup import needs_context
from .language import detect_language
from .models import Answer, Article, Hit
from .search import POOL, hybrid_search
from .storage.views import View
from .timeexpr import TimeQuery, when

if TYPE_CHECKING:
    from .library import LibraryConfig
    from .storage import StorageBackend

# Answers whose confidence (index.answer) is within this of the best are "about equally good":
# of those the newest is quoted. Chosen on the news dev set (README, "Recency"): wider bands
# let a newer article on a neighbouring topic win.
TOLERANCE = 0.05
LATEST_TOLERANCE = 0.15  # the same for a question asking for the latest ("neueste", "now")


class AskMixin:
    config: LibraryConfig
    backend: StorageBackend
    embedder: Embedder
    _articles: ArticleCache
    clock: Callable[[], datetime]  # now, in the library's time zone

    def _current(self) -> View:
        raise NotImplementedError

    def ask(self, question: str, *, k: int = 3, context: str | None = None) -> Answer:
        """Answer with a verbatim quote, or abstain. `context`: the chat's previous question; it
        is used only when the question cannot stand alone (index.followup) or alone finds
        nothing while the two together do. `Answer.follow_up` says whether it was used."""
        return self.ask_many([question], k=k, context=context)[0]

    def ask_many(
        self, questions: Sequence[str], *, k: int = 3, context: str | None = None
    ) -> list[Answer]:
        """`ask` for each question; their embeddings are computed in batches, which is faster."""
        questions = [" ".join(q.split()) for q in questions]
        for number, question in enumerate(questions, 1):
            if not question:
                raise BadInput(
                    "the question is empty"
                    if len(questions) == 1
                    else f"question {number} is empty"
                )
        snapshot = self._current()
        combined = [f"{context} {q}" for q in questions] if context else []
        vectors = self.embedder.encode([*questions, *combined]) if questions else []
        answers = []
        for i, question in enumerate(questions):
            alone = (snapshot, question, question, vectors[i], k, None)
            if not context:
                answers.append(self._answer(*alone))
                continue
            together = (snapshot, question, combined[i], vectors[len(questions) + i], k, context)
            hints = tuple(snapshot.lexical.languages)
            if needs_context(question, detect_language(question, hints=hints)):
                answers.append(self._answer(*together))
                continue
            answer = self._answer(*alone)
            if answer.abstained:  # alone it finds nothing: perhaps the two together do
                second = self._answer(*together)
                answer = answer if second.abstained else second
            answers.append(answer)
        return answers

    def _answer(
        self,
        snapshot: View,
        question: str,
        query: str,
        query_vector: np.ndarray,
        k: int,
        context: str | None,
    ) -> Answer:
        language = detect_language(question, hints=tuple(snapshot.lexical.languages))
        time = when(question, self.clock())
        wanted = max(k, self.config.answer.candidates)
        scored = hybrid_search(
            snapshot.vectors,
            snapshot.lexical,
            query_vector,
            query,
            # A range that restricts: the candidates are those of the range, from a wider pool.
            k=max(wanted, POOL) if time.restricts else wanted,
        )
        hits = self._hits(scored)
        if time.restricts:
            hits = [h for h in hits if time.covers(published(h.article))][:wanted]

        def answer(only: Callable[[Article], bool] | None = None) -> Answer:
            return answer_question(
                question,
                language,
                hits,
                query_vector,
                self._articles.get,
                snapshot.lexical.idf,
                self.config.answer,
                ranker.weights(self.embedder.name),
                k=k,
                context=context,
                only=only,
            )

        chosen = prefer_recent(answer(), hits, time, answer)
        return replace(
            chosen, follow_up=context is not None, period=time.expression if time.restricts else ""
        )

    def search(self, question: str, *, k: int = 5) -> list[Hit]:
        snapshot = self._current()
        query_vector = self.embedder.encode([question])[0]
        return self._hits(
            hybrid_search(snapshot.vectors, snapshot.lexical, query_vector, question, k=k)
        )

    def _hits(self, scored: Iterable[tuple[int, float, float, float]]) -> list[Hit]:
        scored = list(scored)
        passages = self.backend.passages([s[0] for s in scored])
        articles = self.backend.articles({p.article_id for p in passages.values()})
        return [
            Hit(passages[pid], articles[passages[pid].article_id], score, dense, lexical)
            for pid, score, dense, lexical in scored
            if pid in passages and passages[pid].article_id in articles
        ]


def published(article: Article) -> date | None:
    """The article's publication day (the day it was added, when no other was found)."""
    return recency.parse_day(article.published) or recency.parse_day(article.added_at)


def prefer_recent(
    first: Answer,
    hits: list[Hit],
    time: TimeQuery,
    answer: Callable[[Callable[[Article], bool] | None], Answer],
) -> Answer:
    """Of the answers about equally good, the newest (or the one from the range the question
    names): `first` (answer selection's choice among the candidate articles) against the best
    answer from each candidate article newer than its article, ranked by index.recency.rank on
    their confidence. Only those newer articles are asked again (a few milliseconds each: their
    sentences are cached), and answer selection takes them only from the articles it would have
    considered anyway (retrieval scores near the best)."""
    if first.abstained or not first.sources:
        return first

    def key(article: Article) -> tuple[bool, date]:
        day = published(article)
        return time.within(day), day or date.min

    chosen = key(first.sources[0].article)
    newer = {h.article.id: h.article for h in hits if key(h.article) > chosen}
    candidates = [first]
    for article_id in newer:
        other = answer(lambda a, wanted=article_id: a.id == wanted)
        if not other.abstained and other.sources:
            candidates.append(other)
    if len(candidates) == 1:
        return first
    ranked = recency.rank(
        candidates,
        time,
        published=lambda a: published(a.sources[0].article),
        score=lambda a: a.confidence,
        tolerance=TOLERANCE,
        latest_tolerance=LATEST_TOLERANCE,
    )
    return ranked[0] if ranked else first
