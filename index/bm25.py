"""One language's BM25 index, changed in place: the in-memory half of index.lexical.LexicalIndex.

Written here because no library does this: bm25s (used before) builds a static index, so every
add rebuilt it from every passage (84-93% of an add at 100k-1M passages; 11.5 GB peak at 1M).
SQLite FTS5 was measured as the alternative (200k passages: `ORDER BY rank LIMIT 50` took
0.9-5.6 s for questions with common terms, against 1-13 ms here), so postings live in memory:

- Documents are numbered in the order they come (passage ids ascend, so `pids` stays sorted).
- Postings sit in immutable CSR segments (term ids sorted, doc numbers, term frequencies; 6
  bytes a posting) plus a small mutable buffer; the buffer becomes a segment every BUFFER docs
  and small segments are merged (dropping removed docs) up to SEGMENT_DOCS docs, so an add
  costs O(its terms) amortized and a query touches a few dozen segments at most.
- Removal only clears a bit; document count, lengths and document frequencies count live
  documents only, so scores are those of an index built from the live passages alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import chain
from pathlib import Path

import numpy as np

from .bm25_segments import Grow, Segment

K1, B = 1.5, 0.75
BUFFER = 2048  # docs in the mutable buffer before it becomes a segment
SEGMENT_DOCS = 65_536  # segments grow by merging up to this many docs


class LanguageIndex:
    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.words: list[str] = []
        self.segments: list[tuple[Segment, int]] = []  # (segment, docs it was made from)
        self.buffer: dict[int, list[int]] = {}  # term id -> [doc, tf, doc, tf, ...]
        self.buffered = 0
        self.pids = Grow(np.int64)
        self.lengths = Grow(np.int32)
        self.alive = Grow(np.bool_)
        self.live = 0
        self.total_length = 0
        # Document frequencies asked for since the last change (answer selection asks the
        # same question terms' idf once per candidate article: at 1M passages a common
        # term's postings take milliseconds to gather).
        self._df: dict[int, int] = {}
        self._norm: tuple[tuple[int, int, int], np.ndarray] | None = None

    def add(self, pid: int, terms: list[str]) -> None:
        if self.pids.size and pid <= self.pids.view[-1]:
            raise ValueError(f"passage {pid} comes after {self.pids.view[-1]}: out of order")
        doc = self.pids.size
        counts: dict[int, int] = {}
        for term in terms:
            tid = self.vocab.get(term)
            if tid is None:
                tid = self.vocab[term] = len(self.words)
                self.words.append(term)
            counts[tid] = counts.get(tid, 0) + 1
        for tid, tf in counts.items():
            self.buffer.setdefault(tid, []).extend((doc, min(tf, 65_535)))
        self.pids.append(pid)
        self.lengths.append(len(terms))
        self.alive.append(True)
        self.live += 1
        self.total_length += len(terms)
        self.buffered += 1
        if self._df:
            self._df = {}
        if self.buffered >= BUFFER:
            self._freeze()

    def add_many(self, pids: list[int], terms: list[list[str]]) -> None:
        """`add` for many passages (in id order) at once, their postings made by numpy into
        segments of their own: how a library's BM25 is made when it opens without a checkpoint
        (one by one, Python's per-term work took most of the 13 minutes at 1M passages)."""
        if not pids:
            return
        if (self.pids.size and pids[0] <= self.pids.view[-1]) or any(
            b <= a for a, b in zip(pids, pids[1:], strict=False)
        ):
            raise ValueError("passages must come in id order")
        self._freeze()  # the buffered (earlier) documents first
        flat = list(chain.from_iterable(terms))
        tids = list(map(self.vocab.get, flat))
        for i, tid in enumerate(tids):
            if tid is None:  # a new word (or one new earlier in this batch)
                tid = self.vocab.get(flat[i])
                if tid is None:
                    tid = self.vocab[flat[i]] = len(self.words)
                    self.words.append(flat[i])
                tids[i] = tid
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
        first, width = self.pids.size, max(1, len(self.words))
        docs = np.repeat(np.arange(first, first + len(pids), dtype=np.int64), lengths)
        keys, tfs = np.unique(docs * width + np.asarray(tids, dtype=np.int64), return_counts=True)
        docs, tids_ = keys // width, keys % width
        self.pids.extend(np.asarray(pids, dtype=np.int64))
        self.lengths.extend(lengths.astype(np.int32))
        self.alive.extend(np.ones(len(pids), dtype=np.bool_))
        self.live += len(pids)
        self.total_length += int(lengths.sum())
        self._df = {}
        for start in range(first, first + len(pids), SEGMENT_DOCS):
            part = (docs >= start) & (docs < start + SEGMENT_DOCS)
            tf = np.minimum(tfs[part], 65_535)
            segment = Segment.of(tids_[part], docs[part], tf)
            self.segments.append((segment, min(SEGMENT_DOCS, first + len(pids) - start)))
            self._merge()

    def remove(self, pids: np.ndarray) -> None:
        if not self.pids.size or not len(pids):
            return
        docs = np.searchsorted(self.pids.view, pids)
        docs = docs[docs < self.pids.size]
        docs = docs[np.isin(self.pids.view[docs], pids)]
        docs = docs[self.alive.view[docs]]
        self.alive.view[docs] = False
        self._df = {}
        self.live -= len(docs)
        self.total_length -= int(self.lengths.view[docs].sum())

    def _buffer_segment(self) -> Segment | None:
        if not self.buffer:
            return None
        flat = [
            (tid, pairs[i], pairs[i + 1])
            for tid, pairs in self.buffer.items()
            for i in range(0, len(pairs), 2)
        ]
        rows = np.asarray(flat, dtype=np.int64).reshape(-1, 3)
        return Segment.of(rows[:, 0], rows[:, 1], rows[:, 2])

    def _freeze(self) -> None:
        segment = self._buffer_segment()
        if segment is not None:
            self.segments.append((segment, self.buffered))
        self.buffer, self.buffered = {}, 0
        self._merge()

    def _merge(self) -> None:
        # Merge the newest segments while the newer is at least half the older and the result
        # stays within SEGMENT_DOCS: a binary counter, so each posting is merged O(log) times.
        while len(self.segments) >= 2:
            (old, n_old), (new, n_new) = self.segments[-2], self.segments[-1]
            if n_new * 2 < n_old or n_old + n_new > SEGMENT_DOCS:
                break
            rows = [np.concatenate(parts) for parts in zip(old.rows(), new.rows(), strict=True)]
            keep = self.alive.view[rows[1]]
            merged = Segment.of(rows[0][keep], rows[1][keep], rows[2][keep])
            self.segments[-2:] = [(merged, n_old + n_new)]

    def postings(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        parts = [p for s, _ in self.segments if (p := s.postings(tid)) is not None]
        pairs = self.buffer.get(tid)
        if pairs:
            both = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
            parts.append((both[:, 0].astype(np.int32), both[:, 1].astype(np.uint16)))
        if not parts:
            return np.zeros(0, np.int32), np.zeros(0, np.uint16)
        docs = np.concatenate([d for d, _ in parts])
        tfs = np.concatenate([t for _, t in parts])
        if self.live < self.pids.size:  # some removed: count live documents only
            keep = self.alive.view[docs]
            docs, tfs = docs[keep], tfs[keep]
        return docs, tfs

    def df(self, term: str) -> int:
        tid = self.vocab.get(term)
        if tid is None:
            return 0
        found = self._df.get(tid)
        if found is None:
            found = self._df[tid] = len(self.postings(tid)[0])
        return found

    def _norms(self) -> np.ndarray:
        """Each document's BM25 length normalization, k1 * (1 - b + b * length / average),
        made again when the documents changed (a gather of these per posting replaces four
        array operations per posting in every search)."""
        key = (self.pids.size, self.live, self.total_length)
        cached = self._norm
        if cached is None or cached[0] != key:
            average = self.total_length / self.live
            norms = (K1 * (1 - B + B * self.lengths.view / average)).astype(np.float32)
            cached = self._norm = (key, norms)
        return cached[1]

    def search(self, tokens: list[str], k: int, least: int = 0) -> dict[int, float]:
        """The `k` best passages for analyzed `tokens`: {passage id: BM25 score}. `least`: the
        document count the idf is taken with at least (LexicalIndex.search)."""
        n = max(self.live, least)
        tids = [t for t in (self.vocab.get(token) for token in tokens) if t is not None]
        if not tids or not self.live:
            return {}
        norms = self._norms()
        scores = np.zeros(self.pids.size, dtype=np.float32)
        for tid in tids:
            docs, tfs = self.postings(tid)
            if not len(docs):
                continue
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            tf = tfs.astype(np.float32)
            scores[docs] += idf * tf / (tf + norms[docs])
        matched = np.flatnonzero(scores > 0)  # (on booleans: 7x faster than on floats)
        if len(matched) > k:
            matched = matched[np.argpartition(-scores[matched], k)[:k]]
        pids = self.pids.view
        return {int(pids[j]): float(scores[j]) for j in matched}

    def save(self, path: Path) -> None:
        """Into the folder `path`, one .npy file an array (loaded memory-mapped, see load)."""
        arrays = {
            "words": np.frombuffer("\n".join(self.words).encode(), dtype=np.uint8),
            "pids": self.pids.view,
            "lengths": self.lengths.view,
            "alive": self.alive.view,
        }
        segments = list(self.segments)
        if (extra := self._buffer_segment()) is not None:
            segments.append((extra, self.buffered))
        # The docs each segment was made from (what merging goes by): counting them again at
        # load took seconds at 1M passages.
        arrays["made"] = np.asarray([n for _, n in segments], dtype=np.int64)
        for i, (s, _) in enumerate(segments):
            arrays.update({f"{i}_terms": s.terms, f"{i}_indptr": s.indptr})
            arrays.update({f"{i}_docs": s.docs, f"{i}_tfs": s.tfs})
        path.mkdir(parents=True, exist_ok=True)
        for name, array in arrays.items():
            np.save(path / f"{name}.npy", array)

    @classmethod
    def load(cls, path: Path) -> LanguageIndex:
        """From a folder `save` wrote, the segments' postings memory-mapped (immutable; merges
        make new arrays): reading them all took 1.5 s at 1M passages, and a question only
        touches its terms' pages. Also from the single .npz file of the format before."""
        if not path.is_dir():
            with np.load(path) as data:
                return cls._of(data, lambda name: data[name], lambda name: name in data)

        def get(name: str) -> np.ndarray:  # a plain ndarray view of the mapped file
            return np.asarray(np.load(path / f"{name}.npy", mmap_mode="r"))

        return cls._of(path, get, lambda name: (path / f"{name}.npy").exists())

    @classmethod
    def _of(cls, origin: object, get: Callable, has: Callable) -> LanguageIndex:
        out = cls()
        text = get("words").tobytes().decode()
        out.words = text.split("\n") if text else []
        out.vocab = {w: i for i, w in enumerate(out.words)}
        out.pids = Grow(np.int64, np.array(get("pids")))  # these grow: copies
        out.lengths = Grow(np.int32, np.array(get("lengths")))
        out.alive = Grow(np.bool_, np.array(get("alive")))
        made = get("made").tolist() if has("made") else None
        i = 0
        while has(f"{i}_terms"):
            segment = Segment(*(get(f"{i}_{name}") for name in ("terms", "indptr", "docs", "tfs")))
            out.segments.append((segment, made[i] if made else segment.doc_count))
            i += 1
        alive = out.alive.view
        out.live = int(alive.sum())
        out.total_length = int(out.lengths.view[alive].sum())
        if len(out.pids.view) != len(out.lengths.view) or len(alive) != len(out.pids.view):
            raise ValueError(f"{origin}: its arrays disagree")
        return out
