"""The facade the CLI and the bot use: add / ask / delete / rebuild / stats over one data dir."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from . import ranker, sources
from . import snapshot as snap
from .answer import AnswerConfig, answer_question
from .article_cache import ArticleCache
from .chunking import Chunk, chunk_text
from .embedder import DEFAULT_BACKEND, DEFAULT_MODEL, Embedder, SentenceTransformerEmbedder
from .errors import BadInput, IndexMismatch, NotFound
from .files import seal_tree
from .followup import needs_context
from .language import detect_language
from .lexical import ANALYZER, LexicalIndex, analyze
from .locking import write_lock
from .models import AddResult, Answer, Article, Hit, Passage, Stats
from .search import hybrid_search
from .snapshot import Snapshot
from .store import Store
from .vectors import VectorIndex

logger = logging.getLogger(__name__)

Stage = Callable[[str, dict], None]  # progress callback: (stage name, details)


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


def _no_progress(stage: str, details: dict) -> None:
    del stage, details


class Library:
    """Articles in, answers out. Thread-safe: reads use an immutable snapshot, writes take turns."""

    def __init__(self, config: LibraryConfig, embedder: Embedder | None = None) -> None:
        self.config = config
        self.data_dir = config.data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._models_dir = config.models_dir or self.data_dir / "models"  # the ONNX export
        self.embedder: Embedder = embedder or SentenceTransformerEmbedder(
            config.model,
            backend=config.embedding_backend,
            cache_dir=self._models_dir,
            quantize_documents=config.int8_adding,
        )
        self.store = Store(self.data_dir / "articles.db")
        self._index_dir = self.data_dir / "index"
        self._lock_path = self.data_dir / "write.lock"
        self._write = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._articles = ArticleCache(self.store, self._stored_or_encoded)

    # -- the index snapshot --------------------------------------------------------------------

    def _current(self) -> Snapshot:
        """The live snapshot; reloaded when another process made a new generation."""
        current = self._snapshot
        if current is not None and current.generation == snap.current_generation(self._index_dir):
            return current
        with self._write:
            if self._snapshot is None or self._snapshot.generation != snap.current_generation(
                self._index_dir
            ):
                self._snapshot = self._open_snapshot(locked=False)
            return self._snapshot

    def _open_snapshot(self, *, locked: bool) -> Snapshot:
        """Load the live generation; repair it from SQLite if it is missing or out of date."""
        loaded = snap.load(self._index_dir)
        if loaded is not None and loaded[0].model != self.embedder.name:
            raise IndexMismatch(
                f"the index was built with the model {loaded[0].model!r} but EMBEDDING_MODEL is "
                f"{self.embedder.name!r}: run `articlebot rebuild` to re-embed every passage"
            )
        stored = self.store.passage_ids()
        if loaded is not None:
            snapshot, manifest = loaded
            if manifest["ids_sha256"] == snap.ids_digest(stored):
                return snapshot
            logger.warning("index does not match the database; reconciling")
            with self._file_lock(locked):
                return self._reconcile(snapshot, stored)
        if not stored:
            return Snapshot(
                VectorIndex.empty(self.embedder.dimension), LexicalIndex(), self.embedder.name
            )
        logger.warning("no usable index on disk; rebuilding it from the database")
        with self._file_lock(locked):
            return self._rebuild_locked(None, reuse=True)

    def _file_lock(self, held: bool) -> AbstractContextManager[None]:
        return (
            nullcontext() if held else write_lock(self._lock_path, timeout=self.config.lock_timeout)
        )

    def _reconcile(self, snapshot: Snapshot, stored: set[int]) -> Snapshot:
        """Bring the indexes in line with SQLite: embed what is missing, drop what is extra."""
        vectors = snapshot.vectors.copy()
        have = vectors.ids()
        vectors.remove(sorted(have - stored))
        missing = sorted(stored - have)
        if missing:
            passages = self.store.passages(missing)
            found = self._stored_or_encoded([passages[i] for i in missing], keep=True)
            vectors.add(missing, passage_vectors([found[i] for i in missing]))
        return snap.save(self._index_dir, Snapshot(vectors, self._lexical(), self.embedder.name))

    def _lexical(
        self, conn: sqlite3.Connection | None = None, *, fresh: bool = False
    ) -> LexicalIndex:
        """BM25 over every passage from the terms stored with them. Passages without terms
        (added before they were stored; all of them when `fresh`) are analyzed now and their
        terms stored, in `conn`'s open transaction if given."""
        rows: list[tuple[int, str, list[str]]] = []
        made: list[tuple[int, list[str]]] = []
        for pid, language, terms, text in self.store.iter_terms(ANALYZER, fresh=fresh):
            if terms is None:
                made.append((pid, analyze(text or "", language)))
                rows.append((pid, language, made[-1][1]))
            else:
                rows.append((pid, language, terms.split()))
        if made and conn is not None:
            self.store.put_terms(conn, ANALYZER, made)
        elif made:
            with self.store.transaction() as own:
                self.store.put_terms(own, ANALYZER, made)
        return LexicalIndex.from_terms(rows)

    def _rebuild_locked(
        self, progress: Callable[[int, int], None] | None, *, reuse: bool = False
    ) -> Snapshot:
        """Fresh indexes from SQLite. `reuse`: take the sentence vectors stored with the passages
        where there are any (a lost or damaged index file: no model work, the same vectors as
        before); else embed every sentence again (`articlebot rebuild`, e.g. after a model
        change)."""
        every = sorted(self.store.passage_ids())
        vectors = VectorIndex.empty(self.embedder.dimension)
        batch = 256
        for start in range(0, len(every), batch):
            part = self.store.passages(every[start : start + batch])
            ids = sorted(part)
            found = self._stored_or_encoded([part[i] for i in ids], reuse=reuse, keep=True)
            vectors.add(ids, passage_vectors([found[i] for i in ids]))
            if progress:
                progress(min(start + batch, len(every)), len(every))
        lexical = self._lexical(fresh=not reuse)
        return snap.save(self._index_dir, Snapshot(vectors, lexical, self.embedder.name))

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> Stats:
        """Re-embed every passage into fresh indexes and swap them in atomically."""
        with self._write, write_lock(self._lock_path, timeout=self.config.lock_timeout):
            self._snapshot = self._rebuild_locked(progress)
        return self.stats()

    # -- adding --------------------------------------------------------------------------------

    def add_text(
        self,
        text: str,
        *,
        title: str | None = None,
        url: str | None = None,
        source: str | None = None,
        published: str | None = None,
        added_by: str | None = None,
        progress: Stage = _no_progress,
    ) -> AddResult:
        draft = sources.from_text(text, title=title, url=url, source=source, published=published)
        return self.add_draft(draft, added_by=added_by, progress=progress)

    def add_file(
        self,
        path: Path,
        *,
        title: str | None = None,
        added_by: str | None = None,
        progress: Stage = _no_progress,
    ) -> AddResult:
        return self.add_draft(
            sources.from_file(path, title=title), added_by=added_by, progress=progress
        )

    def add_bytes(
        self,
        data: bytes,
        suffix: str,
        *,
        title: str | None = None,
        url: str | None = None,
        source: str | None = None,
        added_by: str | None = None,
        progress: Stage = _no_progress,
    ) -> AddResult:
        draft = sources.from_bytes(data, suffix, title=title, url=url, source=source)
        return self.add_draft(draft, added_by=added_by, progress=progress)

    def add_url(
        self,
        url: str,
        *,
        title: str | None = None,
        added_by: str | None = None,
        progress: Stage = _no_progress,
    ) -> AddResult:
        from .extract import extract_html
        from .fetch import check_url, fetch

        url = url.strip()
        check_url(url, allow_private=self.config.allow_private_urls, ports=self.config.url_ports)
        existing = self.store.find_duplicate(sources.canonical_url(url), "")
        if existing is not None:
            return AddResult(existing, created=False)
        progress("fetching", {"url": url})
        page = fetch(
            url,
            allow_private=self.config.allow_private_urls,
            ports=self.config.url_ports,
            max_bytes=self.config.fetch_max_bytes,
            timeout=self.config.fetch_timeout,
        )
        progress("extracting", {"url": page.url})
        if page.content_type.startswith("text/plain"):
            draft = sources.from_text(page.text, title=title, url=page.url)
        else:
            extracted = extract_html(page.text, page.url)
            draft = sources.from_text(
                extracted.text,
                title=title or extracted.title,
                url=page.url,
                source=extracted.source,
                published=extracted.published,
            )
        return self.add_draft(draft, added_by=added_by, progress=progress)

    def add_draft(
        self, draft: sources.Draft, *, added_by: str | None = None, progress: Stage = _no_progress
    ) -> AddResult:
        """Store an article and index it: all or nothing. Returns the existing one if known."""
        digest = sources.content_hash(draft.text)
        canonical = sources.canonical_url(draft.url)
        existing = self.store.find_duplicate(canonical, digest)
        if existing is not None:
            return AddResult(existing, created=False)
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
        with self._write, write_lock(self._lock_path, timeout=self.config.lock_timeout):
            base = self._current_locked()
            try:
                with self.store.transaction() as conn:
                    article_id = self.store.insert_article(
                        conn,
                        title=draft.title,
                        text=draft.text,
                        url=draft.url,
                        canonical_url=canonical,
                        source=draft.source,
                        published=draft.published,
                        language=language,
                        content_hash=digest,
                        added_by=added_by,
                    )
                    passages = self.store.insert_passages(conn, article_id, chunks, language)
                    self.store.put_sentence_vectors(
                        conn,
                        self.embedder.name,
                        zip([p.id for p in passages], sentence_vectors, strict=True),
                    )
                    updated = base.vectors.copy()
                    updated.add([p.id for p in passages], vectors)
                    # Index files first, then COMMIT: a crash in between leaves extra ids in the
                    # index, which the next open drops (see _reconcile).
                    lexical = self._lexical(conn)
                    self._snapshot = snap.save(
                        self._index_dir, Snapshot(updated, lexical, self.embedder.name)
                    )
            except sqlite3.IntegrityError:
                existing = self.store.find_duplicate(canonical, digest)
                if existing is None:
                    raise
                return AddResult(existing, created=False)
        article = self.store.get_article(article_id)
        assert article is not None
        progress("done", {"article": article})
        return AddResult(article, created=True)

    def _current_locked(self) -> Snapshot:
        """The snapshot to build on, under the write lock (reloaded if another process wrote)."""
        if self._snapshot is None or self._snapshot.generation != snap.current_generation(
            self._index_dir
        ):
            self._snapshot = self._open_snapshot(locked=True)
        return self._snapshot

    # -- asking --------------------------------------------------------------------------------

    def ask(self, question: str, *, k: int = 3, context: str | None = None) -> Answer:
        """Answer with a verbatim quote, or abstain. `context`: the chat's previous question; it
        is used only when the question cannot stand alone (index.followup) or alone finds
        nothing while the two together do. `Answer.follow_up` says whether it was used."""
        return self.ask_many([question], k=k, context=context)[0]

    def ask_many(
        self, questions: Sequence[str], *, k: int = 3, context: str | None = None
    ) -> list[Answer]:
        """`ask` for each question; their embeddings are computed in batches, which is faster."""
        questions = [" ".join(q.split()) for q in questions]
        for number, question in enumerate(questions, 1):
            if not question:
                raise BadInput(
                    "the question is empty"
                    if len(questions) == 1
                    else f"question {number} is empty"
                )
        snapshot = self._current()
        combined = [f"{context} {q}" for q in questions] if context else []
        vectors = self.embedder.encode([*questions, *combined]) if questions else []
        answers = []
        for i, question in enumerate(questions):
            if not context:
                answers.append(self._answer(snapshot, question, question, vectors[i], k, None))
                continue
            both = vectors[len(questions) + i]
            hints = tuple(snapshot.lexical.languages)
            if needs_context(question, detect_language(question, hints=hints)):
                answer = self._answer(snapshot, question, combined[i], both, k, context)
            else:
                answer = self._answer(snapshot, question, question, vectors[i], k, None)
                if answer.abstained:
                    together = self._answer(snapshot, question, combined[i], both, k, context)
                    answer = answer if together.abstained else together
            answers.append(answer)
        return answers

    def _answer(
        self,
        snapshot: Snapshot,
        question: str,
        query: str,
        query_vector: np.ndarray,
        k: int,
        context: str | None,
    ) -> Answer:
        language = detect_language(question, hints=tuple(snapshot.lexical.languages))
        scored = hybrid_search(
            snapshot.vectors,
            snapshot.lexical,
            query_vector,
            query,
            k=max(k, self.config.answer.candidates),
        )
        answer = answer_question(
            question,
            language,
            self._hits(scored),
            query_vector,
            self._articles.get,
            snapshot.lexical.idf,
            self.config.answer,
            ranker.weights(self.embedder.name),
            k=k,
            context=context,
        )
        return replace(answer, follow_up=context is not None)

    def _stored_or_encoded(
        self, passages: list[Passage], *, reuse: bool = True, keep: bool = False
    ) -> dict[int, np.ndarray]:
        """Sentence vectors by passage id: as stored when added (unless not `reuse`), else
        embedded now; `keep`: store the ones embedded now (writers, under the write lock)."""
        found: dict[int, np.ndarray] = {}
        if reuse:
            stored = self.store.sentence_vectors(
                [p.id for p in passages], self.embedder.name, self.embedder.dimension
            )
            counts = {p.id: len(p.sentences) for p in passages}
            found = {i: v for i, v in stored.items() if len(v) == counts[i]}
        rest = [p for p in passages if p.id not in found]
        if rest:
            encoded = list(zip([p.id for p in rest], self._encode_sentences(rest), strict=True))
            if keep:
                with self.store.transaction() as conn:
                    self.store.put_sentence_vectors(conn, self.embedder.name, encoded)
            found.update(encoded)
        return found

    def _encode_sentences(self, passages: Sequence[Chunk | Passage]) -> list[np.ndarray]:
        """Each passage's sentence vectors, from one encode call over all their sentences."""
        flat = self.embedder.encode_documents(
            [p.text[a:b] for p in passages for a, b in p.sentences]
        )
        return _split(flat, [len(p.sentences) for p in passages])

    def search(self, question: str, *, k: int = 5) -> list[Hit]:
        snapshot = self._current()
        query_vector = self.embedder.encode([question])[0]
        return self._hits(
            hybrid_search(snapshot.vectors, snapshot.lexical, query_vector, question, k=k)
        )

    def _hits(self, scored: Iterable[tuple[int, float, float, float]]) -> list[Hit]:
        scored = list(scored)
        passages = self.store.passages([s[0] for s in scored])
        articles = self.store.articles({p.article_id for p in passages.values()})
        return [
            Hit(passages[pid], articles[passages[pid].article_id], score, dense, lexical)
            for pid, score, dense, lexical in scored
            if pid in passages and passages[pid].article_id in articles
        ]

    # -- the rest ------------------------------------------------------------------------------

    def delete(self, article_id: int) -> Article:
        """Remove an article and its passages from SQLite, FAISS and BM25."""
        article = self.store.get_article(article_id)
        if article is None:
            raise NotFound(f"there is no article with id {article_id}")
        with self._write, write_lock(self._lock_path, timeout=self.config.lock_timeout):
            base = self._current_locked()
            with self.store.transaction() as conn:
                removed = self.store.delete_article(conn, article_id)
                updated = base.vectors.copy()
                updated.remove(removed)
                lexical = self._lexical(conn)
                self._snapshot = snap.save(
                    self._index_dir, Snapshot(updated, lexical, self.embedder.name)
                )
        self._articles.forget(article_id)
        return article

    def backup(self, destination: Path) -> Stats:
        """A consistent copy of the library in `destination` (a new folder), safe while the bot
        runs: SQLite through its online backup API and the live index generation, both taken
        under the write lock, so they match; readers are not held up, writers wait. The copy is
        a complete data dir (the ONNX export is left out: it is made again on first use).
        Returns the copy's stats."""
        destination = Path(destination)
        if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
            raise BadInput(f"{destination} already exists and is not an empty folder")
        partial = destination.with_name(f".{destination.name}.partial")
        if partial.exists():
            shutil.rmtree(partial)
        partial.mkdir(parents=True, mode=0o700)
        try:
            with self._write, write_lock(self._lock_path, timeout=self.config.lock_timeout):
                snapshot = self._current_locked()
                target = sqlite3.connect(partial / "articles.db")
                try:
                    self.store.conn.backup(target)
                finally:
                    target.close()
                if snapshot.generation:  # else the library is empty: no index yet
                    index = partial / "index"
                    index.mkdir(mode=0o700)
                    generation = snapshot.generation
                    shutil.copytree(self._index_dir / generation, index / generation)
                    (index / "CURRENT").write_text(generation)
            seal_tree(partial)
            os.replace(partial, destination)  # also over an empty folder
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        copy = Library(LibraryConfig(destination, model=self.config.model), self.embedder)
        try:
            return copy.stats()
        finally:
            copy.close()

    def get(self, article_id: int) -> Article:
        article = self.store.get_article(article_id)
        if article is None:
            raise NotFound(f"there is no article with id {article_id}")
        return article

    def list(self, offset: int = 0, limit: int = 20) -> list[Article]:
        return self.store.list_articles(offset, limit)

    def stats(self) -> Stats:
        articles, passages, languages = self.store.counts()
        snapshot = self._current()
        return Stats(
            articles=articles,
            passages=passages,
            vectors=len(snapshot.vectors),
            model=snapshot.model,
            dimension=snapshot.dimension,
            languages=languages,
            data_dir=str(self.data_dir),
        )

    def close(self) -> None:
        self.store.close()


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


def _split(flat: np.ndarray, counts: list[int]) -> list[np.ndarray]:
    """Consecutive row blocks of `flat`, `counts[i]` rows each."""
    bounds = np.cumsum([0, *counts])
    return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
