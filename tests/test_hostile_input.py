"""Hostile and broken input, property-based (hypothesis): text adds, files, questions and
fetched pages (any body, content codings and charset label).

Each input is either accepted or refused with one clear message (BadInput, or ExtractionError for
HTML without an article); nothing is stored half
(SQLite, FAISS and BM25 agree after every case); the library keeps working. The counts of cases
run are reported for RELIABILITY.md when $RELIABILITY_OUT is set.
"""

from __future__ import annotations

import gzip
import json
import os
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.embedder import HashEmbedder
from index.errors import ArticleBotError, BadInput, FetchError
from index.fetch import fetch
from index.library import Library, LibraryConfig
from index.quote import is_verbatim

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
SPECIALS = [
    "\u200b",  # zero-width space
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\ufeff",  # byte order mark
    "\x00",
    "\x07",
    "\x1b[31m",
    "<script>alert(1)</script>",
    "<b>",
    "&amp;",
    "*_`[link](javascript:x)`_*",
    "😀🇩🇪👩‍👩‍👧",
    "مرحبا بالعالم",
    "שלום עולם",
    "\r\n",
    "\t",
    " ",
    "Der Bundestag hat am Dienstag beschlossen.",
    "The council approved the bridge.",
]
pieces = st.one_of(st.sampled_from(SPECIALS), st.text(max_size=40))
texts = st.lists(pieces, max_size=30).map("".join)
outcomes: Counter[str] = Counter()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return Library(LibraryConfig(tmp_path_factory.mktemp("fuzz")), embedder=HashEmbedder())


def _consistent(library: Library) -> None:
    stats = library.stats()
    assert stats.passages == stats.vectors == len(library._current().lexical)


def _refusal(exc: ArticleBotError) -> str:
    message = str(exc)
    assert message and "\n" not in message and "Traceback" not in message
    return message


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=texts, title=st.one_of(st.none(), texts))
def test_text_adds(library: Library, text: str, title: str | None) -> None:
    before = library.stats().articles
    try:
        result = library.add_text(text, title=title)
        outcomes["text added" if result.created else "text duplicate"] += 1
        assert library.stats().articles == before + result.created
    except BadInput as exc:
        _refusal(exc)
        outcomes["text refused"] += 1
        assert library.stats().articles == before
    _consistent(library)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(question=texts)
def test_questions(library: Library, question: str) -> None:
    try:
        answer = library.ask(question)
        outcomes["question abstained" if answer.abstained else "question answered"] += 1
        if not answer.abstained:
            text = library.store.article_text(answer.sources[0].article.id)
            assert is_verbatim(answer.quote, text)  # always
    except BadInput as exc:
        assert "empty" in _refusal(exc)
        outcomes["question refused"] += 1


@settings(max_examples=EXAMPLES // 3, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_files_of_random_bytes(
    library: Library, tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("files") / f"upload{suffix}"
    path.write_bytes(data)
    before = library.stats().articles
    try:
        result = library.add_file(path)
        outcomes["file added" if result.created else "file duplicate"] += 1
    except ArticleBotError as exc:  # BadInput, or ExtractionError for HTML without an article
        _refusal(exc)
        outcomes["file refused"] += 1
        assert library.stats().articles == before
    _consistent(library)


CODINGS = ["gzip", "deflate", "br", "zstd", "identity", "x-gzip", "compress", "utf-8", "GZIP"]
LABELS = ["utf-8", "idna", "punycode", "undefined", "base64", "rot13", "utf-16", "utf-7",
          "unicode_escape", "x-user-defined", "iso-8859-1", "shift_jis", "'utf-8'", ""]  # fmt: skip
ENCODE: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda data: gzip.compress(data),
    "x-gzip": lambda data: gzip.compress(data),
    "GZIP": lambda data: gzip.compress(data),
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}


class _Page(BaseHTTPRequestHandler):
    """Serves whatever the current hypothesis example put into `response`."""

    response: tuple[dict[str, str], bytes] = ({}, b"")

    def do_GET(self) -> None:  # noqa: N802
        headers, body = _Page.response
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/page"
    httpd.shutdown()
    httpd.server_close()


header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20)


@settings(max_examples=EXAMPLES // 3, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=texts,
    raw=st.one_of(st.none(), st.binary(max_size=2000)),
    codings=st.lists(st.sampled_from(CODINGS), max_size=3),
    label=st.one_of(st.sampled_from(LABELS), header_text),
    media=st.sampled_from(["text/html", "text/plain", "", "application/xhtml+xml"]),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
)
def test_fetched_pages(
    page_url: str,
    text: str,
    raw: bytes | None,
    codings: list[str],
    label: str,
    media: str,
    cut: int | None,
) -> None:
    """Any body, in any stack of codings (applied for real, or only claimed), cut short or not,
    under any charset label: a page, or one FetchError line; never anything else."""
    body = raw if raw is not None else text.encode("utf-8", "surrogatepass")
    for coding in codings:
        body = ENCODE.get(coding, lambda data: data)(body)
    if cut is not None:
        body = body[:cut]
    headers = {"Content-Encoding": ", ".join(codings)} if codings else {}
    if media:
        headers["Content-Type"] = f"{media}; charset={label}" if label else media
    _Page.response = (headers, body)
    try:
        page = fetch(page_url, allow_private=True, timeout=10)
        assert isinstance(page.text, str)
        outcomes["page fetched"] += 1
    except FetchError as exc:
        _refusal(exc)
        outcomes["page refused"] += 1


@pytest.mark.parametrize(
    ("name", "data", "refusal"),
    [
        ("binary.txt", bytes(range(256)) * 40, "binary"),
        ("latin1.txt", "Grüße aus Köln, schöne Straße. ".encode("latin-1") * 20, "UTF-8"),
        ("nobody.html", b"<html><head><title>x</title></head></html>", "no article text"),
        ("huge.txt", b"A sentence. " * (21 * 1024 * 1024 // 12), "larger than 20 MB"),
        ("empty.md", b"", "empty"),
    ],
)
def test_broken_files_are_refused_clearly(
    library: Library, tmp_path: Path, name: str, data: bytes, refusal: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = library.stats().articles
    with pytest.raises(ArticleBotError, match=refusal):
        library.add_file(path)
    outcomes["broken file refused"] += 1
    assert library.stats().articles == before
    _consistent(library)


def test_a_100k_character_article_and_question(library: Library) -> None:
    text = "Long report\n\n" + " ".join(
        f"Sentence {i} says that the tower number {i} is {i % 97} metres tall." for i in range(1600)
    )
    assert len(text) > 100_000
    result = library.add_text(text)
    assert result.created and result.article.passages > 10
    # A ~70k-character question is refused in one line; the longest accepted one is answered.
    with pytest.raises(BadInput, match="^the question is too long: 69,999 characters"):
        library.ask("How tall is the tower number 1234? " * 2000)
    answer = library.ask(("How tall is the tower number 1234? " * 30)[:999] + "?")
    assert answer.quote == "" or is_verbatim(
        answer.quote, library.store.article_text(answer.sources[0].article.id)
    )
    outcomes["100k article added"] += 1
    _consistent(library)


def test_report_counts() -> None:
    """Runs last in this module: the number of cases each property ran, for RELIABILITY.md."""
    assert sum(outcomes.values()) > 0
    out = os.environ.get("RELIABILITY_OUT")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "hostile_input.json").write_text(json.dumps(dict(outcomes), indent=1))
