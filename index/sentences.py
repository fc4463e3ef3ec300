"""One article's sentences, as answer selection reads them: text spans, vectors, terms, layout.

Answers are chosen among all the sentences of the articles retrieval ranks first, not only inside
the passages it found: a question's topic words ("Tauben", "ISS Dome") are in every passage of
the article, so the passage they rank first is often the lead, while the detail asked for is
further down. Built once per article from its stored passages (sentence vectors and spans are
stored when it is added) and kept in a bounded cache by the library.

Layout: each sentence's block (the line it is on: trafilatura's paragraphs, headings, captions)
and kind: "body", "heading" (a short line without final punctuation), "question" (ends with a
question mark: never an answer), or "interviewer" (the question paragraphs of an interview,
recognized when an article has several paragraphs that end in a question and are each followed
by one that does not).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .lexical import analyze
from .models import Passage
from .punctuation import CLOSERS, CONTINUES, ENDS, QUESTIONS
from .sentence_analysis import Analysis, analyze_sentences
from .units import states_money
from .wordrows import KeyRows, WordRows

if TYPE_CHECKING:
    from .windows import Layout

_QUESTION_END = re.compile(rf"[{QUESTIONS}][{CLOSERS}]*\s*$")
_FINAL = re.compile(rf"[{ENDS}{CONTINUES}{CLOSERS}]\s*$")
_WORD = re.compile(r"\w+")
# A list item (trafilatura writes "- " before each, in ordered lists too; pasted text may use
# bullets or "1)") is body text, not a heading, though it is short and unpunctuated:
# "- Einzelfahrschein 3,90 Euro" may be the answer. "2. Die Reaktionen" stays a heading.
_LIST_ITEM = re.compile(r"^\s*(?:[-–•*·▪]\s|\d{1,2}\)\s)")
HEADING_WORDS = 15
# ... and characters: in scripts written without spaces (Thai's sentences end in no mark either)
# a whole sentence is a word or two.
HEADING_CHARS = 120
INTERVIEW_PAIRS = 2  # question paragraphs, each followed by an answer, that make an interview


@dataclass(frozen=True)
class ArticleSentences:
    article_id: int
    language: str
    text: str  # the article's text: quotes are cut from it
    spans: tuple[tuple[int, int], ...]  # each sentence's offsets in `text`, in order
    passage_ids: tuple[int, ...]  # a passage that holds each sentence
    vectors: np.ndarray  # one normalized row per sentence
    # Kept as arrays, not a set per sentence: see index.wordrows (cached articles' objects
    # are what Python's garbage collector walks).
    terms: WordRows  # analyzed (stemmed) terms of each sentence
    keys: KeyRows  # lemmas and compound parts of each sentence (index.matching.Keys)
    blocks: tuple[int, ...]  # the line each sentence is on
    kinds: tuple[str, ...]
    frequency: dict[str, int]  # term -> how many sentences hold it
    title_terms: frozenset[str] = frozenset()  # the title's analyzed terms: the topic

    def __len__(self) -> int:
        return len(self.spans)

    def sentence(self, i: int) -> str:
        a, b = self.spans[i]
        return self.text[a:b]

    def quotable(self, i: int) -> bool:
        return self.kinds[i] in ("body", "heading")

    @cached_property
    def layout(self) -> Layout:
        """Its windows and sentence indexes for answer selection (index.windows), made on first
        use and kept with it."""
        from .windows import Layout

        return Layout.of(self)

    @cached_property
    def states_money(self) -> bool:
        """Whether its text states an amount of money anywhere (index.units.states_money), read
        on first use and kept with it: a library asked about money reads each article once."""
        return states_money(self.text)

    @classmethod
    def build(
        cls,
        article_id: int,
        language: str,
        text: str,
        passages: Sequence[Passage],
        vectors: dict[int, np.ndarray],
        title: str = "",
        analysis: Analysis | None = None,
    ) -> ArticleSentences:
        """From the article's passages (any order) and their sentence vectors by passage id.
        Passages overlap by a sentence; each sentence is taken once. `analysis`: the article's
        stored sentence analysis (index.sentence_analysis), used when it is of these very
        sentences; else it is computed now."""
        seen: dict[tuple[int, int], tuple[int, np.ndarray]] = {}
        for passage in sorted(passages, key=lambda p: p.ordinal):
            rows = vectors.get(passage.id)
            if rows is None or len(rows) != len(passage.sentences):
                continue
            for (a, b), row in zip(passage.sentences, rows, strict=True):
                seen.setdefault((passage.start + a, passage.start + b), (passage.id, row))
        spans = tuple(sorted(seen))
        dimension = next(iter(vectors.values())).shape[1] if vectors else 0
        matrix = np.stack([seen[s][1] for s in spans]) if spans else np.zeros((0, dimension), "f4")
        if analysis is None or analysis.spans != spans:
            analysis = analyze_sentences(text, spans, language)
        terms = analysis.terms
        if not isinstance(terms, WordRows):  # computed now, not decoded: sets
            terms = WordRows(terms)
        keys = analysis.keys if isinstance(analysis.keys, KeyRows) else KeyRows.of(analysis.keys)
        blocks = _blocks(text, spans)
        return cls(
            article_id,
            language,
            text,
            spans,
            tuple(seen[s][0] for s in spans),
            matrix.astype(np.float32),
            terms,
            keys,
            blocks,
            _kinds(text, spans, blocks),
            terms.counts(),
            frozenset(analyze(title, language)),
        )


def _blocks(text: str, spans: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    breaks = [m.start() for m in re.finditer("\n", text)]
    return tuple(bisect.bisect_left(breaks, a) for a, _ in spans)


def _kinds(text: str, spans: Sequence[tuple[int, int]], blocks: Sequence[int]) -> tuple[str, ...]:
    kinds = []
    for i, (a, b) in enumerate(spans):
        sentence = text[a:b]
        alone = (i == 0 or blocks[i - 1] != blocks[i]) and (
            i + 1 == len(spans) or blocks[i + 1] != blocks[i]
        )
        if _QUESTION_END.search(sentence):
            kinds.append("question")
        elif (
            alone
            and not _FINAL.search(sentence)
            and not _LIST_ITEM.match(sentence)
            and len(_WORD.findall(sentence)) <= HEADING_WORDS
            and len(sentence) <= HEADING_CHARS
        ):
            kinds.append("heading")
        else:
            kinds.append("body")
    return _mark_interviewer(kinds, blocks)


def _mark_interviewer(kinds: list[str], blocks: Sequence[int]) -> tuple[str, ...]:
    """In an interview, the whole paragraph that ends in the interviewer's question is theirs."""
    last_kind: dict[int, str] = {}
    for block, kind in zip(blocks, kinds, strict=True):
        last_kind[block] = kind  # sentences are in order: the last one wins
    order = sorted(last_kind)
    asking = [
        b
        for b, following in zip(order, order[1:], strict=False)
        if last_kind[b] == "question" and last_kind[following] == "body"
    ]
    if len(asking) < INTERVIEW_PAIRS:
        return tuple(kinds)
    marked = set(asking)
    return tuple("interviewer" if blocks[i] in marked else k for i, k in enumerate(kinds))
