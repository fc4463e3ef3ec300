"""Scale: adding one article, asking, start-up and memory at 1k, 100k and 1M passages, and the
recall of the approximate vector index against exact search.

Each size is measured in a fresh process (`python -m benchmarks.scale DATA_DIR QUESTIONS_JSON`)
that opens the library as the bot does (from its checkpoint where one was written), loads its
text tools as the bot does at start (index.warmup: counted in the first question's time),
answers its first question, then asks the latency questions, then adds three ordinary articles
(English news pages of the news dev set, about 4,000 characters of text each) one by one:
time, bytes the process wrote (/proc/self/io wchar: SQLite's WAL and everything else) and
peak resident memory above the resting level (sampled every 2 ms). Libraries are scaled with
synthetic distractors as in the latency section (benchmarks/corpus.py).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

ADDS = 3
RECALL_QUERIES = 200


def run(
    plan,
    base: Path,
    base_passages: int,
    pools,
    embedder,
    dirs: dict,
    work: Path,
    questions: list[str],
) -> dict:  # noqa: ANN001
    from .common import log
    from .corpus import build_scaled

    sizes = (1_000, 5_000, 20_000) if plan.quick else (1_000, 100_000, 1_000_000)
    if os.environ.get("BENCH_SCALES"):  # e.g. BENCH_SCALES=20000,300000 while developing
        sizes = tuple(int(x) for x in os.environ["BENCH_SCALES"].split(","))
    articles = _ordinary_articles()
    spec = work / "scale.json"
    models = str(work / "probe" / "models")  # the ONNX export made once, as on a second start
    spec.write_text(json.dumps({"questions": questions, "articles": articles, "models": models}))
    rows = []
    for n in sizes:
        directory = dirs.get(n)
        if directory is None:
            directory = work / f"scale-{n}"
            log(f"scale: building a library of {n:,} passages")
            t = time.perf_counter()
            build_scaled(base, base_passages, directory, n, pools, embedder)
            log(f"scale: built in {time.perf_counter() - t:.0f} s")
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.scale", str(directory), str(spec)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"benchmarks.scale failed:\n{done.stderr[-3000:]}")
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        log(f"scale: {json.dumps(rows[-1])}")
    return {"rows": rows}


def _ordinary_articles() -> list[dict]:
    """ADDS English news pages of the news dev set (../shared/datasets/news), their text cut
    to about 4,000 characters, each with a question of the set its cut text answers: new to
    every scaled library (XQuAD texts would now be taken for near-copies of the stored ones and
    recorded as other sources, with no embedding)."""
    import trafilatura

    from .common import REPO

    pages = REPO.parent / "shared" / "datasets" / "news"
    about = json.loads((pages / "questions.json").read_text(encoding="utf-8"))
    out = []
    for page in about["pages"]:
        if page["language"] != "en":
            continue
        html = (pages / "pages" / page["file"]).read_text(encoding="utf-8")
        text = (trafilatura.extract(html, include_comments=False) or "")[:4_000]
        asked = [q for q in page["questions"] if any(a in text for a in q["answers"])]
        if len(text) >= 3_000 and asked:
            out.append({"text": text, "title": page["title"], "question": asked[0]["q"]})
    return out[:ADDS]


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _written() -> int:
    with open("/proc/self/io") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("wchar"))


def _peak_during(work) -> tuple[float, int]:  # noqa: ANN001
    """(seconds, peak RSS in bytes) of running `work`, RSS sampled every 2 ms."""
    peak = [_rss()]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    t = time.perf_counter()
    try:
        work()
    finally:
        seconds = time.perf_counter() - t
        stop.set()
        sampler.join()
    return seconds, max(peak[0], _rss())


def _recall(library, questions: list[str]) -> float | None:  # noqa: ANN001
    """recall@10 of the live dense index against exact search over the stored vectors (None
    when the index is exact)."""
    import numpy as np

    live = library.backend._live
    if live is None or live.vectors is None or not live.vectors.approximate_kind:
        return None
    queries = library.embedder.encode(questions[:RECALL_QUERIES])
    best = [[] for _ in queries]  # (score, id) candidates per query
    conn = library.store.conn
    rows = conn.execute("SELECT passage_id, vector FROM passage_vectors ORDER BY passage_id")
    while chunk := rows.fetchmany(100_000):
        ids = np.fromiter((r[0] for r in chunk), dtype=np.int64, count=len(chunk))
        matrix = np.frombuffer(b"".join(r[1] for r in chunk), dtype=np.float16)
        scores = queries @ matrix.reshape(len(chunk), -1).astype(np.float32).T
        top = np.argpartition(-scores, 10, axis=1)[:, :10]
        for q, cols in enumerate(top):
            best[q].extend(zip(scores[q, cols].tolist(), ids[cols].tolist(), strict=True))
    hits = 0
    for q, vector in enumerate(queries):
        exact = {i for _, i in sorted(best[q], reverse=True)[:10]}
        hits += len(exact & set(library.backend.dense_search(vector, 10)))
    return hits / (10 * len(queries))


class _Stages:
    """Wall time spent in some of the library's calls while asking (wrapped; see
    _timed_stages): what an ask's time goes to."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.undo: list = []

    def wrap(self, owner, name: str, label: str) -> None:  # noqa: ANN001
        original = getattr(owner, name)

        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t

        setattr(owner, name, timed)
        self.undo.append((owner, name, original))

    def stop(self) -> None:
        for owner, name, original in reversed(self.undo):
            setattr(owner, name, original)


