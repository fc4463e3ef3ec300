"""Compound parts in BM25 terms (index/lexical.py): a German question meets a passage's compound
through a part both share, in the query and in the stored passage terms, which are made again
where a library stored them without the parts (or by other stemmer and lemmatizer releases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import lexical
from index.embedder import HashEmbedder
from index.lexical import TERMS, LexicalIndex, analyze, passage_terms, query_terms
from index.library import Library, LibraryConfig


def test_german_query_terms_hold_the_parts_of_compounds() -> None:
    terms = query_terms("Wo findet man die Radonkarte?", "de")
    assert set(analyze("Radon Karte", "de")) <= set(terms)
    assert terms[: len(analyze("Wo findet man die Radonkarte?", "de"))] == analyze(
        "Wo findet man die Radonkarte?", "de"
    )


def test_english_query_terms_are_analyze_terms() -> None:
    question = "Where can the radon map be found?"
    assert query_terms(question, "en") == analyze(question, "en")


BREXIT_DE = (
    "Brexit: Das Unterhaus billigt den Abänderungsantrag\n\n"
    "Das britische Unterhaus hat in London mit 321 zu 299 Stimmen einen Abänderungsantrag der "
    "Opposition gebilligt. Die Regierung wollte das verhindern."
)


def test_german_passage_terms_hold_the_parts_of_compounds() -> None:
    """A passage's compounds are split too, so a question meets them through a part both share:
    "Änderungsantrag" finds "Abänderungsantrag", "Gericht" finds "Landgericht"."""
    passages = [
        (1, "Die Opposition brachte einen Abänderungsantrag ein.", "de"),
        (2, "Das Landgericht Potsdam verhandelt seit Montag.", "de"),
        (3, "Der Landtag tagt am Mittwoch wieder.", "de"),
    ]
    index = LexicalIndex.from_terms((i, lang, passage_terms(t, lang)) for i, t, lang in passages)
    assert list(index.search("Wer stellte den Änderungsantrag?", 3)) == [1]
    assert list(index.search("Welches Gericht?", 3)) == [2]
    terms = passage_terms(passages[0][1], "de")
    assert terms[: len(analyze(passages[0][1], "de"))] == analyze(passages[0][1], "de")
    assert "antrag" in terms and terms.count("abanderungsantrag") == 1  # parts, not the word again
    # German compounds worth splitting are nouns: an adjective ending in a word by chance is not.
    assert passage_terms("Die politische Lage", "de") == analyze("Die politische Lage", "de")


def test_english_passage_terms_are_analyze_terms() -> None:
    text = "The city council approved the construction of a new bridge."
    assert passage_terms(text, "en") == analyze(text, "en")


def test_the_terms_version_records_the_stemmer_and_lemmatizer_releases(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another PyStemmer or simplemma may stem or lemmatize otherwise: stored terms made by
    another release are of another version, made again as an upgrade's are (below)."""
    monkeypatch.setattr(lexical, "installed", lambda name: "1.0")
    before = lexical._terms_version()
    monkeypatch.setattr(lexical, "installed", lambda name: "2.0" if name == "simplemma" else "1.0")
    assert lexical._terms_version() != before
    monkeypatch.setattr(lexical, "installed", lambda name: "2.0" if name == "PyStemmer" else "1.0")
    assert lexical._terms_version() != before
    monkeypatch.setattr(lexical, "installed", lambda name: "1.0.7")  # a patch release: the same
    assert lexical._terms_version() == before


