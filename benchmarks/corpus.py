"""Libraries of 1k to 1M passages for the speed and scale benchmarks.

The real XQuAD articles (en + de) are added through Library.add_text; the rest are synthetic
distractor passages: 3-7 sentences drawn at random from the XQuAD texts of one language. Embedding
1M passages would take days on 2 cores, so each XQuAD sentence is embedded (and analyzed for
BM25) once and reused; a distractor's vector is the normalized mean of its sentences' vectors, as
the library makes every passage's, and its terms are its sentences' terms. Distractors are
written straight into SQLite, the way the embedded backend's add writes an article (with its
sentence vectors, passage vector, terms, sentence analysis and change-log row); the library's
indexes are then made from SQLite when it opens (benchmark only)."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index import neardup
from index.chunking import split_sentences
from index.embedder import Embedder
from index.lexical import TERMS, passage_terms
from index.library import Library, LibraryConfig
from index.sentence_analysis import VERSION, Analysis, analyze_sentences, encode

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
        # passage_terms's are a bag of each word's terms: a passage's are its sentences'.
        terms = [passage_terms(sentence, language) for sentence in sentences]
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


BLOCK = 20_000  # distractors made and written at a time (one transaction)


def _block(pool: SentencePool, count: int, rng: np.random.Generator) -> list[tuple]:
    """`count` distractors of one pool, made together (numpy): 3-7 distinct sentences each;
    (text, sentence spans, vector, sentence vectors, terms, pool sentence indices) per
    distractor."""
    sizes = rng.integers(3, 8, size=count)
    picks = np.argpartition(rng.random((count, len(pool.sentences))), 7, axis=1)[:, :7]
    mask = np.arange(7)[None, :] < sizes[:, None]
    sums = (pool.vectors[picks] * mask[:, :, None]).sum(axis=1)
    vectors = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    out = []
    for row, size, vector in zip(picks, sizes, vectors, strict=True):
        chosen = row[:size]
        spans, offset = [], 0
        for i in chosen:
            spans.append((offset, offset + len(pool.sentences[i])))
            offset += len(pool.sentences[i]) + 1
        text = " ".join(pool.sentences[i] for i in chosen)
        terms = " ".join(t for i in chosen for t in pool.terms[i])
        out.append((text, spans, vector, pool.vectors[chosen], terms, chosen.tolist()))
    return out


def add_distractors(
    library: Library, pools: list[SentencePool], count: int, rng: np.random.Generator
) -> None:
    """Write `count` synthetic passages into SQLite as the embedded backend's add writes an
    article (PER_ARTICLE passages of one language to an article, languages alternating), in
    bulk: ids are given explicitly, BLOCK passages to a transaction."""
    store = library.store
    model = library.embedder.name
    with tqdm(total=count, desc="distractors", leave=False) as bar:
        for start in range(0, count, BLOCK):
            n = min(BLOCK, count - start)
            made = [_block(pool, (n + 1 - k) // 2, rng) for k, pool in enumerate(pools[:2])]
            with store.transaction() as conn:
                if store.meta("model") is None:
                    store.set_meta(conn, "model", model)
                _write_block(store, conn, pools, made, model)
            bar.update(n)


def _write_block(store, conn, pools, made, model: str) -> None:  # noqa: ANN001
    article = conn.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()[0] + 1
    passage = conn.execute("SELECT COALESCE(MAX(id), 0) FROM passages").fetchone()[0] + 1
    rows: dict[str, list] = {k: [] for k in ("a", "p", "s", "v", "t", "n")}
    for pool, items in zip(pools, made, strict=False):
        for first in range(0, len(items), PER_ARTICLE):
            group, offset, ids = items[first : first + PER_ARTICLE], 0, []
            sentences: list[tuple[tuple[int, int], int]] = []  # (span, pool index)
            text = "\n\n".join(g[0] for g in group)
            digest = hashlib.sha256(f"{article}{text}".encode()).hexdigest()
            rows["a"].append(
                (article, f"Distractor {article} ({pool.language})", pool.language, digest, text)
            )
            for ordinal, (body, spans, vector, rows_of, terms, chosen) in enumerate(group):
                placed = zip(spans, chosen, strict=True)
                sentences += [((offset + a, offset + b), i) for (a, b), i in placed]
                rows["p"].append(
                    (
                        passage,
                        article,
                        ordinal,
                        body,
                        offset,
                        offset + len(body),
                        json.dumps(spans),
                        pool.language,
                    )
                )
                rows["s"].append((passage, model, rows_of.astype(np.float16).tobytes()))
                rows["v"].append((passage, vector.astype(np.float16).tobytes()))
                rows["t"].append((passage, TERMS, terms))  # no title: "Distractor N"
                ids.append(passage)
                offset += len(body) + 2
                passage += 1
            rows["n"].append((article, VERSION, _analysis(pool, sentences)))
            store.log_change(conn, "add", article, ids)
            article += 1
    conn.executemany(
        "INSERT INTO articles (id, title, language, content_hash, text, source, added_at) "
        "VALUES (?, ?, ?, ?, ?, 'benchmark distractors', '2025-11-01T00:00:00+00:00')",
        rows["a"],
    )
    conn.executemany(
        'INSERT INTO passages (id, article_id, ordinal, text, start, "end", sentences, language) '
        "VALUES (?,?,?,?,?,?,?,?)",
        rows["p"],
    )
    conn.executemany("INSERT INTO sentence_vectors VALUES (?,?,?)", rows["s"])
    conn.executemany("INSERT INTO passage_vectors VALUES (?,?)", rows["v"])
    conn.executemany("INSERT INTO passage_terms VALUES (?,?,?)", rows["t"])
    conn.executemany("INSERT INTO sentence_analysis VALUES (?,?,?)", rows["n"])
    # Near-duplicate signatures, so that an add's look-up for agency copies (index.neardup)
    # scans as many as a real library of this size holds (random values: the scan's cost does
    # not depend on them; made from the text they would take 2 ms an article).
    rng = np.random.default_rng(rows["a"][0][0] if rows["a"] else 0)
    conn.executemany(
        "INSERT INTO signatures VALUES (?, ?)",
        [(a[0], _random_signature(rng, len(a[4].split()))) for a in rows["a"]],
    )


_ANALYZED: dict[tuple[str, int], Analysis] = {}  # each pool sentence's, made once


def _analysis(pool: SentencePool, sentences: list[tuple[tuple[int, int], int]]) -> bytes:
    """The stored sentence analysis of a distractor article, as an add would store it: each of
    its sentences analyzed once in the pool (a sentence's analysis is its text's alone)."""
    parts = []
    for _, i in sentences:
        key = (pool.language, i)
        if key not in _ANALYZED:
            text = pool.sentences[i]
            _ANALYZED[key] = analyze_sentences(text, [(0, len(text))], pool.language)
        parts.append(_ANALYZED[key])
    return encode(
        Analysis(
            tuple(span for span, _ in sentences),
            tuple(p.terms[0] for p in parts),
            tuple(p.keys[0] for p in parts),
        )
    )


def _random_signature(rng: np.random.Generator, words: int) -> bytes:
    values = rng.integers(0, 2**32, neardup.NUM_PERM, dtype=np.uint32)
    return neardup.Signature(values, max(1, words), frozenset()).to_bytes()


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
        add_distractors(library, pools, extra, np.random.default_rng(SEED))
    stats = library.stats()  # the indexes are made from SQLite here
    assert stats.passages == stats.vectors == max(passages, base_passages)
    library.backend.checkpoint()  # as the bot would write in the background
    library.close()
