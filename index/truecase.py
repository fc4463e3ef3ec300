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
    a sentence, where that is not in lower case.

    A capital that opens a name of several words ("New" of "New York", "New Zealand") counts
    for the question's word only where the question goes on with the same next word, or where
    the passages never write the word in lower case ("Harry" of "Harry Styles" for "harry's
    songs"): otherwise "the new bridge" was read as "the New bridge" beside an article on New
    York."""
    forms: dict[str, Counter[str]] = {}
    openers: dict[tuple[str, str], Counter[str]] = {}  # (word, next word): a name's first word
    opening: dict[str, Counter[str]] = {}  # ... whatever the next word
    # Only the question's words are looked up (a possessive's also without its "'s"): the
    # passages' other words are not counted (a question took 8 ms on XQuAD's long passages).
    asked = {_straight(m.group()).lower() for m in _WORD.finditer(question)}
    asked |= {word[:-2] for word in asked if word.endswith("'s")}
    for text in passages:
        found = list(_WORD.finditer(text))
        for match, after in zip(found, [*found[1:], None], strict=True):
            word = _straight(match.group())
            if word.lower() not in asked:
                continue
            if _starts_sentence(text, match.start()):
                continue  # capitalized by its place, not by what it is
            following = _next_word(text, match, after)
            if word[:1].isupper() and following[:1].isupper():
                key = (word.lower(), following.lower())
                openers.setdefault(key, Counter())[word] += 1
                opening.setdefault(key[0], Counter())[word] += 1
            else:
                forms.setdefault(word.lower(), Counter())[word] += 1

    def form_of(word: str, following: str = "") -> str:
        seen = Counter(forms.get(word, ()))
        named = openers.get((word, following.lower()))
        if named:  # the passages write this very name: as they write it there
            seen = Counter(named)
        elif not seen[word]:  # never in lower case: a name's first word is that name's
            seen.update(opening.get(word, Counter()))
        if not seen:
            return word
        form, count = seen.most_common(1)[0]
        return form if form != word and count > seen[word] else word

    def written(match: regex.Match[str]) -> str:
        typed = match.group()
        if typed[:1].isupper():  # the first word, capitalized as typed
            return typed
        word = _straight(typed)  # "washington's" typed, "Washington’s" written
        form = form_of(word, _next_word(question, match, _WORD.search(question, match.end())))
        if form == word and word.endswith("'s"):  # a possessive the passages do not write
            form = form_of(word[:-2]) + word[-2:]
        if len(form) != len(typed):  # lower-casing changed its length ("İ"): as written
            return form
        # The apostrophe as typed: only the letters' case is the passages'.
        return "".join(f if f.lower() == t.lower() else t for f, t in zip(form, typed, strict=True))

    return _WORD.sub(written, question)


def _next_word(text: str, match: regex.Match[str], after: regex.Match[str] | None) -> str:
    """The word right after `match` in its sentence (only spaces between), else ""."""
    if after is None or text[match.end() : after.start()].strip(" "):
        return ""
    return _straight(after.group())


def _straight(word: str) -> str:
    """`word` with a typographic apostrophe written straight."""
    return word.replace("’", "'")
