"""`python -m benchmarks.ann_probe LIBRARY QUESTIONS_JSON [FACTORY ...]`: approximate FAISS
indexes compared on a scaled library's stored vectors (benchmarks/scale_section.py builds them):
recall@10 against exact search, before and after re-ranking the best RERANK by the stored
float16 vectors (what the library does), and milliseconds a query on one thread. How the
approximate index of index/vectors.py was chosen; prints one JSON line per index.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import faiss
import numpy as np

from index.vectors import K_FACTOR, RERANK, TRAIN_SAMPLE

DEFAULT = ("PQ96x4fs,Refine(SQ4)", "PQ96x4fs,Refine(SQ8)", "RaBitQfs,Refine(SQ8)", "HNSW32_SQ8")


def stored(directory: Path) -> tuple[np.ndarray, np.ndarray]:
    """(passage ids, float16 vectors) of every stored passage."""
    from index.store import Store

    store = Store(directory / "articles.db", read_only=True)
    ids, blobs = [], []
    rows = store.conn.execute("SELECT passage_id, vector FROM passage_vectors ORDER BY passage_id")
    while chunk := rows.fetchmany(100_000):
        ids.extend(r[0] for r in chunk)
        blobs.append(b"".join(r[1] for r in chunk))
    store.close()
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(ids), -1)
    return np.asarray(ids, dtype=np.int64), matrix


def exact_top(matrix: np.ndarray, queries: np.ndarray, k: int = 10) -> np.ndarray:
    """Row numbers of each query's exact top k."""
    best = np.zeros((len(queries), 0), dtype=np.int64)
    scores = np.zeros((len(queries), 0), dtype=np.float32)
    for start in range(0, len(matrix), 200_000):
        part = queries @ matrix[start : start + 200_000].astype(np.float32).T
        top = np.argpartition(-part, k, axis=1)[:, :k]
        scores = np.concatenate([scores, np.take_along_axis(part, top, 1)], axis=1)
        best = np.concatenate([best, top + start], axis=1)
        order = np.argsort(-scores, axis=1)[:, :k]
        scores, best = np.take_along_axis(scores, order, 1), np.take_along_axis(best, order, 1)
    return best


def probe(factory: str, matrix: np.ndarray, queries: np.ndarray, truth: np.ndarray) -> dict:
    t = time.perf_counter()
    index = faiss.index_factory(matrix.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    if factory.startswith("HNSW"):  # as the library's HNSW index of before
        faiss.downcast_index(index).hnsw.efConstruction = 64
    faiss.omp_set_num_threads(1)  # as index/vectors.py makes its index
    step = max(1, len(matrix) // TRAIN_SAMPLE)
    index.train(matrix[::step].astype(np.float32))
    for start in range(0, len(matrix), 100_000):
        index.add(matrix[start : start + 100_000].astype(np.float32))
    built = time.perf_counter() - t
    if "Refine" in factory:
        params = faiss.IndexRefineSearchParameters(k_factor=K_FACTOR)
    elif factory.startswith("HNSW"):
        params = faiss.SearchParametersHNSW(efSearch=256)
    else:
        params = None
    found, times = [], []
    for query in queries:
        t = time.perf_counter()
        _, rows = index.search(query[None], RERANK, params=params)
        times.append(time.perf_counter() - t)
        found.append(rows[0][rows[0] >= 0])
    reranked = [
        f[np.argsort(-(matrix[f].astype(np.float32) @ q))]
        for f, q in zip(found, queries, strict=True)
    ]

    def recall(lists: list[np.ndarray]) -> float:
        hits = [
            len(set(f[:10].tolist()) & set(g.tolist())) for f, g in zip(lists, truth, strict=True)
        ]
        return round(sum(hits) / (10 * len(truth)), 3)

    return {
        "index": factory,
        "passages": len(matrix),
        "recall_at_10": recall(found),
        "recall_at_10_reranked": recall(reranked),
        "ms_p50": round(1000 * float(np.median(times)), 2),
        "ms_p95": round(1000 * float(np.percentile(times, 95)), 2),
        "build_s": round(built),
    }


def main() -> None:
    from index.embedder import SentenceTransformerEmbedder

    directory, spec = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
    factories = sys.argv[3:] or DEFAULT
    embedder = SentenceTransformerEmbedder(cache_dir=Path(spec["models"]))
    queries = np.asarray(embedder.encode(spec["questions"]), dtype=np.float32)
    _, matrix = stored(directory)
    truth = exact_top(matrix, queries)
    for factory in factories:
        print(json.dumps(probe(factory, matrix, queries, truth)), flush=True)


if __name__ == "__main__":
    main()
