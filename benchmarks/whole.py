"""Whole processes, side by side: add every XQuAD-en article and ask every question, once with
articlebot and once with the LangChain pipeline. Wall time from spawning the process to its exit
(imports and model loading included), as a user running either would see it. Neither pays a one-time
preparation: LangChain loads the model as installed, articlebot its ONNX export, made before the
timing into MODELS_DIR (a user's DATA_DIR/models). Both embed the questions in batches: LangChain
with embed_documents, articlebot with Library.ask_many.

Child: `python -m benchmarks.whole articlebot|langchain DATA_DIR MODELS_DIR [ARTICLES]` prints
JSON."""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from .common import REPO, Plan, log, median, xquad  # noqa: E402

SYSTEMS = ("articlebot", "langchain")


def child(
    system: str, directory: Path, models: Path, articles_limit: int | None
) -> dict[str, float]:
    plan = Plan.make(False)
    articles, questions = xquad("en", plan)
    if articles_limit:
        articles = articles[:articles_limit]
        questions = [q for q in questions if q.article < articles_limit]
    t0 = time.perf_counter()
    if system == "articlebot":
        from index.library import Library, LibraryConfig

        library = Library(LibraryConfig(directory, models_dir=models))
        for title, text in articles:
            library.add_text(text, title=title)
        added = time.perf_counter()
        shown = [a.quote for a in library.ask_many([q.question for q in questions])]
    else:
        from .pipeline_langchain import LangChainPipeline, embeddings

        pipeline = LangChainPipeline(articles, embeddings())
        added = time.perf_counter()
        shown = [
            chunks[0].text if chunks else ""
            for chunks in pipeline.search_many([q.question for q in questions], k=1)
        ]
    done = time.perf_counter()
    hits = sum(any(a in text for a in q.answers) for q, text in zip(questions, shown, strict=True))
    return {
        "questions": len(questions),
        "setup_s": t0 - STARTED,
        "add_s": added - t0,
        "ask_s": done - added,
        "answer_hit": hits / max(len(questions), 1),
    }


def run(plan: Plan, models: Path, repeats: int = 1) -> dict:
    """Each system `repeats` times, alternating; median wall seconds and the ratio. `models`:
    a folder holding articlebot's ONNX export already (DATA_DIR/models of a library opened
    before)."""
    limit = plan.articles
    walls: dict[str, list[float]] = {s: [] for s in SYSTEMS}
    inner: dict[str, list[dict]] = {s: [] for s in SYSTEMS}
    for _ in range(repeats):
        for system in SYSTEMS:
            log(f"whole process: {system}")
            with tempfile.TemporaryDirectory(prefix="bench-whole-") as tmp:
                command = [sys.executable, "-m", "benchmarks.whole", system, tmp, str(models)]
                if limit:
                    command.append(str(limit))
                t = time.perf_counter()
                out = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
                walls[system].append(time.perf_counter() - t)
                inner[system].append(json.loads(out.stdout.strip().splitlines()[-1]))
    # Each figure the median of its runs (a run's parts need not add up to the median wall).
    result = {
        s: {
            key: median([run[key] for run in inner[s]]) if isinstance(value, float) else value
            for key, value in inner[s][0].items()
        }
        | {"wall_s": median(walls[s]), "runs": len(walls[s])}
        for s in SYSTEMS
    }
    result["ratio"] = result["articlebot"]["wall_s"] / result["langchain"]["wall_s"]
    return result


if __name__ == "__main__":
    import os
    import warnings

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warnings.filterwarnings("ignore")
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else None
    print(json.dumps(child(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), limit)))
