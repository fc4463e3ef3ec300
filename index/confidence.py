"""How sure an answer is that the library answers the question at all, judged on the chosen
article and window alone (index.answer chooses them), less a small discount for the library's
size (the chosen window is the best of more), so that it does not drift as the library grows."""

from __future__ import annotations

import math

import numpy as np

from .matching import Keys, reads_as, specified
from .overlap import Terms, fuzzy_share
from .sentences import ArticleSentences
from .units import expected, holds_unit
from .windows import asked_words


def lacks_unit(article: ArticleSentences, first: int, last: int, question: str) -> bool:
    """Whether `question` asks for an amount of a kind (money, a share, an age, a distance, ...:
    index.units) or a count of a thing ("Wie viele Einwohner", "how many delegates") and no
    sentence of the window or either side of it states a number of that kind or of that thing.
    Such a quote is often about the question's topic, not its fact ("How much is Netflix paying
    …?" answered with "cut me off financially … in 2020"; "How many delegates did South
    Carolina award …?" with a poll's shares): a confidence of AnswerConfig.unit_missing less.
    Amounts (news set: 14 of 16 out-of-corpus questions abstained on instead of 13, no
    answerable one lost); counts since 2026-12-06 (the raw-HTML held-out set's out-of-corpus
    questions 8 → 9 of 12, XQuAD-de one answer of 1,190 lost; README, "Knowing when not to
    answer")."""
    pattern, noun = expected(question)
    if pattern is None and noun is None:
        return False
    return not any(holds_unit(question, article.sentence(i)) for i in around(article, first, last))


def bars_second_look(
    article: ArticleSentences,
    first: int,
    last: int,
    question: str,
    kind: str | None,
    count_missing: float,
) -> bool:
    """Whether the second look (index.second_look) may not raise this window's answer: the
    question asks for an amount, or a count where counts are judged (count_missing), that no
    sentence around the window states (lacks_unit). e5 reads such a quote as on the question's
    topic, which it is, while the fact asked for is missing ("How much does the mayor … earn per
    year?" answered with his election, raised to 0.40 by the look)."""
    if kind != "quantity" or not (count_missing or expected(question)[0] is not None):
        return False
    return lacks_unit(article, first, last, question)


def size_discount(passages: int, per_decade: float, size_floor: int) -> float:
    """The confidence's discount for the size of the library: AnswerConfig.per_decade per
    tenfold of passages beyond size_floor. The confidence is judged on the chosen article and
    window alone, but that window is the best of all the library's: the more passages compete,
    the higher the best chance match of a question the library cannot answer (as a search
    engine's score of a chance hit grows with the log of its database size, so BLAST's
    significance is corrected for it). Without it, out-of-corpus questions got a quote 6.3
    points more often at 100k passages than at 1k (8.7% against 15.0%); with 0.01, 3.0
    points, at the cost of 2 points fewer answerable questions answered at 100k (README,
    "Knowing when not to answer")."""
    if passages <= size_floor:
        return 0.0
    return per_decade * math.log10(passages / size_floor)


def around(article: ArticleSentences, first: int, last: int) -> range:
    """The window's sentences and one either side."""
    return range(max(0, first - 1), min(len(article), last + 2))


def confidence(
    article: ArticleSentences,
    terms: Terms,
    question: str,
    first: int,
    last: int,
    query_vector: np.ndarray,
    *,
    across: bool = False,
) -> float:
    """How sure we are that the chosen article answers at all, from that article and window
    alone (so more passages competing do not lift it): the mean of
    - the share of the question's idf-weighted words around the window (it and a sentence
      either side; lemmas and compound parts matching too) and in the whole article with its
      title, averaged,
    - the window's best cosine with the question.
    Chosen with the threshold on the news set's answerable and out-of-corpus questions together
    with XQuAD's half-library split (README, "Knowing when not to answer"). `across`: the
    question is in another language than the article, whose words it cannot hold; the cosine
    alone is the confidence (English questions about half of XQuAD's German articles: 40% of
    the answerable answered instead of 23%, 99-100% of the others abstained on, both models).
    A question whose words the article's language knows is not across, whatever langdetect
    said (it takes short German questions for Afrikaans or Danish)."""
    dense = float(np.max(article.vectors[first : last + 1] @ query_vector))
    if across:  # a question in another language than the article's: its words cannot be held
        return dense
    nearby = around(article, first, last)
    lo, hi = nearby.start, nearby.stop
    held = frozenset().union(*article.terms[lo:hi])
    keys = Keys.joined(article.keys[lo:hi])
    asked = asked_words(question, article.language)
    near = fuzzy_share(terms.weights, asked, held, keys)
    # The article's headline is its own words too: a question worded like it holds them even
    # where the body names the thing otherwise (the "Kieler Verkehrsgesellschaft" in the
    # headline, only "KVG" in the body).
    # Its lemmas count there, and a compound part where the article names a kind of the
    # question's word (matching.specified). Joined on each call (~0.2 ms for 21 sentences), not
    # kept with the 2,000 cached articles (index.article_cache), where it would hold tens of KB
    # more for each.
    whole = frozenset(article.frequency) | article.title_terms
    anywhere = fuzzy_share(terms.weights, asked, whole, Keys.joined(article.keys), specified)
    return ((near + anywhere) / 2 + dense) / 2


def window_confidence(
    article: ArticleSentences,
    terms: Terms,
    window: tuple[int, int],
    question: str,
    language: str,
    query_vector: np.ndarray,
    kind: str | None,
    missing: tuple[float, float],
) -> float:
    """`confidence` of one window (first, last sentence) of the chosen article, less
    `missing` (AnswerConfig.unit_missing, count_missing) for an amount, or a count, that nothing
    near states (lacks_unit). A question whose words the article's language knows is not across,
    whatever langdetect said (it errs on short text)."""
    first, last = window
    own = article.language
    across = language != own and not reads_as(question, own)
    sure = confidence(article, terms, question, first, last, query_vector, across=across)
    if kind == "quantity" and lacks_unit(article, first, last, question):
        sure -= missing[0] if expected(question)[0] is not None else missing[1]
    return sure
