"""Libraries of 1k to 1M passages for the speed and scale benchmarks.

The real XQuAD articles (en + de) are added through Library.add_text; the rest are synthetic
distractor passages: 3-7 sentences drawn at random from the XQuAD texts of one language. Embedding
1M passages would take days on 2 cores, so each XQuAD sentence is embedded (and analyzed for
BM25) once and reused; a distractor's vector is the normalized mean of its sentences' vectors, as
the library makes every passage's, and its terms are its sentences' terms. Distractors are
written straight into SQLite, the way the embedded backend's add writes an article (with its
sentence vectors, passage vector, terms and change-log row); the library's indexes are then made
from SQLite when it opens (benchmark only)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index.chunking import Chunk, split_sentences
from index.embedder import Embedder
from index.lexical import ANALYZER, analyze
from index.library import Library, LibraryConfig

from .common import LANGUAGES, Plan, log, xquad

PER_ARTICLE = 25  # distractor passages per synthetic article
SEED = 20251101


@dataclass(frozen=True)
class SentencePool:
    """Every XQuAD sentence of one language with its (normalized) vector."""

    language: str
    sentences: list[str]
    vectors: np.ndarray
    terms: list[list[str]]  # each sentence's analyzed BM25 terms


def sentence_pools(plan: Plan, embedder: Embedder) -> list[SentencePool]:
    pools = []
    for language in LANGUAGES:
        articles, _ = xquad(language, plan)
        sentences = [text[s:e] for _, text in articles for s, e in split_sentences(text, language)]
        log(f"corpus: embedding {len(sentences)} {language} sentences for distractor vectors")
        terms = [analyze(sentence, language) for sentence in sentences]
        pools.append(SentencePool(language, sentences, embedder.encode(sentences), terms))
    return pools


def build_base(directory: Path, plan: Plan, embedder: Embedder) -> int:
    """A library of the real XQuAD articles (both languages); returns its passage count."""
    library = Library(LibraryConfig(directory), embedder)
    for language in LANGUAGES:
        articles, _ = xquad(language, plan)
        for title, text in tqdm(articles, desc=f"base {language}", leave=False):
            library.add_text(text, title=title, source=f"xquad.{language}")
    passages = library.stats().passages
    library.close()
    return passages


Distractor = tuple[str, Chunk, np.ndarray, np.ndarray, list[str]]


def distractors(pools: list[SentencePool], count: int, rng: np.random.Generator) -> Iterator:
    """(language, passage, vector, sentence vectors, terms) for `count` synthetic passages,
    languages alternating; made lazily (1M at once would not fit in memory)."""
    for n in range(count):
        pool = pools[n % len(pools)]
        picks = rng.choice(len(pool.sentences), size=int(rng.integers(3, 8)), replace=False)
        spans, parts, offset = [], [], 0
        for i in picks:
            sentence = pool.sentences[i]
            spans.append((offset, offset + len(sentence)))
            parts.append(sentence)
            offset += len(sentence) + 1
        text = " ".join(parts)
        vector = pool.vectors[picks].mean(axis=0)
        vector /= np.linalg.norm(vector) or 1.0
        chunk = Chunk(text, 0, len(text), tuple(spans))
        terms = [t for i in picks for t in pool.terms[i]]
        yield pool.language, chunk, vector, pool.vectors[picks], terms


def add_distractors(
    library: Library, items: Iterable[Distractor], count: int, tag: str = "d"
) -> None:
    """Write synthetic passages into SQLite as the embedded backend's add does, PER_ARTICLE to
    an article, one transaction per 20,000."""
    store = library.store
    model = library.embedder.name
    items = iter(items)
    with tqdm(total=count, desc="distractors", leave=False) as bar:
        for start in range(0, count, 20_000):
            block = [next(items) for _ in range(min(20_000, count - start))]
            with store.transaction() as conn:
                if store.meta("model") is None:
                    store.set_meta(conn, "model", model)
                for first in range(0, len(block), PER_ARTICLE):
                    _article(
                        store,
                        conn,
                        block[first : first + PER_ARTICLE],
                        f"{tag}{start + first}",
                        model,
                    )
            bar.update(len(block))


def _article(store, conn, group: list[Distractor], name: str, model: str) -> None:  # noqa: ANN001
    for language in sorted({item[0] for item in group}):
        mine = [item for item in group if item[0] == language]
        chunks, offset = [], 0
        for _, chunk, _, _, _ in mine:
            chunks.append(Chunk(chunk.text, offset, offset + len(chunk.text), chunk.sentences))
            offset += len(chunk.text) + 2
        text = "\n\n".join(c.text for c in chunks)
        article_id = store.insert_article(
            conn,
            title=f"Distractor {name} ({language})",
            text=text,
            url=None,
            canonical_url=None,
            source="benchmark distractors",
            published=None,
            language=language,
            content_hash=hashlib.sha256(f"{name}{language}{text}".encode()).hexdigest(),
            added_by=None,
        )
        ids = [p.id for p in store.insert_passages(conn, article_id, chunks, language)]
        store.put_sentence_vectors(conn, model, zip(ids, [m[3] for m in mine], strict=True))
        store.put_passage_vectors(conn, zip(ids, [m[2] for m in mine], strict=True))
        store.put_terms(conn, ANALYZER, zip(ids, [m[4] for m in mine], strict=True))
        store.log_change(conn, "add", article_id, ids)


def build_scaled(
    base: Path,
    base_passages: int,
    target: Path,
    passages: int,
    pools: list[SentencePool],
    embedder: Embedder,
) -> None:
    """A copy of the base library grown to `passages` passages with distractors."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(base, target)
    library = Library(LibraryConfig(target), embedder)
    extra = max(0, passages - base_passages)
    if extra:
        add_distractors(library, distractors(pools, extra, np.random.default_rng(SEED)), extra)
    stats = library.stats()  # the indexes are made from SQLite here
    assert stats.passages == stats.vectors == max(passages, base_passages)
    library.backend.checkpoint()  # as the bot would write in the background
    library.close()
