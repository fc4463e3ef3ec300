"""The kind of number a question asks for (index/units.py), and the confidence an answer loses where
no number of that kind, or no count of the thing asked, is near its quote."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from index.answer import AnswerConfig
from index.answer_config import MONEY_BELOW, product_config
from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from index.units import asks_money, holds_unit, states_money


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        # Money: the amount, not the count of files in the same article.
        (
            "Wie viel hat der Aktivist für die Daten bezahlt?",
            "Er kaufte sie für 600 US-Dollar.",
            True,
        ),
        ("Wie viel hat der Aktivist für die Daten bezahlt?", "Er kaufte die 1400 Dateien.", False),
        ("How much did the city pay for the land?", "It paid $4.2 million in 2019.", True),
        ("How much did the city pay for the land?", "The plot covers 40 acres.", False),
        ("How much is the studio paying the couple?", "The deal is worth $100 million.", True),
        ("How much is the studio paying the couple?", "They signed in 2020.", False),
        # A share, an age, a temperature, an amount of a substance.
        (
            "Welcher Anteil der Beschäftigten ist weiblich?",
            "Mehr als 80 Prozent sind Frauen.",
            True,
        ),
        (
            "Welcher Anteil der Beschäftigten ist weiblich?",
            "Der Verband hat 700.000 Beschäftigte.",
            False,
        ),
        (
            "Wie alt ist die neue Bürgermeisterin?",
            "Die 32 Jahre alte Claudia Brandes gewann.",
            True,
        ),
        ("How hot must it be?", "It needs 400 to 600 degrees Celsius.", True),
        ("Welche Menge Wasserstoff lieferte der Reaktor?", "Er lieferte 14 Gramm pro Tag.", True),
        # A count of the thing asked for, also inside a compound; not a count of something else.
        (
            "Wie viele Stunden Arbeit stecken darin?",
            "Rund 10.000 Arbeitsstunden stecken darin.",
            True,
        ),
        ("How many burials a day are there now?", "There are around 24 burials each day.", True),
        ("How many burials a day are there now?", "The island has held 1 million dead.", False),
        # People in general count any group of people asked for; another thing counts nothing.
        (
            "Wie viele Unterschriften hat die Petition gesammelt?",
            "Unterschrieben haben bislang fast 10.000 Menschen.",
            True,
        ),
        ("How many visitors came to the fair?", "About 2,000 people came on Sunday.", True),
        ("How many visitors came to the fair?", "About 2,000 stalls opened on Sunday.", False),
        # Money earned; the cue inside a German compound ("Jahresgehalt", "Arbeitslosenquote",
        # "Durchschnittstemperatur").
        ("How much does the mayor earn per year?", "He is paid $120,000 a year.", True),
        ("How much does the mayor earn per year?", "He was elected in 2021.", False),
        ("Wie hoch ist das Jahresgehalt der Intendantin?", "Es liegt bei 295.000 Euro.", True),
        (
            "Wie hoch ist das Jahresgehalt der Intendantin?",
            "Sie ist seit 32 Jahren im Sender.",
            False,
        ),
        ("Wie hoch ist die Arbeitslosenquote?", "Sie sank auf 5,7 Prozent.", True),
        (
            "Wie hoch war die Durchschnittstemperatur im Oktober 2023?",
            "Das Temperaturmittel lag im Oktober 2023 mit 11,9 Grad Celsius über dem Wert.",
            True,
        ),
        # An age asked as "mit wie vielen Jahren" or "at what age"; the amount a firm charged;
        # rain and snow in litres per square metre or millimetres, not the month's temperature.
        (
            "Mit wie viel Jahren ist der Golfer gestorben?",
            "Ende November 2021 starb er im Alter von 87 Jahren.",
            True,
        ),
        ("At what age did she retire?", "She retired in 2019, aged 61.", True),
        ("At what age did she retire?", "She retired in 2019.", False),
        ("How much did the law firm charge?", "It billed the county $2 million.", True),
        ("How much did the law firm charge?", "It filed the lawsuit in 2021.", False),
        (
            "Wie viel Niederschlag gab es im Oktober in Deutschland?",
            "Im Oktober fielen rund 100 Liter pro Quadratmeter.",
            True,
        ),
        (
            "Wie viel Niederschlag gab es im Oktober in Deutschland?",
            "Das Temperaturmittel lag im Oktober bei 11,9 Grad Celsius.",
            False,
        ),
        ("How much rain fell in Valencia?", "Up to 491 mm fell in eight hours.", True),
        # "how much time" asks for a duration, a clock's reading too, not a weight
        ("How much time was left when Denver scored?", "Denver scored with 3:08 left.", True),
        ("How much time was left when Denver scored?", "The lineman weighs 300 pounds.", False),
        ("Wie viel Zeit blieb noch?", "Es blieben noch 17 Sekunden.", True),
        # The question's own number does not answer it.
        ("Wie viel kostet ein Ticket für 2 Personen?", "Es gibt 2 Personen.", False),
        # A question that asks for no number.
        ("Wer hat die Wahl gewonnen?", "Sie ist 32 Jahre alt.", False),
    ],
)
def test_holds_unit(question: str, sentence: str, expected: bool) -> None:
    assert holds_unit(question, sentence) is expected


def _confidences(
    tmp_path: Path, step: str, title: str, texts: dict[str, str], questions: list[str]
) -> dict[tuple[str, float, int], float]:
    """Each question's confidence in a library of each text alone, with the AnswerConfig field
    `step` at 0 and at its default (every confidence seen: no threshold)."""
    never = AnswerConfig(threshold=-math.inf)
    found = {}
    for name, text in texts.items():
        for missing in (0.0, getattr(AnswerConfig(), step)):
            config = LibraryConfig(
                tmp_path / f"{name}-{missing}", answer=replace(never, **{step: missing})
            )
            library = Library(config, embedder=HashEmbedder())
            library.add_text(text, title=title)
            for n, question in enumerate(questions):
                found[name, missing, n] = library.ask(question).confidence
            library.close()
    return found


def test_an_amount_whose_unit_is_nowhere_near_is_answered_with_less_confidence(
    tmp_path: Path,
) -> None:
    texts = {
        "none": "Netflix signed a deal with the couple in 2020. The couple will make films.",
        "money": "Netflix signed a deal with the couple, worth $100 million. They will make films.",
    }
    # A question for a name is no amount: never lowered.
    questions = ["How much is Netflix paying the couple?", "Who signed a deal with Netflix?"]
    found = _confidences(tmp_path, "unit_missing", "Netflix deal", texts, questions)
    step = AnswerConfig().unit_missing
    assert step > 0
    assert found["none", step, 0] == pytest.approx(found["none", 0.0, 0] - step)
    assert found["money", step, 0] == pytest.approx(found["money", 0.0, 0])
    assert found["none", step, 1] == pytest.approx(found["none", 0.0, 1])


def test_a_count_of_a_thing_nowhere_near_is_answered_with_less_confidence(
    tmp_path: Path,
) -> None:
    texts = {
        "none": "The state held its primary on Saturday. A poll gave Biden 35% of the vote.",
        "count": "The state held its primary on Saturday. Biden won 39 delegates in the state.",
    }
    questions = ["How many delegates did Biden win in the state's primary?"]
    found = _confidences(tmp_path, "count_missing", "The state's primary", texts, questions)
    step = AnswerConfig().count_missing
    assert step > 0
    assert found["none", step, 0] == pytest.approx(found["none", 0.0, 0] - step)
    assert found["count", step, 0] == pytest.approx(found["count", 0.0, 0])


def test_the_confidence_is_discounted_by_the_size_of_the_library(tmp_path: Path) -> None:
    """The best of more passages is a better chance match: per tenfold of passages beyond
    AnswerConfig.size_floor, the confidence is per_decade less (index.confidence.size_discount)."""
    never = AnswerConfig(threshold=-math.inf)
    library = Library(LibraryConfig(tmp_path / "lib", answer=never), embedder=HashEmbedder())
    library.add_text(
        "Netflix signed a deal with the couple, worth $100 million. They will make films.\n\n"
        "The couple moved to California in 2020. Their son was born in 2019.",
        title="Netflix deal",
    )
    for town in ("Bonn", "Graz", "Turin"):
        library.add_text(f"The new bridge in {town} will cost 40 million euros.", title=town)
    passages = library.backend.searched()
    assert passages >= 4
    found = {}
    for floor, per_decade in ((passages, 0.0), (passages, 0.05), (1, 0.05)):
        library.config = replace(
            library.config, answer=replace(never, size_floor=floor, per_decade=per_decade)
        )
        found[floor, per_decade] = library.ask("How much is Netflix paying the couple?").confidence
    library.close()
    assert AnswerConfig().per_decade > 0
    # At or below the floor: no discount; beyond it, per_decade per tenfold.
    assert found[passages, 0.05] == pytest.approx(found[passages, 0.0])
    discount = 0.05 * math.log10(passages)
    assert discount > 0.01
    assert found[1, 0.05] == pytest.approx(found[passages, 0.0] - discount)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Wie viel verdient der neue Intendant im Jahr?", True),
        ("Wie hoch ist der Mindestlohn in Deutschland?", True),  # a compound's head
        ("How much does a Big Mac cost in the United States?", True),
        ("Wie teuer ist das Ticket?", True),
        # Counting a thing, not money: a prize, lives
        ("Wie viele Nobelpreise hat sie gewonnen?", False),
        ("How many lives did the war cost?", False),
        # French "pays" is a country; "Aufträge" may be counted
        ("Quelle part des habitants vit hors de son pays ?", False),
        ("Wie hoch sind die offenen Aufträge?", False),
    ],
)
def test_asks_money(question: str, expected: bool) -> None:
    assert asks_money(question) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Das Ticket kostet 49 Euro im Monat.", True),
        ("A Big Mac costs $5.79 on average.", True),
        ("Die Aufträge belaufen sich auf 5,7 Milliarden.", True),  # a scale stands for it
        ("Der Eintritt ist frei.", True),  # nothing to pay is an answer
        ("Entry is free for children.", True),
        ("Sie war zwölf Jahre Intendantin und 32 Jahre im Sender.", False),
        ("Am 14. Oktober 2021 wurde der Plan vorgestellt.", False),
        # A letter after a number is no scale of money: an aircraft, a distance
        ("Dort werden A400M-Piloten ausgebildet.", False),
        ("Der Turm ist 5 m hoch.", False),
    ],
)
def test_states_money(text: str, expected: bool) -> None:
    assert states_money(text) is expected


def test_money_asked_of_an_article_stating_none_is_answered_with_less_confidence(
    tmp_path: Path,
) -> None:
    texts = {
        "none": "Ralf Ludwig wird neuer Intendant des Senders. Er war zuvor Verwaltungsdirektor.",
        "money": "Ralf Ludwig wird neuer Intendant des Senders. Er verdient 295.000 Euro im Jahr.",
    }
    questions = ["Wie viel verdient der neue Intendant Ralf Ludwig im Jahr?"]
    never = replace(product_config(reader=False), threshold=-math.inf)
    found = {}
    for name, text in texts.items():
        for below in (0.0, MONEY_BELOW):
            config = LibraryConfig(
                tmp_path / f"{name}-{below}", answer=replace(never, money_below=below)
            )
            library = Library(config, embedder=HashEmbedder())
            library.add_text(text, title="Neuer Intendant")
            found[name, below] = library.ask(questions[0]).confidence
            library.close()
    assert MONEY_BELOW > 0
    assert product_config().money_below == MONEY_BELOW
    assert AnswerConfig().money_below == 0.0
    assert found["none", MONEY_BELOW] == pytest.approx(found["none", 0.0] - MONEY_BELOW)
    assert found["money", MONEY_BELOW] == pytest.approx(found["money", 0.0])