def _timed_stages(library) -> _Stages:  # noqa: ANN001
    """Embedding (the question's, and the quotes' where recency's same-claim check needs
    them: "quote embedding", a part of "embedding"), dense search (with its exact
    re-ranking), BM25 and answer selection (index.answer, with the articles' sentences it
    loads; every pass, the newer articles asked again by recency included) of each ask. The
    parts overlap the whole, not each other, but for the quote embedding."""
    import index.asked as asked

    stages = _Stages()
    stages.wrap(library.embedder, "encode", "embedding")
    stages.wrap(library, "_similar", "quote embedding")
    stages.wrap(library.backend, "dense_search", "dense search")
    stages.wrap(library.backend, "lexical_search", "BM25")
    stages.wrap(asked, "answer_question", "answer selection")
    return stages


def measure(directory: Path, spec: dict) -> dict:
    from index.library import Library, LibraryConfig
    from index.warmup import warm_text_tools

    from .common import median, quantile

    questions, articles = spec["questions"], spec["articles"]
    imported = time.perf_counter()
    library = Library(LibraryConfig(directory, models_dir=Path(spec["models"])))
    library.backend.refresh()  # the indexes: from the checkpoint, then the changes after it
    loaded = time.perf_counter()
    warm_text_tools(library.stats().languages)  # the bot: in the background, at start
    library.ask(questions[0])
    answered_first = time.perf_counter()
    startup = answered_first - STARTED
    rss_started = _rss()
    passages = library.stats().passages
    for q in questions[1:6]:
        library.ask(q)
    stages = _timed_stages(library)
    times = []
    for q in questions[6:]:
        t = time.perf_counter()
        library.ask(q)
        times.append(time.perf_counter() - t)
    stages.stop()
    adds, added = [], []
    for article in articles:
        resting, written = _rss(), _written()
        seconds, peak = _peak_during(
            lambda a=article: added.append(library.add_text(a["text"], title=a["title"]))
        )
        adds.append((seconds, _written() - written, peak - resting))
    # Answerable at once: a question about the last one is answered from it.
    found = library.ask(articles[-1]["question"])
    last = added[-1].article.id
    answered = not found.abstained and found.sources[0].article.id == last
    recall = _recall(library, questions)
    for result in added:  # the library as it was, for the next measurement of it
        if result.created:
            library.delete(result.article.id)
    library.close()
    return {
        "passages": passages,
        "startup_s": startup,
        "rss_mb": rss_started / 2**20,
        "p50_ms": 1000 * median(times),
        "p95_ms": 1000 * quantile(times, 0.95),
        "questions": len(times),
        "add_s": median([a[0] for a in adds]),
        "add_max_s": max(a[0] for a in adds),
        "add_written_mb": median([a[1] for a in adds]) / 2**20,
        "add_peak_mb": max(a[2] for a in adds) / 2**20,
        "recall_at_10": recall,
        "recall_questions": min(RECALL_QUERIES, len(questions)),
        "startup_parts_s": {
            "imports": imported - STARTED,
            "indexes": loaded - imported,
            "first_ask": answered_first - loaded,
        },
        "ask_parts_ms": {k: 1000 * v / len(times) for k, v in stages.seconds.items()},
        "added_found": answered,
        "added_created": all(a.created and a.near_duplicate is None for a in added),
    }


def first_open(directory: Path) -> dict:
    """A library's indexes made from SQLite alone, as on a first open without a checkpoint
    (the bot then answers once they are made; the checkpoint follows in the background)."""
    from index.storage import StorageConfig
    from index.storage.embedded import EmbeddedBackend

    backend = EmbeddedBackend(directory, StorageConfig(), lock_timeout=60)
    t = time.perf_counter()
    live = backend._from_database()
    seconds = time.perf_counter() - t
    backend.close()
    return {"passages": len(live.lexical), "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.WARNING)
    if sys.argv[1] == "--first-open":
        print(json.dumps(first_open(Path(sys.argv[2]))))
    else:
        print(json.dumps(measure(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()))))
