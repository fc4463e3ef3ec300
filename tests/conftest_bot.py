"""Helpers shared by the bot's tests: a harness that feeds updates from a FakeBotAPI straight
into an Application (no sockets, no polling), the bot long-polling a fake Bot API server over
HTTP, the real bot in a child process, and a loopback news site. The hand-made answers and the
scripted library are in tests/conftest_bot_stubs.py; every name is importable from here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.app import ALLOWED_UPDATES, build_application, post_init
from bot.settings import Settings
from tests.conftest_bot_stubs import (
    ADMIN,
    STRANGER,
    StubLibrary,
    abstention,
    answer,
    article,
    passage,
)
from tests.fakes_telegram import TOKEN, FakeBotAPI, FakeRequest, QuietServer

__all__ = [
    "ADMIN",
    "ARTICLE_EN",
    "REPO",
    "SEED_DE",
    "STRANGER",
    "ArticleSite",
    "BotProcess",
    "Harness",
    "StubLibrary",
    "abstention",
    "answer",
    "article",
    "harness",
    "passage",
    "polling_bot",
]

REPO = Path(__file__).resolve().parents[1]
SEED_DE = REPO.parent / "shared" / "datasets" / "seed" / "article-de.txt"

ARTICLE_EN = """Council approves new bridge
The city council approved the construction of a new bridge over the river on Tuesday.
The bridge will cost 40 million euros and is expected to open in 2028.
Mayor Jane Doe said the project would cut commuting times by half.
Critics warned that the budget could rise further."""


@dataclass
class Harness:
    app: Application
    api: FakeBotAPI

    async def run(self, *updates: dict) -> None:
        """Process the given updates (default: every pending one), in order."""
        for update in updates or tuple(self.api.take_updates()):
            await self.app.process_update(Update.de_json(update, self.app.bot))
        self.api.take_updates()

    async def say(self, user: dict, text: str, **kwargs: Any) -> list[dict]:
        """The user sends `text`; returns the bot's messages that followed (text as shown)."""
        before = len(self.api.bot_messages())
        await self.run(self.api.send(user, text, **kwargs))
        return self.api.bot_messages()[before:]


@asynccontextmanager
async def harness(
    library: Any, api: FakeBotAPI | None = None, **settings: Any
) -> AsyncIterator[Harness]:
    """An initialized Application on a FakeRequest, post_init done, as run_polling would."""
    api = api or FakeBotAPI()
    values = {
        "token": TOKEN,
        "admin_ids": frozenset({ADMIN}),
        "questions_per_minute": 0,
        "actions_per_minute": 0,
        # The reader (on by default) is tested with the real libraries (test_reader, the quality
        # tests); the stand-in libraries here have none.
        "reader": False,
        **settings,
    }
    app = build_application(Settings(**values), library, request=FakeRequest(api))
    await app.initialize()
    await post_init(app)
    try:
        yield Harness(app, api)
    finally:
        await app.shutdown()


@asynccontextmanager
async def polling_bot(
    api_url: str,
    library: Any,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    poll_timeout: int = 1,
    **env: str,
) -> AsyncIterator[Application]:
    """The bot long-polling `api_url` as run_polling runs it (init, post_init, polling with
    errors passed to the error handler, start), stopped afterwards; the library stays open."""
    values = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "ADMIN_USER_IDS": str(ADMIN),
        "QUESTIONS_PER_MINUTE": "0",
        "ACTIONS_PER_MINUTE": "0",
        **env,
    }
    app = build_application(
        Settings.from_env(values), library, request=request, get_updates_request=get_updates_request
    )

    def polling_error(exc: TelegramError) -> None:  # what run_polling passes
        app.create_task(app.process_error(error=exc, update=None))

    await app.initialize()
    await post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(
        poll_interval=0.0,
        timeout=poll_timeout,
        allowed_updates=ALLOWED_UPDATES,
        error_callback=polling_error,
    )
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


class BotProcess:
    """`python -m tests.bot_child` (the real bot, HashEmbedder) in a child process against a
    fake Bot API server; its stdout and stderr go to `log`."""

    def __init__(self, api: FakeBotAPI, api_url: str, data_dir: Path, log: Path, **env: str):
        self.api = api
        self.log = log
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "ADMIN_USER_IDS", "DATA_DIR")
        }
        self.env.update(
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            TOKENIZERS_PARALLELISM="false",
            PYTHONPATH=str(REPO),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=api_url,
            ADMIN_USER_IDS=str(ADMIN),
            DATA_DIR=str(data_dir),
            QUESTIONS_PER_MINUTE="0",
            ACTIONS_PER_MINUTE="0",
            # These bots run on a hash embedder, where the reader (on by default) would only add
            # its loading time to every start; it is tested in test_reader and the quality tests.
            READER="0",
            **env,
        )
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> BotProcess:
        """Start the bot and wait until it polls (post_init, and so any resuming, is done)."""
        polls = len(self.api.calls_to("getUpdates"))
        with self.log.open("a", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.bot_child"],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_for(lambda: len(self.api.calls_to("getUpdates")) > polls, timeout)
        return self

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 60) -> Any:
        """Poll `predicate` until truthy; fail if the bot exits first or time runs out."""
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; bot messages {self.api.bot_messages()[-3:]}")
            time.sleep(0.02)
        return value

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60) -> int:
        """Send `sig` and wait for the exit code (SIGKILL after `timeout`)."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait()


class ArticleSite:
    """A news site on 127.0.0.1 serving one HTML page; counts the requests it gets."""

    def __init__(self, html: str) -> None:
        self.requests: list[str] = []
        site = self
        page = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return None

        self._server = QuietServer(("127.0.0.1", 0), Handler)

    def url(self, path: str = "/news/article.html") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    @contextmanager
    def running(self) -> Iterator[ArticleSite]:
        thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
