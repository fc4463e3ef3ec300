"""Bot latency under load: the real Application, long polling over HTTP against the tests' fake
Bot API server on 127.0.0.1, with `users` users sending a question at the same moment."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from bot.app import ALLOWED_UPDATES, build_application
from bot.settings import Settings
from index.embedder import Embedder
from index.library import Library, LibraryConfig
from tests.fakes_telegram import TOKEN, FakeBotAPI, FakeBotAPIServer

from .common import log, median, quantile

FIRST_USER = 500_000


async def _rounds(
    fake: FakeBotAPI, url: str, library: Library, questions: list[str], rounds: int, users: int
) -> list[float]:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": url,
            "QUESTIONS_PER_MINUTE": "0",
            "ADMIN_USER_IDS": "1",
        }
    )
    app = build_application(settings, library)
    await app.initialize()
    assert app.post_init is not None and app.updater is not None
    await app.post_init(app)
    await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    await app.start()
    latencies: list[float] = []
    try:
        for r in range(rounds):
            # New users each round: a second question from the same chat could be taken for a
            # follow-up and asked together with the first.
            people = [fake.user(FIRST_USER + r * users + i) for i in range(users)]
            sent: dict[int, float] = {}
            for i, person in enumerate(people):
                sent[person["id"]] = time.monotonic()
                fake.send(person, questions[(r * users + i) % len(questions)])
            for person in people:
                await fake.replies(person["id"], 1, timeout=300)
            with fake._cond:
                calls = [c for c in fake.calls if c.method == "sendMessage"]
            for person in people:
                mine = [c for c in calls if int(c.params["chat_id"]) == person["id"]]
                latencies.append(mine[0].at - sent[person["id"]])
            log(f"bot: round {r + 1}/{rounds}, p50 so far {1000 * median(latencies):.0f} ms")
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    if fake.problems:
        raise RuntimeError(f"the fake Bot API refused something: {fake.problems[:3]}")
    return latencies


def run(
    directory: Path, embedder: Embedder, questions: list[str], rounds: int, users: int
) -> dict[str, float]:
    """p50/p95 from a user's update reaching the server to the bot's sendMessage reaching it."""
    logging.getLogger("telegram").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    library = Library(LibraryConfig(directory), embedder)
    passages = library.stats().passages
    library.ask(questions[0])  # load the snapshot before the clock starts
    fake = FakeBotAPI()
    with FakeBotAPIServer(fake) as server:
        latencies = asyncio.run(_rounds(fake, server.url, library, questions, rounds, users))
    library.close()
    return {
        "passages": passages,
        "users": users,
        "rounds": rounds,
        "replies": len(latencies),
        "p50_ms": 1000 * median(latencies),
        "p95_ms": 1000 * quantile(latencies, 0.95),
        "max_ms": 1000 * max(latencies),
    }
