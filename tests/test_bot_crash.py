"""The bot process killed (SIGKILL) or stopped (SIGTERM) while an /add is under way.

PTB confirms an update to Telegram before its handler has finished, so without the journal of
pending adds an /add in flight at a crash would be lost without a word. Each trial sends an /add
(pasted text or a document; the child's embedder is slowed so the add takes a second or two),
waits until the bot has confirmed the update, signals the process after a random delay, and
starts it again on the same data dir. Then: the article is stored exactly once and answerable,
the admin was told how the add ended, no journal entry is left, and `articlebot stats --json`
counts as many vectors as passages. After SIGTERM the add in flight must have been finished and
confirmed before the process exited.

`make test` runs 3 trials per signal; BOT_CRASH_TRIALS (or SOAK_TRIALS) runs more and, with
RELIABILITY_OUT set, writes the figures there.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from tests.conftest_bot import ADMIN, REPO, BotProcess
from tests.fakes_telegram import FakeBotAPI, FakeBotAPIServer

pytestmark = pytest.mark.e2e

TRIALS = int(os.environ.get("BOT_CRASH_TRIALS") or os.environ.get("SOAK_TRIALS") or 3)
PER_SENTENCE = 0.02  # the child's embedder: seconds per sentence embedded
SENTENCES = {"text": 40, "document": 120}  # pasted text stays under Telegram's 4096 characters
ASKER = 5005


def _article(i: int, sentences: int) -> str:
    filler = [
        f"Paragraph {j} of the Quarlo{i} report describes the harbour, the ferries and the weather."
        for j in range(sentences)
    ]
    half = sentences // 2
    return (
        f"Quarlo{i} harbour report\n\n{' '.join(filler[:half])}\n\n"
        f"The shipyard of Quarlo{i} built {100 + i} boats last year.\n\n{' '.join(filler[half:])}"
    )


def _send_add(fake: FakeBotAPI, i: int, kind: str) -> dict:
    admin = fake.user(ADMIN)
    text = _article(i, SENTENCES[kind])
    if kind == "text":
        assert len(text) < 4096
        return fake.send(admin, "/add " + text)
    return fake.send(admin, document=fake.document(text.encode(), f"quarlo{i}.txt"))


def _told(fake: FakeBotAPI, i: int) -> list[str]:
    """The admin's messages that report the outcome of the add of article i."""
    title = f"Quarlo{i} harbour report"
    return [
        m["text"]
        for m in fake.bot_messages(ADMIN)
        if title in m["text"] and (m["text"].startswith(("✅", "ℹ️")) or "🔁" in m["text"])
    ]


def _pending(data: Path) -> list[Path]:
    folder = data / "pending-adds"
    return sorted(folder.glob("*.json")) if folder.exists() else []


def _stats(data: Path) -> dict:
    """`articlebot stats --json` (the child's HashEmbedder, as the bot used)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bot_child",
            "cli",
            "stats",
            "--json",
            "--data-dir",
            str(data),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _trials(tmp_path: Path, sig: signal.Signals, seed: int) -> list[dict]:
    data = tmp_path / "data"
    fake = FakeBotAPI()
    rng = random.Random(int(os.environ.get("SOAK_SEED", seed)))
    trials = []
    with (
        FakeBotAPIServer(fake) as server,
        BotProcess(
            fake, server.url, data, tmp_path / "bot.log", BOT_CHILD_SLOW=str(PER_SENTENCE)
        ) as bot,
    ):
        bot.start()
        for i in range(TRIALS):
            kind = ("text", "document")[i % 2]
            update = _send_add(fake, i, kind)
            bot.wait_for(lambda u=update: fake.acknowledged(u["update_id"]))
            delay = rng.uniform(0.0, PER_SENTENCE * SENTENCES[kind] * 1.2)
            time.sleep(delay)
            told_before = bool(_told(fake, i))
            code = bot.stop(sig, timeout=60)
            left = len(_pending(data))
            if sig == signal.SIGTERM:
                # A graceful stop finishes the add in flight and confirms it before exiting.
                assert code == 0, bot.output()[-2000:]
                assert _told(fake, i) and left == 0
            else:
                assert code == -signal.SIGKILL
            bot.start()
            told = bot.wait_for(lambda i=i: _told(fake, i), 60)
            assert any(f"Quarlo{i} harbour report" in t for t in told)
            assert _pending(data) == []
            asked = len(fake.bot_messages(ASKER))
            fake.send(fake.user(ASKER), f"How many boats did the shipyard of Quarlo{i} build?")
            [*_, reply] = bot.wait_for(
                lambda n=asked: fake.bot_messages(ASKER)[n:] and fake.bot_messages(ASKER), 60
            )
            assert f"{100 + i} boats" in reply["text"], reply["text"]
            trials.append(
                {
                    "kind": kind,
                    "signal_after_s": round(delay, 3),
                    "confirmed_before_signal": told_before,
                    "journal_entries_left": left,
                    "told": [t.split("\n")[0] for t in told],
                }
            )
        assert bot.stop(signal.SIGINT) == 0
        log = bot.output()
    assert "Traceback" not in log
    _check(data, TRIALS)
    return trials


def _check(data: Path, articles: int) -> None:
    stats = _stats(data)
    assert stats["articles"] == articles and stats["passages"] == stats["vectors"] > 0
    library = Library(LibraryConfig(data), embedder=HashEmbedder())
    try:
        titles = [a.title for a in library.list(limit=1000)]
    finally:
        library.close()
    assert sorted(titles) == sorted(f"Quarlo{i} harbour report" for i in range(articles))


def _report(name: str, sig: signal.Signals, trials: list[dict]) -> None:
    resumed = sum(t["journal_entries_left"] for t in trials)
    print(f"{sig.name}: {len(trials)} trials, {resumed} adds resumed from the journal")
    out = os.environ.get("RELIABILITY_OUT")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        report = {"signal": sig.name, "trials": trials, "resumed_from_journal": resumed}
        (Path(out) / name).write_text(json.dumps(report, indent=1, ensure_ascii=False))


def test_sigkill_during_add_is_resumed_and_reported(tmp_path: Path) -> None:
    trials = _trials(tmp_path, signal.SIGKILL, seed=11)
    # The delays are drawn to land inside the add: most kills leave a job to resume.
    assert sum(t["journal_entries_left"] for t in trials) >= 1
    for trial in trials:
        if trial["journal_entries_left"]:
            assert any(t.startswith("🔁") for t in trial["told"])
    _report("bot_sigkill_add.json", signal.SIGKILL, trials)


def test_sigterm_during_add_finishes_it_before_exiting(tmp_path: Path) -> None:
    trials = _trials(tmp_path, signal.SIGTERM, seed=12)
    assert all(t["journal_entries_left"] == 0 for t in trials)
    _report("bot_sigterm_add.json", signal.SIGTERM, trials)
