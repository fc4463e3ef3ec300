"""Matching a question's words to a sentence's beyond identical stems.

The Snowball stemmer leaves "starb" and "gestorben", "went" and "gone" apart, and German joins
nouns: the question's "Gericht" is inside the article's "Landgericht", and "Abschussprämie" and
"Erlegungsprämie" share their head "Prämie". Answer selection therefore also counts
- lemmas (simplemma, dictionary-based, 50+ languages): "starb" and "gestorben" are "sterben";
- in languages that write compounds as one word, the known words a compound starts or ends with
  (at least COMPOUND_PART letters, checked against simplemma's dictionary, so "-ation" or
  "-ungen" are not parts): such a match counts half.
No compound splitter library is used: compound-split is GPL-licensed and charsplit-fst has no
build for this platform; the dictionary check on a word's ends relates a compound to its parts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import simplemma
from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

from .lexical import stem_words, stopwords

_WORD = re.compile(r"\w+", re.UNICODE)
COMPOUND_PART = 5
COMPOUNDING = frozenset({"de", "nl", "sv", "da", "nb", "nn", "is", "fi", "et"})
HALF = 0.5  # what a match through a compound part counts
# The version of what words() and Keys.of return: change it with their rules (stored sentence
# analyses of another version are computed again at ask time; index.sentence_analysis).
RULES = 1


@dataclass(frozen=True)
class Word:
    """A content word as matching sees it: its stem (as BM25 has it), its lemma's stem, and the
    lemmas of the known words it is compounded of (none when it is not a compound)."""

    stem: str
    lemma: str
    parts: frozenset[str]


_READY: set[str] = set()  # languages whose simplemma dictionary is loaded
_LOADING = threading.Lock()


def _dictionary(language: str) -> None:
    """Load simplemma's dictionary for `language`, once per process: decoding one takes seconds
    (5.8 s for German on a busy 2-core machine). A caller waits for a load in progress instead
    of decoding the same dictionary a second time."""
    if language in _READY:
        return
    with _LOADING:
        if language not in _READY:
            simplemma.is_known("a", lang=language)
            _READY.add(language)


def load_dictionaries(languages: Iterable[str]) -> None:
    """Load the dictionaries of `languages` now (the bot does, in the background at start, so
    that the first question in each language does not wait for its dictionary)."""
    for language in languages:
        if language in SUPPORTED_LANGUAGES:
            _dictionary(language)


@lru_cache(maxsize=100_000)
def _lemma(word: str, language: str) -> str:
    if language not in SUPPORTED_LANGUAGES:
        return word.lower()
    _dictionary(language)
    return simplemma.lemmatize(word, lang=language).lower()


@lru_cache(maxsize=100_000)
def _parts(lemma: str, language: str) -> frozenset[str]:
    """The known words of at least COMPOUND_PART letters that `lemma` starts or ends with."""
    if language not in COMPOUNDING or language not in SUPPORTED_LANGUAGES:
        return frozenset()
    _dictionary(language)
    found = set()
    for cut in range(COMPOUND_PART, len(lemma) - 3):  # what is left is a word too
        for piece in (lemma[:cut], lemma[len(lemma) - cut :]):
            if len(piece) < len(lemma) and simplemma.is_known(piece, lang=language):
                found.add(_lemma(piece, language))
    return frozenset(found)


def words(text: str, language: str) -> list[Word]:
    """The content words of `text` (stopwords left out)."""
    stop = stopwords(language)
    tokens = [t for t in _WORD.findall(text) if t.lower() not in stop]
    if not tokens:
        return []
    stems = stem_words([t.lower() for t in tokens], language)
    lemmas = [_lemma(t, language) for t in tokens]
    lemma_stems = stem_words(lemmas, language)
    return [
        Word(s, ls, _parts(lm, language))
        for s, ls, lm in zip(stems, lemma_stems, lemmas, strict=True)
    ]


def compound_stems(text: str, language: str) -> set[str]:
    """The stems of the known words the compounds of `text` start or end with ("Radonkarte":
    radon, kart), for languages that write compounds as one word; else none."""
    if language not in COMPOUNDING:
        return set()
    parts = set().union(*(w.parts for w in words(text, language)))
    return set(stem_words(sorted(parts), language))


@dataclass(frozen=True)
class Keys:
    """What a sentence offers for matching: lemma stems and compound parts of its words."""

    lemmas: frozenset[str]
    parts: frozenset[str]

    @classmethod
    def of(cls, text: str, language: str) -> Keys:
        found = words(text, language)
        return cls(
            frozenset(w.lemma for w in found),
            frozenset().union(*(w.parts for w in found)) if found else frozenset(),
        )


def match(word: Word, stems: frozenset[str], keys: Keys) -> float:
    """1 when `word` is in a sentence with these stems and keys by stem or lemma; HALF when
    only through a compound part; else 0."""
    if word.stem in stems or word.lemma in keys.lemmas:
        return 1.0
    if word.parts & (keys.parts | keys.lemmas) or word.lemma in keys.parts:
        return HALF
    return 0.0