def test_passage_terms_stored_without_compound_parts_are_made_again(tmp_path: Path) -> None:
    """A library whose stored BM25 terms are of the version before compound parts: its indexes
    split the compounds when they load and store the terms so made (the next start reads them;
    a library this small writes no checkpoint that would hold them), and so does `rebuild`."""
    config = LibraryConfig(tmp_path / "data")
    library = Library(config, embedder=HashEmbedder())
    library.add_text(BREXIT_DE)
    (pid,) = library.store.passage_ids()
    old = " ".join(analyze(BREXIT_DE, "de"))  # as the version before stored them

    def stored() -> tuple[int, str]:
        with library.store.reading() as conn:
            return conn.execute("SELECT analyzer, terms FROM passage_terms").fetchone()

    def downgrade() -> None:
        with library.store.transaction() as conn:
            conn.execute("UPDATE passage_terms SET analyzer = ?, terms = ?", (TERMS - 1, old))

    downgrade()
    library.close()
    library = Library(config, embedder=HashEmbedder())
    assert list(library._current().lexical.search("Wer stellte den Änderungsantrag?", 5)) == [pid]
    library.backend._storing.join()  # stored on a thread of its own: questions never wait
    version, terms = stored()
    assert version == TERMS and "antrag" in terms.split()
    downgrade()
    library.rebuild()
    version, terms = stored()
    assert version == TERMS and "antrag" in terms.split()
    library.close()


def test_terms_made_again_that_cannot_be_stored_leave_the_library_answering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Storing the terms made again is only a speed-up: with the write lock held elsewhere the
    library loads and searches all the same, says so once, and stores them at a later start."""
    import contextlib
    import logging

    from index.errors import LockBusy
    from index.storage import embedded_analysis

    config = LibraryConfig(tmp_path / "data")
    library = Library(config, embedder=HashEmbedder())
    library.add_text(BREXIT_DE)
    (pid,) = library.store.passage_ids()
    with library.store.transaction() as conn:
        conn.execute("UPDATE passage_terms SET analyzer = ?", (TERMS - 1,))
    library.close()

    @contextlib.contextmanager
    def busy(*_: object, **__: object):  # noqa: ANN202 - a stand-in for locking.write_lock
        raise LockBusy("another process is writing")
        yield

    monkeypatch.setattr(embedded_analysis, "write_lock", busy)
    with caplog.at_level(logging.WARNING):
        library = Library(config, embedder=HashEmbedder())
        found = list(library._current().lexical.search("Wer stellte den Änderungsantrag?", 5))
        library.backend._storing.join()
    assert found == [pid]
    assert "could not store the BM25 terms made again" in caplog.text
    with library.store.reading() as conn:
        assert conn.execute("SELECT analyzer FROM passage_terms").fetchone()[0] == TERMS - 1
    library.close()
    monkeypatch.undo()
    library = Library(config, embedder=HashEmbedder())
    library._current()
    library.backend._storing.join()
    with library.store.reading() as conn:
        assert conn.execute("SELECT analyzer FROM passage_terms").fetchone()[0] == TERMS
    library.close()


def test_a_question_does_not_wait_for_a_writer_to_store_terms_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terms made again are stored on a thread of their own: while another write holds the
    lock, the library loads and answers; the terms are stored once the write is done."""
    import threading

    from index.storage import embedded_analysis

    config = LibraryConfig(tmp_path / "data")
    library = Library(config, embedder=HashEmbedder())
    library.add_text(BREXIT_DE)
    with library.store.transaction() as conn:
        conn.execute("UPDATE passage_terms SET analyzer = ?", (TERMS - 1,))
    library.close()
    monkeypatch.setattr(embedded_analysis, "TERMS_WAIT", 60.0)
    library = Library(config, embedder=HashEmbedder())
    found: list[int] = []
    with library.backend._write:  # a write of this process going on
        asking = threading.Thread(
            target=lambda: found.extend(
                library._current().lexical.search("Wer stellte den Änderungsantrag?", 5)
            )
        )
        asking.start()
        asking.join(timeout=30)
        assert not asking.is_alive() and len(found) == 1  # answered while the write holds on
    library.backend._storing.join(timeout=30)
    with library.store.reading() as conn:
        assert conn.execute("SELECT analyzer FROM passage_terms").fetchone()[0] == TERMS
    library.close()
