"""The facade the CLI and the bot use: add / ask / delete / rebuild / stats over one data dir."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import neardup, recency, sentence_analysis, sources
from .answer import AnswerConfig
from .article_cache import ArticleCache
from .asking import AskMixin
from .chunking import check_length, chunk_text
from .embedder import DEFAULT_BACKEND, DEFAULT_MODEL, Embedder, SentenceTransformerEmbedder
from .errors import BadInput, IndexMismatch, NotFound
from .language import detect_language
from .lexical import passage_terms
from .models import AddResult, Article, Stats
from .paths import models_folder
from .sources_mixin import SourcesMixin, Stage, no_progress
from .storage import (
    Duplicate,
    NearDuplicate,
    NewArticle,
    NewCopy,
    NewPassage,
    StorageConfig,
    open_backend,
)
from .storage.base import backup_into, passage_vectors
from .storage.views import DenseView, LexicalView, View
from .vectors_mixin import VectorsMixin

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LibraryConfig:
    data_dir: Path
    model: str = DEFAULT_MODEL
    embedding_backend: str = DEFAULT_BACKEND  # "onnx" or "torch": the same vectors either way
    int8_adding: bool = True  # with onnx: text being added runs through an int8 copy (faster)
    allow_private_urls: bool = False
    url_ports: frozenset[int] = frozenset()  # ports besides 80 and 443 URL adds may reach
    passage_tokens: int | None = None  # None: the model's max sequence length
    answer: AnswerConfig = AnswerConfig()
    models_dir: Path | None = None  # where the ONNX export is cached; None: DATA_DIR/models
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 5_000_000
    lock_timeout: float = 60.0
    storage: StorageConfig = StorageConfig()  # which storage backend (see index/storage/)
    timezone: str = recency.DEFAULT_TIMEZONE  # TIMEZONE: publication days, "heute", "gestern"


class Library(SourcesMixin, AskMixin, VectorsMixin):
    """Articles in, answers out, over a storage backend (index/storage/). Thread-safe."""

    def __init__(self, config: LibraryConfig, embedder: Embedder | None = None) -> None:
        self.config = config
        self.data_dir = config.data_dir
        if not self.data_dir.exists():  # (an existing one is not touched: it may be read-only)
            self.data_dir.mkdir(parents=True, mode=0o700)
        self._models_dir = config.models_dir or models_folder(self.data_dir)  # the ONNX exports
        self.embedder: Embedder = embedder or SentenceTransformerEmbedder(
            config.model,
            backend=config.embedding_backend,
            cache_dir=self._models_dir,
            quantize_documents=config.int8_adding,
        )
        self.backend = open_backend(self.data_dir, config.storage, lock_timeout=config.lock_timeout)
        # Read queries for the bot and the benchmarks: SQLite's Store for the embedded backend.
        self.store = getattr(self.backend, "store", self.backend)
        self._articles = ArticleCache(self.backend, self._stored_or_encoded)
        self.zone = recency.timezone(config.timezone)
        self.clock: Callable[[], datetime] = lambda: datetime.now(self.zone)

    @property
    def _vectors(self) -> str:
        """The model the library records for its vectors (index.embedder.VECTORS_ID)."""
        return self.embedder.vectors_id

    def _current(self) -> View:
        """The indexes as of the latest commit (other processes' included), for reading."""
        self.backend.refresh()
        stored = self.backend.model
        if stored is not None and stored != self._vectors:
            raise IndexMismatch(
                f"the library was embedded with the model {stored!r} but EMBEDDING_MODEL is "
                f"{self.embedder.name!r} (vectors {self._vectors!r}): run `articlebot rebuild` "
                "to re-embed every passage"
            )
        return View(
            DenseView(self.backend),
            LexicalView(self.backend),
            stored or self._vectors,
            self.backend.dimension or self.embedder.dimension,
        )

    # -- adding --------------------------------------------------------------------------------

    def add_draft(
        self,
        draft: sources.Draft,
        *,
        added_by: str | None = None,
        progress: Stage = no_progress,
        feed_date: object = None,
    ) -> AddResult:
        """Store an article and index it: all or nothing. Returns the existing one if known, and
        records a near-copy of a stored article (an agency report another outlet ran) as another
        source of it instead of storing it twice. `feed_date`: the feed entry's date."""
        check_length(draft.text)
        digest = sources.content_hash(draft.text)
        canonical = sources.canonical_url(draft.url)
        existing = self.backend.find_duplicate(canonical, digest)
        if existing is not None:
            return AddResult(existing, created=False)
        signature = neardup.signature(draft.text)
        day = recency.publication_date(
            added_at=datetime.now(UTC), tz=self.zone, page=draft.published, feed=feed_date
        )
        copy_of = self.backend.find_copy(signature)  # before the embedding work
        if copy_of is not None:
            return self._record_copy(draft, signature, copy_of, digest, day, added_by, progress)
        self._current()  # the model check, before the embedding work
        language = detect_language(draft.text)
        chunks = chunk_text(
            draft.text,
            language,
            self.embedder.count_tokens,
            self.config.passage_tokens or self.embedder.max_tokens,
        )
        if not chunks:
            raise BadInput("the text has no sentences to index")
        progress("indexing", {"passages": len(chunks)})
        # The slow part, outside any lock: the sentences are embedded, the passages are not (see
        # passage_vectors).
        sentence_vectors = self._encode_sentences(chunks)
        vectors = passage_vectors(sentence_vectors)
        article = NewArticle(
            draft.title,
            draft.text,
            draft.url,
            canonical,
            draft.source,
            day.date,
            language,
            digest,
            added_by,
            published_from=day.provenance,
            signature=signature.to_bytes(),
            analysis=sentence_analysis.of_chunks(draft.text, chunks, language),
        )
        passages = [
            NewPassage(
                chunk,
                vectors[i],
                sentence_vectors[i],
                passage_terms(chunk.text, language, draft.title if i == 0 else None),
            )
            for i, chunk in enumerate(chunks)
        ]
        try:
            stored = self.backend.add_article(article, passages, model=self._vectors)
        except Duplicate as duplicate:
            return AddResult(duplicate.existing, created=False)
        except NearDuplicate as near:  # stored by another writer since the look-up above
            found = (near.existing, near.match)
            return self._record_copy(draft, signature, found, digest, day, added_by, progress)
        progress("done", {"article": stored})
        return AddResult(stored, created=True)

    def _record_copy(
        self,
        draft: sources.Draft,
        signature: neardup.Signature,
        copy_of: tuple[Article, neardup.Match],
        digest: str,
        day: recency.Published,
        added_by: str | None,
        progress: Stage,
    ) -> AddResult:
        """The new text is a near-copy of a stored article: its outlet and address are recorded
        as another source of that article (exact duplicates of it are then found too)."""
        original, match = copy_of
        copy = NewCopy(
            url=draft.url,
            canonical_url=sources.canonical_url(draft.url),
            source=sources.outlet(draft),
            title=draft.title,
            published=day.date,
            content_hash=digest,
            similarity=round(match.containment, 3),
            signature=signature.to_bytes(),
            added_by=added_by,
        )
        try:
            article = self.backend.add_copy(original.id, copy)
        except Duplicate as duplicate:
            return AddResult(duplicate.existing, created=False)
        progress("done", {"article": article})
        return AddResult(article, created=False, near_duplicate=copy.similarity)

    # -- the rest ------------------------------------------------------------------------------

    def delete(self, article_id: int) -> Article:
        """Remove an article and its passages from the store and both indexes."""
        article = self.backend.delete_article(article_id)
        self._articles.forget(article_id)
        return article

    def backup(self, destination: Path) -> Stats:
        """A consistent copy of the library in `destination` (a new folder), safe while the bot
        runs; readers and writers go on (SQLite's online backup API). The copy is a complete
        data dir, feed subscriptions included (the ONNX export is left out: it is made again on
        first use). Returns the copy's stats."""
        destination = Path(destination)
        feeds = self.data_dir / "feeds.db"  # the feed subscriptions (index.feedstore)
        backup_into(self.backend, destination, also=[feeds] if feeds.exists() else [])
        copy = Library(LibraryConfig(destination, model=self.config.model), self.embedder)
        try:
            return copy.stats()
        finally:
            copy.close()

    def get(self, article_id: int) -> Article:
        article = self.backend.get_article(article_id)
        if article is None:
            raise NotFound(f"there is no article with id {article_id}")
        return article

    def list(self, offset: int = 0, limit: int = 20) -> list[Article]:
        return self.backend.list_articles(offset, limit)

    def iter_articles(self, batch: int = 500) -> Iterator[Article]:
        """Every article, newest first, read `batch` at a time (`articlebot list`)."""
        for page in self.backend.iter_articles(batch):
            yield from page

    def stats(self) -> Stats:
        self._current()  # up to date, and the model check: the bot's start stops on a mismatch
        counts = self.backend.counts()
        return Stats(
            articles=counts.articles,
            passages=counts.passages,
            vectors=counts.vectors,
            model=self.backend.model or self._vectors,
            dimension=self.backend.dimension or self.embedder.dimension,
            languages=counts.languages,
            data_dir=str(self.data_dir),
        )

    def close(self) -> None:
        self.backend.close()
