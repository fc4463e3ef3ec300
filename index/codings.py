"""A fetched body's bytes -> text, bounded: content codings undone a piece at a time, then the
charset decoded.

httpx inflates each network chunk in one step (a 64 KiB gzip chunk can become 64 MB, and a
second `gzip` layer multiplies that again), and checks nothing until the whole chunk is out; a
few hundred bytes of stacked gzip on the wire took gigabytes. Here every layer is undone with an
output limit per call (zlib's max_length, brotli's output_buffer_limit, zstandard's bounded
reader), and the byte cap and the deadline are checked on every layer's output, the wire
included, before the next piece is made. No library does this for a pull-based chain of layers,
hence the hand-written loops below (the decompressors themselves are the libraries').
"""

from __future__ import annotations

import codecs
import io
import logging
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from .errors import FetchError

logger = logging.getLogger(__name__)

PIECE = 64 * 1024  # the most any decompression call may produce at once
# Servers send one coding; a proxy that compresses an already compressed response makes two.
# More than that is only ever an attack (each layer multiplies the expansion).
MAX_CODINGS = 2
KNOWN_CODINGS = frozenset({"gzip", "deflate", "br", "zstd", "compress", "dcb", "dcz"})
ZSTD_WINDOW = 8 * 1024 * 1024  # RFC 9659: HTTP clients need not accept larger windows
# Codecs Python calls text encodings that are no charset: they raise on errors="replace"
# (idna, undefined), are quadratic (punycode) or rewrite the text (the escape codecs).
NOT_CHARSETS = frozenset(
    {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "charmap"}
)

try:  # the same optional packages httpx uses for br and zstd
    import brotli  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - depends on what is installed
    try:
        import brotlicffi as brotli  # type: ignore[import-not-found, no-redef, unused-ignore]
    except ImportError:
        brotli = None
try:
    import zstandard  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover
    zstandard = None

Check = Callable[[], None]  # raises once the fetch's deadline has passed


def _bounded_brotli() -> bool:
    """brotli >= 1.2 (and brotlicffi >= 1.2) can limit the output of one call; older ones cannot
    and are not used."""
    return brotli is not None and hasattr(brotli.Decompressor(), "can_accept_more_data")


def supported_codings() -> list[str]:
    """The content codings this module can undo with bounded memory."""
    return [
        "gzip",
        "deflate",
        *(["br"] if _bounded_brotli() else []),
        *(["zstd"] if zstandard is not None else []),
    ]


def content_codings(header: str) -> list[str]:
    """The codings of a Content-Encoding header, in the order they were applied; FetchError for
    too many layers. Unknown names are skipped, as httpx and browsers do."""
    known = supported_codings()
    codings = []
    for raw in header.split(","):
        name = raw.strip().lower()
        name = {"x-gzip": "gzip"}.get(name, name)
        if name in ("", "identity"):
            continue
        if name in KNOWN_CODINGS and name not in known:
            raise FetchError(f"the page is compressed with {name}, which cannot be read here")
        if name not in known:  # e.g. "utf-8" from a misconfigured server: the body is as sent
            logger.info("ignoring the unknown content coding %r", name[:40])
            continue
        codings.append(name)
    if len(codings) > MAX_CODINGS:
        raise FetchError(f"the page is compressed {len(codings)} times over; refused")
    return codings


def decoded(raw: Iterator[bytes], codings: list[str], max_bytes: int, check: Check) -> bytes:
    """The body with `codings` undone, last applied first; FetchError past `max_bytes` on the
    wire or in any layer, whatever the deadline `check` raises once it has passed."""
    stream = _capped(raw, max_bytes, check)
    for coding in reversed(codings):
        stream = _capped(_DECODERS[coding](stream), max_bytes, check)
    try:
        return b"".join(stream)
    except zlib.error:
        raise FetchError("the page's compressed data is damaged") from None
    except Exception as exc:
        if _is_codec_error(exc):
            raise FetchError("the page's compressed data is damaged") from None
        raise


def _is_codec_error(exc: Exception) -> bool:
    return (brotli is not None and isinstance(exc, brotli.error)) or (
        zstandard is not None and isinstance(exc, zstandard.ZstdError)
    )


def _capped(pieces: Iterator[bytes], max_bytes: int, check: Check) -> Iterator[bytes]:
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > max_bytes:
            raise FetchError(f"the page is larger than {max_bytes} bytes")
        check()
        yield piece


def _inflate(pieces: Iterator[bytes], wbits: int | None) -> Iterator[bytes]:
    """gzip (`wbits` 31) or deflate (None: zlib-wrapped, or raw as some servers send it)."""
    inflater = None
    for piece in pieces:
        if inflater is None:
            if wbits is None:  # a zlib header: CM 8 and a check value divisible by 31
                wrapped = (
                    len(piece) >= 2
                    and piece[0] & 0x0F == 8
                    and (piece[0] << 8 | piece[1]) % 31 == 0
                )
                wbits = zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS
            inflater = zlib.decompressobj(wbits)
        data = piece
        while True:
            out = inflater.decompress(data, PIECE)
            if out:
                yield out
            data = inflater.unconsumed_tail
            if inflater.eof:
                return  # anything after the end of the stream is ignored, as httpx does
            if not data and len(out) < PIECE:
                break  # all input used and all output out; else drain what zlib holds
    if inflater is not None:
        yield inflater.flush()


def _brotli(pieces: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = brotli.Decompressor()
    for piece in pieces:
        out = decompressor.process(piece, output_buffer_limit=PIECE)
        while True:
            if out:
                yield out
            if decompressor.can_accept_more_data():
                break
            out = decompressor.process(b"", output_buffer_limit=PIECE)
            if not out and not decompressor.can_accept_more_data():  # no progress: never spin
                raise FetchError("the page's compressed data is damaged")
        if decompressor.is_finished():
            return


class _Chunks(io.RawIOBase):
    """An iterator of byte strings as a readable file (zstandard's reader pulls from one)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._rest = piece
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


def _zstd(pieces: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = zstandard.ZstdDecompressor(max_window_size=ZSTD_WINDOW)
    reader = decompressor.stream_reader(_Chunks(pieces), read_size=PIECE, read_across_frames=True)
    while out := reader.read(PIECE):
        yield out


_DECODERS: dict[str, Callable[[Iterator[bytes]], Iterator[bytes]]] = {
    "gzip": lambda pieces: _inflate(pieces, zlib.MAX_WBITS | 16),
    "deflate": lambda pieces: _inflate(pieces, None),
    "br": _brotli,
    "zstd": _zstd,
}


def charset_codec(label: str | None) -> str | None:
    """Python's codec for a charset label from a Content-Type header, or None when the label
    names no usable charset (unknown, a non-text codec such as base64, or one of NOT_CHARSETS)."""
    label = (label or "").strip().strip("'\"")
    if not label or len(label) > 40:
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in NOT_CHARSETS:
        return None
    return info.name


def decode_text(body: bytes, charset: str | None) -> str:
    """The body as text: in its declared charset if that is one, else detected; FetchError when
    neither gives text."""
    codec = charset_codec(charset)
    if codec is not None:
        try:
            return body.decode(codec, errors="replace")
        except (UnicodeError, LookupError, ValueError, TypeError) as exc:
            logger.info("charset %s failed (%s); detecting it", codec, type(exc).__name__)
    elif charset:
        logger.info("unusable charset %r; detecting it", charset[:40])
    return detect_text(body)


def detect_text(body: bytes) -> str:
    """UTF-8 if the body is valid UTF-8, else what charset_normalizer finds."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None:
        raise FetchError("the page's character set could not be recognized")
    return str(best)
