"""`articlebot eval`: answer quality on a SQuAD-format file, in a fresh temporary library."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from .embedder import Embedder
from .library import Library, LibraryConfig
from .sources import clean_text


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    article: int  # index into the file's articles
    span: tuple[int, int]  # the first gold answer's span in the article text built below


class Report:
    """What every `articlebot eval` report does: itself as a dict, its list of misses (if it
    keeps one) only when asked for."""

    def to_dict(self, *, misses: bool = False) -> dict:
        out = asdict(self)  # type: ignore[call-overload]
        if not misses:
            out.pop("misses", None)
        return out


@dataclass(frozen=True)
class EvalReport(Report):
    file: str
    articles: int
    questions: int
    answer_hit: float
    passage_hit_at_1: float
    passage_hit_at_3: float
    bm25_passage_hit_at_1: float  # the same passages ranked by BM25 alone
    dense_passage_hit_at_1: float  # ... and by the embedding model alone
    abstain_rate: float
    mean_answer_chars: float
    add_seconds: float
    latency_p50_ms: float
    latency_p95_ms: float


def load_squad(path: Path) -> tuple[list[tuple[str, str]], list[Question]]:
    """Articles as (title, text: paragraphs joined by blank lines) and their questions."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    articles: list[tuple[str, str]] = []
    questions: list[Question] = []
    for number, entry in enumerate(data):
        offset = 0
        paragraphs = []
        for paragraph in entry["paragraphs"]:
            # Added text is cleaned (trailing spaces, zero-width characters), so gold spans are
            # found again in the cleaned paragraph, at the occurrence nearest the original one.
            context = clean_text(paragraph["context"])
            for qa in paragraph["qas"]:
                first = qa["answers"][0]
                start = _nearest(context, first["text"], first["answer_start"])
                questions.append(
                    Question(
                        qa["id"],
                        qa["question"],
                        tuple(a["text"] for a in qa["answers"]),
                        number,
                        (offset + start, offset + start + len(first["text"])),
                    )
                )
            paragraphs.append(context)
            offset += len(context) + 2
        articles.append((entry["title"].replace("_", " "), "\n\n".join(paragraphs)))
    return articles, questions


def _nearest(text: str, needle: str, near: int) -> int:
    starts = [i for i in range(len(text)) if text.startswith(needle, i)] or [near]
    return min(starts, key=lambda i: abs(i - near))


def iter_answers(library: Library, ids: list[int], questions: list[Question]) -> Iterator[tuple]:
    """(question, answer, latency seconds, passage hit ranks) for every question."""
    for q in questions:
        t0 = time.perf_counter()
        answer = library.ask(q.question)
        elapsed = time.perf_counter() - t0
        hits = answer.hits
        ranks = [i for i, h in enumerate(hits) if _covers(h, ids[q.article], q.span)]
        yield q, answer, elapsed, ranks


def _single_retrievers(library: Library, q: Question, article_id: int) -> tuple[bool, bool]:
    """Whether BM25 alone, and the dense model alone, rank a gold passage first."""
    snapshot = library._current()
    found = []
    for ranking in (
        snapshot.lexical.search(q.question, 1),
        snapshot.vectors.search(library.embedder.encode([q.question])[0], 1),
    ):
        best = sorted(ranking, key=lambda pid: -ranking[pid])[:1]
        passages = library.store.passages(best)
        found.append(
            any(
                p.article_id == article_id and p.start <= q.span[0] and q.span[1] <= p.end
                for p in passages.values()
            )
        )
    return found[0], found[1]


def _covers(hit, article_id: int, span: tuple[int, int]) -> bool:  # noqa: ANN001
    p = hit.passage
    return p.article_id == article_id and p.start <= span[0] and span[1] <= p.end


def evaluate(
    path: Path,
    *,
    embedder: Embedder | None = None,
    config: LibraryConfig | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    articles, questions = load_squad(path)
    with tempfile.TemporaryDirectory(prefix="articlebot-eval-") as tmp:
        cfg = config or LibraryConfig(Path(tmp))
        cfg = LibraryConfig(**{**asdict_shallow(cfg), "data_dir": Path(tmp)})
        library = Library(cfg, embedder)
        t0 = time.perf_counter()
        ids = []
        for title, text in articles:
            ids.append(library.add_text(text, title=title, source=path.name).article.id)
        add_seconds = time.perf_counter() - t0
        hit = hit1 = hit3 = abstained = bm25_1 = dense_1 = 0
        lengths: list[int] = []
        latencies: list[float] = []
        for done, (q, answer, elapsed, ranks) in enumerate(iter_answers(library, ids, questions)):
            alone = _single_retrievers(library, q, ids[q.article])
            latencies.append(elapsed)
            abstained += answer.abstained
            if not answer.abstained:  # the mean of the quotes shown, as for the news format
                lengths.append(len(answer.quote))
            hit += any(a in answer.quote for a in q.answers) if not answer.abstained else 0
            hit1 += bool(ranks) and ranks[0] < 1
            hit3 += bool(ranks) and ranks[0] < 3
            bm25_1, dense_1 = bm25_1 + alone[0], dense_1 + alone[1]
            if progress:
                progress(done + 1, len(questions))
        library.close()
    n = len(questions) or 1
    latencies.sort()
    return EvalReport(
        file=path.name,
        articles=len(articles),
        questions=len(questions),
        answer_hit=hit / n,
        passage_hit_at_1=hit1 / n,
        passage_hit_at_3=hit3 / n,
        bm25_passage_hit_at_1=bm25_1 / n,
        dense_passage_hit_at_1=dense_1 / n,
        abstain_rate=abstained / n,
        mean_answer_chars=statistics.fmean(lengths or [0]),
        add_seconds=add_seconds,
        latency_p50_ms=1000 * quantile(latencies, 0.5),
        latency_p95_ms=1000 * quantile(latencies, 0.95),
    )


def asdict_shallow(obj) -> dict:  # noqa: ANN001
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def quantile(values: list[float], q: float) -> float:
    """The q-quantile of sorted `values` (nearest rank), 0 for none."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]
