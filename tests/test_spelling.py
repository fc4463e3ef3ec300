"""A question's typos are corrected toward the words of the articles retrieved for it
(index.spelling), only where the word is long, unknown to the library and to the language's
dictionary, and a letter or two from an article's word."""

from __future__ import annotations

from typing import Any

import pytest

from index.spelling import corrected

TEXTS = [
    "Der Abänderungsantrag wurde mit 322 zu 306 Stimmen angenommen. Die Hochschule in Köln "
    "meldete ein Datenleck. Die Geschäftsführerin leidet unter dem Streit.",
    "The country's election commission said the candidate entered the race on Monday.",
]


def unknown_words(*typos: str):  # noqa: ANN201
    return lambda word: word in typos


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (
            "Wann meldete die Hochshcule das Datelneck?",
            "Wann meldete die Hochschule das Datenleck?",
        ),
        ("In which coutnry did the canddiate run?", "In which country did the candidate run?"),
        # Lower case as typed stays lower case.
        ("which canddiate entered?", "which candidate entered?"),
    ],
)
def test_a_typo_is_corrected_to_the_articles_word(typed: str, read: str) -> None:
    unknown = unknown_words("Hochshcule", "Datelneck", "coutnry", "canddiate")
    assert corrected(typed, unknown, lambda: TEXTS) == read


def test_known_words_and_far_words_stay_as_typed() -> None:
    asked = []
    # "leitet" is a word (the caller says so): not made "leidet"; "Zollhaus" is near no word.
    question = "Wer leitet das Zollhaus?"
    assert corrected(question, unknown_words("Zollhaus"), lambda: asked or TEXTS) == question
    # Short words are never corrected, and the texts are not read where nothing is unknown.
    assert corrected("Wer leitet es?", unknown_words(), lambda: asked.append(1) or TEXTS) == (
        "Wer leitet es?"
    )
    assert not asked


def test_a_question_with_a_typo_is_answered_as_corrected(hash_library: Any) -> None:
    hash_library.add_text(
        "Radon-Karte veröffentlicht\n\nDas Bundesamt für Strahlenschutz hat eine neue Karte "
        "veröffentlicht. Sie zeigt die Radonbelastung in einer Auflösung von einem Kilometer."
    )
    hash_library.add_text(
        "Neue Brücke\n\nDer Stadtrat hat den Bau einer neuen Brücke beschlossen. Sie kostet "
        "vier Millionen Euro. Der Verkehr leidet unter den Bauarbeiten."
    )
    answer = hash_library.ask("Was zeigt die Karte vom Bundesamt für Strahlenscuhtz?")
    assert answer.question == "Was zeigt die Karte vom Bundesamt für Strahlenschutz?"
    # A word the dictionary knows is no typo, even one letter from an article's word that the
    # library lacks ("leitet", "leidet").
    answer = hash_library.ask("Wer leitet die Bauarbeiten an der Brücke?")
    assert answer.question == "Wer leitet die Bauarbeiten an der Brücke?"
