"""The bot token never reaches a log line: the redaction filter and configure_logging."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
from telegram import Bot

from bot.logs import REDACTED, RedactTokenFilter, configure_logging, redact

TOKEN = "123456789:AAH-very_secret_token_value_0123456"
SECRET = TOKEN.split(":")[1]


@pytest.fixture
def root_stream() -> Iterator[io.StringIO]:
    """A fresh root handler writing to a string; the root logger is restored afterwards."""
    root = logging.getLogger()
    saved = (
        root.level,
        list(root.handlers),
        {n: logging.getLogger(n).level for n in ("httpx", "httpcore")},
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.handlers = [handler]
    yield stream
    root.setLevel(saved[0])
    root.handlers = saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def test_redact_replaces_the_token_and_anything_like_it() -> None:
    assert redact(f"https://api.telegram.org/bot{TOKEN}/getMe", TOKEN) == (
        f"https://api.telegram.org/{REDACTED}/getMe"
    )
    assert SECRET not in redact(f"token={TOKEN}", TOKEN)
    # Another bot's token, not configured, in a URL or bare.
    assert redact("GET /bot42:abc-DEF_123/getUpdates") == f"GET /{REDACTED}/getUpdates"
    assert "ZZZ" not in redact("7000000001:AAH-ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ")
    # Times and ratios are left alone.
    assert redact("at 12:30, ratio 3:1") == "at 12:30, ratio 3:1"


def _record(msg: str, args: tuple = (), exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("x", logging.DEBUG, __file__, 1, msg, args, exc_info)  # type: ignore[arg-type]


def test_filter_redacts_message_args_traceback_and_stack() -> None:
    log_filter = RedactTokenFilter(TOKEN)
    record = _record("calling %s with %r", (f"https://x/bot{TOKEN}/getMe", {"t": TOKEN}))
    assert log_filter.filter(record)
    assert SECRET not in record.getMessage() and REDACTED in record.getMessage()
    try:
        raise RuntimeError(f"request to /bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        record = _record("failed", exc_info=sys.exc_info())
    record.stack_info = f"Stack: url=/bot{TOKEN}/x"
    log_filter.filter(record)
    text = logging.Formatter().format(record)
    assert "request to" in text and SECRET not in text


def test_configure_logging_redacts_every_root_handler(root_stream: io.StringIO) -> None:
    configure_logging("DEBUG", TOKEN)
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
    # PTB itself logs its API URL, token included, at DEBUG.
    Bot(TOKEN, base_url="http://127.0.0.1:9/bot")
    logging.getLogger("httpx").warning("HTTP Request: POST http://h/bot%s/getMe", TOKEN)
    logging.getLogger("telegram.ext").error("boom %s", TOKEN, exc_info=ValueError(TOKEN))
    output = root_stream.getvalue()
    assert "Set Bot API URL" in output and "HTTP Request" in output and "ValueError" in output
    assert SECRET not in output
    assert output.count(REDACTED) >= 4


def test_configure_logging_twice_keeps_one_filter(root_stream: io.StringIO) -> None:
    configure_logging("INFO", TOKEN)
    configure_logging("INFO", TOKEN)
    handler = logging.getLogger().handlers[0]
    assert sum(isinstance(f, RedactTokenFilter) for f in handler.filters) == 1
