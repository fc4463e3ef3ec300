"""End to end: the Application from build_application, long polling over HTTP against a fake
Bot API server on 127.0.0.1 (reached through TELEGRAM_API_URL), with a real Library."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from telegram.ext import Application

from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from tests.conftest_bot import ADMIN, ARTICLE_EN, SEED_DE, STRANGER, ArticleSite, polling_bot
from tests.fakes_telegram import FakeBotAPI, FakeBotAPIServer

pytestmark = pytest.mark.e2e

PAGE = """<!doctype html><html><head><title>Harbour reopens | Coast Times</title>
<meta property="og:site_name" content="Coast Times"></head><body><article>
<h1>Harbour reopens after storm repairs</h1>
<p>The harbour of Westport reopened on Monday after three months of repairs to the storm wall.</p>
<p>The repairs cost 12 million euros, most of it paid by the regional government.</p>
<p>Harbour master Lena Berg said fishing boats could use all berths again from Tuesday.</p>
<p>Local traders expect the summer ferry service to resume in June.</p>
</article></body></html>"""


@pytest.fixture
def api() -> Iterator[tuple[FakeBotAPI, str]]:
    """The fake Bot API, served on 127.0.0.1; yields (state, TELEGRAM_API_URL)."""
    fake = FakeBotAPI()
    with FakeBotAPIServer(fake) as server:
        yield fake, server.url


def _library(tmp_path: Path, embedder: Any, **config: Any) -> Library:
    return Library(LibraryConfig(tmp_path / "data", **config), embedder=embedder)


@asynccontextmanager
async def polling(api_url: str, library: Library, **values: str) -> AsyncIterator[Application]:
    """`polling_bot` (the bot as run_polling starts it), and the library closed afterwards."""
    try:
        async with polling_bot(api_url, library, **values) as app:
            yield app
    finally:
        library.close()


def _done(message: dict) -> bool:
    return not message["text"].startswith("⏳")


@pytest.mark.model
async def test_questions_in_german_and_english_with_the_real_model(
    api: tuple[FakeBotAPI, str], tmp_path: Path, real_embedder: Any
) -> None:
    fake, url = api
    library = _library(tmp_path, real_embedder)  # the shipped abstention threshold
    admin, user = fake.user(ADMIN), fake.user(STRANGER, "Bea", "de")
    async with polling(url, library):
        fake.send(user, "/start")
        [hello] = await fake.replies(STRANGER)
        assert f"Deine Nutzer-ID ist {STRANGER}" in hello["text"]

        fake.send(admin, "/add " + SEED_DE.read_text(encoding="utf-8"))
        [status] = await fake.replies(ADMIN, final=_done)
        assert status["text"].startswith("✅ Added #1:") and "Language: de" in status["text"]
        fake.send(admin, "/add " + ARTICLE_EN)
        await fake.replies(ADMIN, 2, final=_done)

        fake.send(user, "Womit könnte Trump Kim an den Verhandlungstisch locken?")
        [_, german] = await fake.replies(STRANGER, 2)
        assert "Sanktionen" in german["text"] and "Quelle:" in german["text"]
        assert "<b>" in german["html"] and "<blockquote>" in german["html"]
        assert german["reply_markup"]["inline_keyboard"][0][0]["text"] == "Mehr Passagen"

        fake.send(user, "How much will the new bridge over the river cost?")
        [*_, english] = await fake.replies(STRANGER, 3)
        assert "40 million euros" in english["text"] and "Source:" in english["text"]
        assert "Council approves new bridge" in english["text"]

        fake.send(user, "Wie hoch ist der Eintrittspreis für das Schwimmbad im Stadtpark?")
        [*_, nothing] = await fake.replies(STRANGER, 4)
        assert nothing["text"] == "Dazu habe ich in den gespeicherten Artikeln nichts gefunden."
        assert "reply_markup" not in nothing and "Quelle" not in nothing["text"]

        # Chat-style: "Und wann war das?" is answered in the context of the question before.
        fake.send(user, "Mit wem traf sich der nordkoreanische Außenminister?")
        [*_, putin] = await fake.replies(STRANGER, 5)
        assert "Putin" in putin["text"]
        fake.send(user, "Und wann war das?")
        [*_, when] = await fake.replies(STRANGER, 6)
        assert "Am Montag traf sich" in when["text"] and "Quelle:" in when["text"]
    assert set(fake.commands) == {None, "de"}
    assert {"getMe", "deleteWebhook", "getUpdates"} <= {c.method for c in fake.calls}
    assert not fake.problems


async def test_add_a_document_and_ask_about_it(api: tuple[FakeBotAPI, str], tmp_path: Path) -> None:
    fake, url = api
    async with polling(url, _library(tmp_path, HashEmbedder())):
        admin = fake.user(ADMIN)
        doc = fake.document(ARTICLE_EN.encode(), "bridge.txt")
        fake.send(admin, document=doc)
        [status] = await fake.replies(ADMIN, final=_done)
        assert status["history"][0] == "⏳ Downloading the file…"
        assert status["text"].startswith("✅ Added #1: Council approves new bridge")
        fake.send(admin, "When is the bridge expected to open?")
        [_, reply] = await fake.replies(ADMIN, 2)
        assert "2028" in reply["text"]
    assert fake.downloads == [fake.files[doc["file_id"]][0]]
    assert not fake.problems


async def test_add_a_loopback_url_when_private_urls_are_allowed(
    api: tuple[FakeBotAPI, str], tmp_path: Path
) -> None:
    fake, url = api
    site = ArticleSite(PAGE)
    with site.running():
        async with polling(
            url, _library(tmp_path, HashEmbedder(), allow_private_urls=True), ALLOW_PRIVATE_URLS="1"
        ):
            fake.send(fake.user(ADMIN), f"/add {site.url()}")
            [status] = await fake.replies(ADMIN, final=_done, timeout=30)
    assert status["text"].startswith("✅ Added #1: Harbour reopens after storm repairs")
    stages = status["history"]
    assert stages[0] == "⏳ Working…"
    assert stages.index("⏳ Fetching the page…") < stages.index("⏳ Extracting the article…")
    assert any(s.startswith("⏳ Indexing") for s in stages)
    assert site.requests == ["/news/article.html"]


async def test_a_loopback_url_is_refused_and_never_requested(
    api: tuple[FakeBotAPI, str], tmp_path: Path
) -> None:
    fake, url = api
    site = ArticleSite(PAGE)
    library = _library(tmp_path, HashEmbedder())
    with site.running():
        async with polling(url, library):
            fake.send(fake.user(ADMIN), f"/add {site.url()}")
            [status] = await fake.replies(ADMIN, final=_done)
            assert status["text"].startswith("⛔ Refused:")
            assert Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder()).list() == []
    assert site.requests == []


async def test_a_stranger_cannot_add(api: tuple[FakeBotAPI, str], tmp_path: Path) -> None:
    fake, url = api
    library = _library(tmp_path, HashEmbedder())
    async with polling(url, library):
        fake.send(fake.user(STRANGER), "/add " + ARTICLE_EN)
        [reply] = await fake.replies(STRANGER)
        assert f"Your user id is {STRANGER}" in reply["text"]
        assert library.stats().articles == 0


def _long_article() -> str:
    words = [f"Brückenbauabschnitt{i:04d}verwaltung" for i in range(400)]
    sentences = [" ".join(words[i : i + 8]) + "." for i in range(0, 400, 8)]
    return "Long report on bridge sections\n" + " ".join(sentences)


async def test_a_reply_longer_than_4096_characters_is_split(
    api: tuple[FakeBotAPI, str], tmp_path: Path
) -> None:
    fake, url = api
    async with polling(url, _library(tmp_path, HashEmbedder())):
        admin = fake.user(ADMIN)
        fake.send(admin, "/add " + _long_article())
        await fake.replies(ADMIN, final=_done)
        fake.send(admin, "Brückenbauabschnitt0008verwaltung Brückenbauabschnitt0100verwaltung?")
        [_, answer] = await fake.replies(ADMIN, 2)
        fake.press(admin, answer, "more:1")
        sent = await fake.replies(ADMIN, 5)
    passages = sent[2:]
    assert len(passages) >= 3
    assert all(len(p["html"]) <= 4096 for p in passages)
    assert sum(len(p["text"]) for p in passages) > 8000
    assert not fake.problems


class GatedEmbedder(HashEmbedder):
    """Blocks while embedding any text with the marker, until the test opens the gate."""

    MARKER = "Zeitlupe"

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.waiting = threading.Event()

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if any(self.MARKER in text for text in texts):
            self.waiting.set()
            assert self.gate.wait(timeout=60), "the test never opened the gate"
        return super().encode(texts, batch_size=batch_size)


async def test_ten_users_get_answers_while_an_article_is_being_added(
    api: tuple[FakeBotAPI, str], tmp_path: Path
) -> None:
    fake, url = api
    embedder = GatedEmbedder()
    library = _library(tmp_path, embedder)
    library.add_text(ARTICLE_EN)
    slow = "Zeitlupe im Hafen\n" + "Der Hafen wurde in Zeitlupe repariert. " * 30
    async with polling(url, library):
        fake.send(fake.user(ADMIN), "/add " + slow)
        await fake.wait_until(embedder.waiting.is_set)
        users = [fake.user(3000 + i) for i in range(10)]
        for user in users:
            fake.send(user, "How much will the bridge cost?")
        for user in users:
            [reply] = await fake.replies(user["id"], timeout=30)
            assert "40 million euros" in reply["text"]
        [status] = fake.bot_messages(ADMIN)
        assert status["text"].startswith("⏳ Indexing")  # the add is still under way
        embedder.gate.set()
        [status] = await fake.replies(ADMIN, final=_done)
        assert status["text"].startswith("✅ Added #2: Zeitlupe im Hafen")
    assert not fake.problems
