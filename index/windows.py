"""Answer selection's window features (ranker.FEATURES), as array operations.

A window is one sentence, or two in a row on the same line (answer.py). What does not depend on
the question is made once per article and kept with it (`Layout`, cached on the
ArticleSentences): the windows, their layout features and word counts, the sentences' texts,
and which sentences hold anything of an evidence kind or a number at all. Per question, the word
matches are a sentences x words matrix, and each feature is one array operation over all
windows: a window of two sentences holds what either holds (the maximum of their rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .matching import HALF, Word, words
from .overlap import Terms, local_weights
from .qtype import content, evidence_found, has_evidence
from .ranker import FEATURES
from .sentences import ArticleSentences
from .units import expected, holds_number, holds_unit
from .wordrows import KeyRows, WordRows


@dataclass(frozen=True)
class Layout:
    """What an article's windows are, whatever the question."""

    bounds: list[tuple[int, int]]  # each window's first and last sentence
    first: np.ndarray
    last: np.ndarray
    static: np.ndarray  # windows x (pair, lead, heading, position), float64
    held: np.ndarray  # how many distinct terms each window holds
    sentences: tuple[str, ...]
    terms: WordRows  # the article's own: each sentence's stems
    keys: KeyRows  # ... lemmas and compound parts
    # Which sentences hold anything of an evidence kind at all, or a number (flags by kind,
    # made on first use): only those are read again per question. Arrays, not sets per
    # sentence: the cached articles' objects are what a full garbage collection walks.
    flags: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, article: ArticleSentences) -> Layout:
        n = len(article)
        bounds = [(i, i) for i in range(n)]
        for i in range(n - 1):
            same_line = article.blocks[i] == article.blocks[i + 1]
            answered = article.kinds[i] == "interviewer" and article.kinds[i + 1] != "interviewer"
            if same_line or answered:
                bounds.append((i, i + 1))
        quotable = [article.quotable(i) for i in range(n)]
        bounds = [(a, b) for a, b in bounds if quotable[a] or quotable[b]]
        # A heading alone is not an answer: in news a (sub)heading announces what the paragraph
        # under it tells ("Karte ist räumlich höher aufgelöst" above "… in einer Auflösung von
        # 1x1 Kilometer"), without the detail asked for, yet holds the topic's words. It stays
        # quotable as a neighbour (index.quote) and where an article has nothing else.
        bounds = [(a, b) for a, b in bounds if a < b or article.kinds[a] != "heading"] or bounds
        first = np.array([b[0] for b in bounds], dtype=np.intp)
        last = np.array([b[1] for b in bounds], dtype=np.intp)
        lead = next((i for i in range(n) if article.kinds[i] == "body"), -1)
        heading = np.array([k == "heading" for k in article.kinds], dtype=bool)
        # "pair": a window that holds its sentence's whole context on the line, two sentences
        # or a sentence alone on its line (a one-sentence paragraph, common in news, has no
        # pair to be part of and would otherwise always lose that feature's weight).
        blocks = np.asarray(article.blocks)
        alone = np.ones(n, dtype=bool)
        alone[1:] &= blocks[1:] != blocks[:-1]
        alone[:-1] &= blocks[:-1] != blocks[1:]
        static = np.column_stack(
            [
                (last > first) | (alone[first] & (first == last)),
                (first <= lead) & (lead <= last),
                heading[first] | heading[last] if n else np.zeros(0, bool),
                first / (n or 1),
            ]
        ).astype(np.float64)
        sizes, shared = article.terms.sizes(), article.terms.shared_with_next()
        held = np.array(  # distinct terms: those of a pair (i, i + 1) less those the two share
            [sizes[a] + (sizes[b] - shared[a] if b > a else 0) for a, b in bounds], np.int64
        )
        return cls(
            bounds,
            first,
            last,
            static.reshape(len(bounds), 4),
            held,
            tuple(article.sentence(i) for i in range(n)),
            article.terms,
            article.keys,
        )

    def _flag(self, name: str, test: Callable[[str], object]) -> np.ndarray:
        found = self.flags.get(name)
        if found is None:
            found = self.flags[name] = np.array([bool(test(s)) for s in self.sentences], bool)
        return found

    def evidence(self, kind: str | None, question: str) -> np.ndarray:
        """Whether each sentence holds a thing of `kind` the question does not (qtype)."""
        if kind in ("expansion", "entity"):  # what counts depends on the question's words
            return np.array([has_evidence(kind, s, question) for s in self.sentences], dtype=bool)
        some = self._flag(kind or "", lambda s: evidence_found(kind, s))
        if kind == "person":  # a name counts unless it shares a word with the question
            out = np.zeros_like(some)
            for i in np.flatnonzero(some):
                out[i] = has_evidence(kind, self.sentences[i], question)
            return out
        asked = evidence_found(kind, question)
        if not asked:
            return some
        out = some.copy()
        for i in np.flatnonzero(some):
            out[i] = not evidence_found(kind, self.sentences[i]) <= asked
        return out

    def units(self, question: str) -> np.ndarray:
        """Whether each sentence holds a number of the kind asked for (index.units)."""
        out = np.zeros(len(self.sentences), dtype=bool)
        if expected(question) == (None, None):
            return out
        for i in np.flatnonzero(self._flag("number", holds_number)):
            out[i] = holds_unit(question, self.sentences[i])
        return out

    def matches(self, words_: list[str], asked: dict[str, Word]) -> tuple[np.ndarray, np.ndarray]:
        """sentences x words: whether each sentence holds each word's stem (exact), and how it
        holds it by lemma or compound part too (fuzzy: 1 or HALF; index.matching.match)."""
        exact = np.zeros((len(words_), len(self.terms)), dtype=np.float32)
        fuzzy = exact.copy()
        lemmas, parts = self.keys.lemmas, self.keys.parts
        for j, term in enumerate(words_):
            exact[j] = stem = self.terms.holding(term)
            word = asked.get(term)  # its stem is `term`: match() counts the exact hit too
            if word is None:
                fuzzy[j] = stem
                continue
            # index.matching.match, for every sentence at once
            whole = stem | lemmas.holding(word.lemma)
            half = parts.holding(word.lemma)
            if word.parts:
                half |= parts.holding_any(word.parts) | lemmas.holding_any(word.parts)
            fuzzy[j] = np.where(whole, 1.0, np.where(half, HALF, 0.0))
        return exact.T, fuzzy.T


