"""The sets of words of an article's sentences (stems, lemmas, compound parts), kept as arrays.

An article's sentences are cached for answer selection (index.article_cache: up to 2,000
articles of ~100 sentences). Kept as a frozenset per sentence, with index.matching.Keys (two
more), they were some 100,000 objects at 100k passages that Python's cyclic garbage collector
tracks and walks, every element of every set, on each full collection: pauses of 100-350 ms in
the middle of an ask. Here an article's rows are one vocabulary (a dict of str -> int) and
numpy arrays: objects the collector does not track at all (gc.is_tracked() is False for a dict
holding only strings and ints, and for arrays), so a cached article costs it a handful.

Rows read as before (`rows[i]` is that sentence's frozenset, made when asked for), and answer
selection's hot question, "which sentences hold this word", is one array operation (`holding`).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import overload

import numpy as np

from .matching import Keys


class WordRows(Sequence[frozenset[str]]):
    """One set of words per sentence: vocabulary -> column; each row's columns, sorted."""

    __slots__ = ("vocabulary", "_words", "_starts", "_columns", "_rows")

    def __init__(self, sets: Iterable[Collection[str]]) -> None:
        """From each row's words: sets, or lists (a stored analysis'; a word listed twice in a
        row counts once, as in a set)."""
        rows = list(sets)
        flat = list(itertools.chain.from_iterable(rows))
        vocabulary = dict(zip(dict.fromkeys(flat), itertools.count()))  # in order of use
        columns = np.fromiter(map(vocabulary.__getitem__, flat), dtype=np.intp, count=len(flat))
        sizes = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))
        width = max(len(vocabulary), 1)
        # Each (row, column) once, in row order: sorted, a word a list holds twice dropped.
        keys = np.sort(np.repeat(np.arange(len(rows)) * width, sizes) + columns)
        if len(keys) > 1:
            keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
        owners, columns = np.divmod(keys, width)
        self.vocabulary = vocabulary  # every word of every row
        self._words = tuple(vocabulary)
        self._starts = np.concatenate([[0], np.cumsum(np.bincount(owners, minlength=len(rows)))])
        self._columns = columns
        self._rows = owners

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, i: int) -> frozenset[str]: ...

    @overload
    def __getitem__(self, i: slice) -> list[frozenset[str]]: ...

    def __getitem__(self, i: int | slice) -> frozenset[str] | list[frozenset[str]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        columns = self._columns[self._starts[i] : self._starts[i + 1]].tolist()
        return frozenset(map(self._words.__getitem__, columns))

    def __iter__(self) -> Iterator[frozenset[str]]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, WordRows | tuple | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"WordRows({list(self)!r})"

    def sizes(self) -> np.ndarray:
        """How many words each row holds."""
        return np.diff(self._starts)

    def counts(self) -> dict[str, int]:
        """word -> how many rows hold it."""
        found = np.bincount(self._columns, minlength=len(self._words))
        return dict(zip(self._words, found.tolist(), strict=True))

    def shared_with_next(self) -> np.ndarray:
        """How many of each row's words the next row holds too (none for the last)."""
        width = len(self._words)
        mine = self._rows * width + self._columns
        return np.bincount(self._rows[np.isin(mine + width, mine)], minlength=len(self))

    def holding(self, word: str) -> np.ndarray:
        """Whether each row holds `word` (bool)."""
        out = np.zeros(len(self), dtype=bool)
        column = self.vocabulary.get(word)
        if column is not None:
            out[self._rows[self._columns == column]] = True
        return out

    def holding_any(self, words: Iterable[str]) -> np.ndarray:
        """Whether each row holds any of `words` (bool)."""
        out = np.zeros(len(self), dtype=bool)
        columns = [c for c in map(self.vocabulary.get, words) if c is not None]
        if columns:
            wanted = np.zeros(len(self._words), dtype=bool)
            wanted[columns] = True
            out[self._rows[wanted[self._columns]]] = True
        return out


class KeyRows(Sequence[Keys]):
    """index.matching.Keys of each sentence: their lemmas and compound parts as WordRows."""

    __slots__ = ("lemmas", "parts")

    def __init__(self, lemmas: WordRows, parts: WordRows) -> None:
        self.lemmas, self.parts = lemmas, parts

    @classmethod
    def of(cls, keys: Iterable[Keys]) -> KeyRows:
        keys = list(keys)
        return cls(WordRows(k.lemmas for k in keys), WordRows(k.parts for k in keys))

    def __len__(self) -> int:
        return len(self.lemmas)

    @overload
    def __getitem__(self, i: int) -> Keys: ...

    @overload
    def __getitem__(self, i: slice) -> list[Keys]: ...

    def __getitem__(self, i: int | slice) -> Keys | list[Keys]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return Keys(self.lemmas[i], self.parts[i])

    def __iter__(self) -> Iterator[Keys]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, KeyRows | tuple | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"KeyRows({list(self)!r})"
