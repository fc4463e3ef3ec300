"""The library with the fast fake embedder: storage, duplicates, deletion, index repair."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.embedder import HashEmbedder
from index.errors import BadInput, IndexMismatch, NotFound
from index.library import Library, LibraryConfig
from index.quote import is_verbatim
from tests.conftest import SEED_DE

ARTICLE_EN = """Council approves new bridge

The city council approved the construction of a new bridge over the river on Tuesday.
The bridge will cost 40 million euros and is expected to open in 2028.
Mayor Jane Doe said the project would cut commuting times by half.
Critics warned that the budget could rise further."""


def test_add_ask_and_stats_agree(hash_library: Library) -> None:
    result = hash_library.add_text(SEED_DE.read_text(encoding="utf-8"), added_by="42")
    assert result.created and result.article.language == "de"
    assert result.article.added_by == "42"
    english = hash_library.add_text(ARTICLE_EN).article
    assert english.title == "Council approves new bridge" and english.language == "en"
    stats = hash_library.stats()
    assert stats.articles == 2
    assert stats.passages == stats.vectors > 2
    assert stats.languages == {"de": 1, "en": 1}
    answer = hash_library.ask("How much will the bridge cost?")
    assert not answer.abstained
    assert "40 million euros" in answer.quote
    assert answer.sources[0].article.id == english.id
    # The quote is the article's own words.
    assert is_verbatim(answer.quote, hash_library.store.article_text(english.id))


def test_duplicates_are_reported_not_stored(hash_library: Library) -> None:
    first = hash_library.add_text(ARTICLE_EN, url="https://news.example/a?utm_source=x")
    again = hash_library.add_text(ARTICLE_EN.replace("  ", " ").upper())
    same_url = hash_library.add_text(
        "Other title\nCompletely different text about cats.", url="https://NEWS.example/a"
    )
    assert not again.created and again.article.id == first.article.id
    assert not same_url.created and same_url.article.id == first.article.id
    assert hash_library.stats().articles == 1


def test_delete_removes_everything(hash_library: Library) -> None:
    article = hash_library.add_text(ARTICLE_EN).article
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    before = hash_library.stats()
    hash_library.delete(article.id)
    after = hash_library.stats()
    assert after.articles == 1
    assert after.passages == after.vectors == before.passages - article.passages
    snapshot = hash_library._current()
    assert hash_library.store.passage_ids() == snapshot.vectors.ids() == snapshot.lexical.ids()
    with pytest.raises(NotFound):
        hash_library.delete(article.id)
    # Only the German article is left: nothing in it is about the bridge.
    answer = hash_library.ask("How much will the bridge cost?")
    assert answer.abstained and answer.quote == "" and answer.sources == ()


def test_bad_input_leaves_nothing(hash_library: Library) -> None:
    with pytest.raises(BadInput):
        hash_library.add_text("   ")
    with pytest.raises(BadInput):
        hash_library.ask("  \n ")
    assert hash_library.stats().articles == 0


def test_empty_library_abstains(hash_library: Library) -> None:
    answer = hash_library.ask("Who won the match?")
    assert answer.abstained and answer.quote == "" and answer.sources == ()


def _reopen(library: Library) -> Library:
    library.close()
    return Library(library.config, embedder=HashEmbedder())


def test_missing_index_is_rebuilt_from_sqlite(hash_library: Library) -> None:
    hash_library.add_text(ARTICLE_EN)
    expected = hash_library.ask("How much will the bridge cost?").quote
    shutil.rmtree(hash_library.data_dir / "index")
    library = _reopen(hash_library)
    stats = library.stats()
    assert stats.vectors == stats.passages > 0
    assert library.ask("How much will the bridge cost?").quote == expected


def test_corrupt_index_is_detected_and_rebuilt(hash_library: Library) -> None:
    hash_library.add_text(ARTICLE_EN)
    expected = hash_library.ask("Who is the mayor?").quote
    index_dir = hash_library.data_dir / "index"
    generation = (index_dir / "CURRENT").read_text().strip()
    (index_dir / generation / "vectors.faiss").write_bytes(b"garbage")
    library = _reopen(hash_library)
    assert library.ask("Who is the mayor?").quote == expected
    assert library.stats().vectors == library.stats().passages


def test_index_behind_sqlite_is_reconciled(hash_library: Library, tmp_path: Path) -> None:
    """A crash after SQLite committed but before the index was saved is repaired on open."""
    hash_library.add_text(ARTICLE_EN)
    index_dir = hash_library.data_dir / "index"
    saved = tmp_path / "old-index"
    shutil.copytree(index_dir, saved)
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    shutil.rmtree(index_dir)
    shutil.copytree(saved, index_dir)
    library = _reopen(hash_library)
    stats = library.stats()
    assert stats.articles == 2 and stats.vectors == stats.passages


def test_other_model_needs_rebuild(hash_library: Library) -> None:
    hash_library.add_text(ARTICLE_EN)
    hash_library.close()
    other = Library(hash_library.config, embedder=HashEmbedder(dimension=32))
    other.embedder.name = "another-model"  # type: ignore[misc]
    with pytest.raises(IndexMismatch, match="articlebot rebuild"):
        other.ask("bridge?")
    stats = other.rebuild()
    assert stats.model == "another-model" and stats.vectors == stats.passages


def test_files_are_private(hash_library: Library) -> None:
    hash_library.add_text(ARTICLE_EN)
    assert os.stat(hash_library.data_dir).st_mode & 0o077 == 0
    assert os.stat(hash_library.data_dir / "articles.db").st_mode & 0o077 == 0


def test_second_process_sees_new_generation(tmp_path: Path) -> None:
    config = LibraryConfig(tmp_path / "data")
    reader = Library(config, embedder=HashEmbedder())
    writer = Library(config, embedder=HashEmbedder())
    assert reader.ask("bridge cost?").abstained
    writer.add_text(ARTICLE_EN)
    assert "40 million" in reader.ask("How much will the bridge cost?").quote


class CountingEmbedder(HashEmbedder):
    """HashEmbedder that records every text it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts, *, batch_size: int = 64):  # noqa: ANN001, ANN201
        self.texts.extend(texts)
        return super().encode(texts, batch_size=batch_size)


