"""What fetch reads from a page's body, against the recording server (tests/conftest_fetch.py):
compressed bodies, every layer decoded with bounded memory and bombs cut at the cap; charsets
that are no charsets, or none at all; and the article extracted from the HTML, or one clear error
when there is no article text."""

from __future__ import annotations

import logging
import time
import tracemalloc
from urllib.parse import quote

import pytest

from index import codings
from index.errors import ExtractionError, FetchError
from index.extract import extract_html
from index.fetch import fetch
from tests.conftest_fetch import (
    _bomb,
    _RecordingServer,
    _url,
    recording_server,  # noqa: F401 - the `server` fixture
)

# --- compressed bodies: every layer decoded with bounded memory (issue 13, item 1) ------------


@pytest.mark.parametrize(
    "codings", ["gzip", "deflate", "raw-deflate", "br", "zstd", "gzip, gzip", "gzip, br"]
)
def test_compressed_pages_are_decoded(server: _RecordingServer, codings: str) -> None:
    page = fetch(_url(server, f"/coded?codings={quote(codings)}"), allow_private=True)
    assert "three towns were evacuated" in page.text


@pytest.mark.parametrize("codings", ["gzip, gzip", "gzip", "br", "zstd", "deflate"])
def test_compression_bombs_are_cut_at_the_cap_with_bounded_memory(
    server: _RecordingServer, codings: str
) -> None:
    # Before: httpx inflated each 64 KiB network chunk in one step, every layer, and the cap was
    # checked after; 945 bytes of "gzip, gzip" decoding to 500 MB took 1.9 GB and 6 s.
    wire = len(_bomb(codings))
    tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(FetchError, match="larger than 5000000 bytes"):
            fetch(_url(server, f"/bomb?codings={quote(codings)}"), allow_private=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert wire < 400_000  # a bomb: 100 MB decoded from this little on the wire
    assert peak < 30_000_000, f"{peak / 1e6:.0f} MB held while decoding {codings}"
    assert time.monotonic() - start < 5


def test_more_than_two_stacked_codings_are_refused(server: _RecordingServer) -> None:
    with pytest.raises(FetchError, match="compressed 3 times over"):
        fetch(_url(server, "/coded?codings=gzip,gzip,gzip"), allow_private=True)


def test_a_coding_without_a_bounded_decoder_is_refused(
    server: _RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # brotli < 1.2 cannot limit one call's output: br is then neither asked for nor read.
    monkeypatch.setattr(codings, "_bounded_brotli", lambda: False)
    assert "br" not in codings.supported_codings()
    with pytest.raises(FetchError, match="compressed with br"):
        fetch(_url(server, "/coded?codings=br"), allow_private=True)


# --- charsets (issue 13, item 2) --------------------------------------------------------------


@pytest.mark.parametrize(
    "label", ["idna", "punycode", "undefined", "base64", "rot13", "x-nonsense", "unicode_escape"]
)
def test_a_charset_that_is_no_charset_falls_back_to_detection(
    server: _RecordingServer, label: str
) -> None:
    # Before: idna, punycode and undefined raised UnicodeError out of fetch (a traceback).
    page = fetch(_url(server, f"/charset?label={label}&body=utf8"), allow_private=True)
    assert "Café crème" in page.text
    page = fetch(_url(server, f"/charset?label={label}&body=latin1"), allow_private=True)
    assert "Bürgermeisterin äußerte" in page.text and "Prüfung länger" in page.text


@pytest.mark.parametrize("label", ["idna", "undefined", ""])
def test_undecodable_bytes_with_no_usable_charset_are_one_clear_error(
    server: _RecordingServer, label: str
) -> None:
    with pytest.raises(FetchError, match="character set could not be recognized"):
        fetch(_url(server, f"/charset?label={label}&body=binary"), allow_private=True)


# --- extraction -------------------------------------------------------------------------------


def test_extract_small_article() -> None:
    html = (
        "<html><head><title>T</title></head><body><article><h1>T</h1>"
        "<p>The council approved the new budget after a long debate on Monday.</p>"
        "<p>It includes more money for schools and for repairing local roads.</p>"
        "</article></body></html>"
    )
    art = extract_html(html)
    assert art.title == "T"
    assert "new budget" in art.text and "local roads" in art.text
    assert "\n" in art.text  # paragraphs are kept apart


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Only a title</title></head></html>",
        "<html><head><title>Empty</title></head><body></body></html>",
        "",
        "   ",
        "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/w'>World</a></li></ul>"
        "</nav><footer><p>Copyright 2024 Example Media. All rights reserved.</p></footer>"
        "</body></html>",
    ],
)
def test_extract_without_article_text(html: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(ExtractionError, match="no article text"):
        extract_html(html)
    # One clear error to the caller; not also a burst of trafilatura lines in the log.
    assert [r for r in caplog.records if r.name.startswith("trafilatura")] == []
