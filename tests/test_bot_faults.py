"""Telegram faults injected by the fake Bot API server: 429 with retry_after, 502, timeouts and
dropped connections, 403 "bot was blocked by the user", 400 "message is too long".

The bot must recover where it may (429 waited out by AIORateLimiter, a 502 or a dropped
connection sent again, getUpdates kept polling), never stop answering the next user, and log
each fault once, as one line without a traceback. In-process tests count the log records; the
last test does the same to a real bot process (run_polling, its signal handling, its log).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram.request import HTTPXRequest

from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from tests.conftest_bot import ADMIN, ARTICLE_EN, BotProcess, polling_bot
from tests.fakes_telegram import FakeBotAPI, FakeBotAPIServer

pytestmark = pytest.mark.e2e

QUESTION = "How much will the new bridge over the river cost?"
ANSWER = "40 million euros"
TIMEOUT = 1.0  # the bot's read timeout in these tests (getUpdates: + the 1 s long poll)
FERRY = """Ferry timetable changes
The ferry to the island will leave at dawn from Monday.
The harbour office said the change saves fuel.
Passengers can buy tickets on board."""


@pytest.fixture
def served() -> Iterator[tuple[FakeBotAPI, str]]:
    fake = FakeBotAPI()
    with FakeBotAPIServer(fake) as server:
        yield fake, server.url


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    library.add_text(ARTICLE_EN)
    yield library
    library.close()


def _requests() -> dict[str, HTTPXRequest]:
    """Short timeouts, so that a server sitting on a request makes the bot give up soon."""
    return {
        "request": HTTPXRequest(connection_pool_size=16, read_timeout=TIMEOUT),
        "get_updates_request": HTTPXRequest(read_timeout=TIMEOUT),
    }


def _noted(caplog: pytest.LogCaptureFixture, level: int = logging.INFO) -> list[logging.LogRecord]:
    """What the bot and PTB logged at `level` or above."""
    return [
        r
        for r in caplog.records
        if r.levelno >= level and r.name.split(".")[0] in ("bot", "telegram", "httpx")
    ]


def _lines(records: list[logging.LogRecord], text: str) -> list[logging.LogRecord]:
    return [r for r in records if text in r.getMessage()]


async def _ask(fake: FakeBotAPI, user_id: int, count: int = 1) -> dict:
    """The user asks QUESTION; the bot's `count`-th message in that chat, once there."""
    fake.send(fake.user(user_id), QUESTION)
    sent = await fake.replies(user_id, count, timeout=30)
    return sent[count - 1]


