"""The newer reports recency weighs against a question's first answer (index.preference): each
asked alone, judged for the same claim (index.claims) and story (index.story), and found by the
first answer's rare names. A mixin of index.asked.Asked, which holds the question's state (its
library, snapshot, hits, the hits further down and later reports found, its first answer and
the figure that answer told)."""

from __future__ import annotations

import itertools
from dataclasses import replace

from .answer import AnswerConfig
from .claims import Relation, days_between, relation, stated, states_like
from .figures import comparable
from .models import Answer, Hit
from .preference import FURTHER, SAME_CLAIM_TOLERANCE
from .qtype import question_type
from .story import STORY_HITS, STORY_QUERY, continues, rare_names


class NewerReports:
    """Recency's side of Asked (index.asked)."""

    def reads_worse(self, first: Answer, other: Answer) -> bool:
        """Whether the reader (where it is on) reads `other`'s key sentence as answering the
        question less well than `first`'s (index.preference.prefer_recent)."""
        reader = self.library.reader()
        if reader is None:
            return False
        keys = [a.quote[a.key[0] : a.key[1]] or a.quote for a in (first, other)]
        mine, theirs = reader.score(self.question, keys)
        return bool(theirs < mine)

    def further(self) -> list[Hit]:
        if not self.time.restricts and not self.pool:
            self.pool.extend(self.library._hits(self.scored[self.wanted : FURTHER]))
        return self.pool

    def alone(self, article_id: int, lenient: bool = False) -> Answer:
        mine = [
            h
            for h in itertools.chain(self.hits, self.pool, self.told)
            if h.article.id == article_id
        ]
        config = self.newer_config()
        if not lenient:
            return self.again_with_figure(mine, self.answer(mine, config, read=False))
        # A newer report of the claim already answered: its own evidence may be weaker. For a
        # question asking an amount, its window stating a comparable figure is asked for too, as
        # for a report asked alone (an earthquake's toll raised "um mehr als 1.400 auf 2.205"
        # three days on, where its best sentence tells of the rescuers). Not for a "which X" or
        # another kind that may be answered by a figure: hunting the later articles found for a
        # figure of the kind, two chats' first answers of the fifth held-out news set were
        # replaced (Chicago's mayor by a talk show's "3 nach 9" six days later).
        lowered = replace(config, threshold=config.threshold - SAME_CLAIM_TOLERANCE)
        got = self.answer(mine, lowered, read=False)
        if question_type(self.question) != "quantity":
            return got
        return self.again_with_figure(mine, got, lowered)

    def newer_config(self) -> AnswerConfig:
        """The answer settings for a newer report asked alone: without the count's confidence
        step, since an update counts its thing in other words ("7,2 Millionen Gäste" for the
        Oktoberfest's "Besucher"; dated pairs 72 -> 69 with it) and index.claims judges whether
        it counts the same; nor the place's, since an update may name the place otherwise
        (the town on the island asked about: 73 -> 72 with it) and index.claims judges whether
        it names another place instead (index.places.elsewhere)."""
        return replace(self.library.config.answer, count_missing=0.0, place_below=0.0)

    def again_with_figure(
        self, mine: list[Hit], got: Answer, config: AnswerConfig | None = None
    ) -> Answer:
        """A newer article's answer, or where it states no figure that can be the first
        answer's reported again, the answer of its best window that does: a newer report's
        own answer to the question may be another of its sentences ("Das meldete das
        Statistische Bundesamt …" where "2023 kamen … 692.989 Babys zur Welt" updates "Im
        Jahr 2022 wurden … 738.819 Kinder geboren"). index.claims then judges it as any.
        `config`: the answer settings it was asked with (newer_config's, or lowered)."""
        told = self.told_figure
        if told is None:
            return got
        found = None if got.abstained else stated(got, self.question, like=told)
        if found is not None and comparable(found, told):
            return got
        keep = states_like(told, self.question)
        again = self.answer(mine, config or self.newer_config(), keep=keep, read=False)
        return got if again.abstained else again

    def text_of(self, answer: Answer, *, titled: bool = False) -> str:
        """The quoted article's text, from the article cache: answer selection read it;
        `titled`: after its title (a later report may name its story there alone)."""
        text = self.library._articles.quoted(answer).text
        return f"{answer.sources[0].article.title}\n{text}" if titled else text

    def story(self, first: Answer, other: Answer) -> bool:
        """Whether `other`'s article continues `first`'s story (index.story)."""
        language = first.sources[0].article.language
        if other.sources[0].article.language != language:
            return False
        days = days_between(first, other)
        older, newer = self.text_of(first, titled=True), self.text_of(other, titled=True)
        return continues(older, newer, days, language, self.snapshot.lexical.idf)

    def relate(self, first: Answer, other: Answer) -> Relation:
        idf = self.snapshot.lexical.idf
        related = relation(self.about, first, other, idf)
        if related != "other" or not self.story(first, other):
            return related
        return relation(self.about, first, other, idf, story=True)

    def confirmed(self, article_id: int, first: Answer) -> Answer | None:
        """A newer article's lenient answer, where it is the same claim as `first` by a
        subject of the question's capitalized words (a weak answer needs a name), or by
        continuing its story (index.story)."""
        other = self.alone(article_id, True)
        if other.abstained or not other.sources:
            return None
        idf, question = self.snapshot.lexical.idf, self.about
        if relation(question, first, other, idf, named=True) == "same":
            return other
        if (
            self.story(first, other)
            and relation(question, first, other, idf, named=True, story=True) == "same"
        ):
            return other
        return None

    def reports(self) -> list[Hit]:
        """Passages found by the names of the first answer's article (index.story): later
        reports of its story that the question's words do not find."""
        article = self.first.sources[0].article
        lexical = self.snapshot.lexical
        words = rare_names(self.text_of(self.first), article.language, lexical.idf)
        if not words:
            return []
        query = " ".join(words[:STORY_QUERY])  # a story goes on in its own language
        found = lexical.search(query, STORY_HITS, article.language)
        ranked = sorted(found.items(), key=lambda item: -item[1])
        got = [
            h
            for h in self.library._hits((p, s, 0.0, s) for p, s in ranked)
            if h.article.id != article.id
        ]
        self.told.extend(got)  # `alone` answers from their passages too
        return got
