"""One library suite, run on every storage backend (the embedded default and Qdrant's local
mode). To run it against a real Qdrant server: QDRANT_TEST_URL=http://host:6333 (and
QDRANT_TEST_API_KEY) make the `qdrant` case use that server instead (see README)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embedder import HashEmbedder
from index.errors import BadInput, IndexMismatch, NotFound
from index.library import Library, LibraryConfig
from index.quote import is_verbatim
from index.storage import StorageConfig
from tests.conftest import SEED_DE

ARTICLE_EN = """Council approves new bridge

The city council approved the construction of a new bridge over the river on Tuesday.
The bridge will cost 40 million euros and is expected to open in 2028.
Mayor Jane Doe said the project would cut commuting times by half.
Critics warned that the budget could rise further."""

FERRY = """Ferry timetable changes

The harbour authority said the new ferry will run every hour from May.
Tickets will cost twelve euros for adults and six euros for children."""

BACKENDS = ["embedded", "qdrant"]
SAME_EVENT = Path(__file__).parent / "fixtures" / "same_event.json"


def storage_config(backend: str, tmp_path: Path) -> StorageConfig:
    if backend == "embedded":
        return StorageConfig()
    url = os.environ.get("QDRANT_TEST_URL")
    collection = f"articlebot_test_{uuid.uuid4().hex[:12]}"
    if url:  # a real server: a fresh collection per test
        return StorageConfig(
            backend="qdrant",
            qdrant_url=url,
            qdrant_api_key=os.environ.get("QDRANT_TEST_API_KEY"),
            qdrant_collection=collection,
        )
    return StorageConfig(
        backend="qdrant", qdrant_path=tmp_path / "qdrant", qdrant_collection=collection
    )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def make_library(backend: str, tmp_path: Path, embedder: HashEmbedder | None = None) -> Library:
    config = LibraryConfig(tmp_path / "data", storage=storage_config(backend, tmp_path))
    return Library(config, embedder=embedder or HashEmbedder())


@pytest.fixture
def library(backend: str, tmp_path: Path) -> Iterator[Library]:
    lib = make_library(backend, tmp_path)
    yield lib
    lib.close()
    config = lib.config.storage
    if config.qdrant_url:  # a real server: remove this test's collections
        from qdrant_client import QdrantClient

        client = QdrantClient(url=config.qdrant_url, api_key=config.qdrant_api_key)
        for collection in client.get_collections().collections:
            if collection.name.startswith(config.qdrant_collection):
                client.delete_collection(collection.name)


def test_add_ask_and_stats_agree(library: Library) -> None:
    german = library.add_text(SEED_DE.read_text(encoding="utf-8"), added_by="42")
    assert german.created and german.article.language == "de" and german.article.added_by == "42"
    english = library.add_text(ARTICLE_EN).article
    assert english.title == "Council approves new bridge" and english.language == "en"
    stats = library.stats()
    assert (stats.articles, stats.languages) == (2, {"de": 1, "en": 1})
    assert stats.passages == stats.vectors > 2
    assert library.backend.searched() == stats.passages  # what the confidence is discounted by
    answer = library.ask("How much will the bridge cost?")
    assert not answer.abstained and "40 million euros" in answer.quote
    assert answer.sources[0].article.id == english.id
    # The quote is the article's own words (and the backend gives the article back whole).
    assert is_verbatim(answer.quote, library.backend.article_text(english.id) or "")
    assert [p.ordinal for p in library.backend.article_passages(english.id)] == list(
        range(english.passages)
    )
    assert library.get(english.id).title == english.title
    assert [a.id for a in library.list()] == [english.id, german.article.id]  # newest first


def test_duplicates_are_reported_not_stored(library: Library) -> None:
    first = library.add_text(ARTICLE_EN, url="https://news.example/a?utm_source=x")
    again = library.add_text(ARTICLE_EN.replace("  ", " ").upper())
    same_url = library.add_text("Other\nCompletely different text.", url="https://NEWS.example/a")
    assert not again.created and again.article.id == first.article.id
    assert not same_url.created and same_url.article.id == first.article.id
    assert library.stats().articles == 1


def test_delete_removes_everything(library: Library) -> None:
    article = library.add_text(ARTICLE_EN).article
    library.add_text(FERRY)
    before = library.stats()
    library.delete(article.id)
    after = library.stats()
    assert after.articles == 1
    assert after.passages == after.vectors == before.passages - article.passages
    with pytest.raises(NotFound):
        library.delete(article.id)
    with pytest.raises(NotFound):
        library.get(article.id)
    answer = library.ask("How much will the bridge cost?")
    assert all(s.article.id != article.id for s in answer.sources)
    assert all(h.article.id != article.id for h in answer.hits)
    assert "every hour" in library.ask("How often will the new ferry run?").quote


def test_bad_input_leaves_nothing(library: Library) -> None:
    with pytest.raises(BadInput):
        library.add_text("   ")
    with pytest.raises(BadInput):
        library.ask("  \n ")
    assert library.stats().articles == 0
    answer = library.ask("Who won the match?")  # an empty library abstains
    assert answer.abstained and answer.sources == ()


def test_follow_up_uses_the_context(library: Library) -> None:
    library.add_text(ARTICLE_EN)
    library.add_text(FERRY)
    answer = library.ask("And when will it open?", context="the new bridge over the river")
    assert "2028" in answer.quote


def test_each_language_is_searched_by_its_own_rules(library: Library) -> None:
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    library.add_text(ARTICLE_EN)
    hits = library.search("Womit lockt Trump Kim?", k=3)
    assert hits and hits[0].article.language == "de"
    # One language's index alone (a story's later reports are looked for in its language).
    both = library.backend.lexical_search("Trump bridge Kim council", 10)
    english = library.backend.lexical_search("Trump bridge Kim council", 10, "en")
    language = {
        pid: library.get(passage.article_id).language
        for pid, passage in library.backend.passages(list(both)).items()
    }
    assert set(language.values()) == {"de", "en"}
    assert english and set(english) == {pid for pid in both if language[pid] == "en"}


def test_rebuild_after_a_model_change(library: Library, backend: str, tmp_path: Path) -> None:
    library.add_text(ARTICLE_EN)
    library.add_text(FERRY)
    config = library.config
    library.close()
    other_model = HashEmbedder(dimension=32)
    other_model.name = "another-model"  # type: ignore[misc]
    other = Library(config, embedder=other_model)
    try:
        with pytest.raises(IndexMismatch, match="articlebot rebuild"):
            other.ask("bridge?")
        stats = other.rebuild()
        assert (stats.model, stats.dimension) == ("another-model", 32)
        assert stats.vectors == stats.passages > 0
        assert "40 million" in other.ask("How much will the bridge cost?").quote
    finally:
        other.close()


def _agency_copy(text: str) -> str:
    """What an outlet makes of an agency report: a dateline, its own last line, the end cut."""
    title, _, body = text.partition("\n")
    paragraphs = [p for p in body.split("\n") if p.strip()]
    kept = paragraphs[: max(1, len(paragraphs) - 1)]
    return "\n".join([title, "BERLIN (dpa) - " + kept[0], *kept[1:], "Mehr dazu lesen Sie hier."])


def test_an_agency_copy_is_recorded_as_another_source(library: Library) -> None:
    seed = SEED_DE.read_text(encoding="utf-8")
    original = library.add_text(seed, url="https://agency.example/trump-kim", source="dpa")
    copy_text = _agency_copy(seed)
    copy = library.add_text(copy_text, url="https://town.example/news/1", source="Town Paper")
    assert not copy.created and copy.article.id == original.article.id
    assert copy.near_duplicate is not None and 0.7 <= copy.near_duplicate <= 1.0
    assert copy.article.copies == 1 and copy.article.outlets == ("Town Paper",)
    assert library.stats().articles == 1
    # The copy again, by its text or its address: an exact duplicate, as today.
    again = library.add_text(copy_text)
    by_url = library.add_text("Other\nSomething else entirely.", url="https://town.example/news/1")
    for result in (again, by_url):
        assert not result.created and result.near_duplicate is None
        assert result.article.id == original.article.id and result.article.copies == 1
    # A second outlet is listed once more; one quote per report in answers.
    library.add_text(_agency_copy(seed) + "\nQuelle: AFP", url="https://city.example/2")
    article = library.get(original.article.id)
    assert article.copies == 2 and article.outlets == ("Town Paper", "city.example")
    answer = library.ask("Womit könnte Trump Kim an den Verhandlungstisch locken?")
    assert [s.article.id for s in answer.sources] == [original.article.id]
    assert answer.sources[0].article.outlets == ("Town Paper", "city.example")
    # Deleting the report forgets its copies: the copy is then an article of its own.
    library.delete(original.article.id)
    alone = library.add_text(copy_text, url="https://town.example/news/1")
    assert alone.created and alone.near_duplicate is None


def test_different_reports_of_one_event_are_never_merged(library: Library) -> None:
    pairs = json.loads(SAME_EVENT.read_text(encoding="utf-8"))["pairs"]
    for pair in pairs[:3]:
        a = library.add_text(pair["a"], title="A")
        b = library.add_text(pair["b"], title="B")
        assert a.created and b.created and b.near_duplicate is None
    assert library.stats().articles == 6


def test_an_update_with_a_new_figure_is_stored_apart(library: Library) -> None:
    first = library.add_text(
        "Storm in the north\nAt least 12 people died in the storm on Monday, the police said. "
        "Rescue teams searched the coast for missing fishermen through the night. The regional "
        "government declared a state of emergency and closed all schools until Wednesday."
    )
    update = library.add_text(
        "Storm in the north\nAt least 18 people died in the storm on Monday, the police said. "
        "Rescue teams searched the coast for missing fishermen through the night. The regional "
        "government declared a state of emergency and closed all schools until Wednesday."
    )
    assert update.created and update.article.id != first.article.id


def test_the_count_searched_follows_adds_and_deletes(library: Library) -> None:
    """The passages a question is searched among (what the confidence is discounted by): on
    Qdrant a count kept for a minute, but this process's own adds and deletes show at once."""
    assert library.backend.searched() == 0
    english = library.add_text(ARTICLE_EN).article
    assert library.backend.searched() == library.stats().passages > 0
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    assert library.backend.searched() == library.stats().passages
    library.delete(english.id)
    assert library.backend.searched() == library.stats().passages


