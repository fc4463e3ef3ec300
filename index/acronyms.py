"""Questions that ask what an abbreviation stands for, and the sentences that spell it out.

"What does HAMR stand for?" is answered by the sentence that writes "Heat Assisted Magnetic
Recording (HAMR)", which seldom shares more words with the question than the abbreviation
itself, found all over the article. The evidence is the expansion: words in a row whose
initials spell the abbreviation ("Bundesamt für Strahlenschutz" for BfS; short function words
may be skipped). Hand-written: no library found that checks an expansion against its
abbreviation across languages (abbreviation detectors such as scispacy's need spaCy models that
cannot be installed offline, and are English-only).
"""

from __future__ import annotations

import re
from functools import lru_cache

# How each language asks; {} is the abbreviation: two to eight letters, two or more capitals.
_FORMS = (
    r"what (does|do|did) (the )?(abbreviation |acronym |letters )?{} (stand|stands) for",
    r"what is {} short for",
    r"wof(ü|u)r steht (die abkürzung |das kürzel )?{}",
    r"was (bedeutet|heißt|heisst) (die abkürzung |das kürzel )?{}\b",
    r"que (signifie|veut dire) (le sigle |l'acronyme |l'abréviation )?{}",
    r"qu[ée] significa (la sigla |el acrónimo )?{}",
    r"cosa (significa|vuol dire) (la sigla |l'acronimo )?{}",
    r"o que significa (a sigla )?{}",
    r"waar staat {} voor",
)
_ASKS = re.compile(
    "|".join(
        form.format(rf"(?-i:(?P<a{n}>(?=\w*[A-ZÄÖÜ]\w*[A-ZÄÖÜ])[A-Za-zÄÖÜäöü]{{2,8}}))")
        for n, form in enumerate(_FORMS)
    ),
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
SKIPPABLE = 3  # a lower-case word this short ("of", "für", "de") may be left out of the initials
SKIPS = 2  # ... at most this many in a row ("Institut für die Umwelt"): a check costs
# O(words x letters), whatever a long sentence of short words holds


@lru_cache(maxsize=1024)
def asked(question: str) -> str | None:
    """The abbreviation `question` asks to spell out, or None (cached: evidence is checked
    for every sentence of the candidate articles against the same question)."""
    found = _ASKS.search(question)
    if not found:
        return None
    return next(v for v in found.groupdict().values() if v)


@lru_cache(maxsize=65_536)
def spells_out(sentence: str, abbreviation: str) -> bool:
    """Whether `sentence` holds words in a row whose initials spell `abbreviation` (hyphenated
    words count as several; short lower-case function words may be skipped): capitalized words,
    as names are written, or any words when the abbreviation follows in brackets ("heat-assisted
    magnetic recording (HAMR)"). The abbreviation itself does not count."""
    letters = abbreviation.casefold()
    words = [w for w in _TOKEN.findall(sentence) if w.casefold() != letters]
    bracketed = f"({abbreviation})" in sentence
    return any(
        _spells(words, start, letters, bracketed)
        for start in range(len(words))
        if words[start][0].casefold() == letters[0]
    )


def _spells(words: list[str], start: int, letters: str, any_case: bool) -> bool:
    at = start
    for letter in letters:
        skipped = 0
        while at < len(words) and words[at][0].casefold() != letter:
            word = words[at]
            if at == start or skipped == SKIPS or not (word.islower() and len(word) <= SKIPPABLE):
                return False
            at, skipped = at + 1, skipped + 1
        if at == len(words) or not (any_case or words[at][0].isupper()):
            return False
        at += 1
    return True
