"""The library with the fast fake embedder: storage, duplicates, deletion, index repair."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.embedder import HashEmbedder
from index.errors import BadInput
from index.library import Library, LibraryConfig
from tests.conftest import SEED_DE

ARTICLE_EN = """Council approves new bridge

The city council approved the construction of a new bridge over the river on Tuesday.
The bridge will cost 40 million euros and is expected to open in 2028.
Mayor Jane Doe said the project would cut commuting times by half.
Critics warned that the budget could rise further."""


def _reopen(library: Library) -> Library:
    library.close()
    return Library(library.config, embedder=HashEmbedder())


def _checkpointed(library: Library) -> None:
    library._current()
    assert library.backend.checkpoint()  # type: ignore[attr-defined]


def test_a_lost_or_damaged_checkpoint_is_made_again_from_sqlite(hash_library: Library) -> None:
    hash_library.add_text(ARTICLE_EN)
    expected = hash_library.ask("Who is the mayor?").quote
    _checkpointed(hash_library)
    index_dir = hash_library.data_dir / "index"
    name = (index_dir / "CURRENT").read_text().strip()
    for damage in (
        lambda name: (index_dir / name / "vectors.faiss").write_bytes(b"garbage"),
        lambda name: (index_dir / name / "bm25" / "en.npz").write_bytes(b"\0" * 100),
        lambda name: (index_dir / "CURRENT").write_bytes(b"\xff\xfe../../etc"),
        lambda name: shutil.rmtree(index_dir),
    ):
        hash_library = _reopen(hash_library)
        _checkpointed(hash_library)
        name = (index_dir / "CURRENT").read_text().strip()
        damage(name)
        library = _reopen(hash_library)
        assert library.ask("Who is the mayor?").quote == expected
        assert library.stats().vectors == library.stats().passages
        hash_library = library
    hash_library.close()


def test_a_checkpoint_and_the_changes_after_it_make_the_live_index(hash_library: Library) -> None:
    """Start-up loads the checkpoint and applies only what was logged after it."""
    first = hash_library.add_text(ARTICLE_EN).article
    hash_library.add_text("Ferry news\n\nThe new ferry will run every hour from May.")
    _checkpointed(hash_library)
    hash_library.delete(first.id)
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    library = _reopen(hash_library)
    library._current()
    live = library.backend._live  # type: ignore[attr-defined]
    assert live.from_checkpoint and live.seq == library.store.head()[0]
    stats = library.stats()
    assert stats.articles == 2 and stats.vectors == stats.passages
    assert "every hour" in library.ask("How often will the new ferry run?").quote
    assert all(h.article.id != first.id for h in library.ask("What will the bridge cost?").hits)
    library.close()


def test_a_checkpoint_of_another_history_is_not_used(hash_library: Library, tmp_path: Path) -> None:
    """A database restored from a backup next to a newer checkpoint: the checkpoint's last
    change is not in this database's log, so the indexes are made from SQLite."""
    hash_library.add_text(ARTICLE_EN)
    hash_library.backup(tmp_path / "old")
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    _checkpointed(hash_library)
    hash_library.close()
    shutil.copy(tmp_path / "old" / "articles.db", hash_library.data_dir / "articles.db")
    for suffix in ("-wal", "-shm"):
        (hash_library.data_dir / f"articles.db{suffix}").unlink(missing_ok=True)
    restored = Library(hash_library.config, embedder=HashEmbedder())
    restored.add_text("Ferry news\n\nThe new ferry will run every hour from May.")
    stats = restored.stats()
    assert stats.articles == 2 and stats.vectors == stats.passages
    assert not restored.backend._live.from_checkpoint  # type: ignore[attr-defined]
    restored.close()


