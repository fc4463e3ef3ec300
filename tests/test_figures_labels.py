"""A number that names a thing ("Section 9", "Level 3", "Warnstufe 2", "Route 66") is no figure
a report states (index.figures), so a newer report naming one is not taken for an older count
(index.claims)."""

from __future__ import annotations

import pytest

from index.claims import relation
from index.figures import figure, figures
from index.models import Answer, Article, Passage, Source

QUESTIONS = "How many questions had the trust sent to the transportation department?"


def _answer(n: int, quote: str, published: str) -> Answer:
    article = Article(n, f"a{n}", None, None, published, "en", f"h{n}", published, None, 1)
    passage = Passage(n * 10, n, 0, quote, 0, len(quote), ((0, len(quote)),), "en")
    return Answer(
        QUESTIONS, "en", False, quote, (0, len(quote)), 0.5, (Source(article, passage, 1.0),)
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "The switch moves apartments out of the traditional Section 9 public housing model.",
            "en",
        ),
        ("The pubs stay shut under Level 5 restrictions.", "en"),
        ("A Category 4 storm is expected.", "en"),
        ("Sie fahren auf Gleis 3 ein.", "de"),
        ("Im Landkreis gilt die Warnstufe 2.", "de"),
        ("Nach Artikel 13 ist das verboten.", "de"),
        ("Traffic was diverted to the old Route 66 instead.", "en"),
    ],
)
def test_a_number_that_names_is_no_figure(text: str, language: str) -> None:
    assert figure(text, language) is None, list(figures(text, language))


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("Some 500 people marched through the city.", "en", 500),
        ("In London 500 people marched.", "en", 500),  # after a preposition: a place
        ("Police said Tuesday 500 people had marched.", "en", 500),  # a weekday
        ("Laut Polizei 500 Menschen.", "de", 500),  # German capitalizes every noun
        ("Headline of the Trust\n28 questions were sent.", "en", 28),  # a line apart
        ("The firm paid USD 300 for it.", "en", 300),  # a currency's code
    ],
)
def test_a_count_after_a_capitalized_word_is_still_a_figure(
    text: str, language: str, value: float
) -> None:
    found = figure(text, language)
    assert found is not None and found.value == value, found


def test_a_newer_report_naming_a_section_is_not_the_older_count() -> None:
    # A week apart: a smaller count months later would be "other" anyway (claims.shrunk).
    first = _answer(1, "The trust in July discussed answers to 28 questions it sent.", "2025-01-01")
    newer = _answer(
        2,
        "Should the houses elect the Preservation Trust, the switch would move apartments out "
        "of the traditional Section 9 public housing model.",
        "2025-01-08",
    )
    idf = lambda language, terms: {t: 5.0 if t == "trust" else 1.0 for t in terms}  # noqa: E731
    assert relation(QUESTIONS, first, newer, idf) != "same"
