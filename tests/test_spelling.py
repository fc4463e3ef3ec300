"""A question's typos are corrected toward the words of the articles retrieved for it
(index.spelling), only where the word is long, unknown to the library and to the language's
dictionary, and a letter or two from an article's word; where no article word is near, toward
a dictionary word one edit away."""

from __future__ import annotations

from typing import Any

import pytest

from index.spelling import corrected, dictionary_neighbours, one_edit

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


def test_one_edit_makes_every_deletion_swap_replacement_and_insertion() -> None:
    edits = one_edit("Haus")
    assert {"aus", "ahus", "maus", "hausa", "häus"} <= edits
    assert "haus" not in edits and "hasu" in edits
    assert "hxyz" not in edits  # two edits away


def test_the_dictionary_offers_words_one_edit_away_preferring_the_librarys() -> None:
    # "Zeitshcrift" is one swap from "Zeitschrift" (simplemma's German dictionary knows it).
    assert dictionary_neighbours("Zeitshcrift", "de", lambda w: False) == ["zeitschrift"]
    # Of several, those the library holds; none held: all, for the caller to judge.
    offered = dictionary_neighbours("Hochshcule", "de", lambda w: False)
    assert "hochschule" in offered
    assert dictionary_neighbours("Hochshcule", "de", lambda w: w == "hochschule") == ["hochschule"]
    # Words shorter than MIN_LETTERS are never offered; an unknown language offers nothing.
    assert dictionary_neighbours("Hasu", "de", lambda w: True) == []
    assert dictionary_neighbours("Zeitshcrift", "xx", lambda w: True) == []


def test_the_dictionary_corrects_a_typo_no_article_word_is_near() -> None:
    unknown = unknown_words("Zeitshcrift")
    question = "In welcher Zeitshcrift erschien die Studie?"

    def dictionary(word: str) -> list[str]:
        return dictionary_neighbours(word, "de", lambda w: False)

    # The articles say "Fachmagazin": no word of theirs is near; the dictionary's is taken, in
    # the case typed.
    assert corrected(question, unknown, lambda: TEXTS, dictionary) == (
        "In welcher Zeitschrift erschien die Studie?"
    )
    assert corrected(question.lower(), unknown_words("zeitshcrift"), lambda: TEXTS, dictionary) == (
        "in welcher zeitschrift erschien die studie?"
    )
    # Two words offered and none held by the library: the word stays as typed.
    assert corrected(question, unknown, lambda: TEXTS, lambda w: ["a", "b"]) == question
    # Without a dictionary, as before.
    assert corrected(question, unknown, lambda: TEXTS) == question


def test_a_typo_the_articles_lack_is_corrected_by_the_dictionary(hash_library: Any) -> None:
    hash_library.add_text(
        "Neue Studie zu Zugvögeln\n\nDie Studie der Vogelwarte erschien im Fachmagazin "
        "Nature. Sie zeigt, dass Störche früher zurückkehren."
    )
    answer = hash_library.ask("In welcher Zeitshcrift erschien die Studie der Vogelwarte?")
    assert answer.question == "In welcher Zeitschrift erschien die Studie der Vogelwarte?"
    # A question word the dictionary lacks ("combien", "pourquoi") is never taken for a typo.
    hash_library.add_text(
        "Pollution des eaux\n\nLa substance a été détectée dans 31 stations de mesure des eaux "
        "souterraines, selon l'Office fédéral de l'environnement."
    )
    question = "Dans combien de stations a-t-on détecté la substance ?"
    assert hash_library.ask(question).question == question


def test_a_question_of_many_unknown_words_is_left_as_typed() -> None:
    # One slip is corrected; four words the library lacks are no slips but words it does not
    # hold (another language, names), and the dictionary is not asked thousands of lookups.
    asked: list[str] = []

    def dictionary(word: str) -> list[str]:
        asked.append(word)
        return []

    typed = "Wann meldete die Hochshcule das Datelneck?"
    assert corrected(
        typed, unknown_words("Hochshcule", "Datelneck"), lambda: TEXTS, dictionary
    ) == ("Wann meldete die Hochschule das Datenleck?")
    many = "Qwertzui asdfghjk yxcvbnmq poiuztre lkjhgfds?"
    unknown = unknown_words(*many.rstrip("?").split())
    assert corrected(many, unknown, lambda: TEXTS, dictionary) == many
    assert not asked
