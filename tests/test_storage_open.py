"""Opening a library: it never writes (a read-only data dir, a full disk), damage and other
schema versions give one clear error, and the layout of older versions is upgraded."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from index.cli import main
from index.embedder import HashEmbedder
from index.errors import StorageError
from index.library import Library, LibraryConfig
from index.storage.schema import SCHEMA_VERSION
from tests.conftest import SEED_DE
from tests.test_storage import ARTICLE_EN

QUESTION = "How much will the bridge cost?"


def _library(data: Path) -> Library:
    return Library(LibraryConfig(data), embedder=HashEmbedder())


def _made(tmp_path: Path) -> tuple[Path, str]:
    data = tmp_path / "data"
    library = _library(data)
    library.add_text(ARTICLE_EN)
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    quote = library.ask(QUESTION).quote
    library.close()
    return data, quote


def _files(data: Path) -> dict[str, str]:
    """Every file but SQLite's own -wal/-shm bookkeeping, with a digest of its content."""
    return {
        str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(data.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def test_opening_and_reading_write_nothing(tmp_path: Path) -> None:
    """E.g. a backup being checked, or a library on a disk that is full: asking, stats and
    listing change no file and make none."""
    data, quote = _made(tmp_path)
    shutil.rmtree(data / "index", ignore_errors=True)  # e.g. a copy of articles.db alone
    before = _files(data)
    library = _library(data)
    assert library.ask(QUESTION).quote == quote
    assert library.stats().articles == 2 and len(library.list()) == 2
    library.close()
    assert _files(data) == before


def test_a_read_only_library_answers_and_refuses_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, quote = _made(tmp_path)
    before = _files(data)
    # As root (the test machine) no mode makes a file unwritable: say the disk is read-only.
    monkeypatch.setattr("index.storage.schema.writable", lambda path: False)
    library = _library(data)
    assert library.store.read_only
    assert library.ask(QUESTION).quote == quote
    assert library.stats().passages == library.stats().vectors > 0
    with pytest.raises(StorageError, match="read-only"):
        library.add_text("Another article.\n\nIt is about the harbour and its ferries.")
    with pytest.raises(StorageError, match="read-only"):
        library.delete(library.list()[0].id)
    library.close()
    assert _files(data) == before


def test_a_damaged_database_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _ = _made(tmp_path)
    (data / "articles.db").write_bytes(b"this is not a database" * 200)
    for suffix in ("-wal", "-shm"):
        (data / f"articles.db{suffix}").unlink(missing_ok=True)
    with pytest.raises(StorageError, match="damaged or not an articlebot database"):
        _library(data)
    assert main(["stats", "--data-dir", str(data)], environ={}) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("articlebot: error: ") and "backup" in err[0]


def test_a_database_of_a_newer_schema_says_what_to_do(tmp_path: Path) -> None:
    data, _ = _made(tmp_path)
    with sqlite3.connect(data / "articles.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StorageError, match="schema version 99.*upgrade articlebot"):
        _library(data)


def _as_older_layout(data: Path) -> None:
    """The layout before schema versions: no passage_vectors, changes or meta; user_version
    0; the indexes in index/gen-* named by index/CURRENT."""
    with sqlite3.connect(data / "articles.db") as conn:
        for table in ("passage_vectors", "changes", "meta"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("PRAGMA user_version = 0")
    for child in (data / "index").glob("*"):
        child.unlink() if child.is_file() else None
    (data / "index").mkdir(exist_ok=True)
    (data / "index" / "gen-000007").mkdir()
    (data / "index" / "gen-000007" / "vectors.faiss").write_bytes(b"old FAISS file")
    (data / "index" / "CURRENT").write_text("gen-000007")


def test_an_older_library_is_upgraded_in_place(tmp_path: Path) -> None:
    data, quote = _made(tmp_path)
    _as_older_layout(data)
    library = _library(data)
    assert library.ask(QUESTION).quote == quote
    stats = library.stats()
    assert stats.articles == 2 and stats.vectors == stats.passages
    library.add_text("Ferry news\n\nThe new ferry will run every hour from May.")
    assert "every hour" in library.ask("How often will the new ferry run?").quote
    library.close()
    with sqlite3.connect(data / "articles.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def _as_version_2(data: Path) -> None:
    """The layout of schema version 2: no publication provenance, no signatures, no copies;
    an article without a date of its own."""
    with sqlite3.connect(data / "articles.db") as conn:
        conn.execute("DROP TABLE signatures")
        conn.execute("DROP TABLE copies")
        conn.execute("ALTER TABLE articles DROP COLUMN published_from")
        conn.execute("UPDATE articles SET published = NULL WHERE language = 'en'")
        conn.execute("UPDATE articles SET published = '2018-06-12' WHERE language = 'de'")
        conn.execute("PRAGMA user_version = 2")


def test_a_version_2_library_gets_dates_and_signatures(tmp_path: Path) -> None:
    data, quote = _made(tmp_path)
    _as_version_2(data)
    library = _library(data)
    by_language = {a.language: a for a in library.list()}
    assert by_language["de"].published == "2018-06-12"
    assert by_language["de"].published_from == "page"
    english = by_language["en"]
    assert english.published == english.added_at[:10] and english.published_from == "added"
    assert library.ask(QUESTION).quote == quote
    # The articles stored before have signatures now: a copy of one is found.
    copy = library.add_text(ARTICLE_EN + "\nReporting by staff; Editing by the desk", source="Wire")
    assert not copy.created and copy.near_duplicate and copy.article.id == english.id
    library.close()


def test_an_older_library_on_a_read_only_disk_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = _made(tmp_path)
    _as_older_layout(data)
    monkeypatch.setattr("index.storage.schema.writable", lambda path: False)
    with pytest.raises(StorageError, match="schema version 0.*write access"):
        _library(data)


def test_another_application_s_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    """A DATA_DIR pointed at another application's articles.db (tables, version 0, no
    `articles`) is refused with one clear error, before anything is written to it: it was
    taken for the first layout, given articlebot's tables, version 4 and WAL."""
    import sqlite3

    from index.errors import StorageError
    from index.store import Store

    path = tmp_path / "articles.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    for read_only in (False, True):
        with pytest.raises(StorageError, match="not an articlebot database"):
            Store(path, read_only=read_only)
    with sqlite3.connect(path) as other:
        tables = {r[0] for r in other.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == {"users"}
        assert other.execute("PRAGMA user_version").fetchone()[0] == 0
        assert other.execute("PRAGMA journal_mode").fetchone()[0] != "wal"
