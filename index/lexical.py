"""BM25 per language (bm25s), with the language's Snowball stemmer (PyStemmer) and stopwords.

Each language's passages get their own index, tokenized with that language's rules; a question is
tokenized with each index's rules when that index is searched, so a German question finds German
passages by their German stems whatever langdetect made of a three-word question.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import zlib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import bm25s.stopwords as sw
import numpy as np
import regex
import Stemmer

from . import bm25
from .bm25 import LanguageIndex

logger = logging.getLogger(__name__)
# bm25s (its stopword lists are used) sets its own logger to DEBUG when imported; only its
# warnings are news here (this module imports it, so this runs after).
logging.getLogger("bm25s").setLevel(logging.WARNING)

_STEMMERS = {  # fmt: skip
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
_STOPWORDS = {  # fmt: skip
    "en": sw.STOPWORDS_EN,
    "de": sw.STOPWORDS_GERMAN,
    "nl": sw.STOPWORDS_DUTCH,
    "fr": sw.STOPWORDS_FRENCH,
    "es": sw.STOPWORDS_SPANISH,
    "pt": sw.STOPWORDS_PORTUGUESE,
    "it": sw.STOPWORDS_ITALIAN,
    "ru": sw.STOPWORDS_RUSSIAN,
    "sv": sw.STOPWORDS_SWEDISH,
    "no": sw.STOPWORDS_NORWEGIAN,
    "da": sw.STOPWORDS_DANISH,
    "tr": sw.STOPWORDS_TURKISH,
}
_STOPWORD_SETS = {language: frozenset(words) for language, words in _STOPWORDS.items()}
# A word, vowel signs and other combining marks included: `re`'s \w stops at them, cutting a
# Hindi, Bengali, Tamil or Thai word into single letters ("পেয়েছিল" into "প", "য", "ছ", "ল");
# the `regex` module's \w is Unicode's, marks and all. (Latin text is NFC: the same words.)
WORD = regex.compile(r"\w+")
# Scripts written without spaces: index overlapping character pairs instead of whole runs.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_local = threading.local()  # PyStemmer objects are not thread-safe: one per thread and language
FORMAT_VERSION = 3  # 2: the incremental index of index/bm25.py; 3: a folder of .npy a language


def _stemmer(language: str) -> Stemmer.Stemmer | None:
    cache = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if language not in cache:
        name = _STEMMERS.get(language)
        cache[language] = Stemmer.Stemmer(name) if name else None
    return cache[language]


def stem_words(words: list[str], language: str) -> list[str]:
    """`words` (lower case) through `language`'s Snowball stemmer, if it has one."""
    stemmer = _stemmer(language)
    return stemmer.stemWords(words) if stemmer else words


def stopwords(language: str) -> frozenset[str]:
    """The language's stopwords (empty for languages without a list)."""
    return _STOPWORD_SETS.get(language, frozenset())


def pieces(word: str) -> list[str]:
    """A word as indexed: itself, or in scripts written without spaces (Chinese, Japanese,
    Korean) its overlapping character pairs, since a run of \\w there is a clause, not a word."""
    if len(word) > 1 and _CJK.search(word):
        return [word[i : i + 2] for i in range(len(word) - 1)]
    return [word]


def analyze(text: str, language: str) -> list[str]:
    """Lower-cased word stems of `text` without stopwords, by `language`'s rules."""
    stop = stopwords(language)
    words: list[str] = []
    for word in WORD.findall(text.lower()):
        if word in stop:
            continue
        words.extend(pieces(word))
    stemmer = _stemmer(language)
    return stemmer.stemWords(words) if stemmer else words


def query_terms(text: str, language: str) -> list[str]:
    """A question's BM25 terms: `analyze`'s, and in languages that join nouns the stems of the
    known words its compounds are made of, so "Radonkarte" finds an article on the "Radon-Karte"
    and "Abschussprämie" one on the "Prämie" (a passage's terms hold its compounds' parts too:
    `passage_terms`)."""
    from .matching import compound_stems  # matching builds on this module

    terms = analyze(text, language)
    return terms + sorted(compound_stems(text, language) - set(terms))


def passage_terms(text: str, language: str, title: str | None = None) -> list[str]:
    """A passage's BM25 terms: `analyze`'s, in languages that join nouns the stems of the known
    words its compounds are made of (matching.part_stems: the question's "Änderungsantrag"
    meets the article's "Abänderungsantrag" in "antrag"), and for an article's first passage
    (`title` given) its title's too. A headline names the story that the text may name
    otherwise ("Louvre says it is overwhelmed" above "The world's most visited museum welcomed
    8.7 million people"), so its words should find the article; in the first passage only, as
    the lead's, since in every passage they would outweigh each passage's own words (news set:
    right article first 0.979 -> 0.938, answerable questions abstained on 5.6% -> 9.7%)."""
    from .matching import part_stems  # matching builds on this module

    # Pasted text that keeps its first line, the title (sources.from_text), holds it already;
    # a Markdown heading's "#" is not part of the title.
    first = text.lstrip()
    if title and not (first.startswith(title) or first.lstrip("#").lstrip().startswith(title)):
        text = f"{title}\n{text}"
    return analyze(text, language) + part_stems(text, language)


IDF_MIN_PASSAGES = 100
ANALYZER = 2  # the version of analyze()'s rules (2: combining marks inside words); stored
# terms of another version are redone
# What a passage's stored BM25 terms were made by: analyze()'s rules (ANALYZER), what is
# analyzed (2: the first passage holds its article's title; 3: and its compounds' parts), and
# the two libraries that make them: PyStemmer's stems (Snowball's rules change between releases)
# and simplemma's lemmas (its dictionaries do), which pip may upgrade under a stored library.
RULES = 100 * ANALYZER + 3


