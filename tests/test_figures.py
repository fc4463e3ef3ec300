"""index.figures: the first figure a sentence states, with its scale and kind (a count, a share,
money); years, dates, measures and the question's own numbers are no figures, a measure is one
where the question asks for it; and the figures that may be of one claim (of one kind, not far
apart). How figures tell two answers' claims apart is in test_claims.py."""

from __future__ import annotations

import pytest

from index.figures import Figure, comparable, figure


@pytest.mark.parametrize(
    ("text", "language", "value", "kind"),
    [
        ("Berlin hat 3,77 Millionen Einwohner.", "de", 3_770_000, "count"),
        ("Der Flughafen hat 19,8 Mio. Passagiere abgefertigt.", "de", 19_800_000, "count"),
        ("Wegen des Hochwassers mussten rund 1.000 Menschen gehen.", "de", 1000, "count"),
        (
            "A record 83.9 million passengers travelled through Heathrow in 2024.",
            "en",
            83.9e6,
            "count",
        ),
        ("Heathrow said about 1,400 flights had been cancelled.", "en", 1400, "count"),
        ("Die Inflationsrate lag im Oktober bei 2,3 Prozent.", "de", 2.3, "share"),
        ("Inflation rose to 3.8% in July.", "en", 3.8, "share"),
        ("Das Ticket kostet ab Januar 63 Euro pro Monat.", "de", 63, "money"),
        ("Gold climbed above $3,200 an ounce.", "en", 3200, "money"),
        ("Im Jahr 2024 sind 25,5 Millionen Fluggäste gestartet.", "de", 25_500_000, "count"),
        ("Im Wintersemester 2021/22 gibt es 2,95 Millionen Studierende.", "de", 2_950_000, "count"),
        ("Ein Liter Super E10 kostet 1,71 Euro.", "de", 1.71, "money"),
        ("The club was fined £5m.", "en", 5e6, "money"),
        ("About 12k homes lost power.", "en", 12_000, "count"),
    ],
)
def test_the_first_figure_with_its_scale_and_kind(
    text: str, language: str, value: float, kind: str
) -> None:
    assert figure(text, language) == Figure(pytest.approx(value), kind)  # type: ignore[arg-type]


def test_years_and_the_questions_own_numbers_are_not_figures() -> None:
    assert figure("Seit 2019 wächst die Stadt.", "de") is None
    assert figure(
        "Im Jahr 2024 hatte Tesla 7 Werke.", "de", "Wie viele Werke hatte Tesla 2024?"
    ) == Figure(7, "count")
    assert (
        figure("Tesla hatte 2024 sieben Werke.", "de", "Wie viele Werke hatte Tesla 2024?") is None
    )


def test_figures_of_one_claim_are_of_one_kind_and_not_far_apart() -> None:
    assert comparable(Figure(95, "count"), Figure(217, "count"))
    assert comparable(Figure(1500, "count"), Figure(41_000, "count"))  # 27-fold
    assert not comparable(Figure(83.9e6, "count"), Figure(1400, "count"))
    assert not comparable(Figure(22.1, "money"), Figure(8900, "money"))
    assert comparable(Figure(22.1, "money"), Figure(8900, "money"), 1000)
    assert not comparable(Figure(2.3, "share"), Figure(2.3, "money"))
    assert not comparable(Figure(0, "count"), Figure(5, "count"))
    assert comparable(Figure(0, "count"), Figure(0, "count"))
    assert comparable(None, Figure(5, "count"))


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("Bei dem Erdbeben der Stärke 7,7 sind mehr als 1.000 Menschen gestorben.", "de", 1000),
        ("the 140-year-old streetcar left its rails on Sept. 3 and 16 people died", "en", 16),
        ("Officials have revised the number trapped since Nov. 12 to 41 labourers.", "en", 41),
        ("Die Kabine stürzte gegen 12.30 Uhr rund 20 Meter tief; es gibt 14 Todesopfer.", "de", 14),
        # A German day of the month comes before the month, never after it.
        ("Bei dem Unglück vom 28. Februar sind 57 Menschen gestorben.", "de", 57),
        # "may" is no month.
        ("Officials said 15 may have died in the blaze.", "en", 15),
        # A person's age beside the name, as news writes it.
        ("Montoya-Lewis, 51, said 30 people had applied.", "en", 30),
        ("Die Intendantin Karola Wille (64) nannte 32 Bewerber.", "de", 32),
        # A count between commas after a lower-case word is still one.
        ("The toll rose, officials said, to 104, including 28 children.", "en", 104),
    ],
)
def test_a_figure_is_a_count_not_a_measure_or_a_date(
    text: str, language: str, value: float
) -> None:
    found = figure(text, language, "Wie viele Menschen sind gestorben?")
    assert found is not None and found.value == value


def test_a_measure_is_the_figure_when_the_question_asks_for_it() -> None:
    found = figure("Der Pegel ist auf 33 Zentimeter gefallen.", "de", "Wie hoch ist der Pegel?")
    assert found is not None and found.value == 33
