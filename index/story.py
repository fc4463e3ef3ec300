"""Whether a newer article continues an older one's story: a later report of the same event
that names it otherwise (index.preference asks, for recency).

A death toll's update often names neither the place nor the disaster as the first report did:
"the landslides in Wayanad" become "the hill villages of Mundakkai and Chooralmala, Kerala",
"the Seilbahnunglück am Lago Maggiore" becomes "das Unglück am Mottarone". What it keeps is a
rare name of the first report ("Kerala", "Mottarone", "Glória", "Caniço"), a few days later.
A newer article published within STORY_DAYS that shares such a name, one that few passages of
the library hold (STORY_DF), continues the story: its answer may then report the same claim
without the question's subject (index.claims.relation, `story`), and the older report's names
find it where the question's words do not (`name_words`, a BM25 query). Hand-written: event
threading is what news aggregators do with clustering over a stream, which a library asked
one question at a time does not have; the rule reads only the two texts and the library's idf.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable

from .lexical import analyze
from .matching import known_any_case
from .qtype import evidence_found
from .timerules import MONTHS

STORY_DAYS = 14
# Passages that may hold a story's name: a handful of reports of one event, not a topic or a
# country that the library writes about all the time.
STORY_DF = 10
STORY_NAMES = 40  # names read from each article, from its start
# A later report is looked for with at most STORY_QUERY of the first article's rare names, among
# the STORY_HITS passages of its language's BM25 they rank first (index.asking).
STORY_QUERY = 8
STORY_HITS = 20
# An abbreviation in capitals, alone or a part of a hyphenated name ("ARD-Telenovela",
# "US-Präsident").
_ABBREVIATION = re.compile(r"(?<![^\W_])[A-ZÄÖÜ]{2,}(?:-|$)")
NAME_LETTERS = 3  # a name's letters at least (as _NAME reads them)
# Languages that capitalize every noun: there only words their dictionary does not know are names.
NOUNS_CAPITALIZED = frozenset({"de", "lb"})


def _ranges(chars: Iterable[str]) -> str:
    """A regular expression's character class of `chars` (sorted), written as ranges."""
    codes = sorted(ord(c) for c in chars)
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in runs) + "]"


# Any script's capital letters (Ł, Ø, Cyrillic and Greek ones too), of the Basic Multilingual Plane.
_UPPER = _ranges(c for c in map(chr, range(0x10000)) if c.isupper())
# A capitalized word inside a sentence (not after a sentence's end or at a line's start).
_NAME = re.compile(rf"(?<![.!?:;\n]\s)(?<![\n\"“„«])(?<!^)\b{_UPPER}[\w'’-]{{2,}}")

Idf = Callable[[str, Iterable[str]], dict[str, float]]


# Any capitalized word, the first of a sentence or a line too ("Texas" in the headline "Texas
# flood death toll passes 100"): a name only where the other report writes it inside a sentence.
_CAPITALIZED = re.compile(rf"\b{_UPPER}[\w'’-]{{2,}}")


def name_words(text: str, language: str, pattern: re.Pattern[str] = _NAME) -> list[str]:
    """The words `text` writes capitalized inside a sentence, but days and months: names of
    places, people and things (Mottarone, Kerala, Glória), in order, each once; the first
    STORY_NAMES of them (a news report names its event early; a long page of many topics
    would otherwise cost an ask milliseconds). `pattern`: the capitalized words read.
    Not an abbreviation in capitals, alone or as a part ("ARD" of "ARD-Telenovela"): it names
    an organisation that reports or is reported on in many stories (a broadcaster, an agency,
    a statistics office), not one event; a report on a broadcaster's outgoing director and one
    on its telenovela six days later had been taken for one story (the sixth held-out news
    set: two answers replaced by the telenovela's figures)."""
    out: list[str] = []
    seen: set[str] = set()
    for m in pattern.finditer(text):
        word = _ABBREVIATION.sub("", m.group(0)).strip("-")
        if len(word) < NAME_LETTERS or not word[0].isupper() or word in seen:
            continue
        seen.add(word)
        if evidence_found("time", word) or word.casefold() in MONTHS:  # "Sept.", "Jänner"
            continue
        if language in NOUNS_CAPITALIZED and known_any_case(word, language):
            continue
        out.append(word)
        if len(out) == STORY_NAMES:
            break
    return out


def names(text: str, language: str, pattern: re.Pattern[str] = _NAME) -> frozenset[str]:
    """The analyzed terms of `name_words`."""
    return frozenset(t for w in name_words(text, language, pattern) for t in analyze(w, language))


def document_frequency(language: str, terms: Iterable[str], idf: Idf) -> dict[str, float]:
    """How many passages hold each term, from BM25's idf: log(1 + (n - df + 0.5) / (df + 0.5))
    = log((n + 1) / (df + 0.5)) (index.lexical), compared with a term no passage holds."""
    terms = list(terms)
    unseen = "\x00"  # no analyzed term
    got = idf(language, [*terms, unseen])
    return {t: 0.5 * (math.exp(got[unseen] - got[t]) - 1.0) for t in terms}


def rare_names(text: str, language: str, idf: Idf) -> list[str]:
    """The `name_words` of `text` that at most STORY_DF passages of the library hold: the only
    ones that can tie a later report to it (`continues`), and what it is looked for by."""
    words = name_words(text, language)
    terms = {w: analyze(w, language) for w in words}
    df = document_frequency(language, {t for ts in terms.values() for t in ts}, idf)
    return [w for w in words if terms[w] and all(df[t] <= STORY_DF for t in terms[w])]


def continues(older: str, newer: str, days: int | None, language: str, idf: Idf) -> bool:
    """Whether the text `newer`, published `days` after `older`, continues its story: within
    STORY_DAYS, sharing a name that at most STORY_DF passages of the library hold. A name is
    shared where one text writes it inside a sentence and the other capitalized anywhere (a
    word that starts a sentence or a headline is capitalized whatever it is, but the other
    report tells that it is a name). The texts may start with their titles."""
    if days is None or not 0 <= days <= STORY_DAYS:
        return False
    shared = (names(older, language) & names(newer, language, _CAPITALIZED)) | (
        names(newer, language) & names(older, language, _CAPITALIZED)
    )
    if not shared:
        return False
    return any(df <= STORY_DF for df in document_frequency(language, shared, idf).values())
