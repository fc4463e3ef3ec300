"""The preference for recent articles: of the answers about equally good, the newest (or the one
from the range the question names) is quoted (index.asking asks; index.claims and
index.counted tell whether a newer answer states the same claim; index.recency ranks)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date

from . import recency
from .claims import Relation
from .models import Answer, Article, Hit
from .recency import published
from .timeexpr import TimeQuery

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


def prefer_recent(
    first: Answer,
    hits: list[Hit],
    time: TimeQuery,
    alone: Callable[[int], Answer],
    similar: Callable[[Answer, list[Answer]], list[float]],
    relate: Callable[[Answer, Answer], Relation] = lambda first, other: "undecided",
    further: Callable[[], list[Hit]] = list,
    lenient: Callable[[int, Answer], Answer | None] | None = None,
    reports: Callable[[], list[Hit]] = list,
    reads_worse: Callable[[Answer, Answer], bool] = lambda first, other: False,
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
    (`lenient`, which answers only where it finds the same claim; FURTHER), later reports of
    the first answer's story (`reports`, index.story) first.
    `reads_worse` (the reader, where it is on): a newer answer of another claim that it reads as
    answering worse than `first` is not offered. The confidence hardly tells articles on other
    subjects apart (a newer count of pharmacies for "Wie viele Verkehrstote gab es in
    Deutschland?", a funicular's toll for "How many people live in Canada?", each within
    OTHER_TOLERANCE of the first answer), the reader does."""
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
    # Another claim wins only by answering better: not where the reader reads it worse.
    answered = [a for a in answered if verdict[id(a)] != "other" or not reads_worse(first, a)]
    choice = _choose(first, answered, verdict, time, similar)
    if choice is not first or lenient is None:
        return choice
    seen = {a.sources[0].article.id for a in answered}
    lower = [
        h.article.id
        for h in itertools.chain(reports(), hits[:CANDIDATES], further())
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
