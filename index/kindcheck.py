"""Which sentences state nothing of the kind of answer a question asks for, where others do:
an amount of the unit asked for (money, a share, an age, a temperature, a duration, a
distance, a weight: index.units), a game's or a vote's result ("106-103", "322 zu 306"), or
where someone or something is based or comes from ("Vom Innviertel aus …", "Hartley, 37, from
Radstock"), or for "when" a time (index.qtype's evidence of one: a year, a date, a month, a
weekday, a clock time, a decade, an era, "gestern", "since"; one the question names does not
count). The reader (index.reread) reads such a sentence lower: it weighs the question's
topic words above the kind of answer asked for, and read "Agents … found a hidden compartment
containing 20 packages" over "AMO found Sunday 475 pounds of cocaine" for "How much cocaine did
the agents find?". Classic question answering checks its candidates' answer type the same way.

Counts of a thing are left out: news count in other words than the question's ("31
volunteers" for "How many patients"). So are names, places and reasons: what reads as one
(capitalized words, a preposition before a capitalized word, "weil") is in most sentences of a
news article. A place is checked only for a question of where someone or something is based or
comes from, by the words that say so ("mit Sitz in", "gebürtige", "based in", "von Wien aus") or
by a place right after a name the question asks about ("Energiprojekt AB in Sweden"): a place
anywhere in a sentence is no answer to it ("der Krieg in Israel" for where a firm sits).
Times were left out too while index.qtype read no decade ("the 1970s"), era ("13.000 BP") or
leading clause ("When many people are arrested, what …?"): both XQuAD languages lost answers
(EXPERIMENTS.md); an event answering "when" ("…, als Deutschland begann, …") reads as a time by
its conjunction."""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import TypeVar

from .qtype import has_evidence, question_type
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
# A question of where someone or something is based or comes from: "Wo sitzt FACC?", "Woher
# stammt sie?", "Wo ist Energiprojekt AB ansässig?", "Where is he from?", "Where is the firm
# based?". Not "where" alone: a place of an event is stated in most sentences of its report;
# nor "from" inside one ("Where was the V&A transferred to from …?").
_FROM_ASKED = re.compile(
    r"\b(?:(?:wo (?:sitz(?:t|en)|(?:hat|haben) .+ (?:seinen|ihren) sitz|(?:ist|sind) .+ "
    r"(?:ansässig|beheimatet|zu hause|zuhause))|woher (?:kommt|kommen|stammt|stammen|stammte|"
    r"stammten|kam|kamen)|where (?:is|are|was|were|does|do|did) .+ (?:based|headquartered))\b|"
    r"where (?:is|are|was|were|does|do|did) [^?]+ from\s*\?*\s*$)",
    re.I,
)
# Words that tell where one is based or comes from, in the languages qtype knows: "mit Sitz in",
# "Hauptsitz", "ansässig", "gebürtige Duisburgerin", "based in", "a native of"; and "von Wien
# aus", "vom Innviertel aus" (German's "from … out", where a firm works from).
_FROM = re.compile(
    r"\b(?:(?:\w*firmen|\w*haupt|\w*konzern|wohn)?sitz (?:in|im|ist|liegt)|"
    r"\w*(?:hauptsitz|firmensitz|konzernsitz|zentrale)|"
    r"ansässig\w*|beheimatet\w*|heimat\w*|stamm(?:t|en|te|ten) aus|gebürtig\w*|geboren in|"
    r"aufgewachsen in|\w*based|headquarter\w*|hails? from|native of|born in|grew up in|"
    r"hometown)\b|\b(?:vo[nm]|aus) (?:[\w-]+ ){0,2}?(?-i:[A-ZÄÖÜ])[\w-]+ aus\b",
    re.I,
)
# What a name the question asks about must be followed by, within 12 characters and in one
# clause, to say where it is: "Energiprojekt AB in Sweden", "Hartley, 37, from Radstock".
_AFTER_NAME = (
    r"[^.;:!?]{0,12}?\b(?:in|im|aus|of|from|near|bei|nahe) (?:der |dem |den |the )?[A-ZÄÖÜ]"
)
_NAME_WORD = re.compile(r"(?<=\s)[A-ZÄÖÜ][\w-]+")
TIMES = ("time", "year")  # index.qtype's kinds of a "when" question
# A clause of time answers "when" as a date does: "…, als Deutschland begann, …" (XQuAD-de lost
# that answer to the time kind without it), "nachdem", "after the war ended". Not "als" alone:
# "größer als", "als Präsident".
_TIME_CLAUSE = re.compile(
    r"(?:,|\b(?:erst|dann|damals|genau|noch))\s+als\b|"
    r"\b(?:nachdem|bevor|sobald|seitdem|after|before|when|while|once)\b",
    re.I,
)


def lacking(question: str, sentences: dict[T, str]) -> set[T]:
    """The keys of the `sentences` that hold nothing of the kind `question` asks for (see the
    module), where another of them does; none where none does or the question asks for no
    such kind."""
    if expected(question)[0] is not None:
        held = {key: holds_unit(question, text) for key, text in sentences.items()}
    elif _RESULT_ASKED.search(question):
        held = {key: _RESULT.search(text) is not None for key, text in sentences.items()}
    elif _FROM_ASKED.search(question):
        names = [re.escape(word) for word in _NAME_WORD.findall(question)]
        placed = re.compile(rf"\b(?:{'|'.join(names)})\b{_AFTER_NAME}") if names else None
        held = {
            key: _FROM.search(text) is not None
            or (placed is not None and placed.search(text) is not None)
            for key, text in sentences.items()
        }
    elif (kind := question_type(question)) in TIMES:
        held = {
            key: has_evidence(kind, text, question) or _TIME_CLAUSE.search(text) is not None
            for key, text in sentences.items()
        }
    else:
        return set()
    return {key for key, has in held.items() if not has} if any(held.values()) else set()
