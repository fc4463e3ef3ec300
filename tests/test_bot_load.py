"""Load: 20 users asking 200 questions in all while an admin adds 20 articles through /add
(pasted text and documents, one after another), with the real bundled model, through the fake
Bot API server over HTTP.

Every question gets a reply (a quote with its source, or "not found": a question about an
article not yet added may find nothing), every add is confirmed, nothing fails. Latency is
measured at the fake server, from the update leaving it in a getUpdates answer to the bot's
sendMessage reaching it. Articles and questions: XQuAD-en paragraphs (40 of them: 20 stored
before, 20 added during the test) and 5 questions about each.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time
from pathlib import Path
from statistics import median, quantiles
from typing import Any

import pytest

from index.library import Library, LibraryConfig
from tests.conftest import XQUAD
from tests.conftest_bot import ADMIN, polling_bot
from tests.fakes_telegram import FakeBotAPI, FakeBotAPIServer

pytestmark = [pytest.mark.model, pytest.mark.e2e]

USERS, QUESTIONS, ADDS, STORED = 20, 200, 20, 20
FIRST_USER = 600_000
NOT_FOUND = "I found nothing about that in the stored articles."


def _paragraphs(count: int) -> list[tuple[str, list[str]]]:
    """(article text with its title line, 5 questions) for `count` XQuAD-en paragraphs with at
    least 5 questions, spread over the articles (paragraph 1 of each, then 2, ...)."""
    data = json.loads((XQUAD / "xquad.en.json").read_text(encoding="utf-8"))["data"]
    spread = sorted(
        ((n, article) for article in data for n in range(len(article["paragraphs"]))),
        key=lambda pair: pair[0],
    )
    found = []
    for n, article in spread:
        paragraph = article["paragraphs"][n]
        if len(paragraph["qas"]) >= 5 and len(found) < count:
            title = f"{article['title'].replace('_', ' ')} ({n + 1})"
            questions = [qa["question"] for qa in paragraph["qas"][:5]]
            found.append((f"{title}\n{paragraph['context']}", questions))
    assert len(found) == count
    return found


async def _until(predicate: Any, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def _user(fake: FakeBotAPI, user_id: int, questions: list[str], asked: list) -> None:
    """Ask one question after another, each once the previous one is answered."""
    user = fake.user(user_id)
    for question in questions:
        before = fake.sent[user_id]
        update = fake.send(user, question)
        await _until(lambda b=before: fake.sent[user_id] > b)
        reply = fake.bot_messages(user_id)[before]
        asked.append((user_id, update["update_id"], question, reply["text"]))


async def _admin(fake: FakeBotAPI, articles: list[str], added: list) -> None:
    """Add one article after another (odd ones as documents), each once the last is confirmed."""
    admin = fake.user(ADMIN)
    for number, text in enumerate(articles):
        if number % 2:
            update = fake.send(admin, document=fake.document(text.encode(), f"a{number}.txt"))
        else:
            assert len(text) < 4000
            update = fake.send(admin, "/add " + text)
        await _until(
            lambda n=number: fake.sent[ADMIN] > n and not fake.last_text(ADMIN).startswith("⏳")
        )
        added.append((update["update_id"], time.monotonic()))


def _latencies(fake: FakeBotAPI, asked: list[tuple[int, int, str, str]]) -> list[float]:
    """Per question: its update leaving the server -> the first sendMessage to that chat after."""
    replies: dict[int, list[float]] = {}
    for call in fake.calls:
        if call.method == "sendMessage":
            replies.setdefault(int(call.params["chat_id"]), []).append(call.at)
    result = []
    for chat_id, update_id, _, _ in asked:
        delivered = fake.delivered[update_id]
        result.append(min(at for at in replies[chat_id] if at >= delivered) - delivered)
    return result


async def test_twenty_users_ask_200_questions_while_20_articles_are_added(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paragraphs = _paragraphs(STORED + ADDS)
    # The library as the bot makes it (its ONNX export cached in DATA_DIR/models), not the
    # tests' shared embedder: with that one (sentence-transformers, no cache) adding and
    # asking at once can collide in the tokenizer ("RuntimeError: Already borrowed").
    library = Library(LibraryConfig(tmp_path / "data"))
    for text, _ in paragraphs[:STORED]:
        library.add_text(text)
    library.ask("warm up")
    questions = [q for _, qs in paragraphs for q in qs]
    article_of = {q: number for number, (_, qs) in enumerate(paragraphs) for q in qs}
    random.Random(7).shuffle(questions)
    assert len(questions) == QUESTIONS
    per_user = QUESTIONS // USERS
    caplog.set_level(logging.INFO)
    fake = FakeBotAPI()
    asked: list[tuple[int, int, str, str]] = []
    added: list[tuple[int, float]] = []
    with FakeBotAPIServer(fake) as server:
        async with polling_bot(server.url, library):
            started = time.monotonic()
            await asyncio.gather(
                _admin(fake, [text for text, _ in paragraphs[STORED:]], added),
                *(
                    _user(fake, FIRST_USER + i, questions[i * per_user : (i + 1) * per_user], asked)
                    for i in range(USERS)
                ),
            )
            wall = time.monotonic() - started
            await asyncio.sleep(0.5)  # anything extra (a second reply, an apology) shows now
    stats = library.stats()
    library.close()

    replies = [m for m in fake.bot_messages() if m["chat"]["id"] != ADMIN]
    assert len(replies) == QUESTIONS == len(asked)  # exactly one reply per question
    quoted = [m for m in replies if "Source:" in m["text"]]
    abstained = [m for m in replies if m["text"] == NOT_FOUND]
    assert len(quoted) + len(abstained) == QUESTIONS
    statuses = fake.bot_messages(ADMIN)
    assert len(statuses) == ADDS and all(m["text"].startswith("✅ Added") for m in statuses)
    assert stats.articles == STORED + ADDS and stats.passages == stats.vectors
    assert not fake.problems
    noted = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert noted == [], [r.getMessage() for r in noted]

    # A question about an article not yet stored when it was asked may well find nothing.
    stored_at = {STORED + n: at for n, (_, at) in enumerate(added)}
    present = [
        text != NOT_FOUND
        for _, update_id, question, text in asked
        if stored_at.get(article_of[question], 0.0) < fake.delivered[update_id]
    ]
    latencies = _latencies(fake, asked)
    adds = [at - fake.delivered[update_id] for update_id, at in added]
    p95 = quantiles(latencies, n=20)[-1]
    figures = {
        "users": USERS,
        "questions": QUESTIONS,
        "adds_during": ADDS,
        "articles_before": STORED,
        "answered_with_quote": len(quoted),
        "abstained": len(abstained),
        "asked_about_a_stored_article": len(present),
        "of_these_answered_with_quote": sum(present),
        "errors": 0,
        "reply_p50_ms": round(1000 * median(latencies)),
        "reply_p95_ms": round(1000 * p95),
        "reply_max_ms": round(1000 * max(latencies)),
        "add_confirmed_p50_s": round(median(adds), 2),
        "add_confirmed_max_s": round(max(adds), 2),
        "wall_s": round(wall, 1),
        "passages": stats.passages,
    }
    print("bot load:", json.dumps(figures))
    out = os.environ.get("RELIABILITY_OUT")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "bot_load.json").write_text(json.dumps(figures, indent=1))
