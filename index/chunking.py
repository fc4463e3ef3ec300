"""Text -> sentences -> passages. Pure functions: no model, no I/O.

Sentences come from pysbd (rule-based, knows German and English abbreviations, dates such as
"27.10.2025" and quotations); passages are runs of whole sentences that fit the embedding model's
token budget. Every span is an offset into the original text, so an answer can quote it verbatim.
Lines that are page furniture (datelines, time stamps, bylines, links: index.cleaning) are not
sentences, and a dateline is cut off the sentence it starts.

pysbd's time grows with the square of what it is given (a 200k-character line took 33 s), so it
only ever sees blocks of at most MAX_BLOCK characters, cut at a likely sentence end; a line with
no sentence end inside it is one sentence without asking pysbd at all. Splitting is then linear in
the text's length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pysbd
import pysbd.languages

from .cleaning import dateline_end, is_furniture
from .errors import BadInput
from .punctuation import CLOSERS, ENDS, ENDS_OTHER_SCRIPTS, ENDS_UNSPACED

_PARAGRAPH = re.compile(r"[^\n]+")
# Where pysbd could end a sentence inside a line: terminal punctuation (and closing quotes or
# brackets) followed by white space.
_MAYBE_END = re.compile(rf"[{ENDS}]+[{CLOSERS}]*\s+|[{ENDS_UNSPACED}]+[{CLOSERS}]*(?=\S)")
_WORD = re.compile(r"[^\W_]{2,}|\d")
_SCRIPT_END = re.compile(rf"[{ENDS_OTHER_SCRIPTS}][{CLOSERS}]*\s*")
MAX_BLOCK = 1_000
# An article is a news article, not a book: beyond these the add is refused with a message, so
# that adding any accepted input takes bounded time (embedding is the costly part).
MAX_ARTICLE_CHARS = 300_000
MAX_SENTENCES = 10_000
# pysbd leaves a sentence whole across "…“ Er sagte" only when told the language; a few of its
# languages are missing, so unknown ones fall back to English rules (still better than a regex).
_PYSBD_LANGS = frozenset(pysbd.languages.LANGUAGE_CODES)
# pysbd formats a pattern for each abbreviation a text holds and hands it to re.findall / re.sub
# anew on every call, so it relies on the re module's cache of compiled patterns. Articles need
# more distinct ones than that cache keeps on Python 3.11 (512, dropped oldest first: 880 for 32
# XQuAD articles), so every article compiled its patterns again (about 70, 16% of adding's time).
# The cache is raised to RE_CACHE patterns (a few MB at most); `re` has no public setting.
RE_CACHE = 4096
if getattr(re, "_MAXCACHE", RE_CACHE) < RE_CACHE:
    re._MAXCACHE = RE_CACHE  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]  # relative to `text`


@lru_cache(maxsize=32)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language if language in _PYSBD_LANGS else "en", clean=False)


def _segment(block: str, language: str) -> list[str]:
    """pysbd's sentences of `block`; in a language pysbd does not know (its English rules read
    only the Latin script's marks: Bengali, Nepali, Tamil, Thai ...) each also split after
    another script's sentence end ("।", "။", "。"), which no abbreviation ends in."""
    pieces = _segmenter(language).segment(block)
    if language in _PYSBD_LANGS:
        return pieces
    out = []
    for piece in pieces:  # cut after each end and the closing marks that follow it
        cuts = [0, *(m.end() for m in _SCRIPT_END.finditer(piece)), len(piece)]
        out += [piece[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if piece[a:b].strip()]
    return out


def split_sentences(text: str, language: str = "en") -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`, whitespace trimmed. A line break always ends one;
    furniture lines give none; a span holds at least one word."""
    spans: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(text):
        body = para.group()
        if is_furniture(body):
            continue
        skip = dateline_end(body.lstrip()) + (len(body) - len(body.lstrip()))
        for start, end in _pieces(body, skip, language):
            piece = body[start:end]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece and _WORD.search(piece):
                spans.append(
                    (para.start() + start + lead, para.start() + start + lead + len(piece))
                )
    return spans


def _pieces(body: str, start: int, language: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of one line from `start` on, pysbd on bounded blocks."""
    for block_start, block_end in _blocks(body, start):
        block = body[block_start:block_end]
        if not _MAYBE_END.search(block.rstrip()):
            yield block_start, block_end
            continue
        pos = 0
        for piece in _segment(block, language):
            # pysbd (clean=False) returns consecutive pieces; find() keeps us honest if it ever
            # normalises whitespace.
            found = block.find(piece.strip(), pos)
            if found < 0:
                continue
            stop = found + len(piece.strip())
            if stop > found:
                yield block_start + found, block_start + stop
            pos = stop


def _blocks(body: str, start: int) -> Iterator[tuple[int, int]]:
    """`body[start:]` in blocks of at most MAX_BLOCK characters, each cut after the last likely
    sentence end inside it, else at the last space, else hard."""
    while len(body) - start > MAX_BLOCK:
        window = body[start : start + MAX_BLOCK]
        ends = [m.end() for m in _MAYBE_END.finditer(window)]
        cut = ends[-1] if ends else window.rfind(" ") + 1 or MAX_BLOCK
        yield start, start + cut
        start += cut
    if start < len(body):
        yield start, len(body)


def check_length(text: str) -> None:
    """BadInput for a text longer than an article may be (before any model work is done)."""
    if len(text) > MAX_ARTICLE_CHARS:
        raise BadInput(
            f"the text has {len(text):,} characters; an article may have at most "
            f"{MAX_ARTICLE_CHARS:,} (split it into several)"
        )


def chunk_text(
    text: str,
    language: str,
    count_tokens: Callable[[Sequence[str]], list[int]],
    max_tokens: int,
    *,
    overlap: int = 1,
) -> list[Chunk]:
    """Pack whole sentences into passages of at most `max_tokens` model tokens.

    A passage ends at a paragraph break once it is half full, so passages follow the article's own
    structure; a passage cut inside a paragraph repeats its last `overlap` sentence(s) in the next.
    A single sentence longer than the budget becomes a passage of its own: sentences are never cut.
    """
    check_length(text)
    spans = split_sentences(text, language)
    if not spans:
        return []
    if len(spans) > MAX_SENTENCES:
        raise BadInput(
            f"the text has {len(spans):,} sentences; an article may have at most "
            f"{MAX_SENTENCES:,} (split it into several)"
        )
    tokens = count_tokens([text[s:e] for s, e in spans])
    groups: list[list[int]] = []
    current: list[int] = []
    used = 0
    for i, (start, _end) in enumerate(spans):
        new_paragraph = bool(current) and "\n" in text[spans[current[-1]][1] : start]
        too_long = bool(current) and used + tokens[i] > max_tokens
        if too_long or (new_paragraph and used >= max_tokens // 2):
            groups.append(current)
            carried = [] if new_paragraph or overlap <= 0 else current[-overlap:]
            # Carry the overlap only when it leaves room for the new sentence.
            if carried and sum(tokens[j] for j in carried) + tokens[i] > max_tokens:
                carried = []
            current, used = list(carried), sum(tokens[j] for j in carried)
        current.append(i)
        used += tokens[i]
    groups.append(current)
    return [_make_chunk(text, [spans[i] for i in group]) for group in groups]


def _make_chunk(text: str, spans: list[tuple[int, int]]) -> Chunk:
    start, end = spans[0][0], spans[-1][1]
    return Chunk(
        text=text[start:end],
        start=start,
        end=end,
        sentences=tuple((s - start, e - start) for s, e in spans),
    )
