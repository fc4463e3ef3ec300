"""Adding from a URL through the library: extraction, metadata, the private-address guard."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from index.embedder import HashEmbedder
from index.errors import RefusedURL
from index.library import Library, LibraryConfig

PAGE = """<html><head><title>Brücke beschlossen | Stadtanzeiger</title>
<meta property="og:site_name" content="Stadtanzeiger">
<meta name="date" content="2025-10-27"></head><body>
<nav>Start | Politik | Sport</nav><article><h1>Brücke beschlossen</h1>
<p>Der Stadtrat hat am Dienstag den Bau einer neuen Brücke über den Fluss beschlossen.</p>
<p>Die Brücke soll 40 Millionen Euro kosten und im Jahr 2028 eröffnet werden.</p>
<p>Bürgermeisterin Jana Berg sagte, die Pendelzeiten würden sich halbieren.</p>
</article><footer>Impressum</footer></body></html>"""


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            requests.append(self.path)
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/news/bruecke", requests
    httpd.shutdown()


def test_url_add_with_private_urls_allowed(tmp_path: Path, server) -> None:  # noqa: ANN001
    url, requests = server
    library = Library(LibraryConfig(tmp_path, allow_private_urls=True), embedder=HashEmbedder())
    stages: list[str] = []
    result = library.add_url(url, added_by="7", progress=lambda s, d: stages.append(s))
    article = result.article
    assert result.created and article.url == url
    assert article.title.startswith("Brücke beschlossen")
    assert article.published == "2025-10-27" and article.language == "de"
    assert stages == ["fetching", "extracting", "indexing", "done"]
    assert "40 Millionen Euro" in library.ask("Wie viel kostet die Brücke?").quote
    # The same URL again is reported without fetching it a second time.
    again = library.add_url(url + "?utm_source=newsletter")
    assert not again.created and again.article.id == article.id
    assert len(requests) == 1


def test_private_url_refused_without_a_request(tmp_path: Path, server) -> None:  # noqa: ANN001
    url, requests = server
    library = Library(LibraryConfig(tmp_path), embedder=HashEmbedder())
    with pytest.raises(RefusedURL):
        library.add_url(url)
    assert requests == []
    assert library.stats().articles == 0
