"""The fake Bot API's transports (tests/fakes_telegram.py): FakeRequest hands PTB's requests to
a FakeBotAPI directly, for fast handler tests; FakeBotAPIServer serves it over HTTP on 127.0.0.1
at {url}/bot<token>/<method> and {url}/file/bot<token>/<path>, for end-to-end tests through
TELEGRAM_API_URL. Both check the token and act out the injected "timeout" and "drop" faults.
"""

from __future__ import annotations

import json
import re
import threading
import time
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from tests.fakes_telegram_rules import TransportFault

if TYPE_CHECKING:
    from tests.fakes_telegram import FakeBotAPI

# fmt: off
# Parameters that PTB sends as plain strings; every other form value is JSON.
STRING_PARAMS = {"text", "caption", "parse_mode", "language_code", "callback_query_id", "file_id",
                 "action", "url", "description", "short_description", "name", "inline_message_id",
                 "secret_token", "business_connection_id", "message_effect_id"}
# fmt: on


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid long-poll (the bot stopping) is no error here."""


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