def asked_words(question: str, language: str) -> dict[str, Word]:
    """The question's content words by stem (the last of a stem wins)."""
    return {w.stem: w for w in _content_words(question, language)}


@lru_cache(maxsize=1024)
def _content_words(question: str, language: str) -> tuple[Word, ...]:
    """Cached: every article of an ask, and its confidence, read the same question's words."""
    return tuple(words(content(question), language))


def window_features(
    article: ArticleSentences,
    question: str,
    terms: Terms,
    query_vector: np.ndarray,
    kind: str | None,
    prior: float,
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Each window's bounds and features (windows x FEATURES, float32)."""
    layout: Layout = article.layout
    first, last = layout.first, layout.last
    weights = local_weights(article, terms)
    asked = {t: w for t, w in asked_words(question, article.language).items() if t in weights}
    # The words the title shares name the article's topic, not the detail asked for.
    focus = {t: w for t, w in weights.items() if t not in article.title_terms} or weights
    words_ = list(weights)
    exact, fuzzy = layout.matches(words_, asked)
    share = np.array(
        [[weights[t], terms.weights[t], weights[t], focus.get(t, 0.0)] for t in words_],
        dtype=np.float32,
    ).reshape(len(words_), 4)
    totals = share.sum(axis=0)
    share = share / np.where(totals > 0, totals, 1.0)
    held_exact = np.maximum(exact[first], exact[last])
    held_fuzzy = np.maximum(fuzzy[first], fuzzy[last])
    local_global = held_exact @ share[:, :2]
    fuzzy_focus = held_fuzzy @ share[:, 2:]
    asked_columns = [j for j, t in enumerate(words_) if t in asked]
    common = held_exact[:, asked_columns].sum(axis=1, dtype=np.float64)
    dense = article.vectors @ query_vector
    top = np.maximum(dense[first], dense[last]).astype(np.float64)
    best = float(dense.max()) if len(dense) else 0.0
    evidence = layout.evidence(kind, question)
    unit = layout.units(question)
    columns = np.column_stack(
        [
            top,
            top - best,
            local_global.astype(np.float64),
            evidence[first] | evidence[last],
            np.full(len(first), prior),
            layout.static[:, :3],
            fuzzy_focus[:, 0].astype(np.float64),
            1.0 - common / np.where(layout.held > 0, layout.held, 1),
            layout.static[:, 3],
            fuzzy_focus[:, 1].astype(np.float64),
            unit[first] | unit[last],
        ]
    )
    return layout.bounds, columns.astype(np.float32).reshape(-1, len(FEATURES))
