"""The Qdrant backend: a library shared by bot processes on several machines (a Qdrant server
or cluster), or, for tests and a single process, Qdrant's local mode (`qdrant_path`).

Layout: the collection `<name>` holds one point per passage: payload (text, offsets,
sentence spans, language, article id, analyzed terms, sentence vectors as base64 float16), a
named dense vector `dense` (cosine) and a named sparse vector `bm25`: each analyzed term's BM25
term-frequency weight (k1 1.5, b 0.75, document length against AVERAGE_TERMS) under an index
hashed from language and term, with `modifier=IDF` so the server applies BM25's idf; each
language's terms hash apart, and queries filter on the language, so a term's document
frequency is counted within its language (the passage count N is the whole collection's).
`<name>_articles` holds one point per article (text, metadata and the sentence analysis,
index.sentence_analysis, in its payload: qdrant_analysis.py; no vector)
and a metadata point (id 0: model, dimension, the passage collection in use). Payload
indexes: content hash and canonical URL (duplicates), article id, language, terms, added_ns;
the recorded agency copies and the near-duplicate detector: see qdrant_copies.py.

Ids are derived from the content hash (article: 46 bits; passage: article id * 65,536 +
ordinal), so adding the same article twice writes the same points: an add cut short by a kill
is finished by adding it again (the bot's journal does). Consistency: an add upserts the
passages first and the article point last, waiting for each; until the article point exists
its passages are never shown (the library drops hits whose article is missing). A delete
removes the article point first. Other processes see a write once it returns (wait=True).
Backups: Qdrant's snapshot API (see README), not available in local mode.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ..errors import BadInput, NotFound, StorageError
from ..lexical import TERMS
from ..models import Article
from ..neardup import Signature
from ..sentence_analysis import VERSION as ANALYSIS
from .base import Duplicate, NearDuplicate, NewArticle, NewPassage, Reindexed, StorageConfig
from .qdrant_analysis import QdrantAnalysis
from .qdrant_copies import QdrantCopies, encode
from .qdrant_read import META, QdrantReads, term_index

logger = logging.getLogger(__name__)
AVERAGE_TERMS = 60  # BM25's average document length, fixed: the server keeps no statistics
K1, B = 1.5, 0.75
PER_ARTICLE = 1 << 16


def _client(config: StorageConfig) -> Any:
    try:
        from qdrant_client import QdrantClient
    except ImportError:
        raise StorageError(
            "STORAGE_BACKEND=qdrant needs qdrant-client: pip install 'articlebot[qdrant]'"
        ) from None
    if config.qdrant_path is not None:
        return QdrantClient(path=str(config.qdrant_path))
    if not config.qdrant_url:
        raise BadInput("STORAGE_BACKEND=qdrant needs QDRANT_URL")
    return QdrantClient(url=config.qdrant_url, api_key=config.qdrant_api_key, timeout=30)


def _sparse(language: str, terms: list[str]) -> Any:
    from qdrant_client import models as m

    counts: dict[int, int] = {}
    for term in terms:
        index = term_index(language, term)
        counts[index] = counts.get(index, 0) + 1
    norm = K1 * (1 - B + B * len(terms) / AVERAGE_TERMS)
    return m.SparseVector(indices=list(counts), values=[tf / (tf + norm) for tf in counts.values()])


class QdrantBackend(QdrantCopies, QdrantReads, QdrantAnalysis):
    def __init__(self, config: StorageConfig) -> None:
        from qdrant_client import models

        self.m = models
        self.config = config
        self.client = _client(config)
        self.articles_name = f"{config.qdrant_collection}_articles"
        self._init_copies()
        if not self.client.collection_exists(self.articles_name):
            self.client.create_collection(self.articles_name, vectors_config={}, **self._sizing())
            for key, kind in (
                ("content_hash", "KEYWORD"),
                ("canonical_url", "KEYWORD"),
                ("language", "KEYWORD"),
                ("copy_hashes", "KEYWORD"),
                ("copy_urls", "KEYWORD"),
            ):
                self._index(self.articles_name, key, kind)
            self._index(self.articles_name, "added_ns", "INTEGER")
            self._index(self.articles_name, "touched_ns", "INTEGER")
        found = self._meta()
        if found.get("passages") and found.get("terms") != TERMS:  # e.g. before titles
            logger.warning(
                "this Qdrant library's BM25 terms are of another version (made by older rules "
                "or by another PyStemmer or simplemma): run `articlebot rebuild` once"
            )

    def _sizing(self) -> dict[str, int]:
        return {
            "shard_number": self.config.qdrant_shards,
            "replication_factor": self.config.qdrant_replicas,
        }

    def _index(self, collection: str, key: str, kind: str) -> None:
        if self.config.qdrant_path is not None:
            return  # local mode has no payload indexes (and warns when asked for one)
        schema = getattr(self.m.PayloadSchemaType, kind)
        self.client.create_payload_index(collection, key, field_schema=schema, wait=True)

    @property
    def model(self) -> str | None:
        return self._meta().get("model")

    def refresh(self) -> None:
        """Nothing to do: every query goes to the server."""

    def _make_passages(self, model: str, dimension: int) -> str:
        """A new passage collection for `model` (a new dimension needs one); returns its name."""
        suffix = hashlib.sha256(f"{model}:{dimension}:{time.time_ns()}".encode()).hexdigest()[:8]
        name = f"{self.config.qdrant_collection}_{suffix}"
        m = self.m
        if self.client.collection_exists(name):
            self.client.delete_collection(name)
        self.client.create_collection(
            name,
            vectors_config={"dense": m.VectorParams(size=dimension, distance=m.Distance.COSINE)},
            sparse_vectors_config={"bm25": m.SparseVectorParams(modifier=m.Modifier.IDF)},
            **self._sizing(),
        )
        for key, kind in (("article_id", "INTEGER"), ("language", "KEYWORD"), ("terms", "KEYWORD")):
            self._index(name, key, kind)
        return name

    def _set_meta(self, **values: Any) -> None:
        payload = {**self._meta(), **values}
        point = self.m.PointStruct(id=META, vector={}, payload=payload)
        self.client.upsert(self.articles_name, [point], wait=True)

    # -- writing ---------------------------------------------------------------------------

    def add_article(
        self, article: NewArticle, passages: Sequence[NewPassage], *, model: str
    ) -> Article:
        self._searched = None  # the passages are counted again (QdrantReads.searched)
        existing = self.find_duplicate(article.canonical_url, article.content_hash)
        if existing is not None:
            raise Duplicate(existing)
        if article.signature is not None:
            copy_of = self.find_copy(Signature.from_bytes(article.signature))
            if copy_of is not None:
                raise NearDuplicate(*copy_of)
        if len(passages) >= PER_ARTICLE:
            raise BadInput(f"an article may have at most {PER_ARTICLE - 1} passages")
        collection = self._passages_name
        if collection is None:
            collection = self._make_passages(model, len(passages[0].vector))
            dimension = len(passages[0].vector)
            self._set_meta(model=model, dimension=dimension, passages=collection, terms=TERMS)
        article_id = self._free_id(article.content_hash)
        points = [
            self._passage_point(article_id * PER_ARTICLE + n, article_id, n, p, article.language)
            for n, p in enumerate(passages)
        ]
        for start in range(0, len(points), 256):
            self.client.upsert(collection, points[start : start + 256], wait=True)
        now = time.time_ns()
        payload = {
            **article.__dict__,
            "signature": encode(article.signature),
            "analysis": encode(article.analysis),  # index.sentence_analysis
            "analysis_version": ANALYSIS if article.analysis is not None else None,
            "added_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "added_ns": now,
            "touched_ns": now,
            "passages": len(passages),
        }
        self.client.upsert(
            self.articles_name,
            [self.m.PointStruct(id=article_id, vector={}, payload=payload)],
            wait=True,
        )
        languages = set(self._meta().get("languages", [])) | {article.language}
        self._set_meta(languages=sorted(languages))
        stored = self.get_article(article_id)
        assert stored is not None
        return stored

    def _free_id(self, content_hash: str) -> int:
        """An id from the content hash; the next free one if another article holds it."""
        candidate = max(1, int(content_hash[:12], 16) >> 2)
        while True:
            found = self.client.retrieve(self.articles_name, [candidate], with_payload=True)
            if not found or (found[0].payload or {}).get("content_hash") == content_hash:
                return candidate
            candidate += 1

    def _passage_point(
        self, pid: int, article_id: int, ordinal: int, p: NewPassage, language: str
    ) -> Any:
        chunk = p.chunk
        sentences = np.asarray(p.sentence_vectors, dtype=np.float16)
        payload = {
            "article_id": article_id,
            "ordinal": ordinal,
            "text": chunk.text,
            "start": chunk.start,
            "end": chunk.end,
            "sentences": [list(s) for s in chunk.sentences],
            "language": language,
            "terms": sorted(set(p.terms)),
            "sentence_vectors": base64.b64encode(sentences.tobytes()).decode("ascii"),
        }
        vector = {"dense": p.vector.tolist(), "bm25": _sparse(language, p.terms)}
        return self.m.PointStruct(id=pid, vector=vector, payload=payload)

    def delete_article(self, article_id: int) -> Article:
        self._searched = None
        article = self.get_article(article_id)
        if article is None:
            raise NotFound(f"there is no article with id {article_id}")
        self.client.delete(self.articles_name, [article_id], wait=True)
        self._forget_copies(article_id)
        collection = self._passages_name
        if collection is not None:
            self.client.delete(collection, self._by_article(article_id), wait=True)
        return article

    def _by_article(self, article_id: int) -> Any:
        m = self.m
        return m.FilterSelector(
            filter=m.Filter(
                must=[m.FieldCondition(key="article_id", match=m.MatchValue(value=article_id))]
            )
        )

    def reindex(self, model: str, dimension: int, batches: Iterable[Sequence[Reindexed]]) -> None:
        """Into a new passage collection, switched to when complete; the old one is dropped."""
        self._searched = None
        old = self._passages_name
        new = self._make_passages(model, dimension) if old else None
        for batch in batches:
            assert old is not None and new is not None
            records = {r.id: r for r in self.client.retrieve(old, [b.passage_id for b in batch])}
            points = []
            for r in batch:
                payload = dict(records[r.passage_id].payload or {})
                language = payload["language"]
                sentences = np.asarray(r.sentence_vectors, dtype=np.float16).tobytes()
                payload["sentence_vectors"] = base64.b64encode(sentences).decode("ascii")
                payload["terms"] = sorted(set(r.terms))
                vector = {"dense": r.vector.tolist(), "bm25": _sparse(language, r.terms)}
                points.append(self.m.PointStruct(id=r.passage_id, vector=vector, payload=payload))
            self.client.upsert(new, points, wait=True)
        self._set_meta(model=model, dimension=dimension, passages=new, terms=TERMS)
        if old and old != new:
            self.client.delete_collection(old)

    def backup(self, destination: Any) -> None:
        raise StorageError(
            "a Qdrant library is backed up with Qdrant's snapshot API (README, Storage backends), "
            "not with `articlebot backup`"
        )
