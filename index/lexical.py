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
from collections.abc import Iterable
from pathlib import Path

import bm25s
import bm25s.stopwords as sw
import numpy as np
import Stemmer

logger = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG when imported and logs every index build; only its warnings
# are news here (this module imports it, so this runs after).
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
_WORD = re.compile(r"\w+", re.UNICODE)
# Scripts written without spaces: index overlapping character pairs instead of whole runs.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_local = threading.local()  # PyStemmer objects are not thread-safe: one per thread and language
FORMAT_VERSION = 1


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


def analyze(text: str, language: str) -> list[str]:
    """Lower-cased word stems of `text` without stopwords, by `language`'s rules."""
    stop = stopwords(language)
    words: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word in stop:
            continue
        if _CJK.search(word) and len(word) > 1:
            words.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            words.append(word)
    stemmer = _stemmer(language)
    return stemmer.stemWords(words) if stemmer else words


IDF_MIN_PASSAGES = 100
ANALYZER = 1  # the version of analyze()'s rules; stored terms of another version are redone


class LexicalIndex:
    """One bm25s index per language, keyed by passage id."""

    def __init__(self) -> None:
        self._indexes: dict[str, tuple[bm25s.BM25, np.ndarray]] = {}

    @classmethod
    def build(cls, passages: Iterable[tuple[int, str, str]]) -> LexicalIndex:
        """From (passage id, text, language) triples."""
        return cls.from_terms(
            (pid, language, analyze(text, language)) for pid, text, language in passages
        )

    @classmethod
    def from_terms(cls, passages: Iterable[tuple[int, str, list[str]]]) -> LexicalIndex:
        """From (passage id, language, analyzed terms) triples."""
        by_language: dict[str, tuple[list[int], list[list[str]]]] = {}
        for pid, language, terms in passages:
            ids, tokens = by_language.setdefault(language, ([], []))
            ids.append(pid)
            tokens.append(terms)
        index = cls()
        for language, (ids, tokens) in by_language.items():
            retriever = bm25s.BM25()
            retriever.index(tokens, show_progress=False)
            index._indexes[language] = (retriever, np.asarray(ids, dtype=np.int64))
        return index

    def __len__(self) -> int:
        return sum(len(ids) for _, ids in self._indexes.values())

    @property
    def languages(self) -> list[str]:
        return sorted(self._indexes)

    def ids(self) -> set[int]:
        return {int(i) for _, ids in self._indexes.values() for i in ids}

    def search(self, question: str, k: int) -> dict[int, float]:
        """Top `k` passages of each language's index for `question`: {passage id: BM25 score}."""
        found: dict[int, float] = {}
        for language, (retriever, ids) in self._indexes.items():
            tokens = analyze(question, language)
            token_ids = retriever.get_tokens_ids(tokens)
            if not token_ids:
                continue
            scores = retriever.get_scores_from_ids(token_ids)
            top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
            for j in top:
                if scores[j] > 0:
                    found[int(ids[j])] = float(scores[j])
        return found

    def idf(self, language: str, terms: Iterable[str]) -> dict[str, float]:
        """BM25 idf of analyzed terms in `language`'s index (unseen terms get the most).

        The passage count is taken as at least IDF_MIN_PASSAGES: in a library of a few articles
        a word every passage shares is still a content word, not a stopword; without the floor
        an unseen question word would outweigh all the matched ones and the answer abstain."""
        entry = self._indexes.get(language)
        if entry is None:
            return {t: 1.0 for t in terms}
        retriever, ids = entry
        indptr = retriever.scores["indptr"]
        n = max(len(ids), IDF_MIN_PASSAGES)
        out = {}
        for term in terms:
            j = retriever.vocab_dict.get(term)
            df = int(indptr[j + 1] - indptr[j]) if j is not None else 0
            out[term] = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for language, (retriever, ids) in self._indexes.items():
            retriever.save(str(directory / language))
            np.save(directory / language / "passage_ids.npy", ids)
        manifest = {"format": FORMAT_VERSION, "languages": self.languages}
        (directory / "manifest.json").write_text(json.dumps(manifest))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        manifest = json.loads((directory / "manifest.json").read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported BM25 index format {manifest.get('format')!r}")
        index = cls()
        for language in manifest["languages"]:
            retriever = bm25s.BM25.load(str(directory / language))
            ids = np.load(directory / language / "passage_ids.npy")
            index._indexes[language] = (retriever, ids)
        return index
