"""index.places: the places a text names (GeoNames' cities, ISO countries and regions, in several
languages), whether another text names them; and what the answer makes of them: a question's
town that the quoted article never names makes the answer less sure (index.answer), a newer
report of another place's figure is another claim (index.claims)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from index import places
from index.answer import AnswerConfig, product_config
from index.answer_config import PLACE_BELOW
from index.claims import relation
from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from index.models import Answer, Article, Passage, Source


def test_names_are_found_with_their_inflections_and_in_runs() -> None:
    assert set(places.named("Wie viele Einwohner hat München?")) == {"München"}
    assert set(places.named("Münchens Mieten und Tokyo's trains")) == {"München", "Tokyo"}
    assert set(places.named("Flights from New York to Vienna")) == {"New York", "Vienna"}
    assert {"Berlin", "Brandenburg"} <= set(
        places.named("das Amt für Statistik Berlin-Brandenburg")
    )
    assert set(places.named("Die Vereinigten Staaten und Bayern")) >= {"Bayern"}


def test_a_word_before_a_year_or_month_is_a_time_not_a_town() -> None:
    # "Ende" is a town in Indonesia, "Mitte" a district of Berlin
    assert places.named("Ende 2024 und Mitte März waren es mehr") == {}
    assert places.named("how did the 2024 season end") == {}  # lower case: no name


def test_a_german_noun_that_is_also_a_town_is_a_noun() -> None:
    """German capitalizes its nouns, and "Namen" (Namur), "Wetter", "Lage" and "Ende" are towns
    too: after an article or determiner, or before a genitive article, they are nouns."""
    assert places.named("Welchen Namen trägt die Lage des Wetters?") == {}
    assert places.named("seit Ende der Apartheid") == {}
    assert places.named("Die CITA-Technik") == {}  # in capitals: an abbreviation
    assert set(places.named("der Bürgermeister von Wetter")) == {"Wetter"}  # the town
    # a question's first word is capitalized whatever it is ("Most" is a Czech town)
    assert places.named("Most of the works came from Ming", question=True) == {}
    assert set(places.named("Most of the works came from Ming")) == {"Most"}


def test_one_place_in_several_languages_and_its_adjective() -> None:
    munich = places.named("München")["München"]
    assert places.holds("München", munich, "Munich's population grew again.")
    assert places.holds("München", munich, "Der Münchner Stadtrat beschloss es.")
    berlin = places.named("Berlin")["Berlin"]
    assert places.holds("Berlin", berlin, "Der Berliner Senat tagte.")
    assert not places.holds("Berlin", berlin, "Die Hamburger Bürgerschaft tagte.")


def test_unnamed_leaves_countries_out() -> None:
    question = "Wie viel Regen fiel im Oktober in Sondershausen und in Deutschland?"
    text = "Im Kyffhäuserkreis fielen im Oktober 120 Liter Regen je Quadratmeter."
    assert places.unnamed(question, text) == ["Sondershausen"]  # not Deutschland: a country
    assert places.unnamed(question, text + " In Sondershausen waren es 130.") == []
    assert places.unnamed("How much did the terminal cost?", text) == []


def test_a_town_in_a_persons_or_events_name_held_by_its_other_words_is_not_missing() -> None:
    """ "Graham" is a town too: where the text names "Twigg", the question's "Graham Twigg" is
    the person; where it names neither, the town is missing (nothing tells them apart)."""
    question = "What does Graham Twigg propose about the spread of disease?"
    assert places.unnamed(question, "Twigg proposed that it was anthrax.") == []
    assert places.unnamed(question, "The plague spread along the trade routes.") == ["Graham"]
    olympics = "How many tickets were sold for the Paris Olympics?"
    assert places.unnamed(olympics, "The Olympics sold 9.5 million tickets.") == []


def test_a_region_is_known_by_its_english_name_too() -> None:
    """ISO 3166-2 names a region in its own language; its English name is a translation, taken
    like the others: a German question about Bayern is answered from an English report on
    Bavaria, and the report on Bavaria is not another place's (index.claims)."""
    bavaria = "There are 50 wolves in Bavaria, the environment ministry said."
    assert places.unnamed("Wie viele Wölfe leben in Bayern?", bavaria) == []
    assert places.unnamed("How many wolves live in Bavaria?", "In Bayern leben 50 Wölfe.") == []
    assert places.unnamed("How many wolves live in Bavaria?", "In Hessen leben 30 Wölfe.") == [
        "Bavaria"
    ]


