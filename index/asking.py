"""Library.ask / ask_many / search: hybrid retrieval, answer selection (index.answer) and the
preference for recent articles (index.recency, index.timeexpr)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np

from . import ranker, recency
from .answer import AnswerConfig, answer_question
from .article_cache import ArticleCache
from .claims import Relation, quote_cosines, relation, states_figure
from .embedder import Embedder
from .errors import BadInput
from .followup import needs_context
from .language import detect_language
from .lexical import analyze
from .models import Answer, Article, Hit
from .qtype import content
from .search import POOL, hybrid_search, lexical_ahead
from .storage.views import View
from .timeexpr import TimeQuery, when

if TYPE_CHECKING:
    from .library import LibraryConfig
    from .storage import StorageBackend

# Of the answers about equally good, the newest is quoted. "About equally good": an answer from
# a newer article whose quote says about the same as the chosen one (a cosine of SAME_CLAIM or
# more between the two quotes: the same fact reported again, worded differently, with another
# figure) with a confidence (index.answer) within SAME_CLAIM_TOLERANCE of the best; any other
# within OTHER_TOLERANCE. A question asking for the latest ("neueste", "now") widens both by
# LATEST_EXTRA. Chosen on the news dev set and the dated pairs of tests/fixtures (README,
# "Recency"): on the dev set no newer article's quote came above 0.28, those of the pairs'
# newer reports were all at 0.48 or more. Before the cosine, index.claims looks at the two
# answers' figures and subject: a newer report that words the claim differently scores far
# below the older one (0.26 to 0.53 on the pairs) and is taken as good as it when it states a
# figure of the same kind near the older one's and holds the question's subject; figures that
# cannot be one claim's (83.9 million passengers, 1,400 flights) mark another claim.
SAME_CLAIM = 0.5
SAME_CLAIM_TOLERANCE = 0.25
OTHER_TOLERANCE = 0.02
LATEST_EXTRA = 0.10
CANDIDATES = 10  # passages whose articles may offer a newer answer
RETRIEVAL_RATIO = 0.5  # ... with a retrieval score of at least this share of the best one's
# Further down, a newer article is asked only when no candidate reports the same claim, and it
# counts only when index.claims finds it does ("same"): a newer report worded differently from
# the question ranks low. It is then quoted even when its own confidence is up to
# SAME_CLAIM_TOLERANCE below the threshold: the older answer's evidence stands for the claim.
FURTHER = 30  # passages (of index.search.POOL) whose articles may hold such a newer report
FURTHER_ARTICLES = 3  # ... of which the first few newer articles are asked


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
        pool: list[Hit] = []

        def further() -> list[Hit]:
            if not time.restricts and not pool:
                pool.extend(self._hits(scored[wanted:FURTHER]))
            return pool

        memo: dict = {}  # the articles scored for this question: `alone` reuses them

        def answer(among: list[Hit], config: AnswerConfig = self.config.answer) -> Answer:
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
            )

        def alone(article_id: int, lenient: bool = False) -> Answer:
            mine = [h for h in itertools.chain(hits, pool) if h.article.id == article_id]
            if not lenient:
                return answer(mine)
            # A newer report of the claim already answered: its own evidence may be weaker.
            config = self.config.answer
            return answer(mine, replace(config, threshold=config.threshold - SAME_CLAIM_TOLERANCE))

        first = answer(hits)

        def relate(first: Answer, other: Answer) -> Relation:
            return relation(question, first, other, snapshot.lexical.idf)

        def confirmed(article_id: int, first: Answer) -> Answer | None:
            """A newer article's lenient answer, where it is the same claim as `first` by a
            subject of the question's capitalized words (a weak answer needs a name)."""
            other = alone(article_id, True)
            if other.abstained or not other.sources:
                return None
            same = relation(question, first, other, snapshot.lexical.idf, named=True) == "same"
            return other if same else None

        # Looking further only where a same claim can be found: a figure asked for and stated.
        lenient = confirmed if not first.abstained and states_figure(question, first) else None
        chosen = prefer_recent(first, hits, time, alone, self._similar, relate, further, lenient)
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


def published(article: Article) -> date | None:
    """The article's publication day (the day it was added, when no other was found)."""
    return recency.parse_day(article.published) or recency.parse_day(article.added_at)


