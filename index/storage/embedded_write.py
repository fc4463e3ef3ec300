"""The embedded backend's writes: each one SQLite transaction that also logs the change."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NotFound
from ..files import seal_tree
from ..lexical import TERMS
from ..locking import write_lock
from ..models import Article
from ..neardup import Match, Signature
from ..sentence_analysis import VERSION as ANALYSIS
from .base import DATABASE, Duplicate, NearDuplicate, NewArticle, NewCopy, NewPassage, Reindexed
from .embedded_analysis import put_analysis
from .embedded_copies import CopyIndex, insert_copy, put_signature

if TYPE_CHECKING:
    from ..store import Store


class EmbeddedWrites:
    store: Store
    lock_timeout: float
    _lock_path: Path
    _index_dir: Path
    _write: threading.Lock
    copies: CopyIndex

    def refresh(self) -> None:  # pragma: no cover - the backend's
        raise NotImplementedError

    def add_article(
        self, article: NewArticle, passages: Sequence[NewPassage], *, model: str
    ) -> Article:
        store = self.store
        with self._write, write_lock(self._lock_path, timeout=self.lock_timeout):
            # Under the write lock: no other writer can store a copy between check and insert.
            if article.signature is not None:
                self._refuse_copy(Signature.from_bytes(article.signature))
            try:
                with store.transaction() as conn:
                    existing = store.find_duplicate(article.canonical_url, article.content_hash)
                    if existing is not None:
                        raise Duplicate(existing)
                    if store.meta("model") is None:
                        store.set_meta(conn, "model", model)
                    own = ("signature", "analysis")  # their own tables
                    fields = {k: v for k, v in article.__dict__.items() if k not in own}
                    article_id = store.insert_article(conn, **fields)
                    if article.signature is not None:
                        put_signature(conn, article_id, article.signature)
                    if article.analysis is not None:
                        put_analysis(conn, article_id, ANALYSIS, article.analysis)
                    chunks = [p.chunk for p in passages]
                    stored = store.insert_passages(conn, article_id, chunks, article.language)
                    ids = [p.id for p in stored]
                    pairs = list(zip(ids, passages, strict=True))
                    store.put_sentence_vectors(
                        conn, model, [(i, p.sentence_vectors) for i, p in pairs]
                    )
                    store.put_passage_vectors(conn, [(i, p.vector) for i, p in pairs])
                    store.put_terms(conn, TERMS, [(i, p.terms) for i, p in pairs])
                    store.log_change(conn, "add", article_id, ids)
            except sqlite3.IntegrityError:  # another process stored it since the check above
                existing = store.find_duplicate(article.canonical_url, article.content_hash)
                if existing is None:
                    raise
                raise Duplicate(existing) from None
        self.refresh()
        added = store.get_article(article_id)
        assert added is not None
        return added

    def _refuse_copy(self, sig: Signature) -> None:
        found = self.find_copy(sig)
        if found is not None:
            raise NearDuplicate(*found)

    def find_copy(self, signature: Signature) -> tuple[Article, Match] | None:
        for match in self.copies.query(signature):
            article = self.store.get_article(match.article_id)
            if article is not None:
                return article, match
        return None

    def add_copy(self, article_id: int, copy: NewCopy) -> Article:
        store = self.store
        with self._write, write_lock(self._lock_path, timeout=self.lock_timeout):
            existing = store.find_duplicate(copy.canonical_url, copy.content_hash)
            if existing is not None:
                raise Duplicate(existing)
            if store.get_article(article_id) is None:
                raise NotFound(f"there is no article with id {article_id}")
            with store.transaction() as conn:
                insert_copy(conn, article_id, copy)
                store.log_change(conn, "copy", article_id, [])
        self.refresh()
        article = store.get_article(article_id)
        assert article is not None
        return article

    def delete_article(self, article_id: int) -> Article:
        store = self.store
        with self._write, write_lock(self._lock_path, timeout=self.lock_timeout):
            article = store.get_article(article_id)
            if article is None:
                raise NotFound(f"there is no article with id {article_id}")
            with store.transaction() as conn:
                removed = store.delete_article(conn, article_id)
                store.log_change(conn, "delete", article_id, removed)
        self.refresh()
        return article

    def reindex(self, model: str, dimension: int, batches: Iterable[Sequence[Reindexed]]) -> None:
        """Each batch in its own transaction; the final one switches the model and logs a
        `reindex`, on which every process reloads. Cut short, the old model stays in use and
        running it again redoes everything."""
        del dimension
        store = self.store
        with self._write, write_lock(self._lock_path, timeout=self.lock_timeout):
            for batch in batches:
                with store.transaction() as conn:
                    store.put_sentence_vectors(
                        conn, model, [(r.passage_id, r.sentence_vectors) for r in batch]
                    )
                    store.put_passage_vectors(conn, [(r.passage_id, r.vector) for r in batch])
                    store.put_terms(conn, TERMS, [(r.passage_id, r.terms) for r in batch])
            with store.transaction() as conn:
                store.set_meta(conn, "model", model)
                conn.execute("DELETE FROM sentence_vectors WHERE model != ?", (model,))
                store.log_change(conn, "reindex", None, [])
        self.refresh()

    def backup(self, destination: Path) -> None:
        """SQLite's online backup API: a consistent copy while others read and write. The
        current checkpoint (if any) goes along; the copy applies the changes after it."""
        target = sqlite3.connect(destination / DATABASE)
        try:
            self.store.conn.backup(target)
        finally:
            target.close()
        from . import checkpoint

        with checkpoint.writer_lock(self._index_dir) as mine:
            name = _current_checkpoint(self._index_dir)
            if mine and name:
                (destination / "index").mkdir(mode=0o700)
                shutil.copytree(self._index_dir / name, destination / "index" / name)
                (destination / "index" / "CURRENT").write_text(name)
        seal_tree(destination)


def _current_checkpoint(root: Path) -> str | None:
    try:
        name = (root / "CURRENT").read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if name.startswith("ckpt-") and (root / name).is_dir() else None
