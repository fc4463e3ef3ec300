"""Text -> sentences -> passages. Pure functions: no model, no I/O.

Sentences come from pysbd (rule-based, knows German and English abbreviations, dates such as
"27.10.2025" and quotations); passages are runs of whole sentences that fit the embedding model's
token budget. Every span is an offset into the original text, so an answer can quote it verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pysbd
import pysbd.languages

_PARAGRAPH = re.compile(r"[^\n]+")
# pysbd leaves a sentence whole across "…“ Er sagte" only when told the language; a few of its
# languages are missing, so unknown ones fall back to English rules (still better than a regex).
_PYSBD_LANGS = frozenset(pysbd.languages.LANGUAGE_CODES)


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]  # relative to `text`


@lru_cache(maxsize=32)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language if language in _PYSBD_LANGS else "en", clean=False)


def split_sentences(text: str, language: str = "en") -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`, whitespace trimmed. A line break always ends one."""
    spans: list[tuple[int, int]] = []
    segmenter = _segmenter(language)
    for para in _PARAGRAPH.finditer(text):
        base = para.start()
        pos = 0
        body = para.group()
        for piece in segmenter.segment(body):
            # pysbd (clean=False) returns consecutive pieces; find() keeps us honest if it ever
            # normalises whitespace.
            found = body.find(piece.strip(), pos)
            if found < 0:
                continue
            stop = found + len(piece.strip())
            if stop > found:
                spans.append((base + found, base + stop))
            pos = stop
    return spans


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
    spans = split_sentences(text, language)
    if not spans:
        return []
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
