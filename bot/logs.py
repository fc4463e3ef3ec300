"""Logging for the bot: the token never reaches a log line, at any level.

PTB logs its API URL at DEBUG ("Set Bot API URL: https://api.telegram.org/bot<token>") and httpx
logs every request URL at INFO, and the token is part of those URLs. So httpx/httpcore are set to
WARNING, and every root handler gets a filter that rewrites each record's message, arguments,
traceback text and stack text before any formatter sees them.
"""

from __future__ import annotations

import logging
import re
import sys

REDACTED = "[REDACTED]"
# A bot token: "<bot id>:<secret>", in a URL usually right after "bot". The bare form needs a
# secret of the real length (35) or close, so "12:30" in a message is left alone.
_BOT_URL_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
_BARE_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")
QUIET_LOGGERS = ("httpx", "httpcore", "bm25s")  # bm25s sets its own logger to DEBUG


def redact(text: str, token: str | None = None) -> str:
    """`text` with the token and anything shaped like one replaced by [REDACTED]."""
    text = _BOT_URL_TOKEN.sub(REDACTED, text)
    if token:
        text = text.replace(token, REDACTED)
    return _BARE_TOKEN.sub(REDACTED, text)


class RedactTokenFilter(logging.Filter):
    """Replaces the bot token (and any bot<digits>:<secret>) in a record with [REDACTED]."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, redacted
            message = f"{record.msg} {record.args}"
        # The args are merged into msg so that no formatter can put a token back in.
        record.msg = redact(message, self.token)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.token)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.token)
        return True


def configure_logging(level: str, token: str | None) -> None:
    """basicConfig if nobody did; the level; the redaction filter on every root handler."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    root.setLevel(level)
    for handler in root.handlers:
        handler.setLevel(level)  # `articlebot` may have set a stricter one before
        for old in [f for f in handler.filters if isinstance(f, RedactTokenFilter)]:
            handler.removeFilter(old)
        handler.addFilter(RedactTokenFilter(token))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
