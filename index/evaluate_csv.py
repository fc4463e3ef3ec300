"""`articlebot eval questions.csv`: your own questions, asked of the library in the data dir.

A CSV file with a header row and the columns `question` and `answers`: the strings any of which
in the quote counts as right, separated by "|"; an empty `answers` means the library should say
it found nothing. Other columns are ignored. Nothing is added or changed in the library.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadInput
from .evaluate import Report, quantile
from .library import Library

MAX_ROWS = 100_000


@dataclass
class CsvReport(Report):
    file: str
    questions: int  # with answers
    answer_hit: float
    abstained_answerable: float
    unanswerable: int  # rows with no answers
    unanswerable_not_found: float
    mean_quote_chars: float
    max_quote_chars: int
    latency_p50_ms: float
    latency_p95_ms: float
    misses: list[dict] = field(default_factory=list)


def load(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(question, gold strings) per row."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"question", "answers"} <= set(reader.fieldnames):
                raise BadInput(f"{path} needs a header row with the columns question,answers")
            rows = []
            for row in reader:
                if len(rows) == MAX_ROWS:
                    raise BadInput(f"{path} has more than {MAX_ROWS} questions")
                question = (row.get("question") or "").strip()
                if not question:
                    raise BadInput(f"{path}, line {reader.line_num}: the question is empty")
                golds = tuple(a.strip() for a in (row.get("answers") or "").split("|"))
                rows.append((question, tuple(a for a in golds if a)))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None
    if not rows:
        raise BadInput(f"{path} has no questions")
    return rows


def evaluate_csv(
    path: Path, library: Library, progress: Callable[[int, int], None] | None = None
) -> CsvReport:
    rows = load(path)
    results = []
    for done, (question, golds) in enumerate(rows, 1):
        t0 = time.perf_counter()
        answer = library.ask(question)
        results.append((question, golds, answer, time.perf_counter() - t0))
        if progress:
            progress(done, len(rows))
    answerable = [(q, g, a) for q, g, a, _ in results if g]
    others = [a for _, g, a, _ in results if not g]
    hits = [not a.abstained and any(x in a.quote for x in g) for _, g, a in answerable]
    quotes = [len(a.quote) for *_, a, _ in results if not a.abstained]
    latencies = sorted(t for *_, t in results)
    n = len(answerable) or 1
    return CsvReport(
        file=path.name,
        questions=len(answerable),
        answer_hit=sum(hits) / n,
        abstained_answerable=sum(a.abstained for *_, a in answerable) / n,
        unanswerable=len(others),
        unanswerable_not_found=sum(a.abstained for a in others) / (len(others) or 1),
        mean_quote_chars=statistics.fmean(quotes or [0]),
        max_quote_chars=max(quotes or [0]),
        latency_p50_ms=1000 * quantile(latencies, 0.5),
        latency_p95_ms=1000 * quantile(latencies, 0.95),
        misses=[
            {"question": q, "expected": list(g), "abstained": a.abstained, "quote": a.quote}
            for (q, g, a), ok in zip(answerable, hits, strict=True)
            if not ok
        ]
        + [
            {"question": q, "expected": [], "quote": a.quote}
            for q, g, a, _ in results
            if not g and not a.abstained
        ],
    )
