"""The incremental BM25 index scores as bm25s does on the live passages, through adds,
removals, buffer freezes, segment merges and a save/load."""

from __future__ import annotations

import random
from pathlib import Path

import bm25s
import numpy as np
import pytest

from index import bm25
from index.lexical import LexicalIndex


def _reference(live: list[tuple[int, list[str]]], query: list[str], k: int) -> dict[int, float]:
    retriever = bm25s.BM25()
    retriever.index([terms for _, terms in live], show_progress=False)
    scores = retriever.get_scores_from_ids(retriever.get_tokens_ids(query))
    ids = np.array([pid for pid, _ in live])
    top = np.argsort(-scores)[:k]
    return {int(ids[j]): float(scores[j]) for j in top if scores[j] > 0}


@pytest.mark.parametrize("batches", [False, True], ids=["one by one", "in batches"])
def test_scores_match_bm25s_through_adds_and_removals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batches: bool
) -> None:
    """Batches: add_many as a library opening without a checkpoint adds (segments made by
    numpy), in batches of 129-130 (above BUFFER) and one of a single passage."""
    monkeypatch.setattr(bm25, "BUFFER", 40)  # many freezes and merges in a small test
    monkeypatch.setattr(bm25, "SEGMENT_DOCS", 300)
    rng = random.Random(3)
    words = [f"w{i}" for i in range(300)]
    docs = {
        pid: [rng.choice(words[: rng.randint(5, 300)]) for _ in range(rng.randint(3, 40))]
        for pid in range(1, 1101)
    }
    index = LexicalIndex()
    if batches:  # (a batch of one goes through the buffer; the next batch comes after it)
        bounds = [1, 131, 261, 391, 392, 521, 651, 781, 911, 1001]
        for start, end in zip(bounds, bounds[1:], strict=False):
            index.add_many((pid, "en", docs[pid]) for pid in range(start, end))
        index.add_many([])
        assert not index._languages["en"].buffered
    else:
        for pid in range(1, 1001):
            index.add(pid, "en", docs[pid])
    removed = set(rng.sample(range(1, 1001), 200))
    index.remove(removed)
    for pid in range(1001, 1101):
        index.add(pid, "en", docs[pid])
    assert len(index._languages["en"].segments) > 1
    live = [(pid, terms) for pid, terms in docs.items() if pid not in removed]
    assert index.ids() == {pid for pid, _ in live}
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    for query in (["w1", "w7"], ["w3", "w250", "w99"], ["w0"], ["w299", "w2", "w2"]):
        expected = _reference(live, query, 5)
        for each in (index, loaded):
            found = each._languages["en"].search(query, 5)
            # The same scores; the same passages but for ties at the 5th place.
            assert sorted(found.values()) == pytest.approx(sorted(expected.values()), rel=1e-5)
            last = min(expected.values())
            assert {i for i, s in found.items() if s > last * (1 + 1e-5)} == {
                i for i, s in expected.items() if s > last * (1 + 1e-5)
            }
            assert all(
                found[i] == pytest.approx(expected[i], rel=1e-5)
                for i in found.keys() & expected.keys()
            )
    n = len(live)
    df = sum(1 for _, terms in live if "w1" in terms)
    assert index.idf("en", ["w1"])["w1"] == pytest.approx(np.log(1 + (n - df + 0.5) / (df + 0.5)))
    assert index.idf("de", ["w1"]) == {"w1": 1.0}  # a language without passages


def test_passages_must_come_in_id_order() -> None:
    index = LexicalIndex()
    index.add(5, "en", ["a"])
    with pytest.raises(ValueError, match="out of order"):
        index.add(4, "en", ["b"])


def test_an_index_saved_in_the_format_before_still_loads(tmp_path: Path) -> None:
    """Format 2 kept each language in one .npz file (read whole); format 3 is a folder of .npy
    files, memory-mapped. A checkpoint of before loads as it was."""
    import json

    index = LexicalIndex.build(
        [(1, "The bridge will cost 40 million euros.", "en"), (2, "Der Hafen wächst.", "de")]
    )
    index.save(tmp_path / "new")
    old = tmp_path / "old"
    old.mkdir()
    for language in ("en", "de"):
        folder = tmp_path / "new" / language
        arrays = {p.stem: np.load(p) for p in folder.glob("*.npy") if p.stem != "made"}
        np.savez(old / f"{language}.npz", **arrays)  # and without the segments' doc counts
    (old / "manifest.json").write_text(json.dumps({"format": 2, "languages": ["de", "en"]}))
    for folder in (tmp_path / "new", old):
        loaded = LexicalIndex.load(folder)
        assert loaded.search("bridge cost", 5) == index.search("bridge cost", 5) != {}
        assert loaded.search("Hafen", 5) == index.search("Hafen", 5) != {}


def test_a_language_with_few_passages_is_scored_with_the_idf_floor() -> None:
    """The language indexes' scores are merged: in an index of two passages every word's idf is
    near 0, so without the floor (IDF_MIN_PASSAGES, as LexicalIndex.idf) an Italian question
    would find a German page holding only its "2019" before the Italian article it is about."""
    german = [
        (pid, f"Die Gemeinde {pid} meldet neue Zahlen zum Haushalt und zur Schule.", "de")
        for pid in range(1, 60)
    ]
    german.append((60, "Der Umsatz stieg 2019 deutlich.", "de"))
    italian = [
        (61, "Nel 2019 almeno 9 orse marsicane hanno avuto piccoli nel Parco.", "it"),
        (62, "Il Parco conta le femmine con i cuccioli dal 2006.", "it"),
    ]
    index = LexicalIndex.build([*german, *italian])
    found = index.search("Quante orse marsicane hanno avuto piccoli nel 2019?", 5)
    assert max(found, key=found.__getitem__) == 61
    floorless = index._languages["it"].search(["orse", "marsican", "piccol", "2019"], 5)
    assert max(floorless.values()) < found[60]  # as the two indexes scored before
