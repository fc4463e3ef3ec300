"""One question being answered (Library.ask): its retrieval, its first answer, and the newer
reports recency weighs against it (index.preference.prefer_recent; asked and judged in
index.asked_recency), with what they share: the articles already scored, the hits further down,
the later reports of the first answer's story."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from . import ranker
from .answer import AnswerConfig, answer_question
from .asked_recency import NewerReports
from .claims import figure_told
from .followup import named_for
from .lexical import analyze
from .matching import known_any_case
from .models import Answer, Hit
from .preference import prefer_recent, published
from .qtype import QUESTION_WORDS
from .search import POOL, hybrid_search
from .spelling import ARTICLES, corrected, dictionary_neighbours
from .storage.views import View
from .timeexpr import when
from .truecase import HITS, all_lower, truecased
from .wordlang import question_language

if TYPE_CHECKING:
    from .asking import AskMixin
    from .sentences import ArticleSentences

_UNSEEN = "\x00"  # a term no text is analyzed to: its idf is that of a word the library lacks
Keep = Callable[["ArticleSentences", int, int], bool]


class Asked(NewerReports):
    """The state of answering `question` (searched as `query`, the two questions together for
    a follow-up) in `snapshot` of `library`; `answered()` gives the answer."""

    def __init__(
        self,
        library: AskMixin,
        snapshot: View,
        question: str,
        query: str,
        query_vector: np.ndarray,
        k: int,
        context: str | None,
        ahead: Future | None = None,
    ) -> None:
        self.library, self.snapshot, self.question = library, snapshot, question
        self.query_vector, self.k, self.context = query_vector, k, context
        self.language = question_language(question, snapshot.lexical.languages)
        self.time = when(question, library.clock())
        # What the question asks about, for telling whether two reports make the same claim
        # (index.claims): without the time it names, which says when, not what ("Quante orse
        # marsicane hanno avuto piccoli nel 2019?" is not about "2019": a French report of 2019
        # holding the year was taken for the same claim as the Italian one about the bears).
        self.about = self.time.without(question)
        self.wanted = max(k, library.config.answer.candidates)
        # A follow-up's pronoun, as the reader reads it: the person its previous question named.
        self.read_as = named_for(question, context, self.language) if context else None
        self._retrieve(query, query_vector, ahead)
        fixed = corrected(
            question,
            self._unknown,
            self._first_texts,
            lambda word: dictionary_neighbours(word, self.language, self._in_library),
        )
        if fixed != question:  # a typo: answered, and searched again, as corrected
            query = query[: len(query) - len(question)] + fixed  # a follow-up's: "context q"
            self.question = question = fixed
            self.time = when(question, library.clock())
            self.about = self.time.without(question)
            self.query_vector = library.embedder.encode([query])[0]
            self._retrieve(query, self.query_vector, None)
        if all_lower(question):  # typed without capitals: names as the articles write them
            self.question = question = truecased(
                question, (h.passage.text for h in self.hits[:HITS])
            )
            self.about = self.time.without(question)
            # ... and its language told again from that (index.wordlang: names as the
            # library writes them are words its dictionaries may know).
            self.language = question_language(question, snapshot.lexical.languages)
        self.pool: list[Hit] = []  # the hits further down (`further`), fetched once
        self.told: list[Hit] = []  # later reports of the first answer's story (`reports`)
        self.memo: dict = {}  # the articles scored for this question: `alone` reuses them
        self.searched = snapshot.vectors.searched()
        self.first = self.answer(self.hits)
        # The figure the first answer states, where the question may ask for one (index.claims).
        self.told_figure = None if self.first.abstained else figure_told(question, self.first)

    def _retrieve(self, query: str, query_vector: np.ndarray, ahead: Future | None) -> None:
        """`scored` (the fused pool) and `hits` (the first `wanted`, or those of the range a
        question restricts to, from the pool)."""
        self.scored = hybrid_search(
            self.snapshot.vectors,
            self.snapshot.lexical,
            query_vector,
            query,
            k=max(self.wanted, POOL),
            ahead=ahead,
        )
        restricts = self.time.restricts
        hits = self.library._hits(self.scored if restricts else self.scored[: self.wanted])
        if restricts:
            hits = [h for h in hits if self.time.covers(published(h.article))][: self.wanted]
        self.hits = hits

    def _first_texts(self) -> list[str]:
        """The whole text of the first few articles retrieved (index.spelling)."""
        ids = list(dict.fromkeys(h.article.id for h in self.hits))[:ARTICLES]
        return [t for i in ids if (t := self.library.backend.article_text(i))]

    def _unknown(self, word: str) -> bool:
        """Whether `word` may be a typo: the language's dictionary (simplemma) does not know it
        ("leitet" is no typo of the article's "leidet", nor "bought" of "sought"), and none of
        its terms is in the BM25 index of the question's language (an unseen term has the idf
        of the sentinel, which no text analyzes to). A question word is no typo either, though
        the dictionary lacks most ("combien", "weshalb": it lists the words that inflect)."""
        if word.lower() in QUESTION_WORDS:
            return False
        if known_any_case(word, self.language):
            return False
        terms = analyze(word, self.language)
        return (
            bool(terms)
            and self.language in self.snapshot.lexical.languages
            and not any(self._held(terms))
        )

    def _in_library(self, word: str) -> bool:
        """Whether a term of `word` is in the BM25 index of the question's language."""
        terms = analyze(word, self.language)
        return self.language in self.snapshot.lexical.languages and any(self._held(terms))

    def _held(self, terms: list[str]) -> list[bool]:
        """For each term, whether the BM25 index of the question's language holds it (an unseen
        term has the idf of the sentinel, which no text analyzes to)."""
        idf = self.snapshot.lexical.idf(self.language, [*terms, _UNSEEN])
        return [idf[t] < idf[_UNSEEN] for t in terms]

    def answered(self) -> Answer:
        """The first answer, or a newer report of its claim (index.preference)."""
        first, time = self.first, self.time
        # Looking further only where a same claim can be found: a figure asked for and stated.
        lenient = self.confirmed if self.told_figure is not None else None
        chosen = prefer_recent(
            first,
            self.hits,
            time,
            self.alone,
            self.library._similar,
            self.relate,
            self.further,
            lenient,
            self.reports,
            self.reads_worse,
        )
        if chosen is not first:  # the other articles stay listed as further sources
            quoted = chosen.sources[0]
            rest = tuple(s for s in first.sources if s.article.id != quoted.article.id)
            chosen = replace(chosen, sources=(quoted, *rest)[: max(self.k, 1)], hits=first.hits)
        period = time.expression if time.restricts else ""
        return replace(chosen, follow_up=self.context is not None, period=period)

    def answer(
        self,
        among: list[Hit],
        config: AnswerConfig | None = None,
        keep: Keep | None = None,
        *,
        read: bool = True,
    ) -> Answer:
        """Answer selection among `among`; `read`: with the reader where it is on. Recency's
        newer reports are answered by the ranker alone (`alone`): index.claims judges whether
        a newer quote states the same claim, and with the reader's choice there, a sentence of
        the asked-for kind about another event, a newer article on floods in Valencia's "sind
        mindestens 95 Menschen gestorben" for a train crash in Greece, passed as the same claim
        (dated pairs 66 -> 64 of 98; 66 with the ranker here)."""
        library = self.library
        return answer_question(
            self.question,
            self.language,
            among,
            self.query_vector,
            library._articles.get,
            self.snapshot.lexical.idf,
            config or library.config.answer,
            ranker.weights(library.embedder.name),
            k=self.k,
            context=self.context,
            memo=self.memo,
            passages=self.searched,
            reader=library.reader() if read else None,
            keep=keep,
            # Not for a newer report asked alone (recency): raised to the threshold, a newer
            # article's weak match to the question had passed for the same claim and displaced
            # the older report that answers (dated pairs: the KfW's heating grants, 9 -> 8).
            second_look=library.second_look if read else None,
            read_as=self.read_as,
        )
