"""Libraries of 1k, 10k and 100k passages for the speed benchmarks.

The real XQuAD articles (en + de) are added through Library.add_text; the rest are synthetic
distractor passages: 3-7 sentences drawn at random from the XQuAD texts of one language. Embedding
100k passages would take hours on 2 cores, so each XQuAD sentence is embedded once and reused; a
distractor's vector is the normalized mean of its sentences' vectors, as the library makes every
passage's, and distractors are written straight into SQLite, FAISS and BM25 here, the way
Library.add_draft writes an article (benchmark only)."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index import snapshot as snap
from index.chunking import Chunk, split_sentences
from index.embedder import Embedder
from index.lexical import LexicalIndex
from index.library import Library, LibraryConfig
from index.snapshot import Snapshot

from .common import LANGUAGES, Plan, log, xquad

PER_ARTICLE = 25  # distractor passages per synthetic article
SEED = 20251101


@dataclass(frozen=True)
class SentencePool:
    """Every XQuAD sentence of one language with its (normalized) vector."""

    language: str
    sentences: list[str]
    vectors: np.ndarray


def sentence_pools(plan: Plan, embedder: Embedder) -> list[SentencePool]:
    pools = []
    for language in LANGUAGES:
        articles, _ = xquad(language, plan)
        sentences = [text[s:e] for _, text in articles for s, e in split_sentences(text, language)]
        log(f"corpus: embedding {len(sentences)} {language} sentences for distractor vectors")
        pools.append(SentencePool(language, sentences, embedder.encode(sentences)))
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


def distractors(
    pools: list[SentencePool], count: int, rng: np.random.Generator
) -> list[tuple[str, Chunk, np.ndarray, np.ndarray]]:
    """(language, passage, vector, sentence vectors) for `count` synthetic passages, languages
    alternating."""
    out = []
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
        out.append((pool.language, chunk, vector, pool.vectors[picks]))
    return out


def add_distractors(
    library: Library, items: list[tuple[str, Chunk, np.ndarray, np.ndarray]], tag: str = "d"
) -> None:
    """Write synthetic passages (and their sentence vectors, as an add stores them) into SQLite,
    FAISS and BM25 as a new index generation."""
    base = library._current()
    store = library.store
    ids: list[int] = []
    vectors: list[np.ndarray] = []
    with store.transaction() as conn:
        for start in tqdm(range(0, len(items), PER_ARTICLE), desc="distractors", leave=False):
            group = items[start : start + PER_ARTICLE]
            for language in {item[0] for item in group}:
                chunks, texts, sentence_vectors, offset = [], [], [], 0
                for lang, chunk, vector, sentences in group:
                    if lang != language:
                        continue
                    chunks.append(
                        Chunk(chunk.text, offset, offset + len(chunk.text), chunk.sentences)
                    )
                    texts.append(chunk.text)
                    vectors.append(vector)
                    sentence_vectors.append(sentences)
                    offset += len(chunk.text) + 2
                text = "\n\n".join(texts)
                article_id = store.insert_article(
                    conn,
                    title=f"Distractor {tag}{start} ({language})",
                    text=text,
                    url=None,
                    canonical_url=None,
                    source="benchmark distractors",
                    published=None,
                    language=language,
                    content_hash=hashlib.sha256(
                        f"{tag}{start}{language}{text}".encode()
                    ).hexdigest(),
                    added_by=None,
                )
                new = [p.id for p in store.insert_passages(conn, article_id, chunks, language)]
                store.put_sentence_vectors(
                    conn, library.embedder.name, zip(new, sentence_vectors, strict=True)
                )
                ids.extend(new)
        updated = base.vectors.copy()
        updated.add(ids, np.vstack(vectors).astype(np.float32))
        lexical = LexicalIndex.build(store.iter_passages())
        snap.save(library.data_dir / "index", Snapshot(updated, lexical, library.embedder.name))


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
        add_distractors(library, distractors(pools, extra, np.random.default_rng(SEED)))
    assert library.stats().passages == max(passages, base_passages)
    library.close()
