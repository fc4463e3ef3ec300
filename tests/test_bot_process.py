"""The entry points: `python -m bot` as a real process against the fake Bot API (DEBUG log
without the token, the right quote, a clean stop), and the exits without a usable token."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import app
from bot.app import run_bot
from bot.settings import Settings
from index import cli
from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from tests.conftest_bot import ADMIN, SEED_DE
from tests.fakes_telegram import TOKEN, FakeBotAPI, FakeBotAPIServer

REPO = Path(__file__).resolve().parents[1]
SECRET = TOKEN.split(":")[1]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """run_bot configures logging for the process; put it back for the other tests."""
    root = logging.getLogger()
    level, filters = root.level, {h: list(h.filters) for h in root.handlers}
    yield
    root.setLevel(level)
    for handler, saved in filters.items():
        handler.filters = saved


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    """A clean environment: no real token or settings of the developer leak in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "ADMIN_USER_IDS", "DATA_DIR")
    }
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        PYTHONPATH=str(REPO),
        DATA_DIR=str(tmp_path / "data"),
        **values,
    )
    return env


def test_without_a_token_python_m_bot_explains_botfather(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "BotFather" in result.stderr and "/newbot" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_without_a_token_articlebot_run_explains_botfather(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_bot(Settings()) == 2
    assert cli.main(["run"], environ={}) == 2
    err = capsys.readouterr().err
    assert err.count("BotFather") >= 2 and "Traceback" not in err


def test_a_data_dir_the_bot_cannot_use_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    settings = Settings(token=TOKEN, data_dir=a_file / "data")
    assert run_bot(settings) == 2
    assert cli.main(["run", "--data-dir", str(a_file)], environ={"TELEGRAM_BOT_TOKEN": TOKEN}) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"articlebot: error: the data dir {a_file / 'data'} cannot be made: {a_file} is a file",
        f"articlebot: error: the data dir {a_file} is a file, not a folder",
    ]


def test_a_malformed_api_url_is_one_line(tmp_path: Path) -> None:
    # Before: "http://[::1" was a ValueError traceback; the others 91-113 lines, 3 tracebacks.
    for url in ("http://[::1", "http://exa mple.org", "http://example.org:99999", "http://:80"):
        result = subprocess.run(
            [sys.executable, "-m", "bot"],
            cwd=tmp_path,
            env=_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=url),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, url
        assert result.stdout == ""
        assert result.stderr == (
            "articlebot: error: TELEGRAM_API_URL must be an http(s) URL such as "
            f"https://api.telegram.org or http://127.0.0.1:8081, not {url!r}\n"
        )


def test_an_unreachable_api_is_one_line_per_attempt(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Before: 113 lines with 3 tracebacks (PTB's bootstrap logs the failure with exc_info).
    monkeypatch.setattr(app, "START_DELAY", 0.05)
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": f"http://127.0.0.1:{port}"}
    )
    with caplog.at_level(logging.INFO):
        assert run_bot(settings, library) == 1
    err = capsys.readouterr().err
    assert err == (
        f"articlebot: cannot reach the Bot API at http://127.0.0.1:{port} (3 attempts): "
        "httpx.ConnectError: All connection attempts failed\n"
    )
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split("; ")[1] for r in warnings] == [
        "attempt 1 of 3, trying again in 0.05 s",
        "attempt 2 of 3, trying again in 0.05 s",
    ]
    assert all(r.exc_info is None for r in caplog.records)
    assert "Traceback" not in caplog.text + err and SECRET not in caplog.text + err


def test_a_rejected_token_exits_1_without_showing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    api = FakeBotAPI()
    api.reject_token = True
    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    with FakeBotAPIServer(api) as server:
        settings = Settings.from_env(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": server.url, "LOG_LEVEL": "DEBUG"}
        )
        assert run_bot(settings, library) == 1
    captured = capsys.readouterr()
    assert "rejected TELEGRAM_BOT_TOKEN" in captured.err
    assert SECRET not in captured.out + captured.err + caplog.text


def test_an_index_built_with_another_model_stops_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = LibraryConfig(tmp_path / "data")
    built = Library(config, embedder=HashEmbedder(64))
    built.add_text("Title\nSome article text that is long enough to be stored and indexed.")
    built.close()
    with FakeBotAPIServer(FakeBotAPI()) as server:
        settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": server.url})
        assert run_bot(settings, Library(config, embedder=HashEmbedder(32))) == 2
    err = capsys.readouterr().err
    assert "articlebot rebuild" in err and "Traceback" not in err


@pytest.mark.model
@pytest.mark.e2e
def test_python_m_bot_answers_and_never_logs_the_token(tmp_path: Path) -> None:
    api = FakeBotAPI()
    with FakeBotAPIServer(api) as server:
        env = _env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=server.url,
            ADMIN_USER_IDS=str(ADMIN),
            LOG_LEVEL="DEBUG",
        )
        log = (tmp_path / "bot.log").open("w+", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait(lambda: api.calls_to("getUpdates"), process, 120)
            admin = api.user(ADMIN, language_code="de")
            api.send(admin, "/add " + SEED_DE.read_text(encoding="utf-8"))
            _wait(
                lambda: (
                    api.bot_messages(ADMIN)[-1]["text"].startswith("✅")
                    if api.bot_messages(ADMIN)
                    else None
                ),
                process,
                60,
            )
            api.send(admin, "Womit könnte Trump Kim an den Verhandlungstisch locken?")
            _wait(lambda: len(api.bot_messages(ADMIN)) == 2, process, 60)
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        log.seek(0)
        output = log.read()
    answer = api.bot_messages(ADMIN)[-1]
    assert "Sanktionen" in answer["text"] and "Quelle:" in answer["text"]
    assert "DEBUG" in output and "getUpdates" in output  # the log really is at DEBUG
    assert "[REDACTED]" in output  # PTB logs its API URL at DEBUG: token replaced
    assert TOKEN not in output and SECRET not in output
    assert "Traceback" not in output


def _wait(predicate, process: subprocess.Popen, timeout: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        if process.poll() is not None:
            raise AssertionError(f"the bot exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot")
        time.sleep(0.05)