async def test_flood_control_is_waited_out_and_logged_once(
    served: tuple[FakeBotAPI, str], library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    fake, url = served
    caplog.set_level(logging.DEBUG)
    async with polling_bot(url, library, **_requests()):
        fake.fail("getUpdates", "flood", retry_after=1)
        fake.fail("sendMessage", "flood", count=2, retry_after=1)
        reply = await _ask(fake, 3001)
        assert ANSWER in reply["text"]
        assert ANSWER in (await _ask(fake, 3002))["text"]  # and the next user, at once
    sends = [c for c in fake.calls if c.method == "sendMessage"]
    # Two refused, then the same reply again after retry_after each time; nothing doubled.
    assert [c.params["text"] for c in sends[:3]] == [sends[0].params["text"]] * 3
    assert sends[2].at - sends[0].at >= 2.0
    assert len(fake.bot_messages(3001)) == 1
    polls = [c.at for c in fake.calls if c.method == "getUpdates"]
    flooded = next(i.at for i in fake.injected if i.method == "getUpdates")
    assert min(p for p in polls if p > flooded) - flooded >= 1.0  # waited, then polled on
    records = _noted(caplog, logging.DEBUG)
    assert len(_lines(records, "Rate limit hit. Retrying")) == 2  # INFO, AIORateLimiter
    assert len(_lines(records, "Polling Updates): Flood control exceeded")) == 1  # DEBUG
    assert _noted(caplog, logging.WARNING) == []
    assert [i.kind for i in fake.injected] == ["flood"] * 3


async def test_bad_gateway_and_dropped_connections_are_retried(
    served: tuple[FakeBotAPI, str], library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    fake, url = served
    async with polling_bot(url, library, **_requests()):
        fake.fail("getUpdates", "bad_gateway")
        fake.fail("getUpdates", "drop")
        fake.fail("sendMessage", "bad_gateway")
        fake.fail("sendMessage", "drop")
        assert ANSWER in (await _ask(fake, 3001))["text"]
        assert ANSWER in (await _ask(fake, 3002))["text"]
    assert len(fake.bot_messages(3001)) == 1 and len(fake.injected) == 4
    warnings = _noted(caplog, logging.WARNING)
    assert len(_lines(warnings, "polling for updates failed (Bad Gateway)")) == 1
    assert len(_lines(warnings, "polling for updates failed (httpx.RemoteProtocolError")) == 1
    assert len(_lines(warnings, "Telegram answered HTTP 502 to sendMessage")) == 1
    assert len(_lines(warnings, "Telegram answered RemoteProtocolError to sendMessage")) == 1
    assert len(warnings) == 4  # one line per fault
    assert all(r.exc_info is None for r in warnings)
    assert not fake.problems


async def test_timeouts_are_survived_without_a_duplicate_or_an_apology(
    served: tuple[FakeBotAPI, str], library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    fake, url = served
    async with polling_bot(url, library, **_requests()):
        # Longer than the bot waits: getUpdates 1 s + TIMEOUT, sendMessage TIMEOUT.
        fake.fail("getUpdates", "timeout", delay=2 * TIMEOUT + 1.5)
        fake.fail("sendMessage", "timeout", delay=TIMEOUT + 1.5)
        started = time.monotonic()
        # The reply is carried out late, as Telegram would: the user sees it once.
        reply = await _ask(fake, 3001)
        assert ANSWER in reply["text"] and time.monotonic() - started >= TIMEOUT
        assert ANSWER in (await _ask(fake, 3002))["text"]
        await fake.wait_until(lambda: len(fake.calls_to("getUpdates")) > 6)
    assert len(fake.bot_messages(3001)) == 1  # no "Sorry" after the answer
    warnings = _noted(caplog, logging.WARNING)
    assert len(_lines(warnings, "Telegram fault while handling update")) == 1
    assert len(warnings) == 1 and warnings[0].exc_info is None
    # PTB polls again at once after its own timeout, at DEBUG: nothing above it.
    assert [i.kind for i in fake.injected] == ["timeout", "timeout"]


async def test_a_blocked_user_does_not_stop_replies_to_others(
    served: tuple[FakeBotAPI, str], library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    fake, url = served
    blocked, other = 3001, 3002
    async with polling_bot(url, library, **_requests()):
        for method in ("sendMessage", "sendChatAction"):
            fake.fail(method, "blocked", count=1000, chat_id=blocked)
        for number in range(1, 4):
            fake.send(fake.user(blocked), QUESTION)
            assert ANSWER in (await _ask(fake, other, number))["text"]
        await fake.wait_until(lambda: len(fake.calls_to("sendMessage")) >= 6)
    assert fake.bot_messages(blocked) == []
    assert len(fake.bot_messages(other)) == 3
    warnings = _noted(caplog, logging.WARNING)
    dropped = _lines(warnings, f"chat {blocked} does not accept messages from the bot")
    assert len(dropped) == 3 and len(warnings) == 3  # one per question, no apology attempted
    assert all(r.exc_info is None for r in warnings)


async def test_a_reply_telegram_finds_too_long_is_split_further(
    served: tuple[FakeBotAPI, str], library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    fake, url = served
    async with polling_bot(url, library, **_requests()):
        whole = await _ask(fake, 3001)
        fake.fail("sendMessage", "too_long")
        fake.send(fake.user(3002), QUESTION)
        # The buttons go under the last part.
        parts = await fake.replies(3002, 2, timeout=30, final=lambda m: "reply_markup" in m)
        assert ANSWER in (await _ask(fake, 3003))["text"]
    assert " ".join(p["text"] for p in parts).split() == whole["text"].split()
    assert "reply_markup" in parts[-1] and "reply_markup" not in parts[0]
    warnings = _noted(caplog, logging.WARNING)
    assert len(_lines(warnings, "too long; splitting it")) == 1 and len(warnings) == 1
    assert not fake.problems


def test_a_bot_process_rides_out_every_fault_and_logs_each_once(tmp_path: Path) -> None:
    """The real `python -m bot` (run_polling, default timeouts), one fault after another, each
    followed by a user who must be answered."""
    fake = FakeBotAPI()
    with (
        FakeBotAPIServer(fake) as server,
        BotProcess(fake, server.url, tmp_path / "data", tmp_path / "bot.log") as bot,
    ):
        bot.start()
        admin = fake.user(ADMIN)
        fake.send(admin, "/add " + ARTICLE_EN)
        bot.wait_for(lambda: fake.last_text(ADMIN).startswith("✅"))
        steps = [
            [("getUpdates", "bad_gateway", {}), ("getUpdates", "drop", {})],
            [("sendMessage", "flood", {"retry_after": 1})],
            [("sendMessage", "bad_gateway", {}), ("sendMessage", "drop", {})],
            [("sendMessage", "blocked", {"count": 1000, "chat_id": 4000})],
            [("sendMessage", "too_long", {})],
            [("sendMessage", "timeout", {"delay": 6.5})],  # PTB's read timeout is 5 s
            [("getFile", "bad_gateway", {}), ("download", "drop", {})],
        ]
        answered = []
        for number, faults in enumerate(steps, 1):
            for method, kind, options in faults:
                fake.fail(method, kind, **options)
            if faults[0][2].get("chat_id") == 4000:
                fake.send(fake.user(4000), QUESTION)  # blocked: gets nothing
            if faults[0][0] == "getFile":  # both retried: the document is added
                fake.send(admin, document=fake.document(FERRY.encode(), "ferry.txt"))
                bot.wait_for(lambda: "✅ Added #2: Ferry" in fake.last_text(ADMIN))
            user = 4000 + number
            fake.send(fake.user(user), QUESTION)
            answered.append(bot.wait_for(lambda u=user: fake.bot_messages(u), 60))
        time.sleep(0.5)  # anything more (a late apology?) would arrive now
        assert bot.alive()
        assert bot.stop(signal.SIGINT) == 0
        log = bot.output()
    for messages in answered:
        assert ANSWER in " ".join(m["text"] for m in messages)
        assert not any("Sorry" in m["text"] for m in fake.bot_messages(messages[0]["chat"]["id"]))
    assert fake.bot_messages(4000) == []
    assert "Traceback" not in log and " ERROR " not in log
    expected = {
        "polling for updates failed (Bad Gateway)": 1,
        "polling for updates failed (httpx.RemoteProtocolError": 1,
        "Rate limit hit. Retrying": 1,
        "Telegram answered HTTP 502 to sendMessage": 1,
        "Telegram answered RemoteProtocolError to sendMessage": 1,
        "chat 4000 does not accept messages from the bot": 1,
        "too long; splitting it": 1,
        "Telegram fault while handling update": 1,
        "Telegram answered HTTP 502 to getFile": 1,
        "Telegram answered RemoteProtocolError to a file download": 1,
    }
    assert {text: log.count(text) for text in expected} == expected
    warnings = [line for line in log.splitlines() if " WARNING " in line]
    assert len(warnings) == sum(expected.values()) - 1  # the rate limiter logs at INFO
    assert len(fake.injected) == 10
