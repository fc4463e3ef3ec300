"""`python -m benchmarks.scale_section WORK [--sizes 100000,1000000] [--publish]`: the scale
section alone, its libraries kept in WORK so that a second run measures them again without
building them (a 1M-passage library takes a long while to build on 2 cores).

WORK keeps the base library (the real XQuAD articles), the embedded sentence pools and each
size's library; the result goes to WORK/scale-result.json (or --out), and with --publish into
the scale section of benchmarks/plots/results.json, from which BENCHMARKS.md is rendered again
(`--render`).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import time
from datetime import UTC, datetime
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale_section", description=__doc__)
    parser.add_argument("work", type=Path, help="where the libraries are built and kept")
    parser.add_argument("--sizes", default="1000,100000,1000000", help="passages, comma-separated")
    parser.add_argument("--publish", action="store_true", help="into results.json + BENCHMARKS.md")
    parser.add_argument(
        "--out", type=Path, help="where the result goes (default WORK/scale-result.json)"
    )
    parser.add_argument(
        "--first-open",
        action="store_true",
        help="also time each library's indexes made from SQLite alone (minutes at 1M)",
    )
    parser.add_argument(
        "--publish-only",
        action="store_true",
        help="publish WORK/scale-result.json (with WORK/ann_probe.jsonl) without measuring",
    )
    parser.add_argument(
        "--sqlite-only",
        action="store_true",
        help="only write the libraries' passages into SQLite (their indexes are made later)",
    )
    args = parser.parse_args()
    for name, value in (("HF_HUB_OFFLINE", "1"), ("TOKENIZERS_PARALLELISM", "false")):
        os.environ.setdefault(name, value)
    import logging

    logging.basicConfig(level=logging.WARNING)
    os.environ["BENCH_SCALES"] = args.sizes
    if args.publish_only:
        result = json.loads((args.work / "scale-result.json").read_text())
        publish(_with_probes(result, args.work))
        return
    result = run(args.work, sqlite_only=args.sqlite_only)
    if result is None:
        return
    if args.first_open:
        result["first_open"] = [_first_open(args.work / f"scale-{n}") for n in _sizes()]
    (args.out or args.work / "scale-result.json").write_text(json.dumps(result, indent=1))
    if args.publish:
        publish(result)


def run(work: Path, *, sqlite_only: bool = False) -> dict | None:
    from index.library import Library, LibraryConfig

    from . import scale, speed
    from .common import Plan, log
    from .corpus import build_base, sentence_pools

    started = time.perf_counter()
    begun = datetime.now(UTC)
    plan = Plan.make(False)
    work.mkdir(parents=True, exist_ok=True)
    probe = Library(LibraryConfig(work / "probe"))  # the ONNX export, made once
    embedder = probe.embedder
    embedder.encode(["warm up"])
    embedder.encode_documents(["warm up"])
    base, cached = work / "base", work / "base.pickle"
    if cached.exists():
        base_passages, pools = pickle.loads(cached.read_bytes())
    else:
        log("scale: building the base library and the sentence pools")
        base_passages = build_base(base, plan, embedder)
        pools = sentence_pools(plan, embedder)
        cached.write_bytes(pickle.dumps((base_passages, pools)))
    questions = speed.latency_questions(plan)
    sizes = _sizes()
    dirs = {}
    for n in sizes:
        directory = work / f"scale-{n}"
        if not (directory / "built").exists():
            _build(directory, n, base, base_passages, pools, embedder, sqlite_only=sqlite_only)
        elif not sqlite_only:
            _analyze(directory, embedder)
        dirs[n] = directory
    if sqlite_only:
        return None
    result = scale.run(plan, base, base_passages, pools, embedder, dirs, work, questions)
    probes = (
        work / "ann_probe.jsonl"
    )  # `python -m benchmarks.ann_probe ... >> WORK/ann_probe.jsonl`
    if probes.exists():
        result["index_probe"] = [json.loads(line) for line in probes.read_text().splitlines()]
    probe.close()
    ended = datetime.now(UTC)
    result["measured"] = f"{begun:%Y-%m-%d %H:%M}-{ended:%H:%M} UTC"
    result["seconds"] = time.perf_counter() - started
    result["load"] = list(os.getloadavg())
    return result


def _sizes() -> list[int]:
    return [int(x) for x in os.environ["BENCH_SCALES"].split(",")]


def _first_open(directory: Path) -> dict:
    import subprocess
    import sys

    from .common import log

    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--first-open", str(directory)],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"scale: first open without a checkpoint: {json.dumps(found)}")
    return found


def _with_probes(result: dict, work: Path) -> dict:
    """The index comparison, where `python -m benchmarks.ann_probe LIBRARY SPEC ... >>
    WORK/ann_probe.jsonl` wrote one."""
    probes = work / "ann_probe.jsonl"
    if probes.exists():
        result["index_probe"] = [json.loads(line) for line in probes.read_text().splitlines()]
    return result


def _build(directory, n, base, base_passages, pools, embedder, *, sqlite_only) -> None:  # noqa: ANN001
    """corpus.build_scaled in two steps, each marked done in the library's folder: the
    passages written into SQLite ("sqlite"), then its indexes made and checkpointed ("built"),
    as the bot would in the background."""
    import shutil

    import numpy as np

    from index.library import Library, LibraryConfig

    from .common import log
    from .corpus import SEED, add_distractors

    t = time.perf_counter()
    if not (directory / "sqlite").exists():
        log(f"scale: writing a library of {n:,} passages into SQLite")
        if directory.exists():
            shutil.rmtree(directory)
        shutil.copytree(base, directory)
        library = Library(LibraryConfig(directory), embedder)
        add_distractors(library, pools, max(0, n - base_passages), np.random.default_rng(SEED))
        library.close()
        _analyze(directory, embedder)  # the base articles', where an earlier version made it
        (directory / "sqlite").write_text(f"{time.perf_counter() - t:.0f}\n")
        log(f"scale: written in {time.perf_counter() - t:.0f} s")
    if sqlite_only:
        return
    t = time.perf_counter()
    log(f"scale: making the indexes of {n:,} passages")
    library = Library(LibraryConfig(directory), embedder)
    stats = library.stats()
    assert stats.passages == stats.vectors == max(n, base_passages)
    library.backend.checkpoint()
    library.close()
    (directory / "built").write_text(f"{time.perf_counter() - t:.0f}\n")
    log(f"scale: indexes made and checkpointed in {time.perf_counter() - t:.0f} s")


def _analyze(directory: Path, embedder) -> None:  # noqa: ANN001
    """The sentence analyses a library built by an earlier version lacks (`articlebot analyze`;
    ~25 ms an article: about 20 minutes at 1M passages), as its owner would store them."""
    from index.analysis_backfill import backfill
    from index.library import Library, LibraryConfig
    from index.sentence_analysis import VERSION

    from .common import log

    library = Library(LibraryConfig(directory), embedder)
    missing = len(library.backend.unanalyzed(VERSION))
    if missing:
        log(f"scale: storing the sentence analysis of {missing:,} articles of {directory.name}")
        t = time.perf_counter()
        backfill(library.backend)
        log(f"scale: analyzed in {time.perf_counter() - t:.0f} s")
    library.close()


def publish(result: dict) -> None:
    from . import __main__ as bench
    from .common import REPO

    path = REPO / "benchmarks" / "plots" / "results.json"
    results = json.loads(path.read_text(encoding="utf-8"))
    old = results.get("scale", {})
    if "recall_by_ef_1m" in old:  # the HNSW index of before, measured in an earlier run
        result["hnsw_before"] = {
            "measured": old["measured"],
            "recall": old["recall_by_ef_1m"],
            "ms": old["ef_ms_1m"],
            "build_minutes": round(old["build_seconds_1m"] / 60),
        }
    elif "hnsw_before" in old:
        result["hnsw_before"] = old["hnsw_before"]
    results["scale"] = result
    path.write_text(json.dumps(results, indent=1), encoding="utf-8")
    bench.render(False, None)


if __name__ == "__main__":
    main()
