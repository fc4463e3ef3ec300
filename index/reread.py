"""The reader's second look at the ranker's choice (index.answer): the ranker's first windows of
its chosen article and a few of each other candidate article, each sentence read together with
the question by the cross-encoder (index.reader), alone and again under its article's headline,
the window of the highest ranker score plus weighed reader score chosen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .kindcheck import lacking
from .rolename import role_named
from .timeclash import time_clash

if TYPE_CHECKING:
    from .answer import AnswerConfig, Scored
    from .reader import Reader
    from .sentences import ArticleSentences

# The reader's reading of a key sentence below which the answer is judged READ_BELOW less sure
# (AnswerConfig.reader_floor, reader_below; index.answer). The reader ranks the sentences of one
# article, so its score is no probability; but far below zero it reads "this does not answer"
# across questions too: on SQuAD v1.1's dev set (never trained on; XQuAD's paragraphs left out,
# 2,500 questions), 1.2% of the sentences holding the answer read below -3 against 33% of the
# best other sentence of their paragraph (the near miss: the topic there, the fact not) and 61%
# of another paragraph's. The floor was chosen there, the step on the plateau where 0.15-0.3
# change no answer of the news set, the fourth held-out set or XQuAD's half-library split
# (2026-12-06, tenth session; README, "Knowing when not to answer").
READ_FLOOR = -3.0
READ_BELOW = 0.2
HEADLINE_CHARS = 120  # of the headline a sentence is read under (under_headline)
# Only windows within this much of the best (ranker + reader, each sentence read alone) are read
# again under the headline: the window chosen after reading every window twice was at most 1.0
# below the best of the first on the news set (200 questions), 4.4 on the held-out news set
# (128); reading every window twice took 474 / 708 ms p50 / p95 a question instead of 221 /
# 357, within 5 of the best 305 / 577, within 3 268 / 481 (news set, 2 cores, alone).
HEADLINE_REACH = 5.0
# What the reader's score of a sentence naming years (or months, weekdays), none the question's,
# loses (time_clash; about a third of the spread of its scores of one article's sentences): the
# raw-HTML held-out news set 0.8875 -> 0.9125 (the MDR's 2023 handover asked, its 2011 one
# quoted, and the reverse), the news set's chat turn "What time did the rolling blackouts start
# on Saturday?" right (Friday's had been quoted), the rest of the news set and the second
# held-out set unchanged; XQuAD-en 1100 -> 1099 of 1,190 (a list of papers cited by year, 1998
# and 2000, for "the 1999 paper's reconstructions"), XQuAD-de 1041 either way (2026-12-06;
# months added after, no answer of these sets changed).
TIME_CLASH = 3.0
# What the reader's score of a sentence naming a person right after the role a "who" question
# asks for gains (role_named: "sagt die TVB-Vorstandsvorsitzende Eva Rönspieß" for "Wer ist
# Vorstandsvorsitzende beim Tierschutzverein für Berlin?", where the sentence naming the
# association and another person was quoted); as much as a time clash loses. The fourth
# held-out set 7 -> 8 of 12, the news set and XQuAD unchanged (1099 / 1041), XQuAD's
# half-library split one English answer of 612 lost (2026-12-06; README, "The reader").
ROLE_NAMED = 3.0
# What the reader's score of a sentence loses where it states nothing of the kind of answer the
# question asks for (an amount of its unit, a game's or a vote's result) and another sentence
# read does (index.kindcheck): as much as a time clash, not chosen on any set. README, "The
# reader".
KIND_ABSENT = 3.0


def reread(
    chosen: Scored,
    question: str,
    reader: Reader,
    config: AnswerConfig,
    keep: Callable[[ArticleSentences, int, int], bool] | None = None,
    others: Sequence[Scored] = (),
    *,
    headline: bool = False,
) -> tuple[tuple[Scored, tuple[float, int, int]], dict[int, float]]:
    """The window whose ranker score plus the reader's, weighed by `reader_weight`, is highest
    among the ranker's first `reader_windows` of `chosen` (the ranker's article) and the first
    `reader_other_windows` of each of `others` (the other candidate articles); and the reader's
    score of each sentence read in the article of that window. The reader reads question and
    sentence together, so it tells the sentence that answers from the one that only names the
    topic, which the ranker's features cannot: README, "The reader (a cross-encoder), on by
    default".
    - It reads each sentence alone, and a window of two sentences counts as its better one: it
      was trained on single sentences (one holding the answer against others of its paragraph),
      and on two read as one it scored a topic sentence's window above the answer's.
    - Read alone, a sentence that names its subject only by reference ("Vom Innviertel aus
      beliefert das Unternehmen …" for "Wo sitzt FACC?") cannot answer. So the sentences of
      the windows that may still win (within HEADLINE_REACH of the best) are read a second time
      after their article's headline (`headline`), and count as the mean of the two readings.
      Not for a follow-up (index.answer): the headline names the subject its previous question
      named, in every sentence, where the follow-up's own words are to choose. News set: 5
      answers gained and 1 lost (the chats: a first turn lost, the new topic above gained); read
      under the headline only, 6 gained and 10 lost (the headline's topic words in every
      sentence lift the topic sentences too); the better of the two, 4 gained and 7 lost.
    - Other articles' best windows are read too: in a library of many short reports alike, the
      ranker chose "In Deutschland gab es Ende vergangenen Jahres nur noch 17.571 Apotheken"
      for "Wie viele Verkehrstote gab es in Deutschland?" ("gab es in Deutschland" and a
      number), where the reader reads the road-deaths sentence at 4.0 and the pharmacies' at
      -3.0. Only a few windows of each, added to the ranker's score: it was trained to tell
      sentences of one paragraph apart, and across whole articles alone it once took a sentence
      of the asked-for kind about something else (a flood's toll for a train crash's).
    - A sentence that names years, none of them a year the question names, or months or
      weekdays, none of the question's, reads TIME_CLASH lower (`config.time_clash`,
      index.timeclash): the reader reads a 2011 handover as the answer to a question about
      2023's.
    - A sentence that names a person right after the role a "who" question asks for reads
      ROLE_NAMED higher (`config.role_named`, index.rolename): news name people by their role
      in apposition, which the reader weighs no more than the question's other words.
    - A sentence that states nothing of the kind of answer the question asks for (an amount of
      its unit, a result), where another sentence read does, reads KIND_ABSENT lower
      (`config.kind_absent`, index.kindcheck): the reader weighs the question's topic words
      above the kind of answer it asks for."""
    ranked = reader_candidates(chosen, config, keep)
    for other in others:
        ranked += reader_candidates(other, config, keep)[: config.reader_other_windows]
    articles = {s.article.article_id: s.article for s, _ in ranked}
    read = _read(question, reader, articles, ranked)
    # What the time clash and the role move each sentence's reading by, both readings alike.
    moved = dict.fromkeys(time_clash(question, articles, read), -config.time_clash)
    if config.role_named:
        for line in role_named(question, articles, read):
            moved[line] = moved.get(line, 0.0) + config.role_named
    if config.kind_absent:
        sentences = {(a, i): articles[a].sentence(i) for a, i in read}
        for line in lacking(question, sentences):
            moved[line] = moved.get(line, 0.0) - config.kind_absent
    for line, by in moved.items():
        read[line] += by

    def total(pair: tuple[Scored, tuple[float, int, int]]) -> float:
        scored, (score, first, last) = pair
        best = max(read[scored.article.article_id, i] for i in range(first, last + 1))
        return score + config.reader_weight * best

    if headline:  # read again under the headline: the windows that may still win
        best = max(total(pair) for pair in ranked)
        ranked = [pair for pair in ranked if total(pair) >= best - HEADLINE_REACH]
        titles = {s.article.article_id: s.hit.article.title for s, _ in ranked}
        again = _read(question, reader, articles, ranked, titles)
        for line in moved.keys() & again.keys():
            again[line] += moved[line]
        read.update({line: (read[line] + value) / 2 for line, value in again.items()})
    choice = max(ranked, key=total)
    mine = choice[0].article.article_id
    return choice, {i: value for (a, i), value in read.items() if a == mine}


def reader_candidates(
    chosen: Scored,
    config: AnswerConfig,
    keep: Callable[[ArticleSentences, int, int], bool] | None = None,
) -> list[tuple[Scored, tuple[float, int, int]]]:
    """The windows the reader rescores (`reread`): the first `reader_windows` by the ranker's
    score of `chosen`, the article of the ranker's choice; only those `keep` accepts, as for
    the ranker."""
    windows = [w for w in chosen.windows if keep is None or keep(chosen.article, *w[1:])]
    return [(chosen, w) for w in sorted(windows, key=lambda w: -w[0])][: config.reader_windows]


def _read(
    question: str,
    reader: Reader,
    articles: dict[int, ArticleSentences],
    ranked: list[tuple[Scored, tuple[float, int, int]]],
    titles: dict[int, str] | None = None,
) -> dict[tuple[int, int], float]:
    """The reader's score of each sentence of the `ranked` windows, by (article id, sentence);
    each read under its article's headline where `titles` are given."""
    lines = sorted({(s.article.article_id, i) for s, (_, a, b) in ranked for i in range(a, b + 1)})
    texts = [articles[a].sentence(i) for a, i in lines]
    if titles is not None:
        texts = [under_headline(titles[a], t) for (a, _), t in zip(lines, texts, strict=True)]
    scores = reader.score(question, texts)
    return {line: float(score) for line, score in zip(lines, scores, strict=True)}


def under_headline(title: str, sentence: str) -> str:
    """`sentence` as the reader reads it a second time: after its article's headline (cut at a
    word to HEADLINE_CHARS), which names what the sentence may only refer to ("Vom Innviertel
    aus beliefert das Unternehmen …" under "Auftragshoch bei FACC"); the sentence alone where
    the article has no title."""
    title = " ".join(title.split())
    if not title:
        return sentence
    if len(title) > HEADLINE_CHARS:
        title = title[:HEADLINE_CHARS].rsplit(" ", 1)[0]
    return f"{title}: {sentence}"
