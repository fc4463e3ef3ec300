"""What Telegram accepts and how it fails, for the fake Bot API (tests/fakes_telegram.py).

The bot's token and user, Telegram's limits (4096 characters of text, 20 MB files) and HTML tags;
visible_text checks a message's HTML the way Telegram does (only its tags, properly nested) and
answers ApiError 400 otherwise; entities finds the commands and @mentions in a user's text with
UTF-16 offsets; Fault, Injected and TransportFault are the faults a test injects with
`api.fail(...)` (their kinds are described in tests/fakes_telegram.py).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

TOKEN = "7000000001:AAH-fake_secret_for_tests_0123456789"
# fmt: off
BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Articles",
            "username": "articles_test_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}
MAX_TEXT = 4096
FILE_LIMIT = 20 * 1024 * 1024
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
             "blockquote", "tg-spoiler", "span", "tg-emoji"}
# fmt: on


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


STATUS_FAULTS = {
    "flood": (429, "Too Many Requests: retry after {retry_after}"),
    "bad_gateway": (502, "Bad Gateway"),
    "blocked": (403, "Forbidden: bot was blocked by the user"),
    "too_long": (400, "Bad Request: message is too long"),
    "bad_request": (400, "Bad Request"),  # give it a `description`
}
TRANSPORT_FAULTS = ("timeout", "drop")


@dataclass
class Fault:
    """The next `left` calls of `method` (to `chat_id` only, if set) fail with `kind`."""

    method: str
    kind: str
    left: int = 1
    chat_id: int | None = None
    retry_after: int = 1
    delay: float = 3.0
    description: str | None = None  # instead of the kind's usual one

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.left <= 0 or self.method != method:
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)

    def response(self) -> tuple[int, dict]:
        code, description = STATUS_FAULTS[self.kind]
        body: dict[str, Any] = {
            "ok": False,
            "error_code": code,
            "description": self.description or description.format(retry_after=self.retry_after),
        }
        if self.kind == "flood":
            body["parameters"] = {"retry_after": self.retry_after}
        return code, body


@dataclass
class Injected:
    method: str
    kind: str
    chat_id: Any
    at: float = field(default_factory=time.monotonic)


class TransportFault(Exception):
    """Raised through route() for the transport to act out ("timeout" or "drop")."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.kind)
        self.fault = fault


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _TelegramHTML(HTMLParser):
    """Telegram's HTML rules: its tags only, nested properly; collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.errors.append(f"unsupported start tag {tag!r}")
        if tag == "a" and not dict(attrs).get("href"):
            self.errors.append("a link without href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"can't find end tag corresponding to start tag {tag!r}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text Telegram would show, or ApiError 400 as Telegram would answer."""
    if (parse_mode or "").upper() != "HTML":
        return text
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.stack:
        parser.errors.append(f"unclosed tags {parser.stack}")
    if parser.errors:
        raise ApiError(400, f"Bad Request: can't parse entities: {parser.errors[0]}")
    return "".join(parser.text)


def entities(text: str) -> list[dict]:
    """bot_command at the start and @mentions, with UTF-16 offsets as Telegram gives them."""
    found = []
    command = re.match(r"/\w+(@\w+)?", text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": units(command.group())})
    for mention in re.finditer(r"@\w+", text):
        if command and mention.start() < command.end():
            continue
        found.append(
            {
                "type": "mention",
                "offset": units(text[: mention.start()]),
                "length": units(mention.group()),
            }
        )
    return found
