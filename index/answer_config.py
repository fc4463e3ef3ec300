"""The answer settings (AnswerConfig) and those the CLI and the bot use (product_config): split
from index.answer, which picks the quote with them."""

from __future__ import annotations

from dataclasses import dataclass

from .reread import KIND_ABSENT, READ_BELOW, READ_FLOOR, ROLE_NAMED, TIME_CLASH

# The reader's weight (READER=1, the default), each window read as its best sentence (index.reread):
# chosen on XQuAD's held-out (odd-numbered) articles, all 578 questions per language, among 0.5 to
# 8 (benchmarks.reader_select; README, "The reader"): 0.75 to 2 tie within two questions; 1 gives
# en 0.962 / de 0.931 (windows read whole at 4: 0.962 / 0.924; the ranker alone 0.929 / 0.886).
# The news set was not used to choose.
READER_WEIGHT = 1.0
# The abstention threshold with the reader: the same as the ranker's alone, since whether the
# article answers is judged on the better of the ranker's window and the reader's (answer_question).
# Chosen on the news set's answerable and out-of-corpus questions with XQuAD's half-library split
# (the rule of issue 11): 0.40 abstains on 5.6% of the news set's answerable questions and 87.5%
# of its out-of-corpus ones (0.39: 4.9% / 81.2%; 0.41: 6.2% / 87.5%), on XQuAD's questions about
# articles not added 92.5% / 89.1% (en / de), on its answerable ones 0.0% / 5.2%.
READER_THRESHOLD = 0.40
# An answer from an article that names no town or region the question names (index.places:
# "Wie viel Regen fiel in Sondershausen?" answered from a report on its county) is this much
# less sure: the reader floor's step (index.reread.READ_BELOW), not chosen on any set.
PLACE_BELOW = 0.2
# An answer to a question for an amount of money from an article that states no amount of money
# anywhere (index.units.states_money: "Wie viel verdient der neue Intendant?" answered from his
# appointment) is this much less sure: it cannot hold the answer, however well its sentences
# match the question's topic. Enough to abstain from any confidence an answer reaches.
MONEY_BELOW = 0.3


def product_config(reader: bool = True) -> AnswerConfig:
    """The answer settings the CLI and the bot use: with the reader (READER=1, the default) its
    weight and threshold, else the ranker's alone (AnswerConfig's defaults); the place check
    with either."""
    if not reader:
        return AnswerConfig(place_below=PLACE_BELOW, money_below=MONEY_BELOW)
    return AnswerConfig(
        reader_weight=READER_WEIGHT,
        threshold=READER_THRESHOLD,
        rescue_to=READER_THRESHOLD,
        reader_below=READ_BELOW,
        place_below=PLACE_BELOW,
        money_below=MONEY_BELOW,
    )


@dataclass(frozen=True)
class AnswerConfig:
    articles: int = 3  # articles whose sentences compete for the quote
    article_ratio: float = 0.8  # ... each with a retrieval score of at least this share of the top
    candidates: int = 10  # passages retrieved to find those articles
    max_chars: int = 300
    context_weight: float = 0.3  # the previous question's words, in a follow-up's confidence
    evidence_weight: float = 0.15  # choosing clauses to quote: holding what the question asks for
    # Below this confidence the answer abstains (index.confidence).
    threshold: float = 0.40
    unit_missing: float = 0.1  # ... less, for an amount whose unit is nowhere near (lacks_unit)
    # ... and for a count of a thing nowhere near ("how many delegates"); recency's newer reports
    # are asked without it (Asked.alone: an update counts its thing in other words).
    count_missing: float = 0.1
    # ... and this much less per tenfold of passages searched beyond size_floor (size_discount).
    per_decade: float = 0.01
    size_floor: int = 1000
    # The reader (index.reader) rescores the ranker's first `reader_windows` windows: ranker
    # score + reader_weight x the reader's; 0 (the default) leaves it out: READER=1 sets
    # READER_WEIGHT.
    reader_weight: float = 0.0
    reader_windows: int = 10
    reader_other_windows: int = 3  # ... and of each other candidate article, its first few
    # ... each sentence read twice, alone and under its article's headline, the mean of the two
    # (index.reread): False reads it alone.
    reader_headline: bool = True
    # ... this much lower for a sentence naming years, months or weekdays, none the question's
    # (index.timeclash): 0 leaves it out.
    time_clash: float = TIME_CLASH
    # ... this much higher for a sentence naming a person right after the role a "who" question
    # asks for (index.rolename): 0 leaves it out.
    role_named: float = ROLE_NAMED
    # ... this much lower for a sentence stating nothing of the kind of answer asked for (an
    # amount of its unit, a result) where another sentence read does (index.kindcheck): 0
    # leaves it out.
    kind_absent: float = KIND_ABSENT
    # ... and the answer judged reader_below less sure where the reader reads its key sentence
    # below reader_floor (index.reread.READ_FLOOR: read as no answer to the question); not for
    # a follow-up, which the reader reads without the question it follows. reader_below 0 (the
    # default) leaves it out: READER=1 sets READ_BELOW.
    reader_floor: float = READ_FLOOR
    reader_below: float = 0.0
    # ... and place_below less sure where the question names a town or region (not a country)
    # that the article (title and text) does not (index.places.unnamed); 0 (the default) leaves
    # it out: product_config sets PLACE_BELOW.
    place_below: float = 0.0
    # ... and money_below less sure where the question asks for an amount of money and the
    # article states none anywhere (index.units.states_money); 0 (the default) leaves it out:
    # product_config sets MONEY_BELOW.
    money_below: float = 0.0
    # A confidence from rescue_floor up to rescue_to is raised to rescue_to where e5's cosine of
    # question and quote reaches rescue_cosine (index.second_look); rescue_to 0 (the default)
    # leaves it out: READER=1 sets it to the threshold.
    rescue_floor: float = 0.25
    rescue_to: float = 0.0
    rescue_cosine: float = 0.86
