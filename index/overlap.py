"""How much of a question's vocabulary a sentence holds (answer selection's word features).

A question's words are weighed by their rarity in the library (idf) and, within a candidate
article, by how specific they are to one sentence of it; a sentence holds a word by its stem,
or by lemma or compound part (index.matching). These are the shares answer.py's windows are
scored and its confidence judged on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .lexical import analyze
from .matching import Keys, Word, match, separated_verbs, stem_words
from .qtype import content
from .sentences import ArticleSentences

Idf = Callable[[str, set[str]], dict[str, float]]  # (language, analyzed terms) -> idf


@dataclass(frozen=True)
class Terms:
    """The question's analyzed terms in one language, with their library idf; those that came
    from the chat's previous question (a follow-up's context) are down-weighted."""

    weights: dict[str, float]
    own: frozenset[str] = frozenset()  # the question's own terms (not its context's)

    @classmethod
    def of(
        cls, question: str, context: str | None, language: str, idf: Idf, context_weight: float
    ) -> Terms:
        own = set(analyze(content(question), language))
        # A verb written apart from its particle is asked as the joined verb ("reicht … ein":
        # "einreichen"), not as the bare one, which a sentence on handing in would not hold.
        for verb, joined in separated_verbs(question, language):
            own -= set(analyze(verb, language))
            own |= set(stem_words([joined], language))
        extra = set(analyze(content(context), language)) - own if context else set()
        idfs = idf(language, own | extra)
        weights = {t: idfs[t] * (1.0 if t in own else context_weight) for t in own | extra}
        return cls(weights, frozenset(own))

    def alone(self) -> Terms:
        """The question's own terms only, as `of` gives them without a context."""
        if len(self.own) == len(self.weights):
            return self
        return Terms({t: w for t, w in self.weights.items() if t in self.own}, self.own)

    def coverage(self, terms: frozenset[str] | set[str]) -> float:
        total = sum(self.weights.values()) or 1.0
        return sum(w for t, w in self.weights.items() if t in terms) / total


def local_weights(article: ArticleSentences, terms: Terms) -> dict[str, float]:
    """The question's words weighed by idf times their specificity in the article:
    log((n + 1) / f) / log(n + 1) for a word in f of the article's n sentences (1 when in one
    sentence, near 0 when in all; 1 when in none, so that an article missing the question's
    words never looks complete)."""
    n = len(article)
    weights = {}
    for term, weight in terms.weights.items():
        f = article.frequency.get(term, 0)
        weights[term] = weight * (math.log((n + 1) / f) / math.log(n + 1) if f else 1.0)
    return weights


def fuzzy_share(
    weights: dict[str, float],
    asked: dict[str, Word],
    held: frozenset[str],
    keys: Keys,
    match: Callable[[Word, frozenset[str], Keys], float] = match,
) -> float:
    """Like _share, with words matched by lemma or compound part too (index.matching; `match`,
    or as strict as `specified`)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    got = sum(
        w * (match(asked[t], held, keys) if t in asked else float(t in held))
        for t, w in weights.items()
    )
    return got / total