def test_across_languages_only_a_town_s_name_standing_alone_counts() -> None:
    """Asked in another language than the article's, a region's name or a name of several words
    may be translated in ways GeoNames and ISO 3166 do not know ("Lower Saxony",
    "North Rhine-Westphalia", where "North" alone is a town's name): not counted as missing
    then; a town's own name still is (GeoNames knows it in many languages)."""
    german = "In Nordrhein-Westfalen und in Niedersachsen leben viele Menschen."
    nrw = "How many people live in North Rhine-Westphalia?"
    assert places.unnamed(nrw, german) == ["North"]  # the same language would name it so
    assert places.unnamed(nrw, german, across=True) == []
    assert places.unnamed("How many people live in Lower Saxony?", german, across=True) == []
    norfolk = "In Norfolk fielen 30 Liter Regen je Quadratmeter."
    assert places.unnamed("How much rain fell in Norwich?", norfolk, across=True) == ["Norwich"]
    assert places.unnamed("How much rain fell in Munich?", "In München fiel Regen.", True) == []


def test_across_languages_a_small_town_s_name_is_no_evidence() -> None:
    """GeoNames holds towns named like words and names ("Most", "Tran", for Trang): across
    languages, where the article writes its words in another language, only a name of a city of
    ACROSS_POPULATION people or more counts; in the same language every town's still does."""
    german = "Die Mongolen wurden von der Trần-Dynastie besiegt, die im Norden herrschte."
    asked = "When were the Mongols defeated by the Tran?"
    assert places.unnamed(asked, german) == ["Tran"]
    assert places.unnamed(asked, german, across=True) == []
    rain = "In Hessen fielen 30 Liter Regen je Quadratmeter."
    assert places.unnamed("How much rain fell in Frankfurt?", rain, across=True) == ["Frankfurt"]


def test_elsewhere_is_another_place_named_instead_of_the_asked_one() -> None:
    question = "Wie viele Einwohner hat München?"
    first = "München hat rund 1,6 Millionen Einwohner."
    assert places.elsewhere(question, first, "Berlin zählt nun 3,9 Millionen Einwohner.")
    assert places.elsewhere(question, first, "Österreich zählt 9,2 Millionen Einwohner.")
    # the asked place kept, or no place named instead: not elsewhere
    assert not places.elsewhere(question, first, "In der Region München leben 3 Millionen.")
    assert not places.elsewhere(question, first, "Die Stadt zählt nun 1,61 Millionen Einwohner.")
    # the first answer does not name it either: nothing to compare
    assert not places.elsewhere(question, "Die Stadt hat 1,6 Millionen Einwohner.", "Berlin: 3,9")


def test_elsewhere_is_another_country_named_in_the_figure_s_sentence() -> None:
    """A country is no place a national report must name, but one naming another country in its
    figure's sentence instead of the asked one reports on that country."""
    question = "Wie viele Menschen sind bei dem Erdbeben in Myanmar ums Leben gekommen?"
    first = "Bei dem Erdbeben in Myanmar sind mehr als 1.000 Menschen ums Leben gekommen."
    other = "Bei einem Erdbeben im Osten Afghanistans sind mindestens 800 Menschen gestorben."
    assert places.elsewhere(question, first, other, other)
    assert not places.elsewhere(question, first, other)  # its key sentence not given
    # The asked country kept, or none named instead, or one the first names too: not elsewhere.
    same = "Die Zahl der Toten in Myanmar ist auf mehr als 2.700 gestiegen."
    assert not places.elsewhere(question, first, same, same)
    unsaid = "Die Zahl der Toten ist auf mehr als 2.700 gestiegen."
    assert not places.elsewhere(question, first, unsaid, unsaid)
    beside = first + " Auch in Thailand gab es Tote."
    thai = "In Thailand und Myanmar starben 2.700 Menschen."
    assert not places.elsewhere(question, beside, thai, thai)


def _answer(n: int, quote: str, question: str, published: str) -> Answer:
    article = Article(n, f"a{n}", None, None, published, "de", f"h{n}", "2025-01-01", None, 1)
    passage = Passage(n * 10, n, 0, quote, 0, len(quote), ((0, len(quote)),))
    return Answer(
        question, "de", False, quote, (0, len(quote)), 0.5, (Source(article, passage, 1.0),)
    )


