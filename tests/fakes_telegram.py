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
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

TOKEN = "7000000001:AAH-fake_secret_for_tests_0123456789"
# fmt: off
BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Articles",
            "username": "articles_test_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}
MAX_TEXT = 4096
FILE_LIMIT = 20 * 1024 * 1024
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
             "blockquote", "tg-spoiler", "span", "tg-emoji"}
# Parameters that PTB sends as plain strings; every other form value is JSON.
STRING_PARAMS = {"text", "caption", "parse_mode", "language_code", "callback_query_id", "file_id",
                 "action", "url", "description", "short_description", "name", "inline_message_id",
                 "secret_token", "business_connection_id", "message_effect_id"}
# fmt: on


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid long-poll (the bot stopping) is no error here."""


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


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


class FakeBotAPI:
    """The Bot API's state; `handle(method, params)` answers like Telegram (status, payload)."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.reject_token = False
        self.closed = False
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict] = {}
        self.files: dict[str, tuple[str, bytes, int]] = {}  # file_id -> (path, data, size)
        self.downloads: list[str] = []
        self.commands: dict[str | None, list[dict]] = {}
        self.problems: list[str] = []  # anything Telegram would have refused
        self.faults: list[Fault] = []
        self.injected: list[Injected] = []
        self.delivered: dict[int, float] = {}  # update_id -> when getUpdates first returned it
        self.sent: Counter[int] = Counter()  # chat_id -> messages the bot sent there
        self._cond = threading.Condition()
        self._updates: list[dict] = []
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(100)

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

    # -- what users do ---------------------------------------------------------------------

    def user(self, user_id: int, first_name: str = "Ann", language_code: str = "en") -> dict:
        return dict(id=user_id, is_bot=False, first_name=first_name, language_code=language_code)

    def chat(self, chat_id: int) -> dict:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return {"id": chat_id, "type": "supergroup", "title": "News group"}

    def send(
        self,
        user: dict,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        reply_to: dict | None = None,
        document: dict | None = None,
        caption: str | None = None,
        forward_origin: dict | None = None,
        sender_chat: dict | None = None,
    ) -> dict:
        """A user sends a message; returns the update."""
        chat = self.chat(chat_id if chat_id is not None else user["id"])
        extra: dict[str, Any] = {}
        if text is not None:
            extra.update(text=text, entities=entities(text))
        if caption is not None:
            extra.update(caption=caption, caption_entities=entities(caption))
        optional = dict(
            reply_to_message=reply_to,
            document=document,
            forward_origin=forward_origin,
            sender_chat=sender_chat,
        )
        extra.update({name: value for name, value in optional.items() if value is not None})
        with self._cond:
            message = self._message(chat, user, **extra)
        return self.push(message=message)

    def edit(self, update: dict, text: str) -> dict:
        """The user edits the message of `update`; returns the edited_message update."""
        edited = dict(
            update["message"], text=text, entities=entities(text), edit_date=int(time.time())
        )
        return self.push(edited_message=edited)

    def press(self, user: dict, message: dict, data: str) -> dict:
        """The user presses a button (or forges one) under `message`."""
        query = {"id": str(next(self._ids)), "from": user, "message": message, "data": data}
        return self.push(callback_query=dict(query, chat_instance="1"))

    def document(
        self, data: bytes, name: str, mime: str = "text/plain", size: int | None = None
    ) -> dict:
        file_id = f"file{next(self._ids)}"
        self.files[file_id] = (f"documents/{file_id}_{name}", data, size or len(data))
        return dict(
            file_id=file_id,
            file_unique_id=f"u{file_id}",
            file_name=name,
            mime_type=mime,
            file_size=size or len(data),
        )

    @staticmethod
    def channel_origin(
        title: str, username: str | None, message_id: int, date: int = 1761523200
    ) -> dict:
        chat = {"id": -1009876543210, "type": "channel", "title": title}
        if username:
            chat["username"] = username
        return {"type": "channel", "chat": chat, "message_id": message_id, "date": date}

    def push(self, **payload: Any) -> dict:
        with self._cond:
            update = {"update_id": next(self._ids), **payload}
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def take_updates(self) -> list[dict]:
        """Pending updates, removed (for tests that feed the Application directly)."""
        with self._cond:
            updates, self._updates = self._updates, []
        return updates

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def _message(self, chat: dict, sender: dict, **extra: Any) -> dict:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": sender,
            **extra,
        }
        if sender is BOT_USER:
            message["history"] = [extra.get("html", "")]
            self.sent[chat["id"]] += 1
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    # -- what the bot did ------------------------------------------------------------------

    def bot_messages(self, chat_id: int | None = None) -> list[dict]:
        """The bot's messages, oldest first, as they look now (after edits)."""
        with self._cond:
            return [
                m
                for (c, _), m in sorted(self.messages.items(), key=lambda kv: kv[0][1])
                if m["from"]["id"] == BOT_USER["id"] and chat_id in (None, c)
            ]

    def last_text(self, chat_id: int) -> str:
        """The text of the bot's latest message in the chat as it looks now; "" if none."""
        sent = self.bot_messages(chat_id)
        return sent[-1]["text"] if sent else ""

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._cond:
            return [c.params for c in self.calls if c.method == method]

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Poll `predicate` until it returns something truthy, without blocking the loop."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out; bot messages: {self.bot_messages()[-5:]}; "
                    f"problems: {self.problems}"
                )
            await asyncio.sleep(0.02)

    async def replies(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 15.0,
        final: Callable[[dict], bool] | None = None,
    ) -> list[dict]:
        """Wait until the bot has `count` messages in the chat (the last passing `final`)."""

        def ready() -> list[dict] | None:
            sent = self.bot_messages(chat_id)
            if len(sent) >= count and (final is None or final(sent[-1])):
                return sent
            return None

        return await self.wait_until(ready, timeout)


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


