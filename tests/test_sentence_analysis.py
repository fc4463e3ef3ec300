"""The sentence analysis stored with each article (index.sentence_analysis): exactly what answer
selection would compute, on both backends; computed at ask time where it is missing or of other
rules; stored for older libraries by `articlebot analyze`, and again by `rebuild`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index import sentence_analysis, sentences
from index.analysis_backfill import backfill
from index.cli import main
from index.library import Library
from index.models import Hit
from index.sentence_analysis import VERSION, Analysis, analyze_sentences, decode, encode
from index.sentences import ArticleSentences
from tests.conftest import SEED_DE
from tests.test_storage import ARTICLE_EN, FERRY, make_library

BACKENDS = ["embedded", "qdrant"]


@pytest.fixture(params=BACKENDS)
def library(request: pytest.FixtureRequest, tmp_path: Path) -> Library:
    lib = make_library(request.param, tmp_path)
    for text in (SEED_DE.read_text(encoding="utf-8"), ARTICLE_EN, FERRY):
        lib.add_text(text)
    yield lib
    lib.close()


def _computed(library: Library, article_id: int) -> Analysis:
    passages = library.backend.article_passages(article_id)
    text = library.backend.article_text(article_id) or ""
    spans = sorted({(p.start + a, p.start + b) for p in passages for a, b in p.sentences})
    return analyze_sentences(text, spans, passages[0].language)


def _built(library: Library, article_id: int, analysis: Analysis | None) -> ArticleSentences:
    backend = library.backend
    passages = backend.article_passages(article_id)
    article = backend.get_article(article_id)
    assert article is not None
    return ArticleSentences.build(
        article_id,
        passages[0].language,
        backend.article_text(article_id) or "",
        passages,
        library._stored_or_encoded(passages),
        article.title,
        analysis,
    )


def test_the_stored_analysis_is_what_ask_time_computes(library: Library) -> None:
    for article in library.list():
        stored = decode(library.backend.sentence_analysis(article.id))
        assert stored is not None, article.title
        assert stored == _computed(library, article.id)
        with_stored = _built(library, article.id, stored)
        computed = _built(library, article.id, None)
        assert with_stored.spans == stored.spans
        assert (with_stored.terms, with_stored.keys) == (computed.terms, computed.keys)
        assert with_stored.frequency == computed.frequency
        assert any(k.parts for k in stored.keys) == (article.language == "de")


def test_answering_reads_the_stored_analysis(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = library.ask("How much will the bridge cost?")
    library._articles.clear()

    def refuse(*args: object) -> Analysis:
        raise AssertionError("analyzed at ask time")

    monkeypatch.setattr(sentences, "analyze_sentences", refuse)
    answer = library.ask("How much will the bridge cost?")
    assert "40 million euros" in answer.quote and answer.quote == expected.quote


def test_another_version_or_damage_is_computed_again(library: Library) -> None:
    article = next(a for a in library.list() if a.language == "de")
    data = library.backend.sentence_analysis(article.id)
    stored = decode(data)
    assert stored is not None
    older = sentence_analysis.zlib.decompress(data).replace(VERSION.encode(), b"0.0.old")
    assert decode(sentence_analysis.zlib.compress(older)) is None
    for bad in (b"", b"not zlib", sentence_analysis.zlib.compress(b"[1, 2]"), data[:-5]):
        assert decode(bad) is None
    # Spans that do not match (another chunking): the build computes its own.
    shifted = Analysis(tuple((a + 1, b) for a, b in stored.spans), stored.terms, stored.keys)
    assert _built(library, article.id, shifted).keys == _built(library, article.id, None).keys
    assert decode(encode(stored)) == stored


def _as_version_3(data: Path) -> None:
    with sqlite3.connect(data / "articles.db") as conn:
        conn.execute("DROP TABLE sentence_analysis")
        conn.execute("PRAGMA user_version = 3")


def test_an_older_library_is_analyzed_by_the_cli(tmp_path: Path) -> None:
    library = make_library("embedded", tmp_path)
    for text in (SEED_DE.read_text(encoding="utf-8"), ARTICLE_EN):
        library.add_text(text)
    question = "How much will the bridge cost?"
    expected = library.ask(question).quote
    library.close()
    data = tmp_path / "data"
    _as_version_3(data)
    older = make_library("embedded", tmp_path)  # upgraded in place: analyses missing
    ids = sorted(a.id for a in older.list())
    assert older.backend.unanalyzed(VERSION) == ids
    assert older.ask(question).quote == expected  # computed at ask time
    older.close()
    environ = {"DATA_DIR": str(data)}
    assert main(["analyze"], environ) == 0
    again = make_library("embedded", tmp_path)
    assert again.backend.unanalyzed(VERSION) == []
    for article_id in ids:
        assert decode(again.backend.sentence_analysis(article_id)) == _computed(again, article_id)
    assert again.ask(question).quote == expected
    assert backfill(again.backend) == 0  # nothing left to do
    again.close()


def test_rebuild_stores_every_analysis_again(library: Library) -> None:
    article = library.list()[0]
    library.backend.put_sentence_analysis("0.0.old", [(article.id, b"stale")])
    assert library.backend.unanalyzed(VERSION) == [article.id]
    library.rebuild()
    assert library.backend.unanalyzed(VERSION) == []
    assert decode(library.backend.sentence_analysis(article.id)) == _computed(library, article.id)


def test_a_deleted_article_takes_its_analysis_along(library: Library) -> None:
    article = library.list()[0]
    library.delete(article.id)
    assert library.backend.sentence_analysis(article.id) is None
    library.backend.put_sentence_analysis(VERSION, [(article.id, b"late")])  # left out
    assert library.backend.sentence_analysis(article.id) is None
    assert article.id not in library.backend.unanalyzed("")


def test_the_hit_language_is_the_passages(library: Library) -> None:
    """The cache builds each article with its hit's passage language: the analysis uses the
    passages' too (the article's own), so both agree."""
    answer = library.ask("Wie viel kostet die Brücke?")
    for hit in answer.hits:
        assert isinstance(hit, Hit) and hit.passage.language == hit.article.language


def test_a_stopping_bot_stops_its_warm_up_and_waits_for_it(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot's stop waits for its warm-up (bot.warming): a daemon thread left inside native
    code when the interpreter exits aborts the process. Storing analyses stops between batches
    (what is left is stored at the next start), and no warm-up of a library whose bot is
    stopping starts (a stop while the library was still opening)."""
    from bot import warming
    from index import analysis_backfill

    ids = sorted(a.id for a in library.list())
    assert len(ids) >= 2
    library.backend.put_sentence_analysis("0.0.old", [(i, b"stale") for i in ids])
    monkeypatch.setattr(analysis_backfill, "BATCH", 1)  # one article a batch
    warm = warming.WarmUp(library, ["de"], reader=False)
    check = warm._check

    def stop_after_the_first(done: int, total: int) -> None:  # the stop comes meanwhile
        warm._stop.set()
        check(done, total)

    monkeypatch.setattr(warm, "_check", stop_after_the_first)
    warm.start().thread.join(timeout=120)
    assert len(library.backend.unanalyzed(VERSION)) == len(ids) - 1  # one batch, then stopped
    assert warming._RUNNING == []  # a warm-up that ended is no longer waited for

    warming.stop_all(library)
    late = warming.WarmUp(library, ["de"], reader=False).start()  # the library was opening
    assert not late.thread.is_alive() and late.thread.ident is None  # never started
    warming._STOPPED.discard(library)  # (the fixture's library is used on; a bot's is closed)
    again = warming.WarmUp(library, ["de"], reader=False).start()
    again.thread.join(timeout=120)
    assert library.backend.unanalyzed(VERSION) == []


def test_the_bot_stores_stale_analyses_in_the_background_at_start(library: Library) -> None:
    """After an upgrade changes the rules (another VERSION), the bot's start stores the
    analyses again, as `articlebot analyze` would, without blocking its start."""
    import threading

    from bot.app import prepare_library

    ids = sorted(a.id for a in library.list())
    library.backend.put_sentence_analysis("0.0.old", [(i, b"stale") for i in ids])
    assert library.backend.unanalyzed(VERSION) == ids
    prepare_library(library)
    for thread in threading.enumerate():
        if thread.name == "warm-up":
            thread.join(timeout=120)
    assert library.backend.unanalyzed(VERSION) == []
    for article_id in ids:
        assert decode(library.backend.sentence_analysis(article_id)) == _computed(
            library, article_id
        )
