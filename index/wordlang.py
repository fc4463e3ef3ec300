"""A question's language: langdetect's guess (index.language), checked against the words of the
library's languages.

langdetect reads character n-grams, and a question has few: "wo sitzt FACC?" reads as Polish,
"Are barbers open in Cork under Level 3?" as Dutch, "Which artist did the Tegnell tattoo?" as
Italian, and most questions typed in lower case as something else again ("wer gewann den super
bowl xlix?": Afrikaans). A question's words tell it better: its function words (the stopword
lists of the BM25 index and of the `stop-words` package, which holds the question words that
BM25's English list of 33 lacks: "who", "what", "when") and the words each language's
dictionary (simplemma) knows. langdetect's guess stands unless one of the library's languages
reads more of the question's words than the guessed language does, and at least half of them.

A stopword counts for the languages whose lists hold it only: simplemma's German dictionary
knows "who", "is", "the" and "of", so "Who is Alvaro Zabaleta?" would read as German by the
dictionaries alone. Measured on questions as written and in lower case (2026-12-07,
EXPERIMENTS.md): the news dev set's 404 told wrong 8 -> 0, the fifth held-out set's 256
13 -> 0, XQuAD's 4,760 146 -> 6; the dev set's French, Spanish, Italian, Polish and Portuguese
questions asked of a German and English library keep their own language (48 of 48). No
library does this (langdetect's prior map weighs languages, not a text's words, and a short
text's probability for the right language is 0 as often as not), so it is written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from stop_words import LANGUAGE_MAPPING, get_stop_words

from .language import detect_language
from .lexical import WORD, stopwords
from .matching import known_any_case

# Of a question's words, the share the library's language must read to overrule langdetect.
READ_SHARE = 0.5
MIN_LETTERS = 2  # words shorter than this are no evidence ("a", "à", "é")
_STOP_WORDS_CODES = {"no": "nb"}  # langdetect's code -> the stop-words package's


def question_language(question: str, languages: Sequence[str]) -> str:
    """The language of `question`, asked of a library holding `languages`."""
    hints = tuple(sorted(languages))
    return _checked(question, detect_language(question, hints=hints), hints)


@lru_cache(maxsize=1024)
def _checked(question: str, guessed: str, hints: tuple[str, ...]) -> str:
    """`guessed`, or the one language of `hints` that reads more of `question`'s words than it,
    and at least READ_SHARE of them. Cached: a chat's question is asked up to three times."""
    if not hints:
        return guessed
    tokens = [t for t in WORD.findall(question) if len(t) >= MIN_LETTERS and not t.isdigit()]
    if not tokens:
        return guessed
    read, unlisted = _read(tokens, hints, guessed)
    best = max(read[language] for language in hints)
    winners = [language for language in hints if read[language] == best]
    if len(winners) != 1 or best < READ_SHARE * len(tokens):
        return guessed
    # The guessed language's dictionary only where it decides: it reads at most the words no
    # list holds besides its function words. Loading a dictionary of a language outside the
    # library takes a second or more (XQuAD-en's questions guessed as two others: 2.7 s).
    if guessed not in hints and read[guessed] < best <= read[guessed] + len(unlisted):
        read[guessed] += sum(1 for token in unlisted if known_any_case(token, guessed))
    return winners[0] if best > read[guessed] else guessed


def _read(
    tokens: list[str], hints: tuple[str, ...], guessed: str
) -> tuple[dict[str, int], list[str]]:
    """For each of `hints` and `guessed`, how many of `tokens` it reads: a stopword for the
    languages whose list holds it, any other word for those whose dictionary knows it; and the
    tokens no list holds. The guessed language's dictionary counts too (by function words
    alone an English question asked of a German library read as German: "How much rain fell in
    …": German knows "Rain", "Fell"), but where it is not one of `hints` it is left to the
    caller: those tokens are not counted for it here."""
    languages = hints if guessed in hints else (*hints, guessed)
    read = dict.fromkeys(languages, 0)
    unlisted = []
    for token in tokens:
        lower = token.lower()
        readers = [language for language in languages if lower in function_words(language)]
        if not readers:
            unlisted.append(token)
            readers = [language for language in hints if known_any_case(token, language)]
        for language in readers:
            read[language] += 1
    return read, unlisted


@lru_cache(maxsize=128)
def function_words(language: str) -> frozenset[str]:
    """`language`'s stopwords: BM25's (index.lexical) and the stop-words package's."""
    code = _STOP_WORDS_CODES.get(language, language)
    extra = get_stop_words(code) if code in LANGUAGE_MAPPING else []
    return stopwords(language) | frozenset(word.lower() for word in extra)
