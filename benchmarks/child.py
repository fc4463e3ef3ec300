"""Run in a fresh process: `python -m benchmarks.child startup|memory DATA_DIR QUESTION`.

startup: seconds from this module's first line to the first answer (imports, opening the library,
loading the model, the first ask). memory: resident memory before and after opening a library
(model already loaded), so the difference is what the library's passages cost. Prints JSON."""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


def startup(directory: Path, question: str) -> dict[str, float]:
    from index.library import Library, LibraryConfig

    imported = time.perf_counter()
    library = Library(LibraryConfig(directory))
    stats = library.stats()  # loads the FAISS + BM25 snapshot
    opened = time.perf_counter()
    _ = library.embedder.dimension  # loads the model
    loaded = time.perf_counter()
    answer = library.ask(question)
    answered = time.perf_counter()
    return {
        "passages": stats.passages,
        "import_s": imported - STARTED,
        "open_s": opened - imported,
        "model_s": loaded - opened,
        "first_ask_s": answered - loaded,
        "total_s": answered - STARTED,
        "abstained": answer.abstained,
    }


def memory(directory: Path, question: str) -> dict[str, float]:
    import psutil

    from index.library import Library, LibraryConfig

    process = psutil.Process()
    warm = Library(LibraryConfig(Path(sys.argv[4])))  # an empty library: loads model + code
    # Warm the runtime up with batches as large as an ask's, so that its buffers are counted
    # before the library is opened, not as the library's.
    warm.embedder.encode([question * 8] * 64)
    before = process.memory_info().rss
    library = Library(LibraryConfig(directory), warm.embedder)
    library.ask(question)
    after = process.memory_info().rss
    return {
        "passages": library.stats().passages,
        "rss_before_mb": before / 2**20,
        "rss_after_mb": after / 2**20,
        "delta_mb": (after - before) / 2**20,
    }


def main() -> None:
    kind, directory, question = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    result = (startup if kind == "startup" else memory)(directory, question)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
