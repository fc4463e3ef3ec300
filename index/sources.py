"""Turn pasted text, a file or a URL into a Draft article, or one clear error."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .chunking import check_length
from .cleaning import join_broken_lines
from .codings import detect_text
from .errors import BadInput, FetchError

MAX_FILE_BYTES = 20 * 1024 * 1024  # Telegram's bot download limit; larger files are refused
MIN_TEXT_CHARS = 20
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ocid)$", re.IGNORECASE)
# Control characters other than tab and newline mark binary data or garbage.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
# Bidi embedding, override and isolate controls: in a title or a source they can make
# "Invoice\u202egpj.exe" read as "Invoiceexe.jpg" (Trojan Source); shown to nobody.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Draft:
    title: str
    text: str
    url: str | None = None
    source: str | None = None
    published: str | None = None


def strip_bidi(text: str) -> str:
    """`text` without bidi embedding/override/isolate controls (U+202A-U+202E, U+2066-U+2069)."""
    return _BIDI.sub("", text)


def clean_text(text: str) -> str:
    """Normalize newlines and invisible characters; refuse binary-looking, empty or overlong
    input (checked first: cleaning is linear, but there is no point in cleaning a book)."""
    check_length(text)
    if "\x00" in text or len(_CONTROL.findall(text[:100_000])) > max(8, len(text[:100_000]) // 100):
        raise BadInput("this looks like binary data, not text")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", _INVISIBLE.sub("", text))
    lines = [line.rstrip() for line in text.split("\n")]
    text = join_broken_lines(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())
    if len(text) < MIN_TEXT_CHARS or not re.search(r"\w", text):
        raise BadInput("the text is empty or too short to be an article")
    return text


def from_text(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    source: str | None = None,
    published: str | None = None,
) -> Draft:
    """Pasted text: the first non-empty line is the title unless one is given."""
    text = clean_text(text)
    if title is None or not title.strip():
        first, _, rest = text.partition("\n")
        title = first.lstrip("#").strip()
        if len(rest.strip()) >= MIN_TEXT_CHARS:
            text = rest.strip()
    title = " ".join(strip_bidi(title).split())[:300]
    source = (" ".join(strip_bidi(source).split()) or None) if source else None
    return Draft(title=title, text=text, url=url, source=source, published=published)


def read_stream(stream: BinaryIO, limit: int = MAX_FILE_BYTES) -> bytes:
    """All of `stream` (e.g. stdin), read a piece at a time; BadInput as soon as it is longer
    than `limit` bytes, so an endless pipe costs no more memory than the limit."""
    pieces: list[bytes] = []
    size = 0
    while piece := stream.read(min(1 << 20, limit + 1 - size)):
        size += len(piece)
        if size > limit:
            raise BadInput(f"the text is larger than {limit // (1024 * 1024)} MB")
        pieces.append(piece)
    return b"".join(pieces)


def decode_bytes(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput("the file is not UTF-8 text") from None


def from_file(path: Path, *, title: str | None = None) -> Draft:
    """A .txt/.md file (title: its first non-empty line) or an .html file (extracted)."""
    if not path.is_file():
        raise BadInput(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        raise BadInput(f"unsupported file type {suffix or '(none)'}: use .txt, .md or .html")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise BadInput(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return from_bytes(path.read_bytes(), suffix, title=title)


def from_bytes(
    data: bytes,
    suffix: str,
    *,
    title: str | None = None,
    url: str | None = None,
    source: str | None = None,
) -> Draft:
    if len(data) > MAX_FILE_BYTES:
        raise BadInput(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if b"\x00" in data[:8192]:
        raise BadInput("this looks like binary data, not text")
    if suffix.lower() in HTML_SUFFIXES:
        from .extract_bounded import extract_page

        text = _html_text(data)
        extracted = extract_page(text, url)
        return from_text(
            extracted.text,
            title=title or extracted.title or None,
            url=url,
            source=source or extracted.source,
            published=extracted.published,
        )
    return from_text(decode_bytes(data), title=title, url=url, source=source)


def _html_text(data: bytes) -> str:
    """A saved page as text, as a fetched one is read: UTF-8, else its detected character set
    (a page saved from a windows-1252 site was refused as "not UTF-8 text")."""
    try:
        return detect_text(data.removeprefix(b"\xef\xbb\xbf"))
    except FetchError:
        raise BadInput("the file's character set could not be recognized") from None


def content_hash(text: str) -> str:
    """Same article, same hash: case, punctuation spacing and whitespace do not count."""
    normalized = " ".join(re.findall(r"\w+", text.casefold()))
    return hashlib.sha256(normalized.encode()).hexdigest()


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, no fragment, default port, tracking parameters or trailing /."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:  # a port out of range or not a number ("news.example:99999"): as written
        return url.strip()  # (a feed's entry; adding it then says what is wrong with it)
    if port and not (
        parts.scheme == "http" and port == 80 or parts.scheme == "https" and port == 443
    ):
        host = f"{host}:{port}"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        )
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


def outlet(draft: Draft) -> str:
    """Who published a copy: the site's name, else the address's host, else (pasted text, a
    file) its title, shortened."""
    if draft.source:
        return draft.source
    host = urlsplit(draft.url).hostname if draft.url else None
    if host:
        return host.removeprefix("www.")
    return draft.title if len(draft.title) <= 60 else draft.title[:59].rstrip() + "…"
