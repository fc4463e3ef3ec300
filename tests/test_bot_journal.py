"""The journal of pending adds: written before an add starts, removed once the user has seen
its outcome, finished at the next start (post_init) with a message to the user."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.jobs import MAX_ATTEMPTS
from bot.journal import Job, Journal
from index.library import Library
from tests.conftest_bot import ADMIN, ARTICLE_EN, StubLibrary, harness
from tests.fakes_telegram import FakeBotAPI


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


class WatchingLibrary(StubLibrary):
    """Records what the journal holds while each add runs."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[Job]] = []

    def _write(self, kind: str, value: Any) -> Any:
        self.seen.append(Journal(self.data_dir).pending())
        return super()._write(kind, value)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_an_add_is_journaled_until_its_outcome_is_shown(permissive_umask: None) -> None:
    library = WatchingLibrary()
    async with harness(library) as bot:
        admin = bot.api.user(ADMIN, language_code="de")
        [status] = await bot.say(admin, "/add " + ARTICLE_EN)
        doc = bot.api.document(b"Ferry news\nThe ferry leaves at dawn from Monday on.", "f.txt")
        await bot.say(admin, None, document=doc, caption="/add Ferry")
    [during_text], [during_doc] = library.seen
    assert during_text.kind == "text" and during_text.source == ARTICLE_EN
    assert (during_text.chat_id, during_text.user_id, during_text.lang) == (ADMIN, ADMIN, "de")
    assert during_text.message_id == status["message_id"] - 1  # the /add itself
    assert during_doc.kind == "document" and during_doc.data.startswith(b"Ferry news")
    assert during_doc.options == {"file_id": doc["file_id"], "suffix": ".txt", "title": "Ferry"}
    folder = library.data_dir / "pending-adds"
    assert list(folder.iterdir()) == []  # both confirmed: nothing left, no temporary files
    assert _mode(folder) == 0o700


def test_journal_files_are_owner_only_and_written_whole(
    tmp_path: Path, permissive_umask: None
) -> None:
    journal = Journal(tmp_path)
    job = journal.begin(Job(ADMIN, ADMIN, 7, "text", "Title\nBody text."))
    [path] = (tmp_path / "pending-adds").iterdir()
    assert path.name == f"{job.id}.json" and _mode(path) == 0o600
    (tmp_path / "pending-adds" / ".stale.tmp").write_text("{")  # a write cut short
    (tmp_path / "pending-adds" / "broken.json").write_text('{"chat_id": 1')
    assert journal.pending() == [job]
    names = {p.name for p in (tmp_path / "pending-adds").iterdir()}
    assert names == {"broken.unreadable", f"{job.id}.json"}
    journal.done(job)
    journal.done(job)  # twice is fine
    assert journal.pending() == []


FILLER = "The harbour office published its weekly notice on Monday morning."


def _jobs(journal: Journal, fake: FakeBotAPI) -> dict[str, Job]:
    """One job of each sort, as a crash would have left them, oldest first."""
    created = time.time() - 60
    doc = fake.document(b"Ferry news\nThe ferry to the island leaves at dawn from Monday.", "f.md")
    jobs = {
        "text": Job(ADMIN, ADMIN, 11, "text", ARTICLE_EN),
        "duplicate": Job(ADMIN, ADMIN, 12, "text", ARTICLE_EN),
        "refused": Job(ADMIN, ADMIN, 13, "url", "http://127.0.0.1/news.html"),
        "document": Job(
            ADMIN, ADMIN, 14, "document", "", "de", {"file_id": doc["file_id"], "suffix": ".md"}
        ),
        "gave_up": Job(ADMIN, ADMIN, 15, "text", f"Crash\n{FILLER} It stops the bot each time."),
        "blocked": Job(3003, 3003, 16, "text", f"Blocked user\n{FILLER} The user blocked it."),
        "unreachable": Job(3004, 3004, 17, "text", f"Down\n{FILLER} Telegram is down for it."),
    }
    for number, (name, job) in enumerate(jobs.items()):
        attempts = MAX_ATTEMPTS if name == "gave_up" else 0
        jobs[name] = journal.begin(replace(job, created=created + number, attempts=attempts))
    return jobs


async def test_pending_adds_are_finished_at_start_and_the_users_told(
    hash_library: Library,
) -> None:
    fake = FakeBotAPI()
    journal = Journal(hash_library.data_dir)
    jobs = _jobs(journal, fake)
    fake.fail("sendMessage", "blocked", chat_id=3003)
    fake.fail("sendMessage", "bad_gateway", count=3, chat_id=3004)  # more than the retries
    async with harness(hash_library, fake):
        pass  # post_init has run
    told = [m["text"] for m in fake.bot_messages(ADMIN)]
    assert len(told) == 5
    assert (
        told[0].startswith("🔁 Your /add from ")
        and "it has now been added:\n✅ Added #1" in told[0]
    )
    assert "it was already in the library:\nℹ️ Already stored as #1" in told[1]
    assert "it failed:\n⛔ Refused:" in told[2]
    assert "jetzt ist er hinzugefügt:\n✅ Hinzugefügt: #2: Ferry news" in told[3]  # downloaded
    assert f"interrupted {MAX_ATTEMPTS} times by a restart" in told[4]
    titles = {a.title for a in hash_library.list()}
    assert titles == {"Council approves new bridge", "Ferry news", "Blocked user", "Down"}
    # Told, or nobody to tell (blocked): done. Telegram unreachable: kept for the next start,
    # with the attempt counted.
    [left] = journal.pending()
    assert left.id == jobs["unreachable"].id and left.attempts == 1
    assert fake.bot_messages(3003) == [] and fake.bot_messages(3004) == []
