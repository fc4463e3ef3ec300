"""A question typed all in lower case is read with its names and nouns written as the articles
found for it write them (index.truecase); a question with any capital is left as typed."""

from __future__ import annotations

from typing import Any

import pytest

from index.truecase import all_lower, truecased

PASSAGES = [
    "Throughout their two-hour TV special, Harry and Meghan spoke with candor. Oprah Winfrey "
    "hosted Harry and Meghan's TV sit-down on CBS. The couple said they were happy. Winfrey’s "
    "team was pleased.",
    "Die neue Bürgermeisterin von Petersberg heißt Claudia Brandes. Wer sie wählte, wollte "
    "einen Wechsel.",
]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (
            "who hosted harry and meghan's tv sit-down?",
            "who hosted Harry and Meghan's TV sit-down?",
        ),
        (
            "wer ist die bürgermeisterin von petersberg?",
            "wer ist die Bürgermeisterin von Petersberg?",
        ),
        # "The" and "Wer" are capitalized only where a sentence starts: they stay as typed.
        ("the couple and wer?", "the couple and wer?"),
        ("what did the couple say?", "what did the couple say?"),
        # A possessive typed with a straight apostrophe where the passages write a curly one, or
        # one they do not write at all: its word as they write it, its apostrophe as typed.
        ("who spoke for winfrey's team?", "who spoke for Winfrey's team?"),
        ("who spoke for winfrey’s team?", "who spoke for Winfrey’s team?"),
        ("was ist petersberg's haushalt?", "was ist Petersberg's haushalt?"),
    ],
)
def test_words_are_written_as_the_passages_write_them(typed: str, read: str) -> None:
    assert truecased(typed, PASSAGES) == read


NAMES = [
    "The New York Times said the new bridge opened. Traffic in New York was calm, the new "
    "mayor said.",
    "Fans of Harry Styles waited. Harry Styles sang.",
]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        # "New" opens the name "New York": only "new york" is written so, not "the new bridge".
        ("when did the new bridge open in new york?", "when did the new bridge open in New York?"),
        ("what did the new york times say?", "what did the New York Times say?"),
        ("who is the new mayor?", "who is the new mayor?"),
        # A name's first word never written in lower case is the name's wherever it is typed.
        ("who sang with harry styles?", "who sang with Harry Styles?"),
        ("what are harry's songs?", "what are Harry's songs?"),
    ],
)
def test_a_name_s_first_word_is_capitalized_only_in_that_name(typed: str, read: str) -> None:
    assert truecased(typed, NAMES) == read


@pytest.mark.parametrize(
    ("question", "lower"),
    [
        ("who is harry?", True),
        ("Who is harry?", True),  # only the first letter: as a phone's keyboard writes it
        ("Who is Harry?", False),
        ("who is Harry?", False),
        ("2024?", False),
        ("谁？", False),
    ],
)
def test_only_questions_without_a_capital_but_the_first_are_truecased(
    question: str, lower: bool
) -> None:
    assert all_lower(question) is lower


def test_a_lower_case_question_is_answered_as_truecased(hash_library: Any) -> None:
    hash_library.add_text("Harry and Meghan on TV\n\n" + " ".join(PASSAGES[:1]))
    answer = hash_library.ask("who hosted harry and meghan's tv sit-down")
    assert answer.question == "who hosted Harry and Meghan's TV sit-down?"
    cased = hash_library.ask("Who hosted Harry and Meghan's TV sit-down?")
    assert cased.question == "Who hosted Harry and Meghan's TV sit-down?"


def test_a_lower_case_questions_language_is_told_as_truecased(hash_library: Any) -> None:
    # langdetect reads "Who is alvaro zabaleta?" as Slovenian; as the articles write it,
    # "Who is Alvaro Zabaleta?", English: the reply and its word analysis are English.
    hash_library.add_text(
        "Crash in Miami\n\nThe car flipped to its side, said Miami-Dade Police Detective Alvaro "
        "Zabaleta. Zabaleta said the driver was 15 years old."
    )
    answer = hash_library.ask("Who is alvaro zabaleta?")
    assert answer.question == "Who is Alvaro Zabaleta?"
    assert answer.language == "en"
