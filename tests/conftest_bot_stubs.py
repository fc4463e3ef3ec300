"""The bot tests' stand-ins for the library (tests/conftest_bot.py re-exports them): the two
users, ADMIN and STRANGER; hand-made articles, passages and answers (one quoting an article, an
abstention); and a scripted library that answers from a script and records every call, writes
included."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from index.errors import NotFound
from index.models import AddResult, Answer, Article, Hit, Passage, Source, Stats

ADMIN = 1001
STRANGER = 2002


def article(
    id: int = 1,
    title: str = "Bridge news",
    *,
    url: str | None = "https://news.example/a",
    published: str | None = "2025-10-27",
    language: str = "en",
    source: str | None = "Example News",
) -> Article:
    return Article(
        id=id,
        title=title,
        url=url,
        source=source,
        published=published,
        language=language,
        content_hash=f"h{id}",
        added_at="2025-11-01T10:00:00+00:00",
        added_by=str(ADMIN),
        passages=3,
    )


def passage(article_id: int, text: str, id: int | None = None) -> Passage:
    return Passage(
        id=id or article_id * 100,
        article_id=article_id,
        ordinal=0,
        text=text,
        start=0,
        end=len(text),
        sentences=((0, len(text)),),
    )


def answer(
    quote: str = "It costs 40 million euros. It opens in 2028.",
    key: tuple[int, int] = (0, 26),
    *,
    articles: tuple[Article, ...] = (),
    language: str = "en",
    question: str = "How much?",
) -> Answer:
    """An answer quoting the first of `articles` (default: one English article)."""
    articles = articles or (article(),)
    sources = tuple(
        Source(a, passage(a.id, quote if i == 0 else f"Passage of {a.title}."), 1 - i / 10)
        for i, a in enumerate(articles)
    )
    hits = tuple(Hit(s.passage, s.article, s.score, s.score, 0.0) for s in sources)
    return Answer(
        question=question,
        language=language,
        abstained=False,
        quote=quote,
        key=key,
        confidence=0.9,
        sources=sources,
        hits=hits,
    )


def abstention(question: str = "What is the capital of Peru?", language: str = "en") -> Answer:
    return Answer(question=question, language=language, abstained=True)


class StubLibrary:
    """Answers from a script and records every call; any write is recorded too."""

    def __init__(self, reply: Answer | Callable[[str], Answer] | None = None) -> None:
        self.reply = reply or answer()
        self.asked: list[tuple[str, str | None]] = []
        self.writes: list[tuple[str, Any]] = []
        self.articles = {1: article()}
        self.data_dir = Path(tempfile.mkdtemp(prefix="stub-library-"))  # the bot's journal
        weakref.finalize(self, shutil.rmtree, self.data_dir, ignore_errors=True)

    def ask(self, question: str, *, k: int = 3, context: str | None = None) -> Answer:
        self.asked.append((question, context))
        reply = self.reply(question) if callable(self.reply) else self.reply
        return replace(reply, question=question)

    def _write(self, kind: str, value: Any) -> AddResult:
        self.writes.append((kind, value))
        return AddResult(article(len(self.articles) + 1), created=True)

    def add_url(self, url: str, **kwargs: Any) -> AddResult:
        return self._write("url", url)

    def add_text(self, text: str, **kwargs: Any) -> AddResult:
        return self._write("text", (text, kwargs))

    def add_bytes(self, data: bytes, suffix: str, **kwargs: Any) -> AddResult:
        return self._write("bytes", (data, suffix, kwargs))

    def get(self, article_id: int) -> Article:
        if article_id not in self.articles:
            raise NotFound(f"there is no article with id {article_id}")
        return self.articles[article_id]

    def delete(self, article_id: int) -> Article:
        self.writes.append(("delete", article_id))
        return self.articles.pop(article_id)

    def list(self, offset: int = 0, limit: int = 20) -> list[Article]:
        return [self.articles[i] for i in sorted(self.articles)][offset : offset + limit]

    def stats(self) -> Stats:
        return Stats(
            articles=len(self.articles),
            passages=3,
            vectors=3,
            model="stub",
            dimension=8,
            languages={"en": len(self.articles)},
            data_dir="-",
        )

    @property
    def embedder(self) -> Any:
        return self

    def encode(self, texts: list[str]) -> list[list[float]]:
        return [[0.0] for _ in texts]

    def close(self) -> None:
        return None
