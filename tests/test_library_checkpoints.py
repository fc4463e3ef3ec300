"""The library's index checkpoints, with the fast fake embedder: a lost or damaged one made again
from SQLite, a checkpoint and the changes after it making the live index, one of another history
or an unfit one not used, and the dense index becoming approximate past its threshold."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from tests.conftest import SEED_DE
from tests.test_library import ARTICLE_EN


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
