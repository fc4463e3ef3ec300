"""Which X" questions: the noun they ask for, and whether a sentence names such a thing.

"Which rabbi blessed …?" is answered by "Rabbi Seth Goldstein", "Welche Parteien …?" by "SPD,
Grüne, FDP und Linke". Split from index.qtype, which types questions and reads the other kinds of
evidence; this module knows nothing of those.
"""

from __future__ import annotations

import re
from functools import lru_cache

_I = re.IGNORECASE
_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# "Which X" / "welche X": the answer names an X, most often beside the word for it ("Which
# rabbi …?": "Rabbi Seth Goldstein"; "Welcher Uni-Präsident …?": "Universitätspräsident Dieter
# Lenzen"). English and German only: the head noun is found by word order (English: the word
# after "which"/"what", past a capitalized modifier; German: the first capitalized word after
# "welche…", past lowercase adjectives), which other languages order otherwise.
_HEAD_EN = re.compile(r"\b(?:which|what)\s+([\w-]+)(?:\s+([\w-]+))?", _I)
_HEAD_DE = re.compile(r"\b[Ww]elche[rmns]?\s+(?:[a-zäöüß][\w-]*\s+){0,2}([A-ZÄÖÜ][\w-]*)")
_NOT_HEADS = _words(
    "is are was were do does did has have had can could will would should may might must of "
    "kind kinds type types sort sorts"
)


@lru_cache(maxsize=1024)
def head_noun(question: str) -> str | None:
    """The noun a "which X" question asks for, case-folded, its last part if hyphenated
    ("präsident" for "Welcher Uni-Präsident"); None if it asks no such thing."""
    found = _HEAD_DE.search(question)
    if found:
        word = found.group(1)
    else:
        found = _HEAD_EN.search(question)
        if not found or found.group(1).casefold() in _NOT_HEADS:
            return None
        # "What" asks for a thing only before a noun, which a verb follows ("What car were
        # they driving?"); "What happened to …", "What caused …" ask no "which X".
        after = (found.group(2) or "").casefold()
        if found.group(0)[:4].casefold() == "what" and after not in _NOT_HEADS:
            return None
        word = found.group(1)
        if word[:1].isupper() and found.group(2) and found.group(2)[:1].islower():
            word = found.group(2)  # "Which NFL team": the team
    return word.rsplit("-", 1)[-1].casefold() or None


@lru_cache(maxsize=1024)
def question_words(question: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _WORD.findall(question))


_TOKEN = re.compile(r"\w[\w'’-]*")
# A list of three or more names ("SPD, Grüne, FDP und Linke"): the answer to a "which X"
# question that asks for several.
# Linear on any sentence: a list starts only where no item came before (the lookbehinds), and
# its items, once read, are not given back (possessive), so a long run of names without "und"
# is read once, not once per start.
_CAP = r"[A-ZÄÖÜ][\w'’-]*"
_LIST = re.compile(
    rf"(?<![\w'’-])(?<!,\s)(?<!,){_CAP}(?:,\s+{_CAP})++,?\s+(?:und|and|oder|or|sowie)\s+{_CAP}"
)


def named_beside(sentence: str, question: str) -> bool:
    """Whether `sentence` holds the question's head noun (head_noun: as a word or a compound's
    part) with a name or a number beside it (three words either side) that the question does
    not hold: "Rabbi Seth Goldstein", "Senate Bill 10"; or a list of three names or more that
    the question does not hold ("SPD, Grüne, FDP und Linke": the question may ask for several,
    which a list names without the head noun)."""
    head = head_noun(question)
    if head is None:
        return False
    asked = question_words(question)
    if any(
        asked.isdisjoint(w.casefold() for w in _WORD.findall(m.group(0)))
        for m in _LIST.finditer(sentence)
    ):
        return True
    key = head if len(head) <= 4 else head[: max(4, len(head) - 2)]
    tokens = _TOKEN.findall(sentence)
    for j, token in enumerate(tokens):
        word = token.casefold()
        if not (word.startswith(key) if len(head) <= 4 else key in word):
            continue
        for i in range(max(1, j - 3), min(len(tokens), j + 4)):
            near = tokens[i]
            named = near[0].isupper() or near[0].isdigit()
            if i != j and named and near.casefold() not in asked:
                return True
    return False
