"""Speed: adding (passages/s) against the bare encode ceiling and LangChain, and per-question
latency of Library.ask at growing library sizes."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

from tqdm import tqdm

from index.answer import product_config
from index.embedder import Embedder
from index.library import Library, LibraryConfig

from .common import LANGUAGES, Plan, Timer, log, median, quantile, xquad
from .pipeline_langchain import LangChainPipeline


def _bare_encode(embedder: Embedder, texts: list[str]) -> None:
    """The model alone, as fast as it goes: one call over every text, batches of 64, on the
    model the library adds with (the int8 copy where that is on)."""
    runner = getattr(embedder, "documents_runner", None)
    if runner is not None:
        runner.encode(texts, 64)
    else:
        embedder.encode_documents(texts)


def add_throughput(plan: Plan, embedder: Embedder, lc_model: Any) -> dict:
    """The same XQuAD-en articles, three ways, side by side in each repeat; medians."""
    articles = xquad("en", plan)[0][: plan.add_articles]
    chars = sum(len(text) for _, text in articles)
    runs: dict[str, list[dict[str, float]]] = {"articlebot": [], "ceiling": [], "LangChain": []}
    for repeat in range(plan.add_repeats):
        log(f"speed: add throughput, repeat {repeat + 1}/{plan.add_repeats}")
        with tempfile.TemporaryDirectory(prefix="bench-add-") as tmp:
            library = Library(LibraryConfig(Path(tmp)), embedder)
            with Timer() as t:
                for title, text in articles:
                    library.add_text(text, title=title)
            texts = [p[1] for p in library.store.iter_passages()]
            library.close()
        runs["articlebot"].append({"seconds": t.seconds, "passages": len(texts)})
        with Timer() as t:
            _bare_encode(embedder, texts)
        runs["ceiling"].append({"seconds": t.seconds, "passages": len(texts)})
        with Timer() as t:
            pipeline = LangChainPipeline(articles, lc_model)
        runs["LangChain"].append({"seconds": t.seconds, "passages": len(pipeline.chunks)})
    out: dict[str, Any] = {"articles": len(articles), "chars": chars, "repeats": plan.add_repeats}
    for name, rows in runs.items():
        seconds = median([r["seconds"] for r in rows])
        out[name] = {
            "seconds": seconds,
            "passages": rows[0]["passages"],
            "passages_per_s": rows[0]["passages"] / seconds,
            "kchars_per_s": chars / seconds / 1000,
        }
    out["ratio_to_ceiling"] = median(
        [
            c["seconds"] / a["seconds"]
            for a, c in zip(runs["articlebot"], runs["ceiling"], strict=True)
        ]
    )
    out["ratio_to_langchain_chars"] = median(
        [
            lc["seconds"] / a["seconds"]
            for a, lc in zip(runs["articlebot"], runs["LangChain"], strict=True)
        ]
    )
    return out


def latency_questions(plan: Plan) -> list[str]:
    """A fixed sample of XQuAD questions, half English, half German."""
    questions = [q.question for language in LANGUAGES for q in xquad(language, plan)[1]]
    rng = random.Random(7)
    rng.shuffle(questions)
    return questions[: plan.latency_questions + 5]


def ask_latency(directory: Path, embedder: Embedder, questions: list[str]) -> dict[str, float]:
    """Library.ask per question (embedding + search + answer selection, with the reader as the CLI
    and the bot answer: product_config), after 5 warm-ups."""
    library = Library(LibraryConfig(directory, answer=product_config()), embedder)
    passages = library.stats().passages
    for q in questions[:5]:
        library.ask(q)
    # The same questions are asked at every size: none may be answered from the reader's memo.
    reader = library.reader()  # the library's own (its backend's): its memory, not another's
    if reader is not None:
        reader.forget()
    times = []
    for q in tqdm(questions[5:], desc=f"ask @ {passages}", leave=False):
        with Timer() as t:
            library.ask(q)
        times.append(t.seconds)
    encode = []
    for q in questions[5:55]:
        with Timer() as t:
            embedder.encode([q])
        encode.append(t.seconds)
    library.close()
    return {
        "passages": passages,
        "questions": len(times),
        "p50_ms": 1000 * median(times),
        "p95_ms": 1000 * quantile(times, 0.95),
        "mean_ms": 1000 * sum(times) / len(times),
        "encode_p50_ms": 1000 * median(encode),
    }
