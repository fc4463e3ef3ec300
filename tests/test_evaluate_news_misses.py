"""The news evaluation's list of misses names the article a wrong quote came from."""

from __future__ import annotations

from index.evaluate_news import Asked, _miss
from index.models import Answer, Article, Hit, Passage, Source


def _article(n: int, title: str) -> Article:
    return Article(n, title, None, None, "2025-01-01", "it", f"h{n}", "2025-01-01", None, 1)


def test_a_miss_names_the_quoted_article_not_the_first_hit() -> None:
    first, other = _article(1, "Orso marsicano"), _article(2, "Berne interdit le chlorothalonil")
    quote = "La qualité des eaux en Suisse a souvent fait la une en 2019."
    passage = Passage(20, 2, 0, quote, 0, len(quote), ((0, len(quote)),))
    top = Hit(Passage(10, 1, 0, "Orsi", 0, 4, ((0, 4),)), first, 0.8, 0.8, 0.8)
    answer = Answer(
        "Quante orse?", "it", False, quote, (0, len(quote)), 0.5,
        (Source(other, passage, 0.4),), (top,),
    )  # fmt: skip
    asked = Asked("Quante orse?", ("almeno 9",), "it", "35-orso.html", "page")
    assert _miss(asked, answer)["article"] == "Berne interdit le chlorothalonil"
    # An abstention names the first hit: the article it would have read.
    refused = Answer("Quante orse?", "it", True, hits=(top,))
    assert _miss(asked, refused)["article"] == "Orso marsicano"
