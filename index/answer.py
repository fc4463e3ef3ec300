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

from . import places

# The settings live in index.answer_config; importers of index.answer find them here too.
from .answer_config import READER_THRESHOLD as READER_THRESHOLD
from .answer_config import READER_WEIGHT as READER_WEIGHT
from .answer_config import AnswerConfig as AnswerConfig
from .answer_config import product_config as product_config
from .confidence import bars_second_look, size_discount, window_confidence
from .lexical import analyze
from .models import Answer, Hit, Source
from .overlap import Idf, Terms
from .qtype import has_evidence, question_type
from .quote import build_quote
from .ranker import FEATURES
from .reader import Reader
from .reread import reread
from .sentences import ArticleSentences
from .units import asks_money, holds_unit, states_money
from .windows import window_features

ArticleLoader = Callable[[list[Hit]], list[ArticleSentences]]  # one per distinct article


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
    read_as: str | None = None,
) -> Answer:
    """The quote for `question`; `context` is the chat's previous question when this one follows
    up on it (its words help find the article and count less in choosing the sentence).
    `read_as`: the question as the reader reads it, where not as asked (a follow-up's pronoun
    replaced by the person its previous question named: index.followup.named_for).
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
    read_question = read_as or question  # the question as the reader reads it
    if reading is not None:
        others = [s for s in scored if s is not choice[0]]
        # A follow-up's own words choose its sentence (its context counts in the confidence):
        # the headline, naming the subject the previous question named, is not read with it.
        headline = config.reader_headline and context is None
        choice, read = reread(
            choice[0], read_question, reading, config, keep, others, headline=headline
        )
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
        else lambda texts: int(np.argmax(reading.score(read_question, texts))),
    )
    if looks and second_look(question, quote) >= config.rescue_cosine:
        sure = config.rescue_to
    if context is None and read.get(key, math.inf) < config.reader_floor:
        sure -= config.reader_below
    if config.place_below and places.unnamed(
        question,
        f"{chosen.hit.article.title}\n{chosen.article.text}",
        across=language != chosen.article.language,
    ):
        sure -= config.place_below  # the question's town or region is not the article's
    if (
        config.money_below
        and kind == "quantity"
        and asks_money(question)
        and not chosen.article.states_money
        and not states_money(chosen.hit.article.title)
    ):
        sure -= config.money_below  # asked how much money, and the article states no amount
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
