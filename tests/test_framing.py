"""A chat question's greeting and request are left out before it is answered (index.framing):
what remains is the question; a message that is only a greeting, or words that merely start
like one, stay as typed."""

from __future__ import annotations

from typing import Any

import pytest

from index.asking import as_asked
from index.framing import unframed


@pytest.mark.parametrize(
    ("typed", "asked"),
    [
        (
            "Hallo! Kannst du mir sagen, wie knapp die Abstimmung im Unterhaus ausging?",
            "wie knapp die Abstimmung im Unterhaus ausging?",
        ),
        ("Hi there, could you please tell me who won the cup?", "who won the cup?"),
        ("Guten Morgen, weißt du, wer gewonnen hat?", "wer gewonnen hat?"),
        ("Wie viele Menschen leben in Berlin, bitte?", "Wie viele Menschen leben in Berlin?"),
        ("Bonjour ! Dis-moi qui a gagné ?", "qui a gagné ?"),
        ("¡Hola! ¿Puedes decirme quién ganó?", "quién ganó?"),
        ("Please, who won the cup? Thanks", "who won the cup?"),
    ],
)
def test_the_frame_is_left_out(typed: str, asked: str) -> None:
    assert unframed(typed) == asked


@pytest.mark.parametrize(
    "typed",
    [
        "Hallo!",
        "Hilfe bei der Flut?",
        "Sail boats in Kiel?",
        "His answer?",
        "Oil prices in 2024?",
        "Saint-Denis: wer ist Bürgermeister?",
        "Wer hat gewonnen?",
    ],
)
def test_a_question_without_a_frame_stays_as_typed(typed: str) -> None:
    assert unframed(typed) == typed


def test_a_framed_question_gets_the_answer_of_the_question_alone(hash_library: Any) -> None:
    hash_library.add_text(
        "Bridge approved\n\nThe council approved a new bridge over the river. It will cost 40 "
        "million euros and open in 2027. The mayor said the town needed it."
    )
    plain = hash_library.ask("How much will the bridge cost?")
    framed = hash_library.ask("Hi! Could you tell me how much will the bridge cost, please")
    assert framed.question == as_asked("how much will the bridge cost") == plain.question.lower()
    assert (framed.abstained, framed.quote) == (plain.abstained, plain.quote)
