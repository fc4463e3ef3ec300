"""Library.ask / ask_many / search: hybrid retrieval, answer selection (index.answer) and the
preference for recent articles (index.preference, index.timeexpr)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from . import ranker
from .answer import AnswerConfig, answer_question
from .article_cache import ArticleCache
from .claims import (
    Relation,
    days_between,
    figure_told,
    quote_cosines,
    relation,
    stated,
    states_like,
)
from .embedder import Embedder
from .errors import BadInput
from .figures import comparable
from .followup import needs_context
from .language import detect_language
from .lexical import analyze
from .models import Answer, Hit
from .preference import FURTHER, SAME_CLAIM_TOLERANCE, prefer_recent, published
from .qtype import content
from .reader import Reader, ReaderUnavailable, load_reader
from .search import POOL, hybrid_search, lexical_ahead
from .storage.views import View
from .story import STORY_HITS, STORY_QUERY, continues, rare_names
from .timeexpr import when

if TYPE_CHECKING:
    from .library import LibraryConfig
    from .sentences import ArticleSentences
    from .storage import StorageBackend

log = logging.getLogger(__name__)
_READER_WARNED: list[bool] = []  # the reader's absence is logged once per process


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
        ahead = lexical_ahead(snapshot.lexical, questions)
        vectors = self.embedder.encode([*questions, *combined]) if questions else []
        answers = []
        for i, question in enumerate(questions):
            alone = (snapshot, question, question, vectors[i], k, None, ahead[question])
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
                if not second.abstained and self._speaks_of(second, question):
                    answer = second
            answers.append(answer)
        return answers

    def reader(self) -> Reader | None:
        """The reader (index.reader), loaded on first use; None where it is turned off
        (READER=0, the default) or cannot load (said once in the log; answers then come from the
        ranker alone)."""
        if not self.config.answer.reader_weight:
            return None
        try:
            return load_reader()
        except ReaderUnavailable as error:
            if not _READER_WARNED:
                _READER_WARNED.append(True)
                log.warning("answering without the reader: %s", error)
            return None

    def _speaks_of(self, answer: Answer, question: str) -> bool:
        """Whether the article `answer` quotes holds one of `question`'s own content words: a
        question read with the previous one must still be about something in the answer ("Wo
        sitzt FACC?" after a question on another article is not answered from that one)."""
        quoted = answer.sources[0].article.id
        hit = next((h for h in answer.hits if h.article.id == quoted), None)
        if hit is None:
            return True
        article = self._articles.get([hit])[0]
        own = set(analyze(content(question), article.language))
        return bool(own & (article.terms.vocabulary.keys() | article.title_terms))

    def _answer(
        self,
        snapshot: View,
        question: str,
        query: str,
        query_vector: np.ndarray,
        k: int,
        context: str | None,
        ahead: Future | None = None,
    ) -> Answer:
        language = detect_language(question, hints=tuple(snapshot.lexical.languages))
        time = when(question, self.clock())
        wanted = max(k, self.config.answer.candidates)
        # The whole pool is fused anyway; only the first `wanted` become hits unless recency
        # looks further for a newer report of the same claim (`further`).
        scored = hybrid_search(
            snapshot.vectors,
            snapshot.lexical,
            query_vector,
            query,
            k=max(wanted, POOL),
            ahead=ahead,
        )
        hits = self._hits(scored if time.restricts else scored[:wanted])
        if time.restricts:
            # A range that restricts: the candidates are those of the range, from the pool.
            hits = [h for h in hits if time.covers(published(h.article))][:wanted]
        pool: list[Hit] = []  # the hits further down (`further`), fetched once
        told: list[Hit] = []  # later reports of the first answer's story (`reports`)

        def further() -> list[Hit]:
            if not time.restricts and not pool:
                pool.extend(self._hits(scored[wanted:FURTHER]))
            return pool

        memo: dict = {}  # the articles scored for this question: `alone` reuses them
        searched = snapshot.vectors.searched()

        def answer(
            among: list[Hit],
            config: AnswerConfig = self.config.answer,
            keep: Callable[[ArticleSentences, int, int], bool] | None = None,
        ) -> Answer:
            return answer_question(
                question,
                language,
                among,
                query_vector,
                self._articles.get,
                snapshot.lexical.idf,
                config,
                ranker.weights(self.embedder.name),
                k=k,
                context=context,
                memo=memo,
                passages=searched,
                reader=self.reader(),
                keep=keep,
            )

        def alone(article_id: int, lenient: bool = False) -> Answer:
            mine = [h for h in itertools.chain(hits, pool, told) if h.article.id == article_id]
            if not lenient:
                return again_with_figure(mine, answer(mine))
            # A newer report of the claim already answered: its own evidence may be weaker.
            config = self.config.answer
            return answer(mine, replace(config, threshold=config.threshold - SAME_CLAIM_TOLERANCE))

        first = answer(hits)
        # The figure the first answer states, where the question may ask for one (index.claims).
        told_figure = None if first.abstained else figure_told(question, first)

        def again_with_figure(mine: list[Hit], got: Answer) -> Answer:
            """A newer article's answer, or where it states no figure that can be the first
            answer's reported again, the answer of its best window that does: a newer report's
            own answer to the question may be another of its sentences ("Das meldete das
            Statistische Bundesamt …" where "2023 kamen … 692.989 Babys zur Welt" updates "Im
            Jahr 2022 wurden … 738.819 Kinder geboren"). index.claims then judges it as any."""
            if told_figure is None:
                return got
            found = None if got.abstained else stated(got, question)
            if found is not None and comparable(found, told_figure):
                return got
            again = answer(mine, keep=states_like(told_figure, question))
            return got if again.abstained else again

        def text_of(answer: Answer, *, titled: bool = False) -> str:
            """The quoted article's text, from the article cache: answer selection read it;
            `titled`: after its title (a later report may name its story there alone)."""
            source = answer.sources[0]
            hit = Hit(source.passage, source.article, source.score, 0.0, 0.0)
            text = self._articles.get([hit])[0].text
            return f"{source.article.title}\n{text}" if titled else text

        def story(first: Answer, other: Answer) -> bool:
            """Whether `other`'s article continues `first`'s story (index.story)."""
            language = first.sources[0].article.language
            if other.sources[0].article.language != language:
                return False
            days = days_between(first, other)
            idf = snapshot.lexical.idf
            older, newer = text_of(first, titled=True), text_of(other, titled=True)
            return continues(older, newer, days, language, idf)

        def relate(first: Answer, other: Answer) -> Relation:
            related = relation(question, first, other, snapshot.lexical.idf)
            if related != "other" or not story(first, other):
                return related
            return relation(question, first, other, snapshot.lexical.idf, story=True)

        def confirmed(article_id: int, first: Answer) -> Answer | None:
            """A newer article's lenient answer, where it is the same claim as `first` by a
            subject of the question's capitalized words (a weak answer needs a name), or by
            continuing its story (index.story)."""
            other = alone(article_id, True)
            if other.abstained or not other.sources:
                return None
            idf = snapshot.lexical.idf
            if relation(question, first, other, idf, named=True) == "same":
                return other
            if (
                story(first, other)
                and relation(question, first, other, idf, named=True, story=True) == "same"
            ):
                return other
            return None

        def reports() -> list[Hit]:
            """Passages found by the names of the first answer's article (index.story): later
            reports of its story that the question's words do not find."""
            article = first.sources[0].article
            words = rare_names(text_of(first), article.language, snapshot.lexical.idf)
            if not words:
                return []
            query = " ".join(words[:STORY_QUERY])  # a story goes on in its own language
            found = snapshot.lexical.search(query, STORY_HITS, article.language)
            ranked = sorted(found.items(), key=lambda item: -item[1])
            got = [
                h
                for h in self._hits((p, s, 0.0, s) for p, s in ranked)
                if h.article.id != article.id
            ]
            told.extend(got)  # `alone` answers from their passages too
            return got

        # Looking further only where a same claim can be found: a figure asked for and stated.
        lenient = confirmed if told_figure is not None else None
        chosen = prefer_recent(
            first, hits, time, alone, self._similar, relate, further, lenient, reports
        )
        if chosen is not first:  # the other articles stay listed as further sources
            quoted = chosen.sources[0]
            rest = tuple(s for s in first.sources if s.article.id != quoted.article.id)
            chosen = replace(chosen, sources=(quoted, *rest)[: max(k, 1)], hits=first.hits)
        return replace(
            chosen, follow_up=context is not None, period=time.expression if time.restricts else ""
        )

    def _similar(self, first: Answer, others: list[Answer]) -> list[float]:
        return quote_cosines(first, others, self.embedder.encode)

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
