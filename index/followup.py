"""Whether a question in a chat needs the previous one to be understood.

"Und woher stammt sie?" or "How long has it been used for that?" mean nothing alone; "Wer ist
Bürgermeister von Grosbliederstroff?" is a new question however short it is. A question is read
with the previous one when it cannot stand alone: it has no content words of its own, or it
points back with a pronoun or an adverb ("sie", "it", "dort", "dafür", "that"). Otherwise it is
answered alone, and only if that finds nothing while the two together find an answer is it read
as a follow-up (the library decides that last part: index.library.Library.ask).
"""

from __future__ import annotations

import re

from .lexical import stopwords
from .qtype import QUESTION_WORDS

_WORD = re.compile(r"\w+", re.UNICODE)
# Words that refer back to something said before, by language (possessives and prepositions that
# double as pronouns, such as French "en", are left out: they are in many a standalone question).
# A German article counts when it ends the question: "Und wann war das?".
_BACK = {
    "en": "he she it its they them their his her him this that these those",
    "de": "er sie ihn ihm ihr ihre ihren ihrem ihrer ihres seine seinen seinem seiner "
    "seines dies diese dieser dieses diesem diesen dort dorthin dorther dabei dafür dagegen "
    "davon dazu damit darüber daran darauf daraus darin darunter deren dessen",
    "fr": "il elle ils elles lui cela ça ceci celui celle ceux celles là",
    "es": "él ella ellos ellas lo le les esto eso ese esa esos esas aquello allí ahí allá",
    "it": "lui lei loro lo gli ciò questo questa quello quella lì là",
    "pt": "ele ela eles elas isso isto aquilo lá ali dele dela",
    "nl": "hij zij ze het hem haar hun dit dat deze daar",
    "pl": "on ona ono oni one go jej ich to tam ten ta tego",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_BACK_WORDS = {lang: _words(words) for lang, words in _BACK.items()}
# Pronouns that a name earlier in the same question explains ("Meadows ... his retirement",
# "Harry gave for why he ..."): they refer back only when no name comes before them. Not the
# object pronouns "him" and "them": a clause's own subject would be "himself", so in "What does
# Harry like doing with him?" "him" is someone named before ("her" may be a possessive).
_OWN_ANTECEDENT = {
    "en": _words("he she it its they their his her"),
    "de": _words("seine seinen seinem seiner seines ihr ihre ihren ihrem ihrer ihres deren dessen"),
}
_TOKEN = re.compile(r"(?<![-'’])\b\w+", re.UNICODE)  # not the "-elle" of "a-t-elle"
# English "that" before an article starts a clause ("Who said that the bridge …?"): not a pronoun.
# (A demonstrative in a time expression, "this year's", "in diesem Jahr", is left out before:
# index.asking asks this of the question without the time it names.)
_CONJUNCTION = {"en": ("that", _words("the a an"))}
_DE_ARTICLES = frozenset({"das", "die", "der", "den", "dem"})


def refers_back(question: str, language: str) -> bool:
    """Whether `question` points back to something said before (pronoun, adverb, or a German
    article with no noun after it)."""
    back = _BACK_WORDS.get(language, _BACK_WORDS["en"])
    own = _OWN_ANTECEDENT.get(language, frozenset())
    tokens = _TOKEN.findall(question)
    conjunction, clause = _CONJUNCTION.get(language, ("", frozenset()))
    for i, token in enumerate(tokens):
        word = token.lower()
        if word == conjunction and i + 1 < len(tokens) and tokens[i + 1].lower() in clause:
            continue
        if word in back and not (word in own and any(_named(t) for t in tokens[1:i])):
            return True
        if language == "de" and word in _DE_ARTICLES and i == len(tokens) - 1:
            return True
    return False


def _named(token: str) -> bool:
    """Whether a token of a question (not its first) may be a name a pronoun after it refers to:
    capitalized, and not English "I", which always is ("How do I turn it on?" points back)."""
    return token[:1].isupper() and token != "I"


def has_content(question: str, language: str) -> bool:
    """Whether `question` has words of its own beyond question words, pronouns and stopwords."""
    stop = stopwords(language)
    back = _BACK_WORDS.get(language, frozenset())
    return any(
        w not in stop and w not in back and w not in QUESTION_WORDS and len(w) > 1
        for w in (t.lower() for t in _WORD.findall(question))
    )


def needs_context(question: str, language: str) -> bool:
    """Whether `question` cannot stand alone and must be read with the previous one."""
    return not has_content(question, language) or refers_back(question, language)


# The personal pronouns a follow-up names a person with ("Where is he from?" after "Why was
# the plumber Andrew Hartley jailed?"); not possessives, whose replacement would need a
# genitive, nor "it", "they", which name things as often. English only: a German "sie" or "er"
# names a thing of that gender as often as a person ("Wo kann ich sie mir ansehen?", the map
# asked about before), and German capitalizes every noun, so two capitalized words are no name
# (news set: that follow-up was lost with German read the same way).
_PERSON_PRONOUNS = {"en": _words("he she him")}
# A name: two capitalized words, not the question's first ("Andrew Hartley").
_NAME = re.compile(r"(?<!^)\b[A-Z][\w'’-]+\s+[A-Z][\w'’-]+")


def named_for(question: str, previous: str, language: str) -> str | None:
    """`question` with its first personal pronoun replaced by the person `previous` names
    first, for the reader, which reads the follow-up's own words: "Where is he from?" read
    alone took "her boyfriend … travelled from London" for the plumber's home town. None where
    the question has no such pronoun or the previous question names no one."""
    pronouns = _PERSON_PRONOUNS.get(language)
    name = _NAME.search(previous.strip())
    if not pronouns or name is None:
        return None
    for match in _TOKEN.finditer(question):
        if match.group(0).lower() in pronouns:
            return question[: match.start()] + name.group(0) + question[match.end() :]
    return None
