"""Edges of a report's figure and of what it names: dates and times written in digits, a
measure written before its noun, a currency sign after the number, the unit of a range, an
abbreviated scale, the question's first word, English plurals in -es, names in any script and
months' abbreviations (index.figures, index.counted, index.claims, index.units, index.story)."""

from __future__ import annotations

import pytest

from index.claims import relation
from index.figures import comparable, figure
from index.models import Answer, Article, Passage, Source
from index.story import name_words
from index.units import expected, holds_unit

DIED = "Wie viele Menschen sind gestorben?"


def _answer(n: int, quote: str, question: str, published: str = "2025-01-01") -> Answer:
    article = Article(n, f"a{n}", None, None, published, "de", f"h{n}", "2025-01-01", None, 1)
    passage = Passage(n * 10, n, 0, quote, 0, len(quote), ((0, len(quote)),), "de")
    source = Source(article, passage, 1.0)
    return Answer(question, "de", False, quote, (0, len(quote)), 0.5, (source,))


def _idf(rare: set[str]):
    return lambda language, terms: {t: 5.0 if t in rare else 1.0 for t in terms}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Am 28.02. starben bei dem Unglück 40 Menschen.", "de"),
        ("Am 01.03.2024 starben bei dem Unglück 40 Menschen.", "de"),
        ("Am 1.3.2024 starben bei dem Unglück 40 Menschen.", "de"),
        ("On 2024-03-05, 40 people died in the fire.", "en"),
    ],
)
def test_a_date_in_digits_is_no_figure(text: str, language: str) -> None:
    found = figure(text, language, DIED)
    assert found is not None and found.value == 40, found


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Gegen 15:30 Uhr wurden 40 Menschen verletzt.", "de"),
        ("At 3:30 p.m., 40 people were injured.", "en"),
    ],
)
def test_a_time_with_a_colon_is_no_figure(text: str, language: str) -> None:
    found = figure(text, language, DIED)
    assert found is not None and found.value == 40, found


def test_a_thousands_separator_is_followed_by_three_digits() -> None:
    assert figure("Die Stadt hat 1.500 Einwohner.", "de").value == 1500
    assert figure("Der Wert stieg auf 83.9 Punkte.", "de").value == 83.9


def test_a_magnitude_before_its_noun_is_a_measure() -> None:
    question = "How many people died in the earthquake?"
    found = figure("A 7.7-magnitude earthquake killed more than 3,600 people.", "en", question)
    assert found is not None and found.value == 3600, found
    found = figure("A 7.7 magnitude earthquake killed more than 3,600 people.", "en", question)
    assert found is not None and found.value == 3600, found


def test_a_euro_sign_after_the_number_is_money() -> None:
    found = figure("Das Deutschlandticket kostet 49 € im Monat.", "de")
    assert found is not None and found.kind == "money", found


def test_a_newer_price_with_the_euro_sign_is_the_same_claim() -> None:
    question = "Was kostet das Deutschlandticket?"
    first = _answer(1, "Das Deutschlandticket kostet 49 Euro im Monat.", question)
    newer = _answer(
        2, "Das Deutschlandticket kostet seit Januar 58 € im Monat.", question, "2025-02-01"
    )
    assert relation(question, first, newer, _idf({"deutschlandticket"})) != "other"


def test_the_unit_of_a_range_is_its_first_numbers_too() -> None:
    found = figure("Die Zahl der Einwohner stieg von 3,2 auf 3,5 Millionen.", "de")
    assert found is not None and found.value == 3.2e6, found
    assert comparable(found, figure("Die Stadt hat jetzt 3,6 Millionen Einwohner.", "de"))
    share = figure("Die Quote stieg von 5,1 auf 5,4 Prozent.", "de")
    assert share is not None and share.kind == "share", share


def test_the_counted_noun_after_an_abbreviated_scale() -> None:
    found = figure("In Deutschland gibt es 1,6 Mio. Elektroautos.", "de")
    assert found is not None and found.value == 1.6e6 and found.counts[0], found


def test_chargers_are_another_count_than_cars_in_mio() -> None:
    question = "Wie viele Elektroautos gibt es in Deutschland?"
    first = _answer(1, "In Deutschland gibt es 1,6 Mio. Elektroautos.", question)
    newer = _answer(
        2,
        "In Deutschland stieg die Zahl der Ladepunkte für Elektroautos auf 154.000.",
        question,
        "2025-01-10",
    )
    assert relation(question, first, newer, _idf({"deutschland"})) == "other"


def test_a_name_the_first_word_starts_with_is_kept() -> None:
    question = "Berliner Mieten: Wie hoch ist die Miete in Berlin?"
    first = _answer(
        1, "In Berlin liegt die Miete im Schnitt bei 12 Euro pro Quadratmeter.", question
    )
    munich = _answer(
        2,
        "In München liegt die Miete im Schnitt bei 21 Euro pro Quadratmeter.",
        question,
        "2025-02-01",
    )
    assert relation(question, first, munich, _idf({"berlin"})) == "other"


def test_a_newer_toll_after_a_date_in_digits_is_the_same_claim() -> None:
    question = "Wie viele Menschen sind bei dem Erdbeben in Myanmar gestorben?"
    first = _answer(
        1, "Bei dem Erdbeben in Myanmar sind 3.600 Menschen gestorben.", question, "2025-04-01"
    )
    newer = _answer(
        2,
        "Bis zum 01.05. sind bei dem Erdbeben in Myanmar 3.800 Menschen gestorben.",
        question,
        "2025-05-15",
    )
    assert relation(question, first, newer, _idf({"myanmar"})) != "other"


def test_the_counted_noun_of_english_plurals_in_es() -> None:
    assert expected("How many homes lost power?")[1] == "home"
    assert expected("How many countries signed the treaty?")[1] == "countrie"
    assert expected("How many more people died?")[1] == "peopl"
    assert expected("Wie viele verletzte Menschen gibt es?")[1] == "mensch"
    assert holds_unit("How many houses were destroyed?", "About 1,200 houses were destroyed.")


def test_names_in_any_script() -> None:
    assert "Łódź" in name_words("Floods hit the city of Łódź on Monday.", "en")
    assert "Øresund" in name_words("A bridge spans the Øresund between two cities.", "en")
    assert name_words("Наводнение затопило Подмосковье, сообщили власти.", "ru") == ["Подмосковье"]


def test_a_months_abbreviation_is_no_name() -> None:
    assert name_words("Rescuers reached Wayanad on Sept. 3.", "en") == ["Wayanad"]


def test_a_length_glued_to_its_number_is_no_million_and_tsd_is_a_thousand() -> None:
    from index.figures import figure

    wave = figure("A 10m-high wave hit the coast, killing 40 people.", "en")
    assert wave is not None and wave.value == 40
    assert figure("The club paid £5m for him.", "en").value == 5_000_000
    visitors = figure("Es kamen 1,5 Tsd. Besucher.", "de")
    assert visitors is not None and visitors.value == 1500 and "besuch" in visitors.counts[0]
