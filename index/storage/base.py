"""What the library needs of storage: one small protocol, implemented by every backend.

`Library` does the text work (language, chunks, embeddings, analyzed terms) and hands a backend
finished records; the backend stores them and answers the retrieval queries. Two backends:
`embedded` (SQLite + in-process FAISS and BM25, the default; index/storage/embedded.py) and
`qdrant` (a Qdrant server or cluster; index/storage/qdrant.py). Each states its consistency
story in its docstring: what one `add_article` commits atomically, what a reader in another
process sees meanwhile, what survives a kill. tests/test_storage.py runs one suite on both.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import numpy as np

from ..chunking import Chunk
from ..errors import BadInput
from ..models import Article, Passage
from ..neardup import Match, Signature

DATABASE = "articles.db"  # the embedded backend's database in the data dir: its library's mark


@dataclass(frozen=True)
class NewArticle:
    """An article as the library has prepared it, before it has an id."""

    title: str
    text: str
    url: str | None
    canonical_url: str | None
    source: str | None
    published: str | None
    language: str
    content_hash: str
    added_by: str | None
    published_from: str | None = None  # "feed", "page" or "added" (see Article)
    # index.neardup.Signature.to_bytes() of the text: stored so that later adds find copies of
    # it; with one, add_article also refuses a near-copy of a stored article (NearDuplicate).
    signature: bytes | None = None
    # index.sentence_analysis.of_chunks: every sentence's terms and matching keys, stored so
    # that answering need not compute them (None: computed when the article is first read).
    analysis: bytes | None = None


@dataclass(frozen=True)
class NewCopy:
    """Another outlet's near-copy of a stored article, recorded as another source of it."""

    url: str | None
    canonical_url: str | None
    source: str | None  # the outlet (site name), else the URL's host
    title: str
    published: str | None
    content_hash: str
    similarity: float  # the share of the copy's text found in the stored article
    signature: bytes
    added_by: str | None


@dataclass(frozen=True)
class NewPassage:
    """One passage of a new article with everything the indexes need."""

    chunk: Chunk
    vector: np.ndarray  # the passage vector: normalized, float32, shape (dimension,)
    sentence_vectors: np.ndarray  # one row per sentence (stored as float16)
    terms: list[str]  # analyzed BM25 terms (index.lexical.analyze), in text order


@dataclass(frozen=True)
class Reindexed:
    """A stored passage's new vectors and terms, for `StorageBackend.reindex`."""

    passage_id: int
    vector: np.ndarray
    sentence_vectors: np.ndarray
    terms: list[str]


@dataclass(frozen=True)
class Counts:
    articles: int
    passages: int
    vectors: int  # passages the dense index holds (equals `passages` when all is well)
    languages: dict[str, int] = field(default_factory=dict)  # articles per language
    lexical: int = 0  # passages the BM25 index holds (equals `passages` when all is well)


@dataclass(frozen=True)
class StorageConfig:
    """Which backend, and its settings (read from the environment in the entry points only)."""

    backend: str = "embedded"  # "embedded" or "qdrant"
    # embedded: above this many passages the dense index is approximate (index/vectors.py)
    ann_threshold: int = 20_000
    # qdrant: a server (url, api_key) or, for tests and single-process use, a local folder (path)
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    qdrant_path: Path | None = None
    qdrant_collection: str = "articlebot"
    qdrant_shards: int = 1
    qdrant_replicas: int = 1