class FakeRequest(BaseRequest):
    """PTB's requests go straight to a FakeBotAPI: no sockets, no waiting."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        path, params = urlsplit(url).path, request_data.parameters if request_data else {}
        try:
            return route(self.api, path, params, wait=False)
        except TransportFault as exc:
            # What HTTPXRequest raises for the same faults.
            if exc.fault.kind == "drop":
                cause = httpx.RemoteProtocolError("Server disconnected without sending a response.")
                raise NetworkError(f"httpx.RemoteProtocolError: {cause}") from cause
            route(self.api, path, params, wait=False, inject=False)  # carried out, too late
            raise TimedOut from httpx.ReadTimeout("timed out")


def route(
    api: FakeBotAPI, path: str, params: dict[str, Any], *, wait: bool, inject: bool = True
) -> tuple[int, bytes]:
    """/bot<token>/<method> and /file/bot<token>/<path>, with the token checked; TransportFault
    for an injected timeout or dropped connection."""
    match = re.fullmatch(r"/(file/)?bot([^/]+)/(.+)", unquote(path))  # PTB quotes file paths
    if match is None:
        return 404, b'{"ok": false, "error_code": 404, "description": "Not Found"}'
    if match.group(2) != api.token or api.reject_token:
        body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return 401, json.dumps(body).encode()
    if match.group(1):
        return api.download(match.group(3), inject=inject)
    status, payload = api.handle(match.group(3), params, wait=wait, inject=inject)
    return status, json.dumps(payload).encode()


def _form(body: bytes, content_type: str) -> dict[str, Any]:
    if content_type.startswith("application/json"):
        return json.loads(body or b"{}")
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        if key in STRING_PARAMS:
            params[key] = value
        else:
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
    return params


class FakeBotAPIServer:
    """FakeBotAPI over HTTP/1.1 on 127.0.0.1 (a thread per connection; getUpdates long-polls)."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api
        fake = api

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm the body would wait
            # for the client's delayed ACK, 40 ms a reply, which Telegram does not add.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    params = _form(body, self.headers.get("Content-Type", ""))
                except ValueError:
                    self._reply(400, b'{"ok": false, "description": "bad body"}')
                    return
                self._route(params)

            def do_GET(self) -> None:  # noqa: N802
                self._route({})

            def _route(self, params: dict[str, Any]) -> None:
                path = urlsplit(self.path).path
                try:
                    self._reply(*route(fake, path, params, wait=True))
                except TransportFault as exc:
                    self.close_connection = True
                    if exc.fault.kind == "timeout":  # the bot has given up by now
                        time.sleep(exc.fault.delay)
                        with suppress(OSError):
                            self._reply(*route(fake, path, params, wait=True, inject=False))

            def _reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return None

        self._server = QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeBotAPIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.close()
        self._server.shutdown()
        self._server.server_close()