def _stored_sentence_vectors(library: Library) -> dict:
    ids = sorted(library.store.passage_ids())
    return library.store.sentence_vectors(ids, library.embedder.name, library.embedder.dimension)


def test_sentence_vectors_are_stored_when_adding_so_asking_embeds_only_the_question(
    tmp_path: Path,
) -> None:
    embedder = CountingEmbedder()
    library = Library(LibraryConfig(tmp_path / "data"), embedder=embedder)
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    library.add_text(ARTICLE_EN)
    passages = library.store.passages(sorted(library.store.passage_ids()))
    stored = _stored_sentence_vectors(library)
    assert set(stored) == set(passages)
    for pid, vectors in stored.items():
        p = passages[pid]
        assert vectors.shape == (len(p.sentences), embedder.dimension)
        expected = embedder.encode([p.text[a:b] for a, b in p.sentences])
        assert np.allclose(vectors, expected, atol=1e-3)  # float16 on disk
    library.close()

    embedder = CountingEmbedder()
    reopened = Library(LibraryConfig(tmp_path / "data"), embedder=embedder)
    answer = reopened.ask("How much will the bridge cost?")
    assert "40 million euros" in answer.quote
    assert embedder.texts == ["How much will the bridge cost?"]
    reopened.close()


def test_rebuild_and_delete_keep_sentence_vectors_in_step(hash_library: Library) -> None:
    article = hash_library.add_text(ARTICLE_EN).article
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    with hash_library.store.transaction() as conn:
        conn.execute("DELETE FROM sentence_vectors")  # e.g. a database from before they existed
    hash_library.rebuild()
    assert set(_stored_sentence_vectors(hash_library)) == hash_library.store.passage_ids()
    hash_library.delete(article.id)
    assert set(_stored_sentence_vectors(hash_library)) == hash_library.store.passage_ids()


