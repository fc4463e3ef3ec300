"""What the library stores beside the text, with the fast fake embedder: sentence vectors (so
asking embeds only the question, and a lost index is made again without the model), passage
vectors as their mean, and BM25 terms (so an add analyzes only the new text), with each article's
title in its first passage's terms."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from tests.conftest import SEED_DE
from tests.test_library import ARTICLE_EN


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
