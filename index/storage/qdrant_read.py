"""The Qdrant backend's reads (see qdrant.py for the layout)."""

from __future__ import annotations

import base64
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..lexical import IDF_MIN_PASSAGES, query_terms
from ..models import Article, Passage
from .base import Counts

META = 0
# Seconds a count of the passages is reused: it only sets the confidence's discount for the
# library's size (its log10: index.confidence.size_discount), and each ask would otherwise cost
# two more round trips to the cluster (the collection's name, then the count). This process's
# own writes drop it at once; another process's show within this time.
SEARCHED_TTL = 60.0


def term_index(language: str, term: str) -> int:
    """A term's sparse-vector index: its language and the term hashed (CRC-32)."""
    return zlib.crc32(f"{language}:{term}".encode())


class QdrantReads:
    client: Any
    m: Any
    articles_name: str

    def _meta(self) -> dict[str, Any]:
        found = self.client.retrieve(self.articles_name, [META], with_payload=True)
        return dict(found[0].payload or {}) if found else {}

    @property
    def _passages_name(self) -> str | None:
        return self._meta().get("passages")

    @property
    def dimension(self) -> int | None:
        return self._meta().get("dimension")

    # -- reading ---------------------------------------------------------------------------

    def find_duplicate(self, canonical_url: str | None, content_hash: str) -> Article | None:
        m = self.m
        should = [
            m.FieldCondition(key=key, match=m.MatchValue(value=content_hash))
            for key in ("content_hash", "copy_hashes")
        ]
        if canonical_url:
            should += [
                m.FieldCondition(key=key, match=m.MatchValue(value=canonical_url))
                for key in ("canonical_url", "copy_urls")
            ]
        found, _ = self.client.scroll(
            self.articles_name, scroll_filter=m.Filter(should=should), limit=1
        )
        return _article(found[0]) if found else None

    def get_article(self, article_id: int) -> Article | None:
        return self.articles({article_id}).get(article_id)

    def articles(self, ids: set[int]) -> dict[int, Article]:
        wanted = [i for i in ids if i != META]
        if not wanted:
            return {}
        # Not the text and the sentence analysis: the largest fields, fetched for every ask.
        fields = self.m.PayloadSelectorExclude(exclude=["text", "analysis"])
        found = self.client.retrieve(self.articles_name, wanted, with_payload=fields)
        return {int(r.id): _article(r) for r in found}

    def list_articles(self, offset: int, limit: int) -> list[Article]:
        order = self.m.OrderBy(key="added_ns", direction="desc")
        found, _ = self.client.scroll(self.articles_name, limit=offset + limit, order_by=order)
        return [_article(r) for r in found[offset:]]

    def iter_articles(self, batch: int = 500) -> Iterator[list[Article]]:
        # Each page starts at the last one's added_ns; the start is inclusive, so the articles
        # already listed at that instant (`seen`, almost always one) are skipped.
        fields = self.m.PayloadSelectorExclude(exclude=["text", "analysis"])
        start: int | None = None
        seen: set[int] = set()
        while True:
            order = self.m.OrderBy(key="added_ns", direction="desc", start_from=start)
            limit = batch + len(seen)
            found, _ = self.client.scroll(
                self.articles_name, limit=limit, order_by=order, with_payload=fields
            )
            fresh = [_article(r) for r in found if int(r.id) not in seen]
            if fresh:
                yield fresh
            if len(found) < limit:
                return
            last = found[-1].payload["added_ns"]
            at_last = {int(r.id) for r in found if r.payload["added_ns"] == last}
            seen = seen | at_last if last == start else at_last
            start = last

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]:
        collection = self._passages_name
        if collection is None or not ids:
            return {}
        return {int(r.id): _passage(r) for r in self.client.retrieve(collection, list(ids))}

    def article_passages(self, article_id: int) -> list[Passage]:
        collection = self._passages_name
        if collection is None:
            return []
        m = self.m
        wanted = m.Filter(
            must=[m.FieldCondition(key="article_id", match=m.MatchValue(value=article_id))]
        )
        found: list[Passage] = []
        offset = None
        while True:
            page, offset = self.client.scroll(
                collection, scroll_filter=wanted, limit=256, offset=offset
            )
            found += [_passage(r) for r in page]
            if offset is None:
                return sorted(found, key=lambda p: p.ordinal)

    def article_text(self, article_id: int) -> str | None:
        if article_id == META:
            return None
        found = self.client.retrieve(self.articles_name, [article_id], with_payload=["text"])
        return (found[0].payload or {}).get("text") if found else None

    def iter_passages(self, batch: int = 256) -> Iterator[list[Passage]]:
        collection = self._passages_name
        offset = None
        while collection is not None:
            found, offset = self.client.scroll(collection, limit=batch, offset=offset)
            if found:
                yield [_passage(r) for r in found]
            if offset is None:
                return

    def sentence_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        collection, dimension = self._passages_name, self.dimension
        if collection is None or dimension is None or not ids:
            return {}
        out = {}
        for r in self.client.retrieve(collection, list(ids)):
            raw = base64.b64decode((r.payload or {})["sentence_vectors"])
            out[int(r.id)] = (
                np.frombuffer(raw, np.float16).astype(np.float32).reshape(-1, dimension)
            )
        return out

    def dense_search(self, vector: np.ndarray, k: int) -> dict[int, float]:
        collection = self._passages_name
        if collection is None:
            return {}
        found = self.client.query_points(
            collection, query=np.asarray(vector).tolist(), using="dense", limit=k
        ).points
        return {int(p.id): float(p.score) for p in found}

    def dense_scores(self, vector: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        collection = self._passages_name
        if collection is None or not ids:
            return {}
        q = np.asarray(vector, dtype=np.float32).ravel()
        found = self.client.retrieve(collection, list(ids), with_vectors=["dense"])
        return {int(r.id): float(np.asarray(r.vector["dense"]) @ q) for r in found}  # type: ignore[index]

    def lexical_search(
        self, question: str, k: int, language: str | None = None
    ) -> dict[int, float]:
        collection = self._passages_name
        found: dict[int, float] = {}
        names = self.languages if language is None else [language]
        for name in names if collection else []:
            terms = query_terms(question, name)
            if not terms:
                continue
            indices = sorted({term_index(name, t) for t in terms})
            query = self.m.SparseVector(indices=indices, values=[1.0] * len(indices))
            points = self.client.query_points(
                collection, query=query, using="bm25", limit=k, query_filter=self._in(name)
            ).points
            found.update({int(p.id): float(p.score) for p in points if p.score > 0})
        return found

    def _in(self, language: str, term: str | None = None) -> Any:
        m = self.m
        must = [m.FieldCondition(key="language", match=m.MatchValue(value=language))]
        if term is not None:
            must.append(m.FieldCondition(key="terms", match=m.MatchValue(value=term)))
        return m.Filter(must=must)

    def idf(self, language: str, terms: Iterable[str]) -> dict[str, float]:
        """As LexicalIndex.idf, from exact counts of the language's passages holding each
        term (a payload index on the terms)."""
        terms = list(terms)
        collection = self._passages_name
        if collection is None:
            return {t: 1.0 for t in terms}
        live = self.client.count(collection, count_filter=self._in(language), exact=True).count
        if not live:
            return {t: 1.0 for t in terms}
        n = max(live, IDF_MIN_PASSAGES)
        out = {}
        for t in terms:
            df = self.client.count(collection, count_filter=self._in(language, t), exact=True)
            out[t] = float(np.log(1 + (n - df.count + 0.5) / (df.count + 0.5)))
        return out

    @property
    def languages(self) -> list[str]:
        return sorted(self._meta().get("languages", []))

    def counts(self) -> Counts:
        articles = self.client.count(self.articles_name, exact=True).count - bool(self._meta())
        collection = self._passages_name
        passages = self.client.count(collection, exact=True).count if collection else 0
        languages = {}
        if collection:
            for hit in self.client.facet(self.articles_name, key="language").hits:
                languages[str(hit.value)] = hit.count
        return Counts(articles, passages, passages, languages, passages)

    _searched: tuple[float, int] | None = None  # (when counted, the count)

    def searched(self) -> int:
        now = time.monotonic()
        known = self._searched
        if known is not None and now - known[0] < SEARCHED_TTL:
            return known[1]
        collection = self._passages_name
        count = self.client.count(collection, exact=False).count if collection else 0
        self._searched = (now, count)
        return count

    def close(self) -> None:
        self.client.close()


def _article(record: Any) -> Article:
    p = record.payload or {}
    return Article(
        int(record.id),
        p["title"],
        p.get("url"),
        p.get("source"),
        p.get("published"),
        p["language"],
        p["content_hash"],
        p["added_at"],
        p.get("added_by"),
        p["passages"],
        p.get("published_from"),
        len(p.get("copies", [])),
        tuple(dict.fromkeys(c.get("source") or "?" for c in p.get("copies", []))),
    )


def _passage(record: Any) -> Passage:
    p = record.payload or {}
    sentences = tuple((int(a), int(b)) for a, b in p["sentences"])
    return Passage(
        int(record.id),
        int(p["article_id"]),
        int(p["ordinal"]),
        p["text"],
        int(p["start"]),
        int(p["end"]),
        sentences,
        p["language"],
    )
