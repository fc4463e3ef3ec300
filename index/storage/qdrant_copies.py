"""The Qdrant backend's agency copies. An article point's payload holds its near-duplicate
signature (`signature`, base64), its recorded copies (`copies`: outlet, address, similarity,
signature, ...), the copies' content hashes and canonical addresses (`copy_hashes`,
`copy_urls`: exact duplicates of a copy are found by them) and `touched_ns`, set when the
article is stored and when a copy is recorded.

Each process holds the detector (index.neardup) in memory. Before a look-up it reads the
article points touched since the last one (a range filter on `touched_ns`) and, when the
number of articles differs from what it holds (an article deleted elsewhere), makes it again
from every article point. Recording a copy is a read-modify-write of one payload: two processes
recording copies of the same article at the same moment may keep only one of the two (the other
is then stored when it is added again); Qdrant has no transactions to do better.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..errors import NotFound
from ..models import Article
from ..neardup import Detector, Match, Signature, signature
from .base import Duplicate, NewCopy

META = 0


def encode(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data is not None else None


class QdrantCopies:
    """Mixed into QdrantBackend, before QdrantReads (find_duplicate, get_article)."""

    client: Any
    m: Any
    articles_name: str
    find_duplicate: Callable[[str | None, str], Article | None]
    get_article: Callable[[int], Article | None]

    def _init_copies(self) -> None:
        self._copies_lock = threading.Lock()
        self._reset_copies()

    def _reset_copies(self) -> None:
        self._detector = Detector()
        self._seen: set[int] = set()
        self._touched = -1  # the latest touched_ns read

    def find_copy(self, signature: Signature) -> tuple[Article, Match] | None:
        with self._copies_lock:
            self._catch_up()
            matches = self._detector.query(signature)
        for match in matches:
            article = self.get_article(match.article_id)
            if article is not None:
                return article, match
        return None

    def add_copy(self, article_id: int, copy: NewCopy) -> Article:
        existing = self.find_duplicate(copy.canonical_url, copy.content_hash)
        if existing is not None:
            raise Duplicate(existing)
        found = self.client.retrieve(self.articles_name, [article_id], with_payload=True)
        if article_id == META or not found:
            raise NotFound(f"there is no article with id {article_id}")
        payload = found[0].payload or {}
        record = {
            **copy.__dict__,
            "source": copy.source or "?",
            "signature": encode(copy.signature),
            "added_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        copies = [*payload.get("copies", []), record]
        update = {
            "copies": copies,
            "copy_hashes": [c["content_hash"] for c in copies],
            "copy_urls": [c["canonical_url"] for c in copies if c.get("canonical_url")],
            "touched_ns": time.time_ns(),
        }
        self.client.set_payload(self.articles_name, update, points=[article_id], wait=True)
        article = self.get_article(article_id)
        assert article is not None
        return article

    def _catch_up(self, *, full: bool = False) -> None:
        """Read the article points touched since the last look-up (`full`: every one)."""
        m = self.m
        since = m.Filter(must=[m.FieldCondition(key="touched_ns", range=m.Range(gt=self._touched))])
        fields = ["signature", "copies", "touched_ns"] + (["text"] if full else [])
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.articles_name,
                scroll_filter=None if full else since,
                limit=256,
                offset=offset,
                with_payload=fields,
            )
            for point in points:
                self._hold(int(point.id), point.payload or {})
            if offset is None:
                break
        if full:
            return
        total = self.client.count(self.articles_name, exact=True).count
        if total - int(bool(self.client.retrieve(self.articles_name, [META]))) != len(self._seen):
            # An article deleted elsewhere, or stored before signatures were: all again.
            self._reset_copies()
            self._catch_up(full=True)

    def _hold(self, article_id: int, payload: dict[str, Any]) -> None:
        if article_id == META:
            return
        self._detector.remove(article_id)
        self._seen.add(article_id)
        self._touched = max(self._touched, int(payload.get("touched_ns") or 0))
        if not payload.get("signature") and payload.get("text"):
            self._detector.add(article_id, signature(payload["text"]))
        own = [payload.get("signature")] + [c.get("signature") for c in payload.get("copies", [])]
        for data in own:
            if not data:
                continue
            try:
                self._detector.add(article_id, Signature.from_bytes(base64.b64decode(data)))
            except ValueError:  # another format: the copy is still found by its text's own
                continue

    def _forget_copies(self, article_id: int) -> None:
        with self._copies_lock:
            self._detector.remove(article_id)
            self._seen.discard(article_id)
