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

from .lexical import WORD, pieces, stem_words, stopwords

COMPOUND_PART = 5
COMPOUNDING = frozenset({"de", "nl", "sv", "da", "nb", "nn", "is", "fi", "et"})
HALF = 0.5  # what a match through a compound part counts
# The version of what words() and Keys.of return: change it with their rules (stored sentence
# analyses of another version are computed again at ask time; index.sentence_analysis).
RULES = 4  # 2: lemmas unstemmed, separated verbs joined; 3: Chinese and Japanese by character
# pairs; 4: German compound parts lemmatized as nouns (_part_lemma)


@dataclass(frozen=True, slots=True)
class Word:
    """A content word as matching sees it: its stem (as BM25 has it), its lemma, and the
    lemmas of the known words it is compounded of (none when it is not a compound). Lemmas are
    compared as they are, not stemmed: Snowball makes one stem of words a lemma keeps apart
    ("geäußert" -> "äußern" and "außen" both stem to "auss"), and compound parts are lemmas."""

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


_NO_PARTS: frozenset[str] = frozenset()


@lru_cache(maxsize=100_000)
def _parts(lemma: str, language: str) -> frozenset[str]:
    """The known words of at least COMPOUND_PART letters that `lemma` starts or ends with
    (none for most words: one shared empty set, not a tracked object per cached word)."""
    if language not in COMPOUNDING or language not in SUPPORTED_LANGUAGES:
        return _NO_PARTS
    _dictionary(language)
    found = set()
    for cut in range(COMPOUND_PART, len(lemma) - 3):  # what is left is a word too
        for piece in (lemma[:cut], lemma[len(lemma) - cut :]):
            if len(piece) < len(lemma) and simplemma.is_known(piece, lang=language):
                found.add(_part_lemma(piece, language))
    return frozenset(found) if found else _NO_PARTS


def _part_lemma(piece: str, language: str) -> str:
    """The lemma of a compound's part, cut out in lower case. German writes nouns capitalized
    and simplemma reads the lower-case form as another word ("stunde" -> "stunden", "arbeit" ->
    "abarbeiten", "haus" -> "hausen"), so a German part the dictionary knows capitalized is
    lemmatized so: "Arbeitsstunden" has the parts "arbeit" and "stunde", as the question's
    "Stunden Arbeit" has them."""
    if language == "de":
        noun = piece.capitalize()
        if _known(noun, language):
            return _lemma(noun, language)
    return _lemma(piece, language)


