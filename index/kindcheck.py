"""Which sentences state nothing of the kind of answer a question asks for, where others do:
an amount of the unit asked for (money, a share, an age, a temperature, a duration, a
distance, a weight: index.units) or a game's or a vote's result ("106-103", "322 zu 306"). The
reader (index.reread) reads such a sentence lower: it weighs the question's topic words above
the kind of answer asked for, and read "Agents … found a hidden compartment containing 20
packages" over "AMO found Sunday 475 pounds of cocaine" for "How much cocaine did the agents
find?". Classic question answering checks its candidates' answer type the same way.

Counts of a thing are left out: news count in other words than the question's ("31
volunteers" for "How many patients"). So are times ("wann", "when": XQuAD answers them with
events, "als Deutschland begann, …", and eras, "13.000 BP", which no pattern reads; both
XQuAD languages lost answers, EXPERIMENTS.md), and names, places and reasons: what reads as one
(capitalized words, a preposition before a capitalized word, "weil") is in most sentences of a
news article."""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import TypeVar

from .units import expected, holds_unit

T = TypeVar("T", bound=Hashable)
# A question for a game's or a vote's result ("What was the final score …?", "Wie knapp ging
# die Abstimmung aus?", "Wie lautete der Endstand?"), answered by two numbers set against each
# other: "106-103", "2:1", "322 zu 306", "24 to 10". Not "Ergebnis" alone: "Was war das
# Ergebnis der Wahl von 2007?" (XQuAD) is answered by what followed it, and a range ("9-18
# Jahre alt") read as a result had that answer lost.
_RESULT_ASKED = re.compile(
    r"\b(?:(?:the|final|end) score|endstand|endergebnis|spielstand|"
    r"wie (?:\w+ )?(?:ging|endete) .+ aus|how close was|by what margin|wie knapp)\b",
    re.I,
)
_RESULT = re.compile(r"(?<![\d.,:])\d{1,3}\s?(?:[-:–]|zu|to)\s?\d{1,3}(?![.,:]?\d)", re.I)


def lacking(question: str, sentences: dict[T, str]) -> set[T]:
    """The keys of the `sentences` that hold nothing of the kind `question` asks for (see the
    module), where another of them does; none where none does or the question asks for no
    such kind."""
    if expected(question)[0] is not None:
        held = {key: holds_unit(question, text) for key, text in sentences.items()}
    elif _RESULT_ASKED.search(question):
        held = {key: _RESULT.search(text) is not None for key, text in sentences.items()}
    else:
        return set()
    return {key for key, has in held.items() if not has} if any(held.values()) else set()
