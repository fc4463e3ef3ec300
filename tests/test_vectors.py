"""The approximate vector index (index/vectors.py): recall, deletions, exact re-ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.vectors import RERANK, VectorIndex


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _data(n: int, seed: int = 0) -> np.ndarray:
    """Clustered vectors, like passages of a few topics."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(20, 64))
    return _unit(centers[rng.integers(0, 20, n)] + 0.6 * rng.normal(size=(n, 64)))


def _approximate(data: np.ndarray, ids: np.ndarray) -> VectorIndex:
    index = VectorIndex.approximate(data[:: max(1, len(data) // 2000)])
    index.add(ids, data)
    return index


def test_the_approximate_index_finds_what_exact_search_finds() -> None:
    data = _data(5_000)
    ids = np.arange(10, 5_010)
    index = _approximate(data, ids)
    assert index.approximate_kind and len(index) == 5_000
    queries = _unit(data[:50] + 0.5 * np.random.default_rng(1).normal(size=(50, 64)))
    hits = 0
    for q in queries:
        exact = set(ids[np.argsort(-(data @ q))[:10]].tolist())
        found = index.search(
            q, 10, lambda wanted, q=q: {i: float(data[i - 10] @ q) for i in wanted}
        )
        assert len(found) == 10
        hits += len(exact & set(found))
    assert hits / 500 >= 0.98


def test_exact_reranking_gives_exact_scores_in_order() -> None:
    data = _data(3_000)
    index = _approximate(data, np.arange(3_000))
    q = data[7]
    asked: list[list[int]] = []

    def exact(wanted: list[int]) -> dict[int, float]:
        asked.append(wanted)
        return {i: float(data[i] @ q) for i in wanted}

    found = index.search(q, 5, exact)
    assert len(asked) == 1 and len(asked[0]) == RERANK  # the best RERANK, re-ranked
    assert list(found) == sorted(found, key=lambda i: -found[i])
    assert next(iter(found)) == 7
    assert all(abs(found[i] - float(data[i] @ q)) < 1e-6 for i in found)


def test_deleted_vectors_never_come_back_even_when_they_were_all_the_best() -> None:
    data = _data(3_000)
    ids = np.arange(3_000)
    index = _approximate(data, ids)
    q = data[0]
    best = ids[np.argsort(-(data @ q))[:400]]  # more than the first round of candidates
    index.remove(best)
    found = index.search(q, 20)
    assert len(found) == 20 and not set(found) & set(best.tolist())
    assert len(index) == 3_000 - 400


def test_saved_and_loaded_it_answers_the_same(tmp_path: Path) -> None:
    data = _data(2_000)
    index = _approximate(data, np.arange(100, 2_100))
    index.remove([100, 101])
    index.reserve()
    index.save(tmp_path / "vectors.faiss")
    loaded = VectorIndex.load(tmp_path / "vectors.faiss")
    assert loaded.approximate_kind and len(loaded) == len(index)
    assert loaded.search(data[5], 10) == index.search(data[5], 10)
    loaded.add([5_000], data[:1])  # and it keeps growing
    assert 5_000 in loaded.search(data[0], 3)


def test_removing_ids_it_lacks_or_removed_already_counts_nothing(tmp_path: Path) -> None:
    data = _data(2_000)
    index = _approximate(data, np.arange(100, 2_100))
    index.remove([5, 100, 2_100, 99_999])  # only 100 is held
    index.remove([100, 101])  # 100 again
    assert len(index) == 2_000 - 2 and index.deleted_fraction == 2 / 2_000
    index.save(tmp_path / "vectors.faiss")
    loaded = VectorIndex.load(tmp_path / "vectors.faiss")  # its id map made again on loading
    loaded.remove([7, 102, 2_099, 101])
    assert len(loaded) == 2_000 - 4
    assert not {100, 101, 102, 2_099} & set(loaded.search(data[2], 2_000))


def test_a_tiny_sample_still_trains_it() -> None:
    data = _data(12)
    index = _approximate(data, np.arange(12))
    assert (
        next(iter(index.search(data[3], 1, lambda w: {i: float(data[i] @ data[3]) for i in w})))
        == 3
    )


def test_an_hnsw_index_of_before_is_refused(tmp_path: Path) -> None:
    """Checkpoints of the HNSW index used before are not loaded (the library then makes its
    indexes from SQLite): this index class would search them without filtering deletions."""
    import faiss
    import pytest

    data = _data(300)
    hnsw = faiss.IndexHNSWSQ(64, faiss.ScalarQuantizer.QT_8bit, 8, faiss.METRIC_INNER_PRODUCT)
    old = faiss.IndexIDMap2(hnsw)
    old.train(data)
    old.add_with_ids(data, np.arange(300, dtype=np.int64))
    faiss.write_index(old, str(tmp_path / "vectors.faiss"))
    np.save(tmp_path / "vectors.faiss.deleted.npy", np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match="IndexHNSWSQ"):
        VectorIndex.load(tmp_path / "vectors.faiss")
