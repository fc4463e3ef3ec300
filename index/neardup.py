"""Agency copies: near-duplicate articles found with MinHash over word shingles (datasketch).

An article's `Signature` is a MinHash of its word 5-shingles plus two small exact facts: how many
distinct shingles it has and its figures (each number with the words before and after it).
`Detector` holds the stored articles' signatures; a stored article is the original of a new one
when most of the new text's shingles are in it (`containment`, estimated from the two MinHashes
and the two set sizes) and no figure changed: no place (the same words around it) that holds
another number in each text.

Why containment and not Jaccard alone: outlets shorten agency reports, so a copy cut to 60% of
the original has a Jaccard similarity of about 0.6 while every one of its sentences is in the
stored article (datasketch's MinHashLSHEnsemble answers containment queries, but is built in one
batch, with no incremental insert). Why the figure check: an agency's update ("mindestens 18
Tote" after "mindestens 12 Tote") is almost all the same text, but merging it into the older
report would hide the newer figure. Figures are compared by their place, not as a set of
numbers, because copies add numbers (a "dpa:251027-99-..." line) and cut paragraphs with numbers
without changing any figure.

Thresholds and their measured precision/recall: benchmarks/neardup.py (BENCHMARKS.md).
"""

from __future__ import annotations

import functools
import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

FORMAT = 2  # bumped when K, NUM_PERM, SEED or the tokenization change: signatures are remade
K = 5  # words per shingle
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"  # datasketch 2.x default; FORMAT says which made a stored signature
CONTAINMENT = 0.7  # share of the new text's shingles that must be in the stored article
MAX_FIGURES = 64  # figures kept: those of the 64 smallest place hashes (a consistent sample)
PER_PLACE = 64  # ... and of each place its 64 smallest number hashes (the header counts < 2**16)
_WORD = re.compile(r"\w+")
_HEADER = struct.Struct("<BBHIH")  # format, K, num_perm, shingles, figures


@dataclass(frozen=True, eq=False)
class Signature:
    values: np.ndarray  # the MinHash: NUM_PERM uint32 values (datasketch's "affine32" scheme)
    shingles: int  # distinct shingles in the text
    figures: frozenset[tuple[int, int]]  # (place, number) crc32 pairs: see figures()

    def to_bytes(self) -> bytes:
        """About 0.5-1 KB: a header, the figures, the MinHash values (little-endian uint32)."""
        head = _HEADER.pack(FORMAT, K, NUM_PERM, self.shingles, len(self.figures))
        return head + _pack(self.figures) + self.values.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """ValueError when `data` was made with other parameters: make it again from the text."""
        try:
            fmt, k, perms, shingles, count = _HEADER.unpack_from(data)
        except struct.error:
            raise ValueError("not a signature") from None
        if (fmt, k, perms) != (FORMAT, K, NUM_PERM):
            raise ValueError(f"signature made with other parameters ({fmt}/{k}/{perms})")
        if len(data) != _HEADER.size + 8 * count + 4 * NUM_PERM:
            raise ValueError("not a signature: wrong length")
        split = _HEADER.size + 8 * count
        values = np.frombuffer(data, dtype="<u4", offset=split).astype(np.uint32)
        return cls(values, shingles, _unpack(data[_HEADER.size : split]))


def _pack(figures: frozenset[tuple[int, int]]) -> bytes:
    return np.array(sorted(figures), dtype="<u4").reshape(-1).tobytes()


def _unpack(data: bytes) -> frozenset[tuple[int, int]]:
    flat = np.frombuffer(data, dtype="<u4").tolist()
    return frozenset(zip(flat[::2], flat[1::2], strict=True))


@dataclass(frozen=True)
class Match:
    article_id: int
    similarity: float  # estimated Jaccard similarity of the two shingle sets
    containment: float  # estimated share of the new text's shingles found in the stored one
    figure_changed: bool  # a place holds another number in each text (an update)

    @property
    def is_copy(self) -> bool:
        return self.containment >= CONTAINMENT and not self.figure_changed


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def shingles(words: list[str]) -> set[bytes]:
    if len(words) < K:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + K]).encode() for i in range(len(words) - K + 1)}


def figures(words: list[str]) -> frozenset[tuple[int, int]]:
    """(place, number) hashes: a run of tokens with digits ("3,0" is "3 0"); its place is the
    word before and the word after it. A number's second occurrence in one place counts apart
    ("100#2"), so "zu 100 ... zu 100" -> "zu 107 ... zu 100" is a change too."""
    pairs: set[tuple[int, int]] = set()
    counts: dict[tuple[int, str], int] = {}
    i = 0
    while i < len(words):
        if not any(c.isdigit() for c in words[i]):
            i += 1
            continue
        j = i
        while j < len(words) and any(c.isdigit() for c in words[j]):
            j += 1
        before = words[i - 1] if i else ""
        after = words[j] if j < len(words) else ""
        place = zlib.crc32(f"{before}\x00{after}".encode())
        number = " ".join(words[i:j])
        n = counts[place, number] = counts.get((place, number), 0) + 1
        pairs.add((place, zlib.crc32(f"{number}#{n}".encode())))
        i = j
    kept: dict[int, list[int]] = {
        place: [] for place in sorted({p for p, _ in pairs})[:MAX_FIGURES]
    }
    for place, number in sorted(pairs):
        if place in kept and len(kept[place]) < PER_PLACE:
            kept[place].append(number)
    return frozenset((place, number) for place, numbers in kept.items() for number in numbers)


def signature(text: str) -> Signature:
    """The signature of an article's text (O(length); about 2 ms per 500 words)."""
    words = tokens(text)
    grams = shingles(words)
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME)
    minhash.update_batch(list(grams))
    return Signature(minhash.digest().astype(np.uint32), len(grams), figures(words))