class StorageBackend(Protocol):
    """Storage for one library. Every method may be called from several threads at once."""

    @property
    def model(self) -> str | None:
        """The embedding model the stored vectors were made with; None while there are none."""
        ...

    @property
    def dimension(self) -> int | None:
        """The stored vectors' dimension; None while there are none."""
        ...

    def refresh(self) -> None:
        """Make what other processes have committed visible here (cheap when nothing changed)."""
        ...

    # -- writing -----------------------------------------------------------------------------

    def add_article(
        self, article: NewArticle, passages: Sequence[NewPassage], *, model: str
    ) -> Article:
        """Store the article and its passages, searchable once this returns. A duplicate (same
        content hash or canonical URL) raises `Duplicate` carrying the stored article."""
        ...

    def delete_article(self, article_id: int) -> Article:
        """Remove the article and its passages from everything; `NotFound` if unknown."""
        ...

    def add_copy(self, article_id: int, copy: NewCopy) -> Article:
        """Record `copy` as another source of the stored article (the article as it is now);
        `Duplicate` if the copy itself is stored already, `NotFound` if the article is gone."""
        ...

    def find_copy(self, signature: Signature) -> tuple[Article, Match] | None:
        """The stored article whose text the signed text is a near-copy of, most similar first
        (index.neardup), as of the latest commit; None when there is none."""
        ...

    def reindex(self, model: str, dimension: int, batches: Iterable[Sequence[Reindexed]]) -> None:
        """Replace every passage's vectors and terms (after a model change); the new model's
        vectors are used from when this returns."""
        ...

    def put_sentence_analysis(self, version: str, items: Sequence[tuple[int, bytes]]) -> None:
        """Store these articles' sentence analyses (index.sentence_analysis) of `version`,
        replacing any; articles deleted meanwhile are left out."""
        ...

    def backup(self, destination: Path) -> None:
        """A consistent copy in `destination` (an empty, private folder) while others work."""
        ...

    # -- reading -----------------------------------------------------------------------------

    def find_duplicate(self, canonical_url: str | None, content_hash: str) -> Article | None: ...

    def get_article(self, article_id: int) -> Article | None: ...

    def articles(self, ids: set[int]) -> dict[int, Article]: ...

    def list_articles(self, offset: int, limit: int) -> list[Article]: ...

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]: ...

    def article_passages(self, article_id: int) -> list[Passage]:
        """Every passage of one article, in order (answer selection reads whole articles)."""
        ...

    def article_text(self, article_id: int) -> str | None:
        """The article's stored text (quotes are cut from it), None if there is none."""
        ...

    def sentence_analysis(self, article_id: int) -> bytes | None:
        """The article's stored sentence analysis (index.sentence_analysis), if any."""
        ...

    def unanalyzed(self, version: str) -> list[int]:
        """The articles without a stored sentence analysis of `version`, in id order (every
        article for "": no analysis is of that version)."""
        ...

    def iter_articles(self, batch: int = 500) -> Iterator[list[Article]]:
        """Every article, newest first (as `list_articles`), in batches of at most `batch`: a
        listing of any size in bounded memory, each batch found from where the last ended."""
        ...

    def iter_passages(self, batch: int = 256) -> Iterator[list[Passage]]:
        """Every passage, in batches (for `reindex`)."""
        ...

    def sentence_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored sentence vectors (float32) of those passages, for the current model."""
        ...

    def dense_search(self, vector: np.ndarray, k: int) -> dict[int, float]:
        """The top `k` passages by cosine with a normalized query vector."""
        ...

    def dense_scores(self, vector: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """The cosine of the query with each of those passages."""
        ...

    def lexical_search(
        self, question: str, k: int, language: str | None = None
    ) -> dict[int, float]:
        """BM25: the top `k` passages of each language (or of `language` alone), the question
        analyzed by that language's rules."""
        ...

    def idf(self, language: str, terms: Iterable[str]) -> dict[str, float]:
        """BM25 idf of analyzed terms among `language`'s passages (see LexicalIndex.idf)."""
        ...

    @property
    def languages(self) -> list[str]:
        """The languages that have passages."""
        ...

    def counts(self) -> Counts: ...

    def searched(self) -> int:
        """How many passages a question is searched among, cheaply (no full count): answer
        confidence is discounted as this grows (index.answer, AnswerConfig.per_decade)."""
        ...

    def close(self) -> None: ...


def passage_vectors(sentence_vectors: Sequence[np.ndarray]) -> np.ndarray:
    """A passage's vector is the normalized mean of its sentences' vectors, not an embedding of
    its own: adding then embeds each text once instead of twice, and retrieval is as good or
    better (XQuAD passage_hit@1 en 0.934 vs 0.930, de 0.868 vs 0.868; answer_hit en 0.845 vs
    0.845, de 0.767 vs 0.752). The sentence vectors are taken at the float16 they are stored in,
    so a passage gets the same vector whether its sentences were just embedded or read back."""
    means = np.stack(
        [v.astype(np.float16).astype(np.float32).mean(axis=0) for v in sentence_vectors]
    )
    return means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)


def backup_into(backend: StorageBackend, destination: Path, *, also: Sequence[Path] = ()) -> None:
    """`backend.backup` into a new (or empty) folder, all or nothing: it is made beside the
    destination and renamed into place. `also`: other SQLite files of the data dir (the feed
    subscriptions), each copied consistently with SQLite's online backup API."""
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BadInput(f"{destination} already exists and is not an empty folder")
    partial = destination.with_name(f".{destination.name}.partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True, mode=0o700)
    try:
        backend.backup(partial)
        for database in also:
            _copy_database(database, partial / database.name)
        os.replace(partial, destination)  # also over an empty folder
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database that others may be writing, owner-only."""
    os.close(os.open(target, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    src = sqlite3.connect(f"file:{quote(str(source.resolve()))}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Duplicate(Exception):
    """`add_article` found the same article stored already (by content or canonical URL)."""

    def __init__(self, existing: Article) -> None:
        super().__init__(f"already stored as #{existing.id}")
        self.existing = existing


class NearDuplicate(Exception):
    """`add_article` found a stored article the new one is a near-copy of (index.neardup)."""

    def __init__(self, existing: Article, match: Match) -> None:
        super().__init__(f"a near-copy of #{existing.id}")
        self.existing = existing
        self.match = match
