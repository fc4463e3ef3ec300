"""Answer quality on real news pages (the dev set in ../shared/datasets/news/), end to end: pages
added by URL from a loopback server, every question asked as the CLI asks it. The floors sit a
few points under the figures measured for the README, so a change that makes answers worse on
real news fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.answer import product_config
from index.errors import BadInput
from index.evaluate_csv import evaluate_csv
from index.evaluate_news import evaluate_news, load
from index.library import LibraryConfig
from tests.conftest import SEED_DE, SHARED

pytestmark = pytest.mark.model
NEWS = SHARED / "news" / "questions.json"
# Measured (README, "Answers on real news", 2026-12-04), as the CLI answers: with the reader
# (READER=1, its weight and threshold: index.answer.product_config), answer_hit 0.806 (de 0.694,
# en 0.917; 0.660 with the ranker alone), right article first 0.993, out-of-corpus "not found"
# 0.875 (14 of 16), answerable "not found" 0.0625 (9 of 144).
FLOORS = {
    "answer_hit": 0.75,  # 8 below 0.806 (int8 adding, as the CLI): machines differ by 3
    "article_first": 0.95,
    "out_of_corpus_not_found": 0.81,  # one out-of-corpus question more answered fails
}
CEILINGS = {"abstained_answerable": 0.11}
# The two-turn chats (2026-12-05, with the reader; a follow-up's sentence chosen by its own words):
# follow-ups 9/10, new topics 9/10 (ranker alone, before: 6/10, 9/10); 10/10 each since where
# one is based or comes from is a kind the reader checks (2026-12-07, index.kindcheck). One below.
CHAT_FLOORS = {"follow_ups": 9, "new_topics": 9}


@pytest.fixture(scope="module")
def news(product_embedder, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN001, ANN201
    config = LibraryConfig(tmp_path_factory.mktemp("news"), answer=product_config())
    return evaluate_news(NEWS, embedder=product_embedder, config=config)


def test_news_quality_floors(news) -> None:  # noqa: ANN001
    assert news.pages == 36 and news.questions == 144 and news.out_of_corpus == 16
    for name, floor in FLOORS.items():
        assert getattr(news, name) >= floor, (name, getattr(news, name))
    for name, ceiling in CEILINGS.items():
        assert getattr(news, name) <= ceiling, (name, getattr(news, name))
    for name, floor in CHAT_FLOORS.items():
        right, _ = getattr(news, name).split("/")
        assert int(right) >= floor, (name, getattr(news, name))
    assert news.max_quote_chars <= 300
    assert set(news.answer_hit_by_language) >= {"de", "en"}


def test_the_news_format_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "q.json"
    bad.write_text(json.dumps({"data": []}))
    with pytest.raises(BadInput, match="news format"):
        load(bad)
    bad.write_text("{not json")
    with pytest.raises(BadInput, match="cannot read"):
        load(bad)


def test_csv_of_own_questions(tmp_path: Path, real_embedder) -> None:  # noqa: ANN001
    from index.library import Library, LibraryConfig

    library = Library(LibraryConfig(tmp_path / "data"), embedder=real_embedder)
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    questions = tmp_path / "mine.csv"
    questions.write_text(
        "question,answers\n"
        "Womit könnte Trump Kim an den Verhandlungstisch locken?,Sanktionen\n"
        "Wann hielt das Paar Gipfeltreffen ab?,2018 und 2019|2018\n"
        "Wer gewann die Fußball-Weltmeisterschaft 1954?,\n",
        encoding="utf-8",
    )
    report = evaluate_csv(questions, library)
    library.close()
    assert report.questions == 2 and report.unanswerable == 1
    assert report.answer_hit == 1.0
    assert report.unanswerable_not_found == 1.0


def test_csv_needs_its_columns(tmp_path: Path, hash_library) -> None:  # noqa: ANN001
    questions = tmp_path / "mine.csv"
    questions.write_text("frage;antwort\nx;y\n", encoding="utf-8")
    with pytest.raises(BadInput, match="question,answers"):
        evaluate_csv(questions, hash_library)
