"""What a figure counts (index.counted), from the words next to it."""

from __future__ import annotations

import pytest

from index.counted import alike, another_count, counted


def _counted(text: str, figure: str, language: str) -> tuple[frozenset[str], frozenset[str]]:
    start = text.index(figure)
    return counted(text, start, start + len(figure), language)


@pytest.mark.parametrize(
    ("text", "figure", "language", "counts", "of"),
    [
        ("In Deutschland wurden 524.219 Elektroautos neu zugelassen.", "524.219", "de",
         {"elektroautos"}, set()),
        # Before the figure: "Zahl der ...", only its nouns, and what they belong to.
        ("Die Zahl der öffentlichen Ladepunkte für Elektroautos ist auf 154.000 gestiegen.",
         "154.000", "de", {"ladepunkt"}, {"elektroautos"}),
        ("Tokyo now has 14.1 million residents, the city said.", "14.1", "en", {"resid"}, set()),
        ("The number of chargers for electric cars rose to 154,000.", "154,000", "en",
         {"charger"}, {"electr", "car"}),
        # People in general count anything people do: nothing told apart.
        ("Rund 2,87 Millionen Menschen sind eingeschrieben.", "2,87", "de", set(), set()),
        ("It rose to 2.98 million in the first quarter.", "2.98", "en", set(), set()),
        # ... but the words before them say which people.
        ("There are 2.98 million unemployed people in Spain.", "2.98", "en", {"unemploy"}, set()),
    ],
)  # fmt: skip
def test_what_a_figure_counts(
    text: str, figure: str, language: str, counts: set[str], of: set[str]
) -> None:
    assert _counted(text, figure, language) == (counts, of)


def test_a_count_of_what_belongs_to_the_thing_counted_is_another_count() -> None:
    cars = _counted("Es wurden 524.219 Elektroautos zugelassen.", "524.219", "de")
    chargers = _counted(
        "Die Zahl der Ladepunkte für Elektroautos stieg auf 154.000.", "154.000", "de"
    )
    assert another_count(cars, chargers)
    assert not another_count(chargers, cars)
    # Another word for the same thing is no other count ("Fluggäste", "Passagiere").
    passengers = _counted("Der BER hatte 19,8 Millionen Passagiere.", "19,8", "de")
    travellers = _counted("Am BER waren es 25,5 Millionen Fluggäste.", "25,5", "de")
    assert not another_count(passengers, travellers)


def test_counts_are_alike_unless_both_say_what_and_share_no_word() -> None:
    unemployed = _counted("There are 2.98 million unemployed people.", "2.98", "en")
    workers = _counted("It has 21.3 million registered workers.", "21.3", "en")
    people = _counted("It has 21.3 million people.", "21.3", "en")
    jobless = _counted("There are 2.9 million unemployed men and women.", "2.9", "en")
    assert not alike(unemployed, workers)
    assert alike(unemployed, people) and alike(unemployed, jobless)
