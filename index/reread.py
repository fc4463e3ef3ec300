"""The reader's second look at the ranker's choice (index.answer): the ranker's first windows of
its chosen article, each sentence read together with the question by the cross-encoder
(index.reader), the window of the highest ranker score plus weighed reader score chosen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .answer import AnswerConfig, Scored
    from .reader import Reader
    from .sentences import ArticleSentences


def reread(
    chosen: Scored,
    question: str,
    reader: Reader,
    config: AnswerConfig,
    keep: Callable[[ArticleSentences, int, int], bool] | None = None,
) -> tuple[tuple[Scored, tuple[float, int, int]], dict[int, float]]:
    """The window of the ranker's first `reader_windows` in the ranker's chosen article whose
    ranker score plus the reader's, weighed by `reader_weight`, is highest; and the reader's
    score of each sentence of those windows. The reader reads question and sentence together,
    so it tells the sentence that answers from the one that only names the topic, which the
    ranker's features cannot: README, "The reader (a cross-encoder), on by default".
    - It reads each sentence alone, and a window of two sentences counts as its better one: it
      was trained on single sentences (one holding the answer against others of its paragraph),
      and on two read as one it scored a topic sentence's window above the answer's.
    - It chooses within one article: it was trained to tell sentences of one paragraph apart,
      never whether a sentence is about the question's subject, and across articles it took a
      sentence of the asked-for kind about something else ("Bei dem Hochwasser in der Region
      Valencia sind mindestens 95 Menschen gestorben" for a train crash in Greece); which
      article answers stays retrieval's and the ranker's choice."""
    ranked = reader_candidates(chosen, config, keep)
    lines = sorted({i for _, (_, first, last) in ranked for i in range(first, last + 1)})
    scores = reader.score(question, [chosen.article.sentence(i) for i in lines])
    read = {i: float(score) for i, score in zip(lines, scores, strict=True)}

    def total(window: tuple[float, int, int]) -> float:
        score, first, last = window
        return score + config.reader_weight * max(read[i] for i in range(first, last + 1))

    return max(ranked, key=lambda pair: total(pair[1])), read


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