def test_the_article_sentence_cache_stays_bounded(hash_library: Library) -> None:
    hash_library._articles._size = 1
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    hash_library.add_text(ARTICLE_EN)
    for question in ("How much will the bridge cost?", "Womit lockt Trump Kim?", "Wer ist Putin?"):
        hash_library.ask(question)
        assert len(hash_library._articles._cache) <= 1


def test_passage_vectors_are_the_mean_of_their_sentences(hash_library: Library) -> None:
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    snapshot = hash_library._current()
    stored = _stored_sentence_vectors(hash_library)
    for pid, sentences in stored.items():
        mean = sentences.astype(np.float32).mean(axis=0)
        expected = mean / np.linalg.norm(mean)
        assert snapshot.vectors.scores(expected, [pid])[pid] == pytest.approx(1.0, abs=1e-5)


def test_a_lost_index_is_rebuilt_from_stored_vectors_without_the_model(tmp_path: Path) -> None:
    library = Library(LibraryConfig(tmp_path / "data"), embedder=CountingEmbedder())
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    library.add_text(ARTICLE_EN)
    question = "How much will the bridge cost?"
    before = library.ask(question)
    library.close()
    shutil.rmtree(tmp_path / "data" / "index")
    embedder = CountingEmbedder()
    reopened = Library(LibraryConfig(tmp_path / "data"), embedder=embedder)
    after = reopened.ask(question)
    assert embedder.texts == [question]  # nothing re-embedded
    assert (after.quote, after.confidence) == (before.quote, before.confidence)
    assert [s.score for s in after.sources] == [s.score for s in before.sources]


def test_ask_many_answers_as_ask_does(hash_library: Library) -> None:
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    hash_library.add_text(ARTICLE_EN)
    questions = ["How much will the bridge cost?", "Womit lockt Trump Kim?", "Who is the mayor?"]
    many = hash_library.ask_many(questions)
    one_by_one = [hash_library.ask(q) for q in questions]
    assert [(a.quote, a.abstained, a.language) for a in many] == [
        (a.quote, a.abstained, a.language) for a in one_by_one
    ]
    assert hash_library.ask_many([]) == []
    with pytest.raises(BadInput, match="question 2 is empty"):
        hash_library.ask_many(["Who is the mayor?", "  \n "])


def _index_matches_database(data_dir: Path) -> bool:
    """The backup's live index generation was made from exactly its database's passages."""
    import json
    import sqlite3

    from index.snapshot import ids_digest

    generation = (data_dir / "index" / "CURRENT").read_text().strip()
    manifest = json.loads((data_dir / "index" / generation / "manifest.json").read_text())
    with sqlite3.connect(data_dir / "articles.db") as conn:
        ids = {row[0] for row in conn.execute("SELECT id FROM passages")}
    return manifest["ids_sha256"] == ids_digest(ids)


def test_backup_is_a_complete_private_library(hash_library: Library, tmp_path: Path) -> None:
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    hash_library.add_text(ARTICLE_EN)
    stats = hash_library.backup(tmp_path / "backup")
    assert (stats.articles, stats.passages) == (2, hash_library.stats().passages)
    assert _index_matches_database(tmp_path / "backup")
    assert os.stat(tmp_path / "backup").st_mode & 0o077 == 0
    assert os.stat(tmp_path / "backup" / "articles.db").st_mode & 0o077 == 0
    copy = Library(LibraryConfig(tmp_path / "backup"), embedder=HashEmbedder())
    question = "How much will the bridge cost?"
    assert copy.ask(question).quote == hash_library.ask(question).quote
    with pytest.raises(BadInput, match="not an empty folder"):
        hash_library.backup(tmp_path / "backup")
    assert not (tmp_path / ".backup.partial").exists()
    (tmp_path / "empty").mkdir()
    assert hash_library.backup(tmp_path / "empty").articles == 2  # an empty folder is fine


