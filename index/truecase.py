"""A question typed all in lower case ("who hosted harry and meghan's tv sit-down"), as chat
users often type, with its names and nouns capitalized as the articles found for it write them
("Harry", "Meghan's", "TV"; German "Bürgermeisterin").

Retrieval does not need it (BM25 and the bundled model are case-blind), but answer selection
reads capitals: a person's or a place's name as the evidence a "who" or "where" question asks
for, the subject of a claim (index.claims), the reader (cased). On the news set, the questions
typed in lower case lost 3 answers and a turn of each kind of chat. A word is written as the
retrieved passages write it inside a sentence, where they do so more often than in lower case;
a word they write only at a sentence's start ("Wer", "The") stays as typed. Questions with any
capital letter are left as the user wrote them. Hand-written: truecasers that ship (e.g. with
NLTK or spaCy models) need downloaded models and know no names of this library's news.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import regex

_WORD = regex.compile(r"[\w'’-]+")
_OPENERS = '.!?:;"“„«»\n'  # after one of these (and spaces) a word starts a sentence
HITS = 5  # the passages read, best first


def all_lower(question: str) -> bool:
    """Whether `question` has cased letters and none of them is a capital but its first letter
    (a phone's keyboard capitalizes that one: "Who is harry's wife?")."""
    first = next((i for i, c in enumerate(question) if c.isalpha()), len(question))
    rest = question[first + 1 :]
    return any(c.islower() for c in question) and not any(c.isupper() for c in rest)


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip(" ")
    return not before or before[-1] in _OPENERS


def truecased(question: str, passages: Iterable[str]) -> str:
    """`question` (all lower case) with each word written as `passages` mostly write it inside
    a sentence, where that is not in lower case."""
    forms: dict[str, Counter[str]] = {}
    for text in passages:
        for match in _WORD.finditer(text):
            word = _straight(match.group())
            if _starts_sentence(text, match.start()):
                continue  # capitalized by its place, not by what it is
            forms.setdefault(word.lower(), Counter())[word] += 1

    def form_of(word: str) -> str:
        seen = forms.get(word)
        if not seen:
            return word
        form, count = seen.most_common(1)[0]
        return form if form != word and count > seen[word] else word

    def written(match: regex.Match[str]) -> str:
        typed = match.group()
        if typed[:1].isupper():  # the first word, capitalized as typed
            return typed
        word = _straight(typed)  # "washington's" typed, "Washington’s" written
        form = form_of(word)
        if form == word and word.endswith("'s"):  # a possessive the passages do not write
            form = form_of(word[:-2]) + word[-2:]
        if len(form) != len(typed):  # lower-casing changed its length ("İ"): as written
            return form
        # The apostrophe as typed: only the letters' case is the passages'.
        return "".join(f if f.lower() == t.lower() else t for f, t in zip(form, typed, strict=True))

    return _WORD.sub(written, question)


def _straight(word: str) -> str:
    """`word` with a typographic apostrophe written straight."""
    return word.replace("’", "'")