@functools.cache
def _permutations() -> np.ndarray:
    # Made once: MinHash() draws its NUM_PERM permutations from SEED on every construction.
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def compare(new: Signature, stored: Signature, article_id: int = 0) -> Match:
    """How much of `new` is in `stored` (estimates, from the signatures alone)."""
    if new.shingles == 0 or stored.shingles == 0:
        return Match(article_id, 0.0, 0.0, False)
    detector = Detector()
    detector.add(article_id, stored)
    found = detector.candidates(new, floor=0.0)
    return found[0] if found else Match(article_id, 0.0, 0.0, False)


def _figure_changed(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]]) -> bool:
    """A place both texts have, with a number in each that the other lacks there."""
    by_place: dict[int, tuple[set[int], set[int]]] = {}
    for side, pairs in enumerate((a, b)):
        for place, number in pairs:
            by_place.setdefault(place, (set(), set()))[side].add(number)
    # A place beyond one side's sample says nothing: that side may hold it unsampled.
    limit = min(_sample_end(a), _sample_end(b))
    return any(
        place <= limit and x and y and bool(x - y) and bool(y - x)
        for place, (x, y) in by_place.items()
    )


def _sample_end(pairs: frozenset[tuple[int, int]]) -> int:
    places = {place for place, _ in pairs}
    return max(places) if len(places) >= MAX_FIGURES else 0xFFFFFFFF


class Detector:
    """The stored articles' signatures, for finding copies of a new one.

    Lookup scans one (n, NUM_PERM) uint32 matrix with numpy instead of using datasketch's
    MinHashLSH. Measured at 10k articles (benchmarks/neardup.py): the LSH tuned for the low
    Jaccard that shortened copies have (threshold 0.3: 37 bands of 3) held ~110 MB of Python
    sets and took seconds to rebuild at startup; the scan holds 5 MB, loads in milliseconds,
    compares every stored article (no LSH misses) and answers in about a millisecond.

    An article may hold several signatures (its own and those of the copies recorded as its
    other sources), so a third copy closer to the second than to the first is still found.
    Not thread-safe: callers serialize adds (the library's write lock does)."""

    def __init__(self) -> None:
        self._values = np.zeros((64, NUM_PERM), dtype=np.uint32)  # rows [0, _count) in use
        self._shingles = np.zeros(64, dtype=np.float64)
        self._count = 0
        self._owners: list[int] = []  # row -> article id
        self._figures: list[bytes] = []  # row -> figures, packed (Python sets take 10x more)

    @classmethod
    def from_signatures(cls, rows: Iterable[tuple[int, bytes | Signature]]) -> Detector:
        """A detector holding (article id, signature) rows, e.g. read back from the store.
        ValueError when a signature was made with other parameters (make it from the text)."""
        detector = cls()
        for article_id, sig in rows:
            detector.add(
                article_id, sig if isinstance(sig, Signature) else Signature.from_bytes(sig)
            )
        return detector

    def __len__(self) -> int:
        """Stored articles (an article with copies recorded holds several signatures)."""
        return len(set(self._owners))

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._owners

    def add(self, article_id: int, sig: Signature) -> None:
        """Hold `sig` for `article_id`: its own text's, or a copy's recorded as its source."""
        if sig.shingles == 0:
            return
        if self._count == len(self._values):  # capacity doubles: amortized O(1) per add
            self._values = np.concatenate([self._values, np.zeros_like(self._values)])
            self._shingles = np.concatenate([self._shingles, np.zeros_like(self._shingles)])
        self._values[self._count] = sig.values
        self._shingles[self._count] = sig.shingles
        self._count += 1
        self._owners.append(article_id)
        self._figures.append(_pack(sig.figures))

    def remove(self, article_id: int) -> None:
        """Forget every signature of `article_id` (O(stored); deletes are rare)."""
        keep = [n for n, owner in enumerate(self._owners) if owner != article_id]
        if len(keep) == self._count:
            return
        self._count = len(keep)
        self._values[: self._count] = self._values[keep]
        self._shingles[: self._count] = self._shingles[keep]
        self._owners = [self._owners[n] for n in keep]
        self._figures = [self._figures[n] for n in keep]

    def candidates(self, sig: Signature, floor: float = 0.1) -> list[Match]:
        """Stored articles with at least `floor` containment, best match per article, best
        first (query() keeps the copies)."""
        if sig.shingles == 0 or not self._count:
            return []
        equal = self._values[: self._count] == sig.values
        jaccard = equal.view(np.int8).sum(axis=1, dtype=np.int16) / NUM_PERM
        # |A ∩ B| = J (|A| + |B|) / (1 + J), from J = |A ∩ B| / (|A| + |B| - |A ∩ B|).
        common = jaccard * (self._shingles[: self._count] + sig.shingles) / (1.0 + jaccard)
        containment = np.minimum(1.0, common / sig.shingles)
        best: dict[int, Match] = {}
        for row in np.flatnonzero(containment >= floor):
            owner = self._owners[row]
            changed = _figure_changed(sig.figures, _unpack(self._figures[row]))
            match = Match(owner, float(jaccard[row]), float(containment[row]), changed)
            if owner not in best or _rank(match) > _rank(best[owner]):
                best[owner] = match
        return sorted(best.values(), key=_rank, reverse=True)

    def query(self, sig: Signature) -> list[Match]:
        """The stored articles `sig`'s text is a copy of, most similar first."""
        return [m for m in self.candidates(sig, CONTAINMENT) if m.is_copy]


def _rank(match: Match) -> tuple[bool, float, float]:
    return (match.is_copy, match.containment, match.similarity)
