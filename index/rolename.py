"""Whether a sentence names a person right after the role a "who" question asks for: "sagt die
TVB-Vorstandsvorsitzende Eva Rönspieß" for "Wer ist Vorstandsvorsitzende beim Tierschutzverein
für Berlin?", "Apple CEO Tim Cook" for "Who is Apple's CEO?". News name people by their role in
apposition; the reader (index.reread) weighs the question's other words, and chose "Deshalb
begrüßt der Tierschutzverein für Berlin … Dr. Kathrin Herrmann", which holds the association's
name and another person. Read with a regular expression over the question's own words (a role
ending a compound, "Konzernchef", counts): no list of roles, any language that writes names
capitalized."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from .lexical import stopwords
from .qtype import QUESTION_WORDS, question_type, question_words

if TYPE_CHECKING:
    from .sentences import ArticleSentences

_NAME_WORD = r"[A-ZÄÖÜÉ][\w'’-]+"
# A name: two capitalized words, after a title or not ("Dr. Kathrin Herrmann").
_NAME = rf"(?:(?:Dr|Prof|Mr|Mrs|Ms)\.\s+)*({_NAME_WORD})\s+({_NAME_WORD})"
MIN_ROLE = 3  # shorter words of the question are no role ("he", "Mr")


@lru_cache(maxsize=256)
def _pattern(question: str, language: str) -> re.Pattern[str] | None:
    stop = stopwords(language)
    roles = sorted(
        (
            w
            for w in question_words(question)
            if len(w) >= MIN_ROLE and w not in stop and w not in QUESTION_WORDS
        ),
        key=len,
        reverse=True,
    )
    if not roles:
        return None
    alternation = "|".join(re.escape(r) for r in roles)
    return re.compile(rf"(?i:\b[\w-]*(?:{alternation}))\s+{_NAME}")


def role_named(
    question: str, articles: dict[int, ArticleSentences], lines: Iterable[tuple[int, int]]
) -> set[tuple[int, int]]:
    """The (article id, sentence) `lines` whose sentence names a person, none of whose words the
    question holds, right after one of the question's words (not its stopwords in the article's
    language), for a question asking who."""
    if question_type(question) != "person":
        return set()
    asked = question_words(question)
    named = set()
    for a, i in lines:
        pattern = _pattern(question, articles[a].language)
        if pattern is None:
            continue
        text, start = articles[a].sentence(i), 0
        while match := pattern.search(text, start):  # overlapping: "Apple CEO Tim Cook"
            if asked.isdisjoint(w.casefold() for w in match.groups()):
                named.add((a, i))
                break
            start = match.start() + 1
    return named