def _terms_version() -> int:
    # Their releases to the minor version: a patch release fixes bugs without new rules or
    # dictionaries, and two installs of one data dir (a container's bot, the host's CLI) that
    # differ only so would otherwise each take the other's terms and checkpoints for stale.
    made_by = f"{RULES} PyStemmer {_minor('PyStemmer')} simplemma {_minor('simplemma')}"
    return zlib.crc32(made_by.encode()) & 0x7FFF_FFFF  # an SQLite INTEGER, a JSON number


def _minor(name: str) -> str:
    return ".".join(installed(name).split(".")[:2])


def installed(name: str) -> str:
    """The installed version of package `name` (stored analyses record those that made them)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # run from a source tree without its metadata
        return "?"


# The version of a passage's stored BM25 terms; stored terms (and checkpoints) of another are
# made again, and the terms so made are stored (index.storage.embedded).
TERMS = _terms_version()


class LexicalIndex:
    """BM25 per language over analyzed terms, kept up to date in place: passages are added and
    removed one by one, in passage id order, with no rebuild (see LanguageIndex). Scores are bm25s's
    "lucene" BM25 (k1 1.5, b 0.75), which this index replaced. Not thread-safe: the caller
    serializes changes against reads."""

    def __init__(self) -> None:
        self._languages: dict[str, LanguageIndex] = {}

    @classmethod
    def build(cls, passages: Iterable[tuple[int, str, str]]) -> LexicalIndex:
        """From (passage id, text, language) triples."""
        return cls.from_terms(
            (pid, language, analyze(text, language)) for pid, text, language in passages
        )

    @classmethod
    def from_terms(cls, passages: Iterable[tuple[int, str, list[str]]]) -> LexicalIndex:
        """From (passage id, language, analyzed terms) triples in passage id order."""
        index = cls()
        for pid, language, terms in passages:
            index.add(pid, language, terms)
        return index

    def add(self, pid: int, language: str, terms: list[str]) -> None:
        self._languages.setdefault(language, LanguageIndex()).add(pid, terms)

    def add_many(self, passages: Iterable[tuple[int, str, list[str]]]) -> None:
        """`add` for (passage id, language, terms) in id order; a language's many at once
        (LanguageIndex.add_many), a few one by one (through the buffer)."""
        by_language: dict[str, tuple[list[int], list[list[str]]]] = {}
        for pid, language, terms in passages:
            ids, lists = by_language.setdefault(language, ([], []))
            ids.append(pid)
            lists.append(terms)
        for language, (ids, lists) in by_language.items():
            entry = self._languages.setdefault(language, LanguageIndex())
            if len(ids) >= bm25.BUFFER:
                entry.add_many(ids, lists)
            else:
                for pid, terms in zip(ids, lists, strict=True):
                    entry.add(pid, terms)

    def remove(self, ids: Iterable[int]) -> None:
        wanted = np.asarray(sorted(ids), dtype=np.int64)
        for entry in self._languages.values():
            entry.remove(wanted)

    def __len__(self) -> int:
        return sum(entry.live for entry in self._languages.values())

    @property
    def languages(self) -> list[str]:
        return sorted(language for language, e in self._languages.items() if e.live)

    def ids(self) -> set[int]:
        return {int(i) for e in self._languages.values() for i in e.pids.view[e.alive.view]}

    def search(self, question: str, k: int, language: str | None = None) -> dict[int, float]:
        """Top `k` passages of each language's index (or of `language`'s alone) for
        `question`: {passage id: BM25 score}.

        Each index's idf counts at least IDF_MIN_PASSAGES passages, as `idf` does: the scores of
        the language indexes are merged, and in one of a few passages every word's idf is near
        0, so an Italian question lost its one Italian article to a German page matching only
        "2019" (news set: right article first 0.979 -> 0.993)."""
        found: dict[int, float] = {}
        for name, entry in self._languages.items():
            if language is None or name == language:
                terms = query_terms(question, name)
                found.update(entry.search(terms, k, IDF_MIN_PASSAGES))
        return found

    def idf(self, language: str, terms: Iterable[str]) -> dict[str, float]:
        """BM25 idf of analyzed terms in `language`'s index (unseen terms get the most).

        The passage count is taken as at least IDF_MIN_PASSAGES: in a library of a few articles
        a word every passage shares is still a content word, not a stopword; without the floor
        an unseen question word would outweigh all the matched ones and the answer abstain."""
        entry = self._languages.get(language)
        if entry is None or not entry.live:
            return {t: 1.0 for t in terms}
        n = max(entry.live, IDF_MIN_PASSAGES)
        return {t: _idf(n, entry.df(t)) for t in terms}

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for language, entry in self._languages.items():
            entry.save(directory / language)
        manifest = {"format": FORMAT_VERSION, "languages": sorted(self._languages)}
        (directory / "manifest.json").write_text(json.dumps(manifest))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        manifest = json.loads((directory / "manifest.json").read_text())
        found = manifest.get("format")
        if found not in (2, FORMAT_VERSION):
            raise ValueError(f"unsupported BM25 index format {found!r}")
        index = cls()
        for language in manifest["languages"]:
            name = language if found == FORMAT_VERSION else f"{language}.npz"  # 2: one file
            index._languages[language] = LanguageIndex.load(directory / name)
        return index


def _idf(n: int, df: int) -> float:
    return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
