"""Picking the quote: the sentence of the best articles that answers the question, or abstaining.

Retrieval ranks passages; the articles of the first few compete with *all* their sentences (see
sentences.py). A sentence is scored on:
- its cosine with the question (the embedding model);
- how much of the question's vocabulary it holds, each word weighed by how rare it is in the
  library (idf) *and* how specific it is within the article: a word in every sentence of the
  article ("Tauben" in an article about pigeons) says nothing about which sentence answers, so
  the question's focus ("Woran sterben …") decides;
- the same for the sentence before it: a question often paraphrases one sentence while the
  answer is in the next (and in an interview, the answer follows the interviewer's question);
- whether it holds what the question asks for beyond the question's own words: a name for
  "who", a date for "when", a number for "how many", a cause for "why", a place for "where";
- its article's retrieval score.
Questions, interviewers' questions and furniture are never quoted. The confidence that the
library answers at all is judged on the chosen article and sentence alone, less a small discount
for the library's size (index.confidence), so it does not drift as the library grows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .confidence import bars_second_look, size_discount, window_confidence
from .lexical import analyze
from .models import Answer, Hit, Source
from .overlap import Idf, Terms
from .qtype import has_evidence, question_type
from .quote import build_quote
from .ranker import FEATURES
from .reader import Reader
from .reread import READ_BELOW, READ_FLOOR, ROLE_NAMED, TIME_CLASH, reread
from .sentences import ArticleSentences
from .units import holds_unit
from .windows import window_features

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


def product_config(reader: bool = True) -> AnswerConfig:
    """The answer settings the CLI and the bot use: with the reader (READER=1, the default) its
    weight and threshold, else the ranker's alone (AnswerConfig's defaults)."""
    if not reader:
        return AnswerConfig()
    return AnswerConfig(
        reader_weight=READER_WEIGHT,
        threshold=READER_THRESHOLD,
        rescue_to=READER_THRESHOLD,
        reader_below=READ_BELOW,
    )


ArticleLoader = Callable[[list[Hit]], list[ArticleSentences]]  # one per distinct article


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
    # ... and the answer judged reader_below less sure where the reader reads its key sentence
    # below reader_floor (index.reread.READ_FLOOR: read as no answer to the question); not for
    # a follow-up, which the reader reads without the question it follows. reader_below 0 (the
    # default) leaves it out: READER=1 sets READ_BELOW.
    reader_floor: float = READ_FLOOR
    reader_below: float = 0.0
    # A confidence from rescue_floor up to rescue_to is raised to rescue_to where e5's cosine of
    # question and quote reaches rescue_cosine (index.second_look); rescue_to 0 (the default)
    # leaves it out: READER=1 sets it to the threshold.
    rescue_floor: float = 0.25
    rescue_to: float = 0.0
    rescue_cosine: float = 0.86


@dataclass(frozen=True)
class Scored:
    article: ArticleSentences
    hit: Hit  # the article's best passage
    scores: list[float]  # each sentence's own score (choosing the key sentence and neighbours)
    windows: list[tuple[float, int, int]]  # (score, first, last sentence) of each window
    terms: Terms
    question: str
    bounds: list[tuple[int, int]]  # each window's first and last sentence
    matrix: np.ndarray  # each window's features (FEATURES)


def answer_question(
    question: str,
    language: str,
    hits: list[Hit],
    query_vector: np.ndarray,
    articles: ArticleLoader,
    idf: Idf,
    config: AnswerConfig,
    weights: np.ndarray,
    *,
    k: int = 3,
    context: str | None = None,
    memo: dict[tuple[int, int], Scored] | None = None,
    passages: int = 0,
    reader: Reader | None = None,
    keep: Callable[[ArticleSentences, int, int], bool] | None = None,
    second_look: Callable[[str, str], float] | None = None,
) -> Answer:
    """The quote for `question`; `context` is the chat's previous question when this one follows
    up on it (its words help find the article and count less in choosing the sentence).
    `memo`: the articles already scored for this same question (and context, query vector)
    in another call, whose features are reused but for their retrieval prior.
    `passages`: how many the question was searched among (confidence.size_discount).
    `reader`: rescores the first windows (index.reread); None leaves the ranker's choice.
    `keep`: only the windows (article, first and last sentence) it accepts may be chosen.
    `second_look`: (question, quote) -> cosine, for a confidence just under the threshold
    (index.second_look); None leaves the confidence as judged."""
    if not hits:
        return Answer(question=question, language=language, abstained=True)
    best_hits = _article_hits(hits, config)
    loaded = articles(best_hits)
    kind = question_type(question)
    scored = [
        _score(
            article, hit, question, context, query_vector, idf, kind, hits[0].score, config, weights
        )
        if memo is None or (article.article_id, hit.passage.id) not in memo
        else _rescored(memo[article.article_id, hit.passage.id], hit, hits[0].score, weights)
        for article, hit in zip(loaded, best_hits, strict=True)
        if len(article)
    ]
    if memo is not None:
        memo.update({(s.article.article_id, s.hit.passage.id): s for s in scored})
    choice = max(
        ((s, w) for s in scored for w in s.windows if keep is None or keep(s.article, *w[1:])),
        key=lambda pair: pair[1][0],
        default=None,
    )
    if choice is None:
        return Answer(question, language, True, hits=tuple(hits))
    judged = [choice]
    read: dict[int, float] = {}  # the reader's score of each sentence it read
    reading = reader if config.reader_weight else None
    if reading is not None:
        others = [s for s in scored if s is not choice[0]]
        # A follow-up's own words choose its sentence (its context counts in the confidence):
        # the headline, naming the subject the previous question named, is not read with it.
        headline = config.reader_headline and context is None
        choice, read = reread(choice[0], question, reading, config, keep, others, headline=headline)
        if choice[0] is not judged[0][0]:  # another article's window: judged alone
            judged = [choice]
        elif choice[1] != judged[0][1]:  # another window of the same article: judged too
            judged.append(choice)
    chosen, (_, first, last) = choice
    quotable = [i for i in range(first, last + 1) if chosen.article.quotable(i)]
    # The key sentence (bold) is the one the reader found to answer, else the ranker's best.
    key = max(quotable, key=lambda i: (read.get(i, float("-inf")), chosen.scores[i]))
    # Whether the article answers at all is judged on the ranker's window and on the reader's,
    # the better of the two: the reader picks which of the article's sentences answers, and its
    # pick (the detail, not the topic sentence) often shares fewer of the question's words.
    sure = max(
        window_confidence(
            s.article,
            s.terms,
            w[1:],
            question,
            language,
            query_vector,
            kind,
            (config.unit_missing, config.count_missing),
        )
        for s, w in judged
    )
    sure -= size_discount(passages, config.per_decade, config.size_floor)
    lacking = bars_second_look(chosen.article, first, last, question, kind, config.count_missing)
    looks = (
        second_look is not None and config.rescue_floor <= sure < config.rescue_to and not lacking
    )
    if sure < config.threshold and not looks:
        return Answer(question, language, True, confidence=sure, hits=tuple(hits))
    quote, span = build_quote(
        chosen.article,
        key,
        chosen.scores,
        config.max_chars,
        lambda text: (
            chosen.terms.alone().coverage(set(analyze(text, chosen.article.language)))
            + config.evidence_weight
            * (has_evidence(kind, text, question) + holds_unit(question, text))
        ),
        also=next((i for i in quotable if i != key), None),
        choose=None
        if reading is None
        else lambda texts: int(np.argmax(reading.score(question, texts))),
    )
    if looks and second_look(question, quote) >= config.rescue_cosine:
        sure = config.rescue_to
    if context is None and read.get(key, math.inf) < config.reader_floor:
        sure -= config.reader_below
    if sure < config.threshold:
        return Answer(question, language, True, confidence=sure, hits=tuple(hits))
    passage_id = chosen.article.passage_ids[key]
    holder = next((h for h in hits if h.passage.id == passage_id), chosen.hit)
    sources = (Source(holder.article, holder.passage, holder.score),) + tuple(
        Source(x.article, x.passage, x.score) for x in hits[:k] if x.article.id != holder.article.id
    )[: max(k - 1, 0)]
    return Answer(question, language, False, quote, span, sure, sources, tuple(hits))


def _article_hits(hits: list[Hit], config: AnswerConfig) -> list[Hit]:
    """Each candidate article's best hit, best first: up to `config.articles` articles scoring at
    least `article_ratio` of the top one."""
    out: list[Hit] = []
    for hit in hits[: config.candidates]:
        if len(out) == config.articles or hit.score < config.article_ratio * hits[0].score:
            break
        if all(h.article.id != hit.article.id for h in out):
            out.append(hit)
    return out


# A development hook (benchmarks.ranker): when a list, every scored article appends
# (question, ArticleSentences, window bounds, feature matrix).
TRACE: list | None = None


def _score(
    article: ArticleSentences,
    hit: Hit,
    question: str,
    context: str | None,
    query_vector: np.ndarray,
    idf: Idf,
    kind: str | None,
    top_score: float,
    config: AnswerConfig,
    feature_weights: np.ndarray,
) -> Scored:
    """Windows of one sentence, or two in a row on the same line (a question often paraphrases
    one sentence while the answer is in the next), scored on their features (index.windows); a
    follow-up's by its own words (`context`'s fill the sentence that answered it: README)."""
    terms = Terms.of(question, context, article.language, idf, config.context_weight)
    own = terms.alone()
    prior = hit.score / (top_score or 1.0)
    bounds, matrix = window_features(article, question, own, query_vector, kind, prior)
    return _windows(article, hit, bounds, matrix, feature_weights, terms, question)


_PRIOR = FEATURES.index("prior")


def _rescored(done: Scored, hit: Hit, top_score: float, feature_weights: np.ndarray) -> Scored:
    """An article scored already for this question, among other hits: only its retrieval prior
    (relative to the best hit's score) differs, the rest of its features are the same."""
    matrix = done.matrix.copy()
    matrix[:, _PRIOR] = hit.score / (top_score or 1.0)
    return _windows(
        done.article, hit, done.bounds, matrix, feature_weights, done.terms, done.question
    )


def _windows(
    article: ArticleSentences,
    hit: Hit,
    bounds: list[tuple[int, int]],
    matrix: np.ndarray,
    feature_weights: np.ndarray,
    terms: Terms,
    question: str,
) -> Scored:
    totals = matrix @ feature_weights
    if TRACE is not None:
        TRACE.append((question, article, bounds, matrix))
    scores = [float("-inf")] * len(article)
    for (first, last), total in zip(bounds, totals, strict=True):
        if first == last:
            scores[first] = float(total)
    windows = [(float(t), a, b) for (a, b), t in zip(bounds, totals, strict=True)]
    return Scored(article, hit, scores, windows, terms, question, bounds, matrix)
