"""What every benchmark shares: paths, the run's size, timing helpers, the machine, the model."""

from __future__ import annotations

import dataclasses
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.evaluate import Question, load_squad
from index.library import Library

REPO = Path(__file__).resolve().parents[1]
XQUAD = REPO.parent / "shared" / "datasets" / "xquad"
LANGUAGES = ("en", "de")


@dataclass(frozen=True)
class Plan:
    """How much each benchmark does: the full run is published, --quick is for development."""

    quick: bool
    articles: int | None  # XQuAD articles per language (None: all 48)
    scales: tuple[int, ...]  # passages in the latency benchmark
    latency_questions: int
    add_articles: int  # XQuAD-en articles in the add-throughput benchmark
    add_repeats: int
    bot_rounds: int
    bot_users: int
    startup_passages: int

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(True, 8, (1_000, 5_000), 30, 8, 1, 2, 20, 5_000)
        return cls(False, None, (1_000, 10_000, 100_000), 100, 48, 3, 3, 20, 10_000)


def xquad(language: str, plan: Plan) -> tuple[list[tuple[str, str]], list[Question]]:
    """XQuAD's articles (title, text) and questions, cut to the plan's number of articles."""
    articles, questions = load_squad(XQUAD / f"xquad.{language}.json")
    if plan.articles is not None:
        articles = articles[: plan.articles]
        questions = [q for q in questions if q.article < plan.articles]
    return articles, questions


def quantile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), 100 * q)) if values else 0.0


def median(values: Sequence[float]) -> float:
    return quantile(values, 0.5)


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def bundled_model_path() -> str:
    """The bundled all-MiniLM-L6-v2 on disk: what LangChain's HuggingFaceEmbeddings loads too."""
    from index.embedder import DEFAULT_MODEL, resolve_model

    return resolve_model(DEFAULT_MODEL)


def backend(library: Library) -> str:
    """Which embedding backend the library uses: the configured one, and the one that loaded
    (where the config and embedder say; older versions have neither: the embedder's class)."""
    asked = next(
        (
            str(getattr(library.config, f.name))
            for f in dataclasses.fields(library.config)
            if "backend" in f.name
        ),
        None,
    )
    loaded = getattr(library.embedder, "loaded_backend", None)
    if asked is None and loaded is None:
        return type(library.embedder).__name__
    adding = getattr(library.embedder, "documents_backend", None)
    adds = f", adding with {adding}" if adding and adding != loaded else ""
    if loaded is None or loaded == asked:
        return f"{asked or loaded}{adds}"
    return f"{asked} configured, {loaded} loaded{adds}"


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import psutil
    import torch

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": model,
        "cpus": f"{usable} usable ({os.cpu_count()} online)",
        "memory": f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "torch": f"{torch.__version__} ({torch.get_num_threads()} threads)",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


Write = Callable[[str], None]  # how a BENCHMARKS.md section gets its lines: the page's out.append


def pct(x: float) -> str:
    """A share as BENCHMARKS.md prints it: 0.8123 -> "81.2%"."""
    return f"{100 * x:.1f}%"
