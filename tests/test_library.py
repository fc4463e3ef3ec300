"""The library with the fast fake embedder: private files, commits seen by other processes
(agency copies too), a bounded sentence cache, asking many questions or one too long, backups
(also while adding), the write lock held by another process, and a quiet log."""

from __future__ import annotations

import os
from pathlib import Path

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


def test_the_article_sentence_cache_stays_bounded(hash_library: Library) -> None:
    hash_library._articles._size = 1
    hash_library.add_text(SEED_DE.read_text(encoding="utf-8"))
    hash_library.add_text(ARTICLE_EN)
    for question in ("How much will the bridge cost?", "Womit lockt Trump Kim?", "Wer ist Putin?"):
        hash_library.ask(question)
        assert len(hash_library._articles._cache) <= 1


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


def test_index_builds_do_not_flood_the_log(
    hash_library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    """bm25s logs every index build at DEBUG on a logger it sets to DEBUG itself."""
    import logging

    with caplog.at_level(logging.DEBUG):
        hash_library.add_text(ARTICLE_EN)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("bm25s")] == []