def prefer_recent(
    first: Answer,
    hits: list[Hit],
    time: TimeQuery,
    alone: Callable[[int], Answer],
    similar: Callable[[Answer, list[Answer]], list[float]],
    relate: Callable[[Answer, Answer], Relation] = lambda first, other: "undecided",
    further: Callable[[], list[Hit]] = list,
    lenient: Callable[[int, Answer], Answer | None] | None = None,
) -> Answer:
    """Of the answers about equally good, the newest (or the one from the range the question
    names): `first` (answer selection's choice) against the answer each retrieved article newer
    than its own gives alone, ranked by index.recency.rank on their confidence (see SAME_CLAIM).
    `relate` (index.claims.relation) tells from the two answers' figures and subject that a
    newer one states the same claim (it then counts as good as `first` whatever its confidence,
    so long as it answers at all) or cannot (its quote's cosine is not asked).
    Only newer articles are asked again (a few milliseconds each: their sentences are cached),
    and their quotes are embedded only when whether they make the same claim decides.
    When none of them is preferred, the first few newer articles retrieved lower (below the
    ratio, or among the `further` hits) or that abstained are asked again leniently
    (`lenient`, which answers only where it finds the same claim; FURTHER)."""
    if first.abstained or not first.sources:
        return first

    def key(article: Article) -> tuple[bool, date]:
        day = published(article)
        return time.within(day), day or date.min

    chosen = key(first.sources[0].article)
    floor = RETRIEVAL_RATIO * hits[0].score
    newer = dict.fromkeys(
        h.article.id for h in hits[:CANDIDATES] if h.score >= floor and key(h.article) > chosen
    )
    answered = [a for a in map(alone, newer) if not a.abstained and a.sources]
    verdict = {id(a): relate(first, a) for a in answered}
    choice = _choose(first, answered, verdict, time, similar)
    if choice is not first or lenient is None:
        return choice
    seen = {a.sources[0].article.id for a in answered}
    lower = [
        h.article.id
        for h in itertools.chain(hits[:CANDIDATES], further())
        if h.article.id not in seen and key(h.article) > chosen
    ]
    found = False
    for article_id in list(dict.fromkeys(lower))[:FURTHER_ARTICLES]:
        other = lenient(article_id, first)
        if other is not None:
            answered.append(other)
            verdict[id(other)] = "same"
            found = True
    return _choose(first, answered, verdict, time, similar) if found else first


def _choose(
    first: Answer,
    answered: list[Answer],
    verdict: dict[int, Relation],
    time: TimeQuery,
    similar: Callable[[Answer, list[Answer]], list[float]],
) -> Answer:
    """`first` or one of the newer `answered` (their relation to it in `verdict`, by id)."""
    widest = SAME_CLAIM_TOLERANCE + (LATEST_EXTRA if time.newest else 0.0)
    # Answers further below than the widest band cannot win: neither asked about nor embedded.
    others = [
        a for a in answered if verdict[id(a)] == "same" or a.confidence >= first.confidence - widest
    ]
    if not others:
        return first
    # The same claim counts as if it scored `bonus` more: inside the wider band.
    bonus = SAME_CLAIM_TOLERANCE - OTHER_TOLERANCE
    undecided = [a for a in others if verdict[id(a)] == "undecided"]

    def best(same: Sequence[bool]) -> Answer:
        """The answer preferred when `same` says which of the undecided make the same claim."""
        lift = {id(first): bonus}
        for other in others:
            if verdict[id(other)] == "same":  # as good as `first`, or better
                lift[id(other)] = bonus + max(0.0, first.confidence - other.confidence)
            else:
                lift[id(other)] = 0.0
        for other, alike in zip(undecided, same, strict=True):
            lift[id(other)] = bonus if alike else 0.0
        ranked = recency.rank(
            [first, *others],
            time,
            published=lambda a: published(a.sources[0].article),
            score=lambda a: a.confidence + lift[id(a)],
            tolerance=SAME_CLAIM_TOLERANCE,
            latest_tolerance=SAME_CLAIM_TOLERANCE + LATEST_EXTRA,
        )
        return ranked[0] if ranked else first

    return best(same_claims(first, undecided, similar, best))


UNDECIDED_MAX = 6  # newer answers up to which same_claims first tries every reading


def same_claims(
    first: Answer,
    others: list[Answer],
    similar: Callable[[Answer, list[Answer]], list[float]],
    best: Callable[[Sequence[bool]], Answer],
) -> list[bool]:
    """Which of `others` make the same claim as `first` (their quotes' cosine >= SAME_CLAIM).
    Only the quotes whose reading decides are embedded: an answer whose being the same claim
    or not never changes the answer `best` prefers, whatever the others are, is taken not to
    be, and where none decides the model is not run at all (on a busy 2-core machine a batch
    of quotes took 40-100 ms). The answer chosen is the same as with every quote embedded."""
    deciding = list(range(len(others)))
    if len(others) <= UNDECIDED_MAX:
        readings = list(itertools.product((False, True), repeat=len(others)))
        chosen = {same: best(same) for same in readings}
        deciding = [
            i
            for i in deciding
            if any(chosen[r] is not chosen[(*r[:i], not r[i], *r[i + 1 :])] for r in readings)
        ]
    same = [False] * len(others)
    if deciding:
        cosines = similar(first, [others[i] for i in deciding])
        for i, cosine in zip(deciding, cosines, strict=True):
            same[i] = cosine >= SAME_CLAIM
    return same