def test_qdrant_asks_do_not_count_the_passages_each_time(tmp_path: Path) -> None:
    library = make_library("qdrant", tmp_path)
    library.add_text(ARTICLE_EN)
    counted = []
    count = library.backend.client.count
    # The approximate count is searched()'s alone (idf counts each term's passages exactly).
    library.backend.client.count = lambda *a, **k: counted.append(k.get("exact")) or count(*a, **k)
    for _ in range(3):
        library.ask("How much will the bridge cost?")
    library.close()
    assert counted.count(False) == 1, counted


def test_a_title_word_finds_the_first_passage_on_every_backend(library: Library) -> None:
    """An article's title is in its first passage's BM25 terms, added and rebuilt alike."""
    body = (
        "The world's most visited museum welcomed 8.7 million people last year, its director "
        "said. Leaks and temperature swings threaten works of art.\n\n" * 12
    )
    added = library.add_text(body, title="Louvre says it is overwhelmed").article
    library.add_text(ARTICLE_EN)
    passages = library.backend.article_passages(added.id)
    assert len(passages) > 1
    first = {p.id for p in passages if p.ordinal == 0}
    assert set(library._current().lexical.search("Louvre", 10)) == first
    library.rebuild()
    assert set(library._current().lexical.search("Louvre", 10)) == first


def test_a_qdrant_library_of_older_terms_asks_for_a_rebuild(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = LibraryConfig(tmp_path / "data", storage=storage_config("qdrant", tmp_path))
    library = Library(config, embedder=HashEmbedder())
    library.add_text(ARTICLE_EN)
    library.backend._set_meta(terms=1)  # as stored before titles entered the first passage
    library.close()
    with caplog.at_level("WARNING"):
        library = Library(config, embedder=HashEmbedder())
    assert "run `articlebot rebuild` once" in caplog.text
    library.rebuild()
    library.close()
    caplog.clear()
    with caplog.at_level("WARNING"):
        Library(config, embedder=HashEmbedder()).close()
    assert "rebuild" not in caplog.text