def test_backups_taken_during_adds_are_consistent(tmp_path: Path) -> None:
    import threading

    config = LibraryConfig(tmp_path / "data")
    writer = Library(config, embedder=HashEmbedder())
    writer.add_text(ARTICLE_EN)
    done = threading.Event()

    def add_many() -> None:
        for i in range(12):
            writer.add_text(f"Report {i}\n\nThe harbour {i} received {i * 7} ships this year.")
        done.set()

    thread = threading.Thread(target=add_many)
    thread.start()
    backups = 0
    other = Library(config, embedder=HashEmbedder())  # as a second process would
    while not done.is_set() or backups < 2:
        target = tmp_path / f"backup-{backups}"
        stats = other.backup(target)
        assert stats.passages == stats.vectors
        assert _index_matches_database(target)
        backups += 1
    thread.join()
    assert backups >= 2


def test_a_second_writer_gets_a_clear_message_while_the_lock_is_held(tmp_path: Path) -> None:
    import subprocess
    import sys

    from index.errors import LockBusy

    config = LibraryConfig(tmp_path / "data", lock_timeout=0.3)
    library = Library(config, embedder=HashEmbedder())
    library.add_text(ARTICLE_EN)
    holder = subprocess.Popen(  # another process (e.g. `articlebot rebuild`) writing
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from index.locking import write_lock\n"
            "with write_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(30)",
            str(tmp_path / "data" / "write.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy, match=f"another articlebot process \\(pid {holder.pid}\\)"):
            library.add_text(SEED_DE.read_text(encoding="utf-8"))
        assert library.stats().articles == 1  # nothing stored half
        assert "40 million" in library.ask("How much will the bridge cost?").quote  # reads go on
    finally:
        holder.kill()
        holder.wait()
    assert library.add_text(SEED_DE.read_text(encoding="utf-8")).created  # and writes resume


def test_bm25_terms_are_stored_so_an_add_analyzes_only_the_new_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index import library as library_module
    from index.lexical import ANALYZER, LexicalIndex, analyze

    analyzed: list[str] = []

    def counting(text: str, language: str) -> list[str]:
        analyzed.append(text)
        return analyze(text, language)

    monkeypatch.setattr(library_module, "analyze", counting)
    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    first = len(analyzed)
    assert first == len(library.store.passage_ids())
    analyzed.clear()
    library.add_text(ARTICLE_EN)
    assert len(analyzed) == len(library.store.passage_ids()) - first  # the new passages only
    question = "How much will the bridge cost?"
    answer = library.ask(question)
    # The same BM25 scores as an index analyzed from the texts.
    stored = library._current().lexical.search(question, 5)
    assert stored == LexicalIndex.build(library.store.iter_passages()).search(question, 5)
    # A library from before terms were stored (or of an older analyzer): made again once.
    with library.store.transaction() as conn:
        conn.execute("DELETE FROM passage_terms WHERE passage_id % 2 = 0")
        conn.execute("UPDATE passage_terms SET analyzer = ? WHERE passage_id % 3 = 0", (-1,))
    stale = sum(1 for _, _, terms, _ in library.store.iter_terms(ANALYZER) if terms is None)
    assert stale > 0
    analyzed.clear()
    before = len(library.store.passage_ids())
    library.add_text("A third article. It is short. The ferry will run every hour from May.")
    assert len(analyzed) == stale + len(library.store.passage_ids()) - before
    analyzed.clear()
    library.rebuild()
    assert len(analyzed) == len(library.store.passage_ids())  # rebuild: everything afresh
    rows = list(library.store.iter_terms(ANALYZER))
    assert all(terms is not None for _, _, terms, _ in rows)
    assert library.ask(question).quote == answer.quote
    library.close()


def test_index_builds_do_not_flood_the_log(
    hash_library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    """bm25s logs every index build at DEBUG on a logger it sets to DEBUG itself."""
    import logging

    with caplog.at_level(logging.DEBUG):
        hash_library.add_text(ARTICLE_EN)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("bm25s")] == []
