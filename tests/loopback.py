"""A loopback HTTP server for the tests that fetch (pages, feeds, hostile sites): one place that
starts http.server on a free port of 127.0.0.1 in a thread, and stops and closes it after."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing (pytest's output stays quiet) and sends whole bodies."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_body(
        self,
        body: bytes,
        content_type: str = "",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """`body` with its length, and `content_type` and `headers` where given."""
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serving(
    handler: type[BaseHTTPRequestHandler], poll: float = 0.05
) -> Iterator[ThreadingHTTPServer]:
    """`handler` served on a free port of 127.0.0.1 until the block ends (base_url: its URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(poll,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def base_url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"
