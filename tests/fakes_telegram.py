"""A fake Telegram Bot API for the bot's tests.

FakeBotAPI is the state machine (updates, chats, messages, files, commands) and checks what the
bot sends the way Telegram does: only Telegram's HTML tags, properly nested, at most 4096
characters of text. FakeBotAPIServer serves it over HTTP on 127.0.0.1 at {url}/bot<token>/<method>
and {url}/file/bot<token>/<path>, for end-to-end tests through TELEGRAM_API_URL; FakeRequest hands
PTB's requests to it directly, for fast handler tests.

Faults: `api.fail(method, kind, count=..., chat_id=...)` makes the next `count` calls of a method
(to one chat, if given) fail the way Telegram or the network does: "flood" (429 with
parameters.retry_after), "bad_gateway" (502), "blocked" (403 "Forbidden: bot was blocked by the
user"), "too_long" (400 "Bad Request: message is too long"), "bad_request" (400 with the
`description` given), "timeout" (the server sits on the
request for `delay` seconds, longer than the bot waits, then carries it out, as Telegram would)
and "drop" (the connection is closed without an answer). Method "download" is a file download.
Every injected fault is listed in `api.injected`.

Its parts: tests/fakes_telegram_rules.py (what Telegram accepts, the faults),
tests/fakes_telegram_chats.py (the state, what users do and what the bot did) and
tests/fakes_telegram_http.py (FakeRequest, FakeBotAPIServer); every name is importable from here.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.fakes_telegram_chats import Call, Chats
from tests.fakes_telegram_http import (
    STRING_PARAMS,
    FakeBotAPIServer,
    FakeRequest,
    QuietServer,
    route,
)
from tests.fakes_telegram_rules import (
    BOT_USER,
    FILE_LIMIT,
    HTML_TAGS,
    MAX_TEXT,
    STATUS_FAULTS,
    TOKEN,
    TRANSPORT_FAULTS,
    ApiError,
    Fault,
    Injected,
    TransportFault,
    entities,
    units,
    visible_text,
)

__all__ = [
    "BOT_USER",
    "FILE_LIMIT",
    "HTML_TAGS",
    "MAX_TEXT",
    "STATUS_FAULTS",
    "STRING_PARAMS",
    "TOKEN",
    "TRANSPORT_FAULTS",
    "ApiError",
    "Call",
    "FakeBotAPI",
    "FakeBotAPIServer",
    "FakeRequest",
    "Fault",
    "Injected",
    "QuietServer",
    "TransportFault",
    "entities",
    "route",
    "units",
    "visible_text",
]


class FakeBotAPI(Chats):
    """The Bot API's state; `handle(method, params)` answers like Telegram (status, payload).
    The state itself, what users do and what the bot did are in Chats (fakes_telegram_chats.py)."""

    # -- the Bot API -----------------------------------------------------------------------

    def handle(
        self, method: str, params: dict[str, Any], *, wait: bool = True, inject: bool = True
    ) -> tuple[int, dict]:
        with self._cond:
            self.calls.append(Call(method, params))
            self._cond.notify_all()
        fault = self.take_fault(method, params) if inject else None
        if fault is not None:
            if fault.kind in TRANSPORT_FAULTS:
                raise TransportFault(fault)
            return fault.response()
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params, wait)}
        handler = getattr(self, f"_api_{method}", None)
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            with self._cond:
                return 200, {"ok": True, "result": handler(params)}
        except ApiError as exc:
            self.problems.append(f"{method}: {exc.description}")
            return exc.code, {"ok": False, "error_code": exc.code, "description": exc.description}

    def _get_updates(self, params: dict[str, Any], wait: bool) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0) if wait else 0.0
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._cond.wait_for(lambda: self._updates or self.closed, timeout=timeout)
            updates = list(self._updates[: int(params.get("limit") or 100)])
            now = time.monotonic()
            for update in updates:
                self.delivered.setdefault(update["update_id"], now)
            return updates

    # -- faults ----------------------------------------------------------------------------

    def fail(self, method: str, kind: str, count: int = 1, **options: Any) -> Fault:
        """The next `count` calls of `method` fail with `kind` (see the module docstring)."""
        if kind not in STATUS_FAULTS and kind not in TRANSPORT_FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        fault = Fault(method, kind, count, **options)
        with self._cond:
            self.faults.append(fault)
        return fault

    def take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        with self._cond:
            for fault in self.faults:
                if fault.matches(method, params):
                    fault.left -= 1
                    self.injected.append(Injected(method, fault.kind, params.get("chat_id")))
                    return fault
        return None

    def acknowledged(self, update_id: int) -> bool:
        """Whether the bot has confirmed the update (asked for updates after it)."""
        return any(int(p.get("offset") or 0) > update_id for p in self.calls_to("getUpdates"))

    def _api_getMe(self, params: dict) -> dict:
        return BOT_USER

    def _api_deleteWebhook(self, params: dict) -> bool:
        return True

    def _api_setMyCommands(self, params: dict) -> bool:
        self.commands[params.get("language_code") or None] = list(params["commands"])
        return True

    def _api_sendChatAction(self, params: dict) -> bool:
        return True

    def _api_answerCallbackQuery(self, params: dict) -> bool:
        return True

    def _api_sendMessage(self, params: dict) -> dict:
        chat = self.chat(int(params["chat_id"]))
        text = str(params["text"])
        shown = self._check(text, params.get("parse_mode"))
        message = self._message(chat, BOT_USER, text=shown, html=text)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _api_editMessageText(self, params: dict) -> dict:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None or message["from"]["id"] != BOT_USER["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        text = str(params["text"])
        shown = self._check(text, params.get("parse_mode"))
        markup = params.get("reply_markup")
        if (
            shown == message["text"]
            and text == message["html"]
            and markup == message.get("reply_markup")
        ):
            raise ApiError(400, "Bad Request: message is not modified")
        message.update(text=shown, html=text, edit_date=int(time.time()))
        message["history"].append(text)
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    def _api_getFile(self, params: dict) -> dict:
        if params["file_id"] not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, _, size = self.files[params["file_id"]]
        if size > FILE_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        file_id = params["file_id"]
        return dict(file_id=file_id, file_unique_id=f"u{file_id}", file_size=size, file_path=path)

    def download(self, path: str, *, inject: bool = True) -> tuple[int, bytes]:
        self.downloads.append(path)
        fault = self.take_fault("download", {}) if inject else None
        if fault is not None:
            if fault.kind in TRANSPORT_FAULTS:
                raise TransportFault(fault)
            code, body = fault.response()
            return code, json.dumps(body).encode()
        for file_path, data, _ in self.files.values():
            if file_path == path:
                return 200, data
        return 404, b"Not Found"

    def _check(self, text: str, parse_mode: str | None) -> str:
        shown = visible_text(text, parse_mode)
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if units(shown.strip()) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return shown