def test_a_newer_figure_of_another_place_is_another_claim() -> None:
    """In a news library a city is named in thousands of articles, so the question's rarest
    word may be what is counted ("Einwohner"), which another city's report holds too."""
    question = "Wie viele Einwohner hat München?"

    def idf(language: str, terms: Iterable[str]) -> dict[str, float]:
        return {t: 5.0 if t.startswith("einwohn") else 1.0 for t in terms}

    first = _answer(1, "München hat rund 1,6 Millionen Einwohner.", question, "2023-01-01")
    berlin = _answer(2, "Berlin zählt nun 3,9 Millionen Einwohner.", question, "2025-01-01")
    munich = _answer(3, "München zählt nun 1,61 Millionen Einwohner.", question, "2025-01-01")
    assert relation(question, first, berlin, idf) == "other"  # type: ignore[arg-type]
    assert relation(question, first, munich, idf) == "same"  # type: ignore[arg-type]


TITLE = "Wettest October on record across Norfolk"
TEXT = (
    f"{TITLE}\n\n"
    "October brought 148 millimetres of rain to Norfolk, more than twice the long-term average,"
    " the Met Office said on Wednesday.\n\n"
    "Several roads near the coast were closed after flooding, and farmers said the harvest of"
    " sugar beet had been delayed by weeks.\n\n"
    "Forecasters expect a drier November, with high pressure settling over eastern England."
)


def _confidence(library: Library, below: float, question: str) -> float:
    never = AnswerConfig(threshold=-math.inf)
    library.config = replace(library.config, answer=replace(never, place_below=below))
    answer = library.ask(question)
    assert not answer.abstained
    return answer.confidence


def test_a_town_the_article_never_names_costs_place_below(tmp_path: Path) -> None:
    library = Library(LibraryConfig(tmp_path / "lib"), embedder=HashEmbedder())
    library.add_text(TEXT, title=TITLE)
    elsewhere = "How much rain fell in Norwich in October?"  # Norfolk's city, not named
    assert _confidence(library, 0.25, elsewhere) == pytest.approx(
        _confidence(library, 0.0, elsewhere) - 0.25
    )
    named = "How much rain fell in Norfolk in October?"
    assert _confidence(library, 0.25, named) == pytest.approx(_confidence(library, 0.0, named))
    library.close()


def test_a_question_in_another_language_names_its_region_as_it_may(tmp_path: Path) -> None:
    """The answer reads the question's places across languages as `unnamed(across=True)`: an
    English question about a German report on North Rhine-Westphalia costs nothing for "North";
    asked in German, a town the report never names still costs place_below."""
    library = Library(LibraryConfig(tmp_path / "lib"), embedder=HashEmbedder())
    library.add_text(
        "In Nordrhein-Westfalen fielen im Oktober 120 Liter Regen je Quadratmeter, teilte der "
        "Deutsche Wetterdienst mit. Das war deutlich mehr als im langjährigen Mittel.",
        title="Nasser Oktober in Nordrhein-Westfalen",
    )
    english = "How much rain fell in North Rhine-Westphalia in October?"
    assert library.ask(english).language == "en"
    assert _confidence(library, 0.25, english) == pytest.approx(_confidence(library, 0.0, english))
    german = "Wie viel Regen fiel im Oktober in Bielefeld?"
    assert _confidence(library, 0.25, german) == pytest.approx(
        _confidence(library, 0.0, german) - 0.25
    )
    library.close()


def test_the_product_settings_take_the_place_check_with_or_without_the_reader() -> None:
    assert product_config().place_below == PLACE_BELOW > 0
    assert product_config(reader=False).place_below == PLACE_BELOW
    assert AnswerConfig().place_below == 0.0


@pytest.mark.model
def test_a_question_about_a_town_not_named_is_not_found(tmp_path: Path) -> None:
    library = Library(LibraryConfig(tmp_path / "lib", answer=product_config()))
    library.add_text(TEXT, title=TITLE)
    assert library.ask("How much rain fell in Norwich in October?").abstained
    stored = library.ask("How much rain fell in Norfolk in October?")
    assert not stored.abstained and "148 millimetres" in stored.quote
    # without the place check, the county's figure was quoted for the town
    library.config = replace(library.config, answer=replace(product_config(), place_below=0.0))
    quoted = library.ask("How much rain fell in Norwich in October?")
    assert not quoted.abstained and "148 millimetres" in quoted.quote
    library.close()
