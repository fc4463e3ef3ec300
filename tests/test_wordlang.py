"""A question's language checked against its words (index/wordlang.py): short questions that
langdetect reads as another language are read as the library language whose stopwords and
dictionary hold their words; questions in a language the library lacks keep their own."""

from __future__ import annotations

import pytest

from index.language import detect_language
from index.wordlang import function_words, question_language

NEWS = ("de", "en", "es", "fr", "it", "pl", "pt")
DE_EN = ("de", "en")

CASES = [
    # langdetect alone: Polish, English, Dutch, Italian, Afrikaans (each checked below)
    ("wo sitzt FACC?", NEWS, "de"),
    ("wie viele bälle fing josh norman ab?", DE_EN, "de"),
    ("Are barbers open in Cork under Level 3?", NEWS, "en"),
    ("Which artist did the Tegnell tattoo?", NEWS, "en"),
    ("wer gewann den super bowl xlix?", DE_EN, "de"),
    # Portuguese: "who" is no stopword of BM25's English list, the stop-words package's holds it
    ("Who is Alvaro Zabaelta?", NEWS, "en"),
    # read right by langdetect already, and kept ("who", "is" are words of simplemma's German
    # dictionary, and "Alvaro" too: English's stopwords read them as English only)
    ("Who is Alvaro Zabaleta?", NEWS, "en"),
    ("Wen schlugen die Broncos in der Divisional Round?", DE_EN, "de"),
    ("Wie viele Einwohner hat München?", DE_EN, "de"),
    ("How many people live in Tokyo?", DE_EN, "en"),
    ("Qui a reçu le prix Nobel de littérature en 2023 ?", NEWS, "fr"),
    ("Ilu europosłów poparło umowę z Wielką Brytanią?", NEWS, "pl"),
    # a language the library does not hold stays the question's own, read by its dictionary
    # too ("Rain" and "Fell" are German words)
    ("How much rain fell in North Rhine-Westphalia in October?", ("de",), "en"),
    ("Quels pays pratiquent réellement une politique d'immigration choisie ?", DE_EN, "fr"),
    ("¿Qué porcentaje de los glaciares ha retrocedido en 50 años?", DE_EN, "es"),
]


@pytest.mark.parametrize(("question", "languages", "want"), CASES)
def test_question_language(question: str, languages: tuple[str, ...], want: str) -> None:
    assert question_language(question, languages) == want


def test_the_cases_that_words_settle_are_misread_by_langdetect_alone() -> None:
    """The first six cases are no check of a guess langdetect gets right anyway."""
    wrong = [detect_language(q, hints=languages) != want for q, languages, want in CASES[:6]]
    assert all(wrong), wrong


def test_words_no_language_reads_leave_the_guess() -> None:
    """Names alone (no stopword, no dictionary word): langdetect's guess stands, whatever it is."""
    for question in ("FACC?", "Tegnell Zabaleta Xlix", "東京の人口は？"):
        assert question_language(question, DE_EN) == detect_language(question, hints=DE_EN)


def test_a_tie_between_library_languages_leaves_the_guess() -> None:
    """A word both stopword lists hold ("in") reads as both: no language reads more."""
    question = "in Broncos?"
    guessed = detect_language(question, hints=DE_EN)
    assert question_language(question, DE_EN) == guessed


def test_function_words_join_both_lists() -> None:
    """BM25's stopwords and the stop-words package's, langdetect's "no" as its "nb"."""
    assert {"who", "what", "when"} <= function_words("en")
    assert {"wer", "wann", "der"} <= function_words("de")
    assert "ikke" in function_words("no")
    assert function_words("xx") == frozenset()


def test_an_empty_library_takes_langdetect_guess() -> None:
    question = "wo sitzt FACC?"
    assert question_language(question, ()) == detect_language(question)


def test_a_guess_outside_the_library_loads_its_dictionary_only_where_it_decides(
    monkeypatch,  # noqa: ANN001
) -> None:
    """Loading a dictionary takes a second or more: a question whose words an English library
    reads far better than the guessed Dutch does is decided without Dutch's; where Dutch's
    dictionary could change the count, it is read."""
    import index.wordlang as wordlang

    asked: list[str] = []
    original = wordlang.known_any_case

    def recording(word: str, language: str) -> bool:
        asked.append(language)
        return original(word, language)

    monkeypatch.setattr(wordlang, "known_any_case", recording)
    question = "What was the name of the company that built the bridge?"
    assert wordlang._checked.__wrapped__(question, "nl", ("en",)) == "en"
    assert "nl" not in asked
    # no function word of either: English's dictionary reads half the words, Dutch's may read
    # more, and it is asked (it reads three)
    asked.clear()
    assert (
        wordlang._checked.__wrapped__("hotel restaurant prijzen Zandvoort", "nl", ("en",)) == "nl"
    )
    assert "nl" in asked
