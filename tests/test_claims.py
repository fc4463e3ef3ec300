"""index.claims: the figures two answers state and the subject they share tell whether a newer
article's answer reports the same claim as the chosen one; what the subject is and which
words hold it, a story's update, a headline read with its report. Reading the figures themselves
is in test_figures.py."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from index.claims import holds, holds_names, relation, subject
from index.figures import Figure, figure, figure_like
from index.models import Answer, Article, Passage, Source
from index.windows import asked_words


def _idf(rare: set[str]) -> object:
    def idf(language: str, terms: Iterable[str]) -> dict[str, float]:
        return {t: 5.0 if t in rare else 1.0 for t in terms}

    return idf


def test_the_subject_is_the_rarest_capitalized_word_the_quote_holds() -> None:
    question = "How many people died in the flood in Valencia?"
    quote = "At least 95 people died in the flood in the region of Valencia."
    word = subject(question, "en", quote, _idf({"valencia"}))  # type: ignore[arg-type]
    assert word is not None and word.stem == "valencia"
    # No capitalized word held: the rarest of the others.
    word = subject(question, "en", "At least 95 people died.", _idf({"die"}))  # type: ignore[arg-type]
    assert word is not None and word.stem == "die"
    assert subject(question, "en", "Nothing of it here.", _idf(set())) is None  # type: ignore[arg-type]


def test_a_rate_s_unit_is_not_the_subject() -> None:
    """ "Miete pro Quadratmeter": the square metre is the rate's unit, however rare in the
    library; a newer purchase price per square metre lacks the rent asked about."""
    question = "Wie hoch ist die Miete pro Quadratmeter in Köln?"
    quote = "Wer in Köln eine Wohnung mietet, zahlt 14,10 Euro Miete pro Quadratmeter."
    idf = _idf({"quadratmet", "quadratmeter", "miet"})
    word = subject(question, "de", quote, idf)  # type: ignore[arg-type]
    assert word is not None and word.lemma == "miete"
    first = _answer(1, quote, question, language="de")
    other = _answer(
        2, "Eine Wohnung in Köln kostet 5.100 Euro pro Quadratmeter.", question, "2025-06-01", "de"
    )
    assert relation(question, first, other, idf) == "other"  # type: ignore[arg-type]
    # Where the quote holds nothing else, the unit is still the subject.
    word = subject(question, "de", "Preis pro Quadratmeter: 14 Euro.", idf)  # type: ignore[arg-type]
    assert word is not None and word.lemma == "quadratmeter"


def _answer(
    n: int, quote: str, question: str, published: str = "2025-01-01", language: str = "en"
) -> Answer:
    article = Article(n, f"a{n}", None, None, published, language, f"h{n}", "2025-01-01", None, 1)
    passage = Passage(n * 10, n, 0, quote, 0, len(quote), ((0, len(quote)),))
    return Answer(
        question, language, False, quote, (0, len(quote)), 0.5, (Source(article, passage, 1.0),)
    )


QUESTION = "How many passengers used Heathrow airport?"
IDF = _idf({"heathrow"})


def test_a_newer_report_of_the_figure_with_the_subject_is_the_same_claim() -> None:
    first = _answer(1, "A record 83.9 million passengers travelled through Heathrow.", QUESTION)
    other = _answer(2, "Heathrow handled 79.2 million travellers last year.", QUESTION)
    assert relation(QUESTION, first, other, IDF) == "same"  # type: ignore[arg-type]


def test_a_report_of_a_change_is_compared_by_the_level_it_reached() -> None:
    """A newer report states the change before the level ("fell by 5 percent to 79.2 million"):
    the figure compared with the older report's count is its first count, not its first
    figure (a share, then another claim's kind). figures.figure_like."""
    first = _answer(1, "A record 83.9 million passengers travelled through Heathrow.", QUESTION)
    other = _answer(2, "Heathrow's passenger count fell by 5 percent to 79.2 million.", QUESTION)
    assert relation(QUESTION, first, other, IDF) == "same"  # type: ignore[arg-type]
    text = "Deaths from drug poisonings dropped by nearly 27 percent in 2024 to 80,391."
    assert figure(text, "en") == Figure(27, "share")
    assert figure_like(text, "en", Figure(107_543, "count")) == Figure(80_391, "count")
    # Of several counts the first, not the nearest in size (often another thing counted).
    several = "It will buy 50 new trains to carry 30 million passengers a year by 2030."
    assert figure_like(several, "en", Figure(18.6e6, "count")) == Figure(50, "count")
    # Nothing like it: the first, as `figure` reads it.
    assert figure_like(text, "en", Figure(3.2, "money")) == Figure(27, "share")


@pytest.mark.parametrize(
    ("text", "language", "level"),
    [
        ("Another 26 deaths were recorded, bringing the number killed to 1,391.", "en", 1391),
        ("The toll rose by 26 to 1,391, the authority said.", "en", 1391),
        ("Die Zahl der Toten stieg um mehr als 1.400 auf 2.205.", "de", 2205),
        ("Weitere 300 Tote wurden geborgen, insgesamt sind es nun 2.205.", "de", 2205),
        ("Es kamen 1.400 Menschen mehr ums Leben als gedacht, insgesamt 2.205.", "de", 2205),
    ],
)
def test_a_change_of_the_figure_s_kind_gives_way_to_the_level_it_reached(
    text: str, language: str, level: int
) -> None:
    """Of two counts, the first is the change ("Another 26", "um 1.400", "1.400 mehr") and the
    second the level an older report's count is compared with (figures._CHANGE_BEFORE)."""
    assert figure_like(text, language, Figure(800, "count")) == Figure(level, "count")
    # A change stated alone is still the figure (nothing else of its kind to compare).
    assert figure_like("Another 26 deaths were recorded.", "en", Figure(800, "count")) == Figure(
        26, "count"
    )


def test_a_figure_too_far_off_is_another_claim() -> None:
    first = _answer(1, "A record 83.9 million passengers travelled through Heathrow.", QUESTION)
    other = _answer(2, "Heathrow said about 1,400 flights had been cancelled.", QUESTION)
    assert relation(QUESTION, first, other, IDF) == "other"  # type: ignore[arg-type]


def test_without_a_figure_near_the_cosine_decides() -> None:
    first = _answer(1, "A record 83.9 million passengers travelled through Heathrow.", QUESTION)
    words = _answer(3, "Heathrow was busier than ever.", QUESTION)
    # Two hundredfold: an early count may grow so far, the subject does not make it the same.
    further = _answer(4, "Heathrow had 400,000 passengers in its first year.", QUESTION)
    for other in (words, further):
        assert relation(QUESTION, first, other, IDF) == "undecided"  # type: ignore[arg-type]


def test_a_report_without_the_subject_the_first_quote_holds_is_another_claim() -> None:
    """Another airport's passengers, however alike the two quotes read, answer another question:
    the newer quote must hold the question's subject where the chosen one does."""
    first = _answer(1, "A record 83.9 million passengers travelled through Heathrow.", QUESTION)
    gatwick = _answer(2, "Gatwick handled 43.2 million passengers.", QUESTION)
    assert relation(QUESTION, first, gatwick, IDF) == "other"  # type: ignore[arg-type]
    # Where the chosen quote holds none of the question's words, nothing is decided by them.
    vague = _answer(5, "It was a record year, with 83.9 million in all.", QUESTION)
    assert relation(QUESTION, vague, gatwick, IDF) == "undecided"  # type: ignore[arg-type]


def test_a_subject_held_as_a_compound_s_part_is_the_subject() -> None:
    """The older quote holds the question's "Bäckereien" only inside "Handwerksbäckereien":
    that, not "Deutschland", is the subject, so a newer count of charging points "in
    Deutschland" is another claim (it was quoted for the bakeries before)."""
    question = "Wie viele Bäckereien gibt es in Deutschland?"
    said = "In Deutschland gab es Ende 2023 noch 9.608 Handwerksbäckereien."
    idf = _idf({"backerei", "bäckerei", "bäckereien"})
    word = subject(question, "de", said, idf)  # type: ignore[arg-type]
    assert word is not None and word.lemma.casefold().startswith("bäckerei")
    # Not a compound that only shares a part with the question's ("Stromkosten" is no kind of
    # "Strompreis"): the subject is then what the quote names itself.
    costs = "Die Stromkosten in Deutschland stiegen auf 40 Cent."
    word = subject("Wie hoch ist der Strompreis in Deutschland?", "de", costs, _idf({"strompreis"}))  # type: ignore[arg-type]
    assert word is not None and word.lemma.casefold() == "deutschland"
    first = _answer(1, said, question, "2024-01-17", "de")
    other = _answer(
        2,
        "Die Zahl der öffentlichen Ladepunkte für Elektroautos in Deutschland ist auf rund "
        "154.000 gestiegen.",
        question,
        "2025-02-14",
        "de",
    )
    assert relation(question, first, other, idf) == "other"  # type: ignore[arg-type]


def test_questions_for_a_name_or_a_time_are_left_to_the_cosine() -> None:
    question = "Who runs Heathrow airport?"
    first = _answer(
        1, "Heathrow, with 83.9 million passengers, is run by Thomas Woldbye.", question
    )
    other = _answer(2, "Heathrow's 80 million passengers ...", question)
    assert relation(question, first, other, IDF) == "undecided"  # type: ignore[arg-type]


def test_a_count_of_what_belongs_to_the_thing_asked_is_another_claim() -> None:
    question = "How many electric cars were registered in Norway?"
    first = _answer(1, "In Norway 114,400 electric cars were registered.", question)
    other = _answer(
        2, "The number of chargers for electric cars in Norway rose to 27,000.", question
    )
    assert relation(question, first, other, _idf({"norway"})) == "other"  # type: ignore[arg-type]


def test_named_asks_for_every_capitalized_word_the_older_quote_holds() -> None:
    first = "A record 83.9 million passengers travelled through Heathrow Airport."
    assert holds_names("How many passengers used Heathrow Airport?", first,
                       "Heathrow Airport handled 79.2 million travellers.", "en")  # fmt: skip
    assert not holds_names("How many passengers used Heathrow Airport?", first,
                           "Heathrow handled 79.2 million travellers.", "en")  # fmt: skip
    # The thing counted names nothing: "Jahre" alone is no subject.
    question = "Für wie viele Jahre wurde die Präsidentin gewählt?"
    assert not holds_names(question, "Sie wurde für sechs Jahre gewählt.", "Seit 32 Jahren.", "de")


def test_a_count_far_smaller_months_later_is_a_part_of_it_not_the_same_count() -> None:
    """A stock or yearly total reported again months later does not fall to a third: the smaller
    count is a part of it (those selected, the newly approved). Within days it may (homes
    reconnected after a storm), and a share or a price may fall that far in a year."""
    question = "How many registrations were submitted for the visa lottery in Canada?"
    idf = _idf({"canada"})
    first = _answer(1, "Canada received 758,994 registrations for the visa lottery.", question)
    later = "Canada selected 77,600 registrations in the visa lottery's second round."
    months = _answer(2, later, question, published="2025-04-05")
    days = _answer(3, later, question, published="2025-01-03")
    assert relation(question, first, months, idf) == "other"  # type: ignore[arg-type]
    assert relation(question, first, days, idf) != "other"  # type: ignore[arg-type]
    rate = "What is the inflation rate in Canada?"
    high = _answer(1, "Inflation in Canada rose to 8.1 percent.", rate)
    low = _answer(2, "Inflation in Canada eased to 2.4 percent.", rate, published="2026-01-01")
    assert relation(rate, high, low, idf) != "other"  # type: ignore[arg-type]


def test_a_compound_is_held_by_its_head_in_german() -> None:
    quake = "Wie viele Menschen sind bei dem Erdbeben gestorben?"
    word = asked_words(quake, "de")["erdbeb"]
    assert holds(word, "Vier Tage nach dem Beben ist die Zahl der Todesopfer gestiegen.", "de")
    assert not holds(word, "Die Zahl der Todesopfer ist gestiegen.", "de")
    # A head is a noun: the verb "beben" does not hold "Erdbeben".
    assert not holds(word, "Die Häuser beben noch immer, die Zahl der Toten steigt.", "de")
    crash = asked_words("How many died in the earthquake?", "en")["earthquak"]
    assert not holds(crash, "Days after the quake the toll rose.", "en")  # English: words apart


def test_a_compound_part_is_held_only_by_a_noun_in_german() -> None:
    country = asked_words("Wie viele Touristen kamen nach Österreich?", "de")
    [word] = [w for w in country.values() if w.lemma == "österreich"]
    assert "reich" in word.parts
    assert not holds(word, "Die Gegend ist reich an Seen und zählte 3 Millionen Gäste.", "de")
    assert holds(word, "Österreich zählte 3 Millionen Gäste.", "de")
    court = asked_words("Wie viele Fälle hat das Gericht verhandelt?", "de")
    [word] = [w for w in court.values() if w.lemma == "gericht"]
    assert holds(word, "Das Landgericht verhandelte 120 Fälle.", "de")  # a noun's part


def test_a_story_update_may_count_with_another_word() -> None:
    """A later report of one event (index.story) counts its trapped or dead in other words; a
    weak answer from an unrelated article must still count the same thing."""
    question = "How many workers are trapped in the collapsed tunnel?"
    idf = _idf({"tunnel"})
    first = _answer(
        1, "Rescue teams are trying to reach 40 workers trapped in the tunnel.", question
    )
    update = _answer(
        2, "Officials have revised the number trapped to 41 labourers.", question, "2025-01-05"
    )
    assert relation(question, first, update, idf, named=True) != "same"  # type: ignore[arg-type]
    assert relation(question, first, update, idf, named=True, story=True) == "same"  # type: ignore[arg-type]


def test_a_newer_report_is_read_under_its_headline() -> None:
    """A later report may name its subject only in the headline ("Louvre says it is
    overwhelmed" above "The world's most visited museum welcomed 8.7 million people")."""
    from dataclasses import replace

    question = "How many visitors did the Louvre have?"
    first = _answer(1, "The Louvre had 7.8 million visitors in 2022, the museum said.", question)
    other = _answer(2, "The world's most visited museum welcomed 8.7 million people.", question)
    idf = _idf({"louvr"})
    assert relation(question, first, other, idf) == "other"  # type: ignore[arg-type]
    source = other.sources[0]
    titled = replace(source, article=replace(source.article, title="Louvre says it is overwhelmed"))
    other = replace(other, sources=(titled,))
    assert relation(question, first, other, idf) != "other"  # type: ignore[arg-type]
    assert relation(question, first, other, idf, named=True) == "same"  # type: ignore[arg-type]


def test_the_subject_may_be_named_in_the_first_answers_headline_alone() -> None:
    """A first quote cut before the name it is about ("Österreich wächst weiter" above "…wie
    die Statistik Austria mitteilte") takes its subject from its headline: a newer report on
    another place that shares only the counted word is not the same claim."""
    from dataclasses import replace

    question = "How many visitors did the Louvre have?"
    first = _answer(1, "…the museum said on Monday: 8.9 million visitors came.", question)
    other = _answer(2, "The Prado counted 3.5 million visitors last year.", question, "2025-02-01")
    idf = _idf({"louvr", "prado"})
    assert relation(question, first, other, idf) == "same"  # type: ignore[arg-type]
    source = first.sources[0]
    titled = replace(source, article=replace(source.article, title="Louvre had a record year"))
    first = replace(first, sources=(titled,))
    assert relation(question, first, other, idf) == "other"  # type: ignore[arg-type]


def test_a_window_states_like_a_figure_of_its_kind_and_size() -> None:
    from index.claims import states_like

    class Article:
        language = "de"
        lines = (
            "Das meldete das Statistische Bundesamt in Wiesbaden.",
            "2023 kamen in Deutschland 692.989 Babys zur Welt.",
            "Die Geburtenziffer sank auf 1,35 Kinder je Frau.",
            "Die Kosten stiegen auf 3,2 Milliarden Euro.",
        )

        def sentence(self, i: int) -> str:
            return self.lines[i]

    question = "Wie viele Kinder wurden in Deutschland geboren?"
    told = Figure(738_819.0, "count", (frozenset({"kind"}), frozenset()))
    keep = states_like(told, question)
    article = Article()
    assert [keep(article, i, i) for i in range(4)] == [False, True, False, False]  # type: ignore[arg-type]
    assert keep(article, 0, 1)  # type: ignore[arg-type]


def test_a_figure_is_told_only_where_the_question_may_ask_for_one() -> None:
    from index.claims import figure_told

    quote = "Heathrow, with 83.9 million passengers, is run by Thomas Woldbye."
    assert figure_told(QUESTION, _answer(1, quote, QUESTION)).value == 83.9e6  # type: ignore[union-attr]
    who = "Who runs Heathrow airport?"
    assert figure_told(who, _answer(1, quote, who)) is None  # nothing to ask newer reports for


def test_the_time_a_question_names_is_not_its_subject() -> None:
    """A year says when, not what: a report of that year about something else holds it too. The
    question is read without the time it names (TimeQuery.without, as index.asked reads it)
    before its subject is looked for."""
    from datetime import UTC, datetime

    from index.timeexpr import when

    question = "How many bear cubs were born in 2019?"
    first = _answer(1, "At least 9 female bears gave birth to cubs in 2019.", question)
    other = _answer(2, "In 2019 the substance was found at 31 stations.", question)
    idf = _idf({"2019"})
    assert relation(question, first, other, idf) != "other"  # type: ignore[arg-type]
    about = when(question, datetime(2026, 12, 4, tzinfo=UTC)).without(question)
    assert about == "How many bear cubs were born ?"  # "in 2019" named the year
    assert relation(about, first, other, idf) == "other"  # type: ignore[arg-type]