def words(text: str, language: str) -> list[Word]:
    """The content words of `text` (stopwords left out), and the verbs written apart from their
    particle as one word (see separated)."""
    stop = stopwords(language)
    # Word by word as analyze() indexes them: a clause of Chinese or Japanese by its character
    # pairs, else the question's words would never meet the article's (lexical.pieces).
    tokens = [p for t in WORD.findall(text) if t.lower() not in stop for p in pieces(t)]
    if not tokens:
        return []
    stems = stem_words([t.lower() for t in tokens], language)
    lemmas = [_lemma(t, language) for t in tokens]
    found = [Word(s, lm, _parts(lm, language)) for s, lm in zip(stems, lemmas, strict=True)]
    joined = separated(text, language)
    if joined:
        stems = stem_words(joined, language)
        found += [Word(s, lm, frozenset()) for s, lm in zip(stems, joined, strict=True)]
    return found


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Particles that German and Dutch verbs leave at the end of a main clause ("Wo reicht man den
# Antrag ein?" asks about "einreichen", which the article writes "eingereicht"; "Wanneer belt
# hij op?"). VERB_SLOTS: the verb of a main clause is among its first words.
SEPARABLE = {
    "de": _words(
        "ab an auf aus bei ein fest fort her hin los mit nach vor weg zu zurück zusammen "
        "weiter statt teil dar vorbei heraus hinaus herein"
    ),
    "nl": _words("aan af bij in mee na op over toe uit terug weg voor door"),
}
VERB_SLOTS = 3
_CLAUSE = re.compile(r"[^.,;:!?()\[\]\"„“”«»–—]+")


def separated(text: str, language: str) -> list[str]:
    """The lemmas of the verbs `text` writes apart from their particle ("reicht … ein":
    "einreichen"): a clause ending in a particle whose verb, one of its first words, makes a
    word the language's dictionary knows when the particle is put before its lemma."""
    return [joined for _, joined in separated_verbs(text, language)]


def separated_verbs(text: str, language: str) -> list[tuple[str, str]]:
    """`separated`'s verbs as (the verb as written, the joined lemma): ("reicht", "einreichen")."""
    particles = SEPARABLE.get(language)
    if not particles or language not in SUPPORTED_LANGUAGES:
        return []
    out = []
    for clause in _CLAUSE.findall(text):
        tokens = WORD.findall(clause)
        if len(tokens) < 3 or tokens[-1].lower() not in particles:
            continue
        particle = tokens[-1].lower()
        for n, token in enumerate(tokens[:VERB_SLOTS]):
            if n and not token.islower():  # a verb is written in lower case inside a clause
                continue
            joined = particle + _lemma(token, language)
            if _known(joined, language):
                out.append((token, joined))
                break
    return out


@lru_cache(maxsize=100_000)
def _known(word: str, language: str) -> bool:
    _dictionary(language)
    return simplemma.is_known(word, lang=language)


def known(word: str, language: str) -> bool:
    """Whether `language`'s dictionary (simplemma) knows `word` as written."""
    return language in SUPPORTED_LANGUAGES and _known(word, language)


def known_any_case(word: str, language: str) -> bool:
    """Whether `language`'s dictionary knows `word` as written or in lower case (a word
    capitalized as a noun, a name or a sentence's first)."""
    return known(word, language) or known(word.lower(), language)


def compound_stems(text: str, language: str) -> set[str]:
    """The stems of the known words the compounds of `text` start or end with ("Radonkarte":
    radon, kart), for languages that write compounds as one word; else none."""
    if language not in COMPOUNDING:
        return set()
    parts = set().union(*(w.parts for w in words(text, language)))
    return set(stem_words(sorted(parts), language))


def part_stems(text: str, language: str) -> list[str]:
    """For each compound of `text` as it occurs, the stems of the known words it starts or ends
    with other than its own ("Abänderungsantrag": abander, antrag), for languages that write
    compounds as one word; else none. A passage's BM25 terms hold them, so the question's
    "Änderungsantrag" (its parts: ander, antrag) finds the article's "Abänderungsantrag"."""
    if language not in COMPOUNDING:
        return []
    stop = stopwords(language)
    found: list[str] = []
    for token in WORD.findall(text):
        # German writes nouns capitalized: its compounds worth splitting are nouns, while its
        # verbs and adjectives end in known words by chance ("politisch": Tisch).
        if language == "de" and not token[:1].isupper():
            continue
        if token.lower() not in stop:
            found.extend(_token_part_stems(token, language))
    return found


@lru_cache(maxsize=100_000)
def _token_part_stems(token: str, language: str) -> tuple[str, ...]:
    """`part_stems` of one word as written (a passage's words repeat across a library: one
    look-up each instead of its lemma's, its parts' and their stems')."""
    parts = _parts(_lemma(token, language), language)
    if not parts:
        return ()
    own, *stems = stem_words([token.lower(), *sorted(parts)], language)
    return tuple(sorted({s for s in stems if s != own}))


@dataclass(frozen=True, slots=True)
class Keys:
    """What a sentence offers for matching: the lemmas and compound parts of its words."""

    lemmas: frozenset[str]
    parts: frozenset[str]

    @classmethod
    def of(cls, text: str, language: str) -> Keys:
        return cls.of_words(words(text, language))

    @classmethod
    def joined(cls, keys: Iterable[Keys]) -> Keys:
        """The lemmas and compound parts of several sentences together."""
        keys = list(keys)
        return cls(
            frozenset().union(*(k.lemmas for k in keys)),
            frozenset().union(*(k.parts for k in keys)),
        )

    @classmethod
    def of_words(cls, found: list[Word]) -> Keys:
        return cls(
            frozenset(w.lemma for w in found),
            frozenset().union(*(w.parts for w in found)) if found else frozenset(),
        )


def match(word: Word, stems: frozenset[str], keys: Keys) -> float:
    """1 when `word` is in a sentence with these stems and keys by stem or lemma; HALF when
    only through a compound part; else 0."""
    if word.stem in stems or word.lemma in keys.lemmas:
        return 1.0
    if (
        word.lemma in keys.parts
        or not word.parts.isdisjoint(keys.parts)
        or not word.parts.isdisjoint(keys.lemmas)
    ):  # no set is built: answer selection calls this for every question word and sentence
        return HALF
    return 0.0


def specified(word: Word, stems: frozenset[str], keys: Keys) -> float:
    """Like `match`, but a compound part counts only where the question's word is a part of
    the text's compound (the text names a kind of it: "Gericht" in "Landgericht"), not where
    the text holds only a part of the question's compound, a more general thing ("Preise" for
    "Literaturnobelpreis")."""
    if word.stem in stems or word.lemma in keys.lemmas:
        return 1.0
    return HALF if word.lemma in keys.parts else 0.0


def reads_as(text: str, language: str, share: float = 0.6) -> bool:
    """Whether `text` reads as `language`: at least `share` of its words of three letters or
    more are words the language's dictionary knows (simplemma). A check on a detected language
    that differs: langdetect takes short German questions for Afrikaans, Danish or English
    ("Wie werden die Pakete weitergeleitet?": af); False where the language has no dictionary."""
    if language not in SUPPORTED_LANGUAGES:
        return False
    tokens = [t for t in WORD.findall(text) if len(t) >= 3 and not t.isdigit()]
    if not tokens:
        return False
    known = sum(known_any_case(t, language) for t in tokens)
    return known >= share * len(tokens)
