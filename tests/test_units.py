"""The kind of number a question asks for (index/units.py) and compound parts in BM25 queries."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from index.answer import AnswerConfig
from index.embedder import HashEmbedder
from index.lexical import analyze, query_terms
from index.library import Library, LibraryConfig
from index.units import holds_unit


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
        # The question's own number does not answer it.
        ("Wie viel kostet ein Ticket für 2 Personen?", "Es gibt 2 Personen.", False),
        # A question that asks for no number.
        ("Wer hat die Wahl gewonnen?", "Sie ist 32 Jahre alt.", False),
    ],
)
def test_holds_unit(question: str, sentence: str, expected: bool) -> None:
    assert holds_unit(question, sentence) is expected


def test_german_query_terms_hold_the_parts_of_compounds() -> None:
    terms = query_terms("Wo findet man die Radonkarte?", "de")
    assert set(analyze("Radon Karte", "de")) <= set(terms)
    assert terms[: len(analyze("Wo findet man die Radonkarte?", "de"))] == analyze(
        "Wo findet man die Radonkarte?", "de"
    )


def test_english_query_terms_are_analyze_terms() -> None:
    question = "Where can the radon map be found?"
    assert query_terms(question, "en") == analyze(question, "en")


def test_an_amount_whose_unit_is_nowhere_near_is_answered_with_less_confidence(
    tmp_path,  # noqa: ANN001
) -> None:
    never = AnswerConfig(threshold=-math.inf)  # every confidence is seen
    texts = {
        "none": "Netflix signed a deal with the couple in 2020. The couple will make films.",
        "money": "Netflix signed a deal with the couple, worth $100 million. They will make films.",
    }
    found = {}
    for name, text in texts.items():
        for missing in (0.0, AnswerConfig().unit_missing):
            config = LibraryConfig(
                tmp_path / f"{name}-{missing}", answer=replace(never, unit_missing=missing)
            )
            library = Library(config, embedder=HashEmbedder())
            library.add_text(text, title="Netflix deal")
            found[name, missing] = library.ask("How much is Netflix paying the couple?").confidence
            # A question for a name is no amount: never lowered.
            found[name, missing, "who"] = library.ask("Who signed a deal with Netflix?").confidence
            library.close()
    step = AnswerConfig().unit_missing
    assert step > 0
    assert found["none", step] == pytest.approx(found["none", 0.0] - step)
    assert found["money", step] == pytest.approx(found["money", 0.0])
    assert found["none", step, "who"] == pytest.approx(found["none", 0.0, "who"])


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