def test_an_unfit_checkpoint_is_said_once_and_removed(
    hash_library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    """A checkpoint of BM25 terms of an older version (an upgrade changed lexical.TERMS) is
    refused with its reason and removed: a library too small to write a newer one refused it,
    and warned, at every start."""
    hash_library.add_text(ARTICLE_EN)
    expected = hash_library.ask("Who is the mayor?").quote
    _checkpointed(hash_library)
    index_dir = hash_library.data_dir / "index"
    name = (index_dir / "CURRENT").read_text().strip()
    manifest = index_dir / name / "manifest.json"
    raw = json.loads(manifest.read_text())
    raw["analyzer"] -= 1
    manifest.write_text(json.dumps(raw))
    with caplog.at_level(logging.WARNING):
        library = _reopen(hash_library)
        assert library.ask("Who is the mayor?").quote == expected
    said = [r.getMessage() for r in caplog.records if "checkpoint" in r.getMessage()]
    assert len(said) == 1 and f"BM25 terms of version {raw['analyzer']}" in said[0], said
    assert not (index_dir / "CURRENT").exists() and not (index_dir / name).exists()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        library = _reopen(library)
        assert library.ask("Who is the mayor?").quote == expected
    assert not [r for r in caplog.records if "checkpoint" in r.getMessage()]
    library.close()


def test_files_are_private(hash_library: Library) -> None:
    hash_library.add_text(ARTICLE_EN)
    assert os.stat(hash_library.data_dir).st_mode & 0o077 == 0
    assert os.stat(hash_library.data_dir / "articles.db").st_mode & 0o077 == 0


def test_another_process_sees_each_commit(tmp_path: Path) -> None:
    config = LibraryConfig(tmp_path / "data")
    reader = Library(config, embedder=HashEmbedder())
    writer = Library(config, embedder=HashEmbedder())
    assert reader.ask("bridge cost?").abstained
    article = writer.add_text(ARTICLE_EN).article
    assert "40 million" in reader.ask("How much will the bridge cost?").quote
    writer.delete(article.id)
    writer.add_text(SEED_DE.read_text(encoding="utf-8"))
    stats = reader.stats()
    assert stats.articles == 1 and stats.vectors == stats.passages
    assert reader.ask("How much will the bridge cost?").abstained


def test_agency_copies_are_found_across_processes(tmp_path: Path) -> None:
    """Each process's detector of copies follows the change log: a report stored by one writer
    is found when another adds a copy of it, and a copy recorded by one is known to the other."""
    config = LibraryConfig(tmp_path / "data")
    first, second = (Library(config, embedder=HashEmbedder()) for _ in range(2))
    second.add_text(ARTICLE_EN)  # its detector is made now, before the report exists
    seed = SEED_DE.read_text(encoding="utf-8")
    report = first.add_text(seed, source="dpa").article
    copy = seed + "\nMehr Nachrichten aus der Region lesen Sie hier."
    recorded = second.add_text(copy, url="https://one.example/a", source="One")
    assert recorded.near_duplicate and recorded.article.id == report.id
    assert first.get(report.id).outlets == ("One",)
    again = first.add_text(copy + "\nQuelle: dpa", url="https://two.example/b", source="Two")
    assert again.near_duplicate and second.get(report.id).copies == 2
    first.delete(report.id)  # forgotten by the other's detector too
    assert second.add_text(copy, url="https://one.example/a").created
    first.close()
    second.close()


class CountingEmbedder(HashEmbedder):
    """HashEmbedder that records every text it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts, *, batch_size: int = 64):  # noqa: ANN001, ANN201
        self.texts.extend(texts)
        return super().encode(texts, batch_size=batch_size)


def _stored_sentence_vectors(library: Library) -> dict:
    return library.backend.sentence_vectors(sorted(library.store.passage_ids()))


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
    stored = _stored_sentence_vectors(hash_library)
    for pid, sentences in stored.items():
        mean = sentences.astype(np.float32).mean(axis=0)
        expected = mean / np.linalg.norm(mean)
        found = hash_library.backend.dense_search(expected, 1)
        assert found.keys() == {pid} and found[pid] == pytest.approx(1.0, abs=1e-3)


def test_a_lost_index_is_rebuilt_from_stored_vectors_without_the_model(tmp_path: Path) -> None:
    library = Library(LibraryConfig(tmp_path / "data"), embedder=CountingEmbedder())
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    library.add_text(ARTICLE_EN)
    question = "How much will the bridge cost?"
    before = library.ask(question)
    assert library.backend.checkpoint()  # type: ignore[attr-defined]
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


def test_a_question_too_long_is_refused_in_one_line(hash_library: Library) -> None:
    hash_library.add_text(ARTICLE_EN)
    body = ("Who is the mayor " * 60)[:999]
    longest = body[:-1] + "x?" if body.endswith(" ") else body + "?"  # 1,000 characters: answered
    assert len(" ".join(longest.split())) == 1000
    hash_library.ask(longest)
    too_long = "Who is the mayor " * 60 + "?"
    with pytest.raises(
        BadInput, match=r"^the question is too long: 1,021 characters, at most 1,000"
    ):
        hash_library.ask(too_long)
    with pytest.raises(BadInput, match="^question 2 is too long"):
        hash_library.ask_many(["Who is the mayor?", too_long])
    with pytest.raises(BadInput, match="^the previous question is too long"):
        hash_library.ask("Who is the mayor?", context=too_long)
    with pytest.raises(BadInput, match="^the question is too long"):
        hash_library.search(too_long)


def test_backup_is_a_complete_private_library(hash_library: Library, tmp_path: Path) -> None:
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    hash_library.add_text(ARTICLE_EN)
    stats = hash_library.backup(tmp_path / "backup")
    assert (stats.articles, stats.passages) == (2, hash_library.stats().passages)
    assert stats.vectors == stats.passages
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
    from index import vectors_mixin
    from index.lexical import LexicalIndex, passage_terms
    from index.storage import embedded

    analyzed: list[str] = []

    def counting(text: str, language: str, title: str | None = None) -> list[str]:
        analyzed.append(text)
        return passage_terms(text, language, title)

    monkeypatch.setattr(library_module, "passage_terms", counting)
    monkeypatch.setattr(vectors_mixin, "passage_terms", counting)  # rebuild
    monkeypatch.setattr(embedded, "passage_terms", counting)
    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    first = len(analyzed)
    assert first == len(library.store.passage_ids())
    analyzed.clear()
    library.add_text(ARTICLE_EN)
    assert len(analyzed) == len(library.store.passage_ids()) - first  # the new passages only
    question = "How much will the bridge cost?"
    answer = library.ask(question)
    # The same BM25 scores as an index analyzed from the texts, each article's first passage
    # with its title (lexical.passage_terms).
    rows = [(pid, text, language) for pid, text, language in library.store.iter_passages()]
    stored = library.store.passages([pid for pid, _, _ in rows])
    titles = {a.id: a.title for a in library.store.articles({1, 2}).values()}
    assert len(titles) == 2
    terms = [
        (p.id, p.language, passage_terms(p.text, p.language, titles[p.article_id]))
        if p.ordinal == 0
        else (p.id, p.language, passage_terms(p.text, p.language))
        for p in stored.values()
    ]
    assert library._current().lexical.search(question, 5) == LexicalIndex.from_terms(terms).search(
        question, 5
    )
    # Terms of an older analyzer (or none): made again from the text when the indexes load.
    with library.store.transaction() as conn:
        conn.execute("DELETE FROM passage_terms WHERE passage_id % 2 = 0")
        conn.execute("UPDATE passage_terms SET analyzer = ? WHERE passage_id % 3 = 0", (-1,))
    stale = sum(1 for pid, _, _ in rows if pid % 2 == 0 or pid % 3 == 0)
    library.close()
    analyzed.clear()
    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    assert library.ask(question).quote == answer.quote
    assert len(analyzed) == stale
    analyzed.clear()
    library.rebuild()
    assert len(analyzed) == len(library.store.passage_ids())  # rebuild: everything afresh
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


def test_the_dense_index_becomes_approximate_past_the_threshold(tmp_path: Path) -> None:
    from index.storage import StorageConfig

    config = LibraryConfig(tmp_path / "data", storage=StorageConfig(ann_threshold=12))
    library = Library(config, embedder=HashEmbedder())
    library.add_text(ARTICLE_EN)
    live = library.backend._live  # type: ignore[attr-defined]
    assert not live.vectors.approximate_kind
    for i in range(14):
        library.add_text(f"Report {i}\n\nThe harbour {i} received {i * 7} ships this year.")
    library.backend._checkpointing.join()  # type: ignore[attr-defined]
    assert live.vectors.approximate_kind and len(live.vectors) == library.stats().passages
    answer = library.ask("How much will the bridge cost?")
    assert "40 million" in answer.quote
    article = library.list()[0]
    library.delete(article.id)
    assert library.stats().vectors == library.stats().passages
    library.close()
    reopened = Library(config, embedder=HashEmbedder())  # from the checkpoint: IVF again
    assert reopened.ask("How much will the bridge cost?").quote == answer.quote
    assert reopened.backend._live.vectors.approximate_kind  # type: ignore[attr-defined]
    reopened.close()


def test_a_title_finds_its_article_where_the_text_names_the_story_otherwise(
    tmp_path: Path,
) -> None:
    """A headline's words are in its article's first passage's BM25 terms: on adding, when the
    indexes are made again from older stored terms, and after a rebuild."""
    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    body = (
        "The world's most visited museum welcomed 8.7 million people last year, its director "
        "said. Leaks and temperature swings threaten works of art.\n\n" * 12
    )
    added = library.add_text(body, title="Louvre says it is overwhelmed").article
    library.add_text("Pasted news\nThe harbour bridge will cost 40 million euros, the city said.")
    passages = library.store.passages(sorted(library.store.passage_ids()))
    firsts = [p.id for p in passages.values() if p.article_id == added.id and p.ordinal == 0]
    assert len([p for p in passages.values() if p.article_id == added.id]) > 1
    assert set(library._current().lexical.search("Louvre", 10)) == set(firsts)
    # Terms of an older version are made again, with the title, when the indexes load.
    with library.store.transaction() as conn:
        conn.execute("UPDATE passage_terms SET analyzer = ?", (1,))
    library.close()
    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    assert set(library._current().lexical.search("Louvre", 10)) == set(firsts)
    library.rebuild()
    assert set(library._current().lexical.search("Louvre", 10)) == set(firsts)
    library.close()


def test_a_title_the_pasted_text_still_holds_is_not_counted_twice() -> None:
    """Pasted text too short to lose its first line keeps it, the title: its words are in the
    passage once, with or without a Markdown heading's "#"."""
    from index.lexical import analyze, passage_terms

    for text in ("Harbour bridge costs\nIt costs more.", "# Harbour bridge costs\nIt costs more."):
        assert passage_terms(text, "en", "Harbour bridge costs") == analyze(text, "en")
    hashtag = "#MeToo moves Hollywood\nIt goes on."  # a title that starts with "#" itself
    assert passage_terms(hashtag, "en", "#MeToo moves Hollywood") == analyze(hashtag, "en")
    assert passage_terms("It costs more.", "en", "Harbour bridge") == analyze(
        "Harbour bridge\nIt costs more.", "en"
    )
