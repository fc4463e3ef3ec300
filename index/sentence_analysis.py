"""Each article's sentence analysis, made once when it is added and stored with it.

Answer selection reads every sentence of the articles retrieval ranks first (index.sentences):
their analyzed terms (index.lexical.analyze: stems) and matching keys (index.matching.Keys:
lemmas and compound parts). Made at ask time, that took ~40 ms for a 25-passage article, for
every article not yet in the library's cache: most of an ask in a big library. So the library
makes it when it adds an article and the storage backend keeps it (the embedded backend in the
`sentence_analysis` table, Qdrant in the article point's payload); answering decodes it (well
under a millisecond).

What is stored is exactly what ask time would compute (`analyze_sentences` is the one place
both use), for the article's sentence spans, which are stored with it and must match. It is
tagged with VERSION: the rules' versions (index.lexical.ANALYZER, index.matching.RULES) and
the installed simplemma and PyStemmer, whose dictionaries and stemmers decide the output.
An analysis of another version, or none (articles added before it was stored), is computed at
ask time as before; `articlebot analyze` (index.analysis_backfill) stores the missing ones and
`articlebot rebuild` redoes all.

Encoding: JSON (lists of sorted strings per sentence), zlib-compressed: ~4 KB for a
25-passage article.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from .chunking import Chunk
from .lexical import ANALYZER, analyze, installed
from .matching import RULES, Keys
from .wordrows import KeyRows, WordRows

VERSION = (
    f"{ANALYZER}.{RULES}.simplemma-{installed('simplemma')}.pystemmer-{installed('PyStemmer')}"
)
MAX_BYTES = 50_000_000  # a stored analysis larger than this once decompressed is refused


@dataclass(frozen=True)
class Analysis:
    """Terms and matching keys of each sentence of an article, by sentence span."""

    spans: tuple[tuple[int, int], ...]
    terms: Sequence[frozenset[str]]  # decoded: as index.wordrows.WordRows, read as they are kept
    keys: Sequence[Keys]  # ... KeyRows


def analyze_sentences(text: str, spans: Sequence[tuple[int, int]], language: str) -> Analysis:
    """The analysis of the sentences of `text` at `spans` (what answer selection reads)."""
    return Analysis(
        tuple((a, b) for a, b in spans),
        tuple(frozenset(analyze(text[a:b], language)) for a, b in spans),
        tuple(Keys.of(text[a:b], language) for a, b in spans),
    )


def article_spans(chunks: Sequence[Chunk]) -> list[tuple[int, int]]:
    """The article's sentence spans (offsets in its text) from its passages, each once (passages
    overlap by a sentence), in order: as index.sentences.ArticleSentences.build takes them."""
    return sorted({(c.start + a, c.start + b) for c in chunks for a, b in c.sentences})


def of_chunks(text: str, chunks: Sequence[Chunk], language: str) -> bytes:
    """The stored form of a new article's analysis."""
    return encode(analyze_sentences(text, article_spans(chunks), language))


def encode(analysis: Analysis) -> bytes:
    record = {
        "version": VERSION,
        "spans": [x for span in analysis.spans for x in span],
        "terms": [sorted(t) for t in analysis.terms],
        "lemmas": [sorted(k.lemmas) for k in analysis.keys],
        "parts": [sorted(k.parts) for k in analysis.keys],
    }
    data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return zlib.compress(data, 6)


def decode(data: bytes | None) -> Analysis | None:
    """The stored analysis, or None when there is none, it is of another VERSION, or it cannot
    be read (then it is computed as if there were none)."""
    if not data:
        return None
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(data, MAX_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:  # too large, or cut short
            return None
        record = json.loads(raw)
        if record.get("version") != VERSION:
            return None
        flat, terms = record["spans"], record["terms"]
        lemmas, parts = record["lemmas"], record["parts"]
        n = len(terms)
        if len(flat) != 2 * n or len(lemmas) != n or len(parts) != n:
            return None
        return Analysis(
            tuple(zip(flat[0::2], flat[1::2], strict=True)),
            WordRows(terms),
            KeyRows(WordRows(lemmas), WordRows(parts)),
        )
    except (zlib.error, ValueError, TypeError, KeyError, AttributeError):
        return None
