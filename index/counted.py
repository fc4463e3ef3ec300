"""What a figure counts: the noun next to it ("524.219 Elektroautos", "14.1 million residents",
"die Zahl der öffentlichen Ladepunkte ... auf 154.000"), so that a count of something belonging
to what another report counts ("Ladepunkte für Elektroautos", "chargers for electric cars") is
not taken for a new count of it (index.claims).

Taken from the words themselves, no tagger: the words right after the figure (and its scale
word), up to the first stopword or punctuation, else those after "Zahl der" / "number of" earlier
in the figure's sentence. In German only capitalized words are kept (nouns); in English at most
two words. Words for people in general ("Menschen", "people") count anything done by people and
tell nothing apart; only the words before them say which ("unemployed people")."""

from __future__ import annotations

import re

from .lexical import analyze, stopwords
from .units import PEOPLE

AFTER = 2  # words after the figure (a noun with one adjective: "foreign visitors")
BEFORE = 3  # words after "Zahl der" / "number of"
_SCALE = re.compile(
    r"^\s*(?:mio\.?|mrd\.?|tsd\.?|millionen|milliarden|million|millions|billion|billions|"
    r"tausend|thousand|m|bn|k)(?!\w)",
    re.I,
)
_NUMBER_OF = re.compile(r"\b(?:zahl|anzahl)\s+(?:der|an|von)\s+|\bnumber\s+of\s+", re.I)
_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_OF = frozenset({"für", "von", "pro", "je", "for", "of", "per"})
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZÄÖÜ])")
GENERIC = PEOPLE | {"mal", "times"}


Counted = tuple[frozenset[str], frozenset[str]]  # the stems of what is counted; of what


def counted(text: str, start: int, end: int, language: str) -> Counted:
    """The stems of what the figure at text[start:end] counts, and of what that belongs to
    ("Ladepunkte" and "Elektroautos" in "Zahl der Ladepunkte für Elektroautos"); empty when
    not told or when it is people in general."""
    after = text[end:]
    scale = _SCALE.match(after)
    rest = after[scale.end() if scale else 0 :]
    words, belongs = _run(rest, language, AFTER)
    if not words:
        sentence = _SENTENCE_END.split(text[:start])[-1]
        found = list(_NUMBER_OF.finditer(sentence))
        if found:
            words, belongs = _run(sentence[found[-1].end() :], language, BEFORE)
    generic = [i for i, w in enumerate(words) if w.casefold() in GENERIC]
    if generic:  # of people in general, only the words saying which ("unemployed people")
        words, belongs = words[: generic[0]], []
    stems = (frozenset(analyze(" ".join(w), language)) for w in (words, belongs))
    return next(stems), next(stems)


def _run(text: str, language: str, most: int) -> tuple[list[str], list[str]]:
    """The first words of `text` up to a stopword or punctuation (at most `most`; in German
    only the capitalized ones), and the words after a following "für"/"for"/"of"."""
    stop = stopwords(language)
    tokens = _TOKEN.findall(text)[: most + 3]
    words: list[str] = []
    for token in tokens[:most]:
        if not token[0].isalpha() or token.casefold() in stop:
            break
        words.append(token)
    belongs: list[str] = []
    at = len(words)
    if words and at < len(tokens) and tokens[at].casefold() in _OF:
        following = tokens[at + 1 : at + 3]
        belongs = [t for t in following if t[0].isalpha() and t.casefold() not in stop]
    if language == "de":
        words, belongs = ([w for w in ws if w[0].isupper()] for ws in (words, belongs))
    return words, belongs


def another_count(first: Counted, other: Counted) -> bool:
    """Whether `other` counts something belonging to what `first` counts: chargers for the
    cars counted, not the cars (what it counts is not the first's, what it belongs to is)."""
    (counts, _), (other_counts, of) = first, other
    return bool(counts and other_counts and not counts & other_counts and counts & of)


def alike(first: Counted, other: Counted) -> bool:
    """Whether two figures may count the same thing: they share a word for it, or either does
    not say what it counts (another word for the same thing is not told from another thing:
    "Fluggäste" and "Passagiere", "registered workers" and "unemployed people")."""
    return not first[0] or not other[0] or bool(first[0] & other[0])
