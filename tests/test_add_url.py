"""Adding from a URL through the library: extraction, metadata, the private-address guard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embedder import HashEmbedder
from index.errors import RefusedURL
from index.library import Library, LibraryConfig
from tests.loopback import QuietHandler, base_url, serving

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

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            requests.append(self.path)
            self.send_body(PAGE.encode(), "text/html; charset=utf-8")

    with serving(Handler) as httpd:
        yield f"{base_url(httpd)}/news/bruecke", requests


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
