"""index.wordrows: sentences' word sets kept as arrays read back as the sets they were, answer
what set lookups answered, and leave nothing per sentence for the garbage collector to walk."""

from __future__ import annotations

import gc
from collections import Counter

import numpy as np

from index.matching import Keys
from index.wordrows import KeyRows, WordRows

SETS = [
    frozenset({"gericht", "urteil", "berlin"}),
    frozenset(),
    frozenset({"urteil", "revision"}),
    frozenset({"berlin", "senat", "urteil", "klage"}),
]


def test_rows_read_back_as_the_sets() -> None:
    rows = WordRows(SETS)
    assert len(rows) == len(SETS)
    assert list(rows) == SETS
    assert rows[2] == SETS[2] and rows[-1] == SETS[-1]
    assert rows[1:3] == SETS[1:3]
    assert rows == tuple(SETS)
    assert list(rows.sizes()) == [len(s) for s in SETS]
    assert rows.counts() == Counter(w for s in SETS for w in s)


def test_lists_count_a_word_once_per_row() -> None:
    rows = WordRows([["urteil", "berlin", "urteil"], [], ["senat"]])
    assert list(rows) == [frozenset({"urteil", "berlin"}), frozenset(), frozenset({"senat"})]
    assert rows.counts() == {"urteil": 1, "berlin": 1, "senat": 1}
    assert list(WordRows([[], []])) == [frozenset(), frozenset()]


def test_shared_with_next() -> None:
    rows = WordRows(SETS)
    expected = [len(a & b) for a, b in zip(SETS, SETS[1:], strict=False)] + [0]
    assert list(rows.shared_with_next()) == expected


def test_holding_is_set_membership() -> None:
    rows = WordRows(SETS)
    for word in ["urteil", "berlin", "klage", "unknown"]:
        assert list(rows.holding(word)) == [word in s for s in SETS]
    for words in [{"klage", "revision"}, {"unknown"}, set(), {"gericht", "unknown"}]:
        assert list(rows.holding_any(words)) == [not s.isdisjoint(words) for s in SETS]


def test_key_rows() -> None:
    keys = [
        Keys(frozenset({"sterben", "arzt"}), frozenset()),
        Keys(frozenset(), frozenset({"prämie"})),
    ]
    rows = KeyRows.of(keys)
    assert list(rows) == keys and rows[1] == keys[1] and rows[0:1] == keys[:1]
    assert list(rows.parts.holding("prämie")) == [False, True]


def test_nothing_per_sentence_is_tracked() -> None:
    rows = WordRows([frozenset({f"w{i}", f"w{i + 1}"}) for i in range(500)])
    gc.collect()  # tuples of strings are untracked when the collector first sees them
    assert not gc.is_tracked(rows.vocabulary)
    held = [x for x in gc.get_referents(rows) if x is not WordRows]  # (its class is one)
    assert held and not any(gc.is_tracked(x) for x in held)
    assert isinstance(rows.holding("w3"), np.ndarray)
