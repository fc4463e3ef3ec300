"""Secrets: the bot token never reaches a user (replies, /stats, error texts) or a log line, even
on error paths that carry it; and everything written into the data dir is readable by its owner
only, whatever the umask.

The token tests run a real bot process at DEBUG whose errors are made to carry the token: a
handler exception naming it and the API URL with it, a getFile error and a download error whose
descriptions hold the file URL with it, an /add of a URL with it. Every parameter of every call
the fake Bot API received and every line of the process's output are searched for it.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from tests.conftest_bot import ADMIN, ARTICLE_EN, BotProcess
from tests.fakes_telegram import TOKEN, FakeBotAPI, FakeBotAPIServer

pytestmark = pytest.mark.e2e

SECRET = TOKEN.split(":")[1]
USER = 3001


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """umask 022, as many shells and service managers set it; child processes inherit it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_token_never_reaches_a_user_or_a_log(tmp_path: Path) -> None:
    fake = FakeBotAPI()
    with (
        FakeBotAPIServer(fake) as server,
        BotProcess(
            fake,
            server.url,
            tmp_path / "data",
            tmp_path / "bot.log",
            BOT_CHILD_LEAK="1",
            LOG_LEVEL="DEBUG",
        ) as bot,
    ):
        file_url = f"{server.url}/file/bot{TOKEN}/documents/x.txt"
        admin, user = fake.user(ADMIN), fake.user(USER)
        bot.start()
        fake.send(admin, "/add " + ARTICLE_EN)
        bot.wait_for(lambda: fake.last_text(ADMIN).startswith("✅"))

        def step(who: dict, text: str | None = None, **kwargs: object) -> str:
            before = len(fake.bot_messages(who["id"]))
            fake.send(who, text, **kwargs)
            bot.wait_for(
                lambda: (
                    len(fake.bot_messages(who["id"])) > before
                    and not fake.last_text(who["id"]).startswith("⏳")
                )
            )
            return fake.last_text(who["id"])

        # A handler's exception naming the token and the API URL with it.
        assert step(user, "EXPLODE: how much is the bridge?").startswith("Sorry")
        # /stats, and a plain answer.
        assert "articles" in step(user, "/stats")
        assert "40 million" in step(user, "How much will the bridge cost?")
        # Telegram's errors holding the file URL with the token, shown to the admin.
        fake.fail("getFile", "bad_request", description=f"Bad Request: {file_url} is gone")
        doc = fake.document(b"Ferry news\nThe ferry leaves at dawn from Monday.", "f.txt")
        assert "Not added" in step(admin, None, document=doc)
        fake.fail("download", "bad_request", description=f"Bad Request: no {file_url}")
        doc = fake.document(b"Ferry news\nThe ferry leaves at dawn from Monday.", "g.txt")
        assert "Not added" in step(admin, None, document=doc)
        # The admin pastes a URL holding the token.
        assert step(admin, f"/add {file_url}").startswith("⛔")
        assert bot.stop(signal.SIGINT) == 0
        log = bot.output()
    shown = [m["text"] for m in fake.bot_messages()] + [m["html"] for m in fake.bot_messages()]
    reasons = [m["text"] for m in fake.bot_messages() if m["text"].startswith("⚠️ Not added")]
    assert len(reasons) == 2 and all("[REDACTED]" in t for t in reasons)  # not silently lost
    sent = json.dumps([c.params for c in fake.calls], ensure_ascii=False)
    assert SECRET not in sent and SECRET not in "\n".join(shown)
    assert "RuntimeError: request to" in log and "[REDACTED]" in log  # the traceback is there
    assert SECRET not in log and "DEBUG" in log
    assert len(fake.injected) == 2


def _private_or_not(root: Path) -> dict[str, int]:
    """Every folder and file under `root` (itself included): relative path -> mode."""
    paths = [root, *root.rglob("*")]
    return {str(p.relative_to(root.parent)): stat.S_IMODE(p.lstat().st_mode) for p in paths}


def _shared(modes: dict[str, int]) -> dict[str, str]:
    return {path: oct(mode) for path, mode in modes.items() if mode & 0o077}


@pytest.mark.model
def test_everything_the_bot_writes_is_owner_only_under_umask_022(
    tmp_path: Path, permissive_umask: None
) -> None:
    """The real bot with the bundled model (its ONNX export goes into DATA_DIR/models), killed
    half way through an add: WAL, SHM and a journal entry are left, besides everything else."""
    data = tmp_path / "data"
    fake = FakeBotAPI()
    big = "Quarlo harbour report\n" + " ".join(
        f"Paragraph {j} describes the harbour of Quarlo, its ferries and the weather."
        for j in range(200)
    )
    with (
        FakeBotAPIServer(fake) as server,
        BotProcess(
            fake, server.url, data, tmp_path / "bot.log", BOT_CHILD_REAL="1", MODELS_DIR=""
        ) as bot,
    ):
        bot.start(timeout=240)
        fake.send(fake.user(ADMIN), "/add " + ARTICLE_EN)
        bot.wait_for(lambda: fake.last_text(ADMIN).startswith("✅"), 120)
        update = fake.send(fake.user(ADMIN), document=fake.document(big.encode(), "q.txt"))
        bot.wait_for(lambda: fake.acknowledged(update["update_id"]))
        time.sleep(0.1)
        assert bot.stop(signal.SIGKILL) == -signal.SIGKILL
        killed = _private_or_not(data)
    names = {Path(p).name for p in killed}
    # (No index checkpoint yet: one is written only for libraries of 20k passages and more;
    # the library-only test below checks one's files.)
    assert {"articles.db", "articles.db-wal", "articles.db-shm", "write.lock"} <= names
    assert {"model.onnx", "pending-adds"} <= names
    assert any(p.startswith("data/pending-adds/") and p.endswith(".json") for p in killed)
    assert _shared(killed) == {}


def test_the_library_alone_writes_owner_only_files_under_umask_022(
    tmp_path: Path, permissive_umask: None
) -> None:
    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    try:
        library.add_text(ARTICLE_EN)
        assert "40 million" in library.ask("How much will the bridge cost?").quote
        assert library.backend.checkpoint()  # type: ignore[attr-defined]
        library.backup(tmp_path / "backup")
        modes = {**_private_or_not(tmp_path / "data"), **_private_or_not(tmp_path / "backup")}
    finally:
        library.close()
    assert any(p.endswith("vectors.faiss") for p in modes)  # the checkpoint's files too
    assert _shared(modes) == {}
