"""Library.ask / ask_many / search: a chat's follow-ups (index.followup), each question answered
by index.asked (hybrid retrieval, answer selection, the preference for recent articles)."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from . import second_look as looks
from .article_cache import ArticleCache
from .asked import Asked
from .claims import quote_cosines
from .embedder import Embedder
from .errors import BadInput
from .followup import needs_context, refers_back
from .framing import unframed
from .lexical import analyze
from .matching import reads_as
from .models import Answer, Hit
from .punctuation import CLOSERS, ENDS
from .qtype import content
from .reader import Reader, ReaderUnavailable, load_reader
from .search import hybrid_search, lexical_ahead
from .storage.views import View
from .timeexpr import when
from .wordlang import question_language

if TYPE_CHECKING:
    from .library import LibraryConfig
    from .storage import StorageBackend

log = logging.getLogger(__name__)
_READER_WARNED: list[bool] = []  # the reader's absence is logged once per process


_FINAL = re.compile(rf"[{ENDS}{CLOSERS}]$")
# The longest question answered: the questions people ask run to a sentence or two (XQuAD's
# longest is 197 characters, the news set's 98), while one of Telegram's 4,096 characters
# took 4-14 s of CPU to answer (every word matched, looked up, and read by the reader).
MAX_QUESTION_CHARS = 1000
ASK_BATCH = 64  # questions embedded together by ask_each


def _too_long(text: str, what: str) -> None:
    if len(text) > MAX_QUESTION_CHARS:
        raise BadInput(
            f"{what} is too long: {len(text):,} characters, at most {MAX_QUESTION_CHARS:,}; "
            "ask it in fewer words"
        )


def as_asked(question: str) -> str:
    """The question as answering reads it: NFC, as every added text is (index.sources
    .clean_text: a "ü" typed decomposed, as macOS may send it, must meet the same words), its
    whitespace collapsed, and a "?" where it ends in no mark at all ("when did the crash
    happen"): the models were trained on questions written with one (the reader on SQuAD's),
    and a chat's question often comes without (on the news set, questions without their "?":
    2 of 144 answers lost). Its greeting and request ("Hallo! Kannst du mir sagen, …") are
    left out (index.framing)."""
    question = unframed(" ".join(unicodedata.normalize("NFC", question).split()))
    return question if not question or _FINAL.search(question) else f"{question}?"


class AskMixin:
    config: LibraryConfig
    backend: StorageBackend
    embedder: Embedder
    _articles: ArticleCache
    clock: Callable[[], datetime]  # now, in the library's time zone

    def _current(self) -> View:
        raise NotImplementedError

    def ask(self, question: str, *, k: int = 3, context: str | None = None) -> Answer:
        """Answer with a verbatim quote, or abstain. `context`: the chat's previous question; it
        is used only when the question cannot stand alone (index.followup) or alone finds
        nothing while the two together do. `Answer.follow_up` says whether it was used."""
        return self.ask_many([question], k=k, context=context)[0]

    def ask_many(
        self, questions: Sequence[str], *, k: int = 3, context: str | None = None
    ) -> list[Answer]:
        """`ask` for each question; their embeddings are computed in batches, which is faster."""
        return list(self.ask_each(questions, k=k, context=context))

    def ask_each(
        self, questions: Sequence[str], *, k: int = 3, context: str | None = None
    ) -> Iterator[Answer]:
        """`ask_many`'s answers one by one as they come, ASK_BATCH questions embedded at a
        time: the memory of a batch, not of every question (20 MB of piped questions would
        have asked for a 10 GiB matrix), and the first answers shown while the rest are
        asked. Every question is checked first: a bad one is said before any is answered."""
        questions = [as_asked(q) for q in questions]
        if context:
            context = as_asked(context)
        for number, question in enumerate(questions, 1):
            what = "the question" if len(questions) == 1 else f"question {number}"
            if not question:
                raise BadInput(f"{what} is empty")
            _too_long(question, what)
        if context:
            _too_long(context, "the previous question")
        for start in range(0, len(questions), ASK_BATCH):
            yield from self._ask_batch(questions[start : start + ASK_BATCH], k, context)

    def _ask_batch(self, questions: list[str], k: int, context: str | None) -> list[Answer]:
        snapshot = self._current()
        combined = [f"{context} {q}" for q in questions] if context else []
        ahead = lexical_ahead(snapshot.lexical, questions)
        vectors = self.embedder.encode([*questions, *combined]) if questions else []
        answers = []
        for i, question in enumerate(questions):
            alone = (snapshot, question, question, vectors[i], k, None, ahead[question])
            if not context:
                answers.append(Asked(self, *alone).answered())
                continue
            together = (snapshot, question, combined[i], vectors[len(questions) + i], k, context)
            if self._cannot_stand_alone(question, tuple(snapshot.lexical.languages)):
                answers.append(Asked(self, *together).answered())
                continue
            answer = Asked(self, *alone).answered()
            if answer.abstained:  # alone it finds nothing: perhaps the two together do
                second = Asked(self, *together).answered()
                if not second.abstained and self._speaks_of(second, question):
                    answer = second
            answers.append(answer)
        return answers

    def _cannot_stand_alone(self, question: str, hints: tuple[str, ...]) -> bool:
        """index.followup.needs_context, asked of the question without the time it names (the
        "this" of "this year's inflation" points at the calendar, not at the previous answer),
        in its detected language and in each of the library's languages whose dictionary reads
        it: langdetect takes "Und wo wohnt er?" for English in a library holding English, where
        "er" points back at nothing."""
        language = question_language(question, hints)
        asked = when(question, self.clock()).without(question)
        if needs_context(asked, language):
            return True
        others = (h for h in hints if h != language and reads_as(question, h))
        return any(refers_back(asked, other) for other in others)

    def reader(self) -> Reader | None:
        """The reader (index.reader), loaded on first use; None where it is turned off
        (READER=0, the default) or cannot load (said once in the log; answers then come from the
        ranker alone)."""
        if not self.config.answer.reader_weight:
            return None
        try:
            return load_reader(self.config.embedding_backend, self._models_dir)
        except ReaderUnavailable as error:
            if not _READER_WARNED:
                _READER_WARNED.append(True)
                log.warning("answering without the reader: %s", error)
            return None

    def second_look(self, question: str, quote: str) -> float:
        """multilingual-e5-small's cosine of `question` and `quote` (index.second_look), run
        as the reader is (EMBEDDING_BACKEND; its ONNX export kept in the models folder)."""
        return looks.e5_cosine(
            question, quote, backend=self.config.embedding_backend, cache_dir=self._models_dir
        )

    def warm_second_look(self) -> None:
        """Load the second look's encoder and run it once (the bot's start-up warm-up)."""
        looks.warm(self.config.embedding_backend, self._models_dir)

    def _speaks_of(self, answer: Answer, question: str) -> bool:
        """Whether the article `answer` quotes holds one of `question`'s own content words: a
        question read with the previous one must still be about something in the answer ("Wo
        sitzt FACC?" after a question on another article is not answered from that one)."""
        # The quoted source itself: recency may quote a newer report found further down, not
        # among the answer's hits.
        article = self._articles.quoted(answer)
        own = set(analyze(content(question), article.language))
        return bool(own & (article.terms.vocabulary.keys() | article.title_terms))

    def _similar(self, first: Answer, others: list[Answer]) -> list[float]:
        return quote_cosines(first, others, self.embedder.encode)

    def search(self, question: str, *, k: int = 5) -> list[Hit]:
        _too_long(question, "the question")
        snapshot = self._current()
        query_vector = self.embedder.encode([question])[0]
        return self._hits(
            hybrid_search(snapshot.vectors, snapshot.lexical, query_vector, question, k=k)
        )

    def _hits(self, scored: Iterable[tuple[int, float, float, float]]) -> list[Hit]:
        scored = list(scored)
        passages = self.backend.passages([s[0] for s in scored])
        articles = self.backend.articles({p.article_id for p in passages.values()})
        return [
            Hit(passages[pid], articles[passages[pid].article_id], score, dense, lexical)
            for pid, score, dense, lexical in scored
            if pid in passages and passages[pid].article_id in articles
        ]
