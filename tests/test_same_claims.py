"""Recency's same-claim check embeds the quotes only when it decides (index.preference.same_claims):
the answer preferred is the same as when every quote is embedded."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from index import preference
from index.claims import quote_cosines
from index.models import Answer, Article, Hit, Passage, Source
from index.preference import SAME_CLAIM, prefer_recent, same_claims
from index.timeexpr import TimeQuery

DAY = date(2025, 3, 1)


def _answer(n: int, confidence: float, days: int) -> Answer:
    published = (DAY + timedelta(days=days)).isoformat()
    article = Article(n, f"a{n}", None, None, published, "en", f"h{n}", published, None, 1)
    passage = Passage(n * 10, n, 0, "text", 0, 4, ((0, 4),))
    hit = Hit(passage, article, 1.0 - n / 100, 0.0, 0.0)
    return Answer(
        "q",
        "en",
        False,
        f"quote {n}",
        (0, 7),
        confidence,
        (Source(article, passage, hit.score),),
        (hit,),
    )


def test_no_embedding_when_every_reading_prefers_the_same() -> None:
    first, other = _answer(1, 0.8, 0), _answer(2, 0.5, 1)

    def refuse(first: Answer, others: list[Answer]) -> list[float]:
        raise AssertionError("embedded although it does not decide")

    assert same_claims(first, [other], refuse, lambda same: first) == [False]


def test_only_the_quotes_that_decide_are_embedded() -> None:
    first, others = _answer(1, 0.8, 0), [_answer(2, 0.7, 1), _answer(3, 0.6, 2)]
    asked: list[list[Answer]] = []

    def similar(f: Answer, o: list[Answer]) -> list[float]:
        asked.append(o)
        return [SAME_CLAIM + 0.1 if a is others[0] else SAME_CLAIM - 0.1 for a in o]

    def one_decides(same: tuple[bool, ...]) -> Answer:
        return others[0] if same[0] else first

    assert same_claims(first, others, similar, one_decides) == [True, False]
    assert asked == [[others[0]]]

    def both_decide(same: tuple[bool, ...]) -> Answer:
        return others[0] if same[0] else others[1] if same[1] else first

    asked.clear()
    assert same_claims(first, others, similar, both_decide) == [True, False]
    assert asked == [others]  # in one batch


def _case(seed: int) -> tuple[Answer, list[Hit], dict[int, Answer], dict[int, float]]:
    rng = random.Random(seed)
    answers = [_answer(n, rng.uniform(0.4, 0.9), rng.randint(0, 3) * n) for n in range(1, 6)]
    newer = {a.sources[0].article.id: a for a in answers[1:]}
    cosines = {a.sources[0].article.id: rng.uniform(0.2, 0.8) for a in answers}
    return answers[0], [a.hits[0] for a in answers], newer, cosines


SEEDS = range(40)


@pytest.mark.parametrize("seed", SEEDS)
def test_prefer_recent_chooses_as_if_every_quote_were_embedded(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, hits, newer, cosines = _case(seed)

    def similar(f: Answer, others: list[Answer]) -> list[float]:
        return [cosines[o.sources[0].article.id] for o in others]

    def always(f, o, similar, best):  # noqa: ANN001, ANN202
        return [c >= SAME_CLAIM for c in similar(f, o)]

    for time in (TimeQuery(), TimeQuery(newest=True)):
        lazy = prefer_recent(first, hits, time, newer.__getitem__, similar)
        with monkeypatch.context() as m:
            m.setattr(preference, "same_claims", always)
            embedded = prefer_recent(first, hits, time, newer.__getitem__, similar)
        assert lazy is embedded


def test_the_cases_above_embed_some_and_skip_others() -> None:
    embedded = 0
    calls: list[int] = []
    for seed in SEEDS:
        first, hits, newer, _ = _case(seed)
        calls.clear()
        prefer_recent(
            first,
            hits,
            TimeQuery(),
            newer.__getitem__,
            lambda f, o: calls.append(1) or [0.0] * len(o),
        )
        embedded += bool(calls)
    assert 0 < embedded < len(SEEDS)


def test_many_others_are_embedded_at_once() -> None:
    first = _answer(1, 0.8, 0)
    others = [_answer(n, 0.79, n) for n in range(2, 3 + preference.UNDECIDED_MAX)]
    asked = []

    def similar(f: Answer, o: list[Answer]) -> list[float]:
        asked.append(len(o))
        return [0.0] * len(o)

    assert same_claims(first, others, similar, lambda same: first) == [False] * len(others)
    assert asked == [len(others)]


def test_a_newer_answer_of_the_same_claim_wins_whatever_its_confidence() -> None:
    first, newer = _answer(1, 0.9, 0), _answer(2, 0.45, 1)  # far below the band, still answers
    hits = [first.hits[0], newer.hits[0]]

    def refuse(f: Answer, o: list[Answer]) -> list[float]:
        raise AssertionError("embedded although the structure decided")

    def relate(verdict: preference.Relation):  # noqa: ANN202
        return lambda f, o: verdict

    alone = {2: newer}.__getitem__
    assert prefer_recent(first, hits, TimeQuery(), alone, refuse, relate("same")) is newer
    assert prefer_recent(first, hits, TimeQuery(), alone, refuse, relate("other")) is first
    # Left to the cosine, it is too far below to be asked about.
    assert prefer_recent(first, hits, TimeQuery(), alone, refuse, relate("undecided")) is first


def test_another_claim_is_never_embedded_and_not_lifted() -> None:
    first, newer = _answer(1, 0.8, 0), _answer(2, 0.7, 1)  # inside the same-claim band
    hits = [first.hits[0], newer.hits[0]]

    def refuse(f: Answer, o: list[Answer]) -> list[float]:
        raise AssertionError("embedded although the figures decided")

    chosen = prefer_recent(
        first, hits, TimeQuery(), {2: newer}.__getitem__, refuse, lambda f, o: "other"
    )
    assert chosen is first


def test_a_key_sentence_word_for_word_is_the_same_claim_unembedded() -> None:
    # The quotes differ around it; the key sentence (the span `key`) is the same text.
    first = replace(_answer(1, 0.8, 0), quote="Before. 41,000 people died. After.", key=(8, 28))
    copy = replace(_answer(2, 0.6, 1), quote="Other words. 41,000  people died.", key=(13, 34))
    other = replace(_answer(3, 0.6, 2), quote="The toll rose to 50,000.", key=(0, 24))
    embedded: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        embedded.append(texts)
        return np.array([[1.0, 0.0], [0.6, 0.8]][: len(texts)])

    assert quote_cosines(first, [copy, other], encode) == [1.0, pytest.approx(0.6)]
    assert embedded == [[first.quote, other.quote]]
    assert quote_cosines(first, [copy], encode) == [1.0]
    assert len(embedded) == 1  # nothing left to embed


def _low(answer: Answer, score: float) -> Hit:
    """`answer`'s hit retrieved with `score` (the best one's is about 1)."""
    hit = answer.hits[0]
    return Hit(hit.passage, hit.article, score, 0.0, 0.0)


def test_a_newer_report_retrieved_low_counts_only_when_confirmed() -> None:
    first, low, further = _answer(1, 0.8, 0), _answer(2, 0.3, 5), _answer(3, 0.3, 9)
    hits = [first.hits[0], _low(low, 0.2)]  # below RETRIEVAL_RATIO of the best
    asked: list[int] = []

    def lenient(article_id: int, of: Answer) -> Answer | None:
        asked.append(article_id)
        return {2: low}.get(article_id)  # only the second is the same claim

    never = {2: _answer(2, 0.0, 5), 3: _answer(3, 0.0, 9)}  # asked as usual: not good enough
    chosen = prefer_recent(
        first, hits, TimeQuery(), never.__getitem__, lambda f, o: [0.0] * len(o),
        further=lambda: [_low(further, 0.1)], lenient=lenient,
    )  # fmt: skip
    assert chosen is low and asked == [2, 3]
    # Without a lenient confirmation, the first answer stands.
    none = prefer_recent(
        first, hits, TimeQuery(), never.__getitem__, lambda f, o: [0.0] * len(o),
        further=lambda: [_low(further, 0.1)], lenient=lambda i, of: None,
    )  # fmt: skip
    assert none is first


def test_no_lenient_look_when_a_newer_candidate_is_preferred() -> None:
    first, newer = _answer(1, 0.8, 0), _answer(2, 0.8, 5)

    def refuse(article_id: int, of: Answer) -> Answer | None:
        raise AssertionError("looked further although a newer candidate is preferred")

    chosen = prefer_recent(
        first, [first.hits[0], newer.hits[0]], TimeQuery(), {2: newer}.__getitem__,
        lambda f, o: [1.0] * len(o), lenient=refuse,
    )  # fmt: skip
    assert chosen is newer


def test_another_claim_the_reader_reads_worse_does_not_win_by_a_hair() -> None:
    """A newer answer of another claim within OTHER_TOLERANCE of the first one's confidence wins
    as the newer, unless the reader reads it as answering worse (a funicular's toll for "How
    many people live in Canada?"); the same claim is not asked about."""
    first, newer = _answer(1, 0.60, 0), _answer(2, 0.61, 1)
    hits = [first.hits[0], newer.hits[0]]
    alone = {2: newer}.__getitem__
    asked: list[Answer] = []

    def worse(f: Answer, o: Answer) -> bool:
        asked.append(o)
        return True

    def no_cosine(f: Answer, o: list[Answer]) -> list[float]:
        return [0.0] * len(o)

    def other(f: Answer, o: Answer) -> preference.Relation:
        return "other"

    def same(f: Answer, o: Answer) -> preference.Relation:
        return "same"

    assert prefer_recent(first, hits, TimeQuery(), alone, no_cosine, other) is newer
    chosen = prefer_recent(first, hits, TimeQuery(), alone, no_cosine, other, reads_worse=worse)
    assert chosen is first and asked == [newer]
    asked.clear()
    chosen = prefer_recent(first, hits, TimeQuery(), alone, no_cosine, same, reads_worse=worse)
    assert chosen is newer and asked == []
