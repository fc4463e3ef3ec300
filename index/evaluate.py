"""`articlebot eval`: answer quality on a SQuAD-format file, in a fresh temporary library."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .embedder import Embedder
from .errors import BadInput
from .library import Library, LibraryConfig
from .sources import clean_text


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]  # empty: unanswerable (SQuAD 2.0), "not found" is right
    article: int  # index into the file's articles
    span: tuple[int, int] | None  # the first gold answer's span in the article text built below


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
    questions: int  # with answers; the figures below are of these
    answer_hit: float
    passage_hit_at_1: float
    passage_hit_at_3: float
    bm25_passage_hit_at_1: float  # the same passages ranked by BM25 alone
    dense_passage_hit_at_1: float  # ... and by the embedding model alone
    abstain_rate: float
    unanswerable: int  # SQuAD 2.0 questions with no answers
    unanswerable_not_found: float
    mean_answer_chars: float
    add_seconds: float
    latency_p50_ms: float
    latency_p95_ms: float
    misses: list[dict] = field(default_factory=list)  # shown with --misses


KINDS = {str: "a string", list: "a list", dict: "an object", int: "a number", bool: "true/false"}


def need(item: object, key: str, kind: type, where: str) -> Any:  # noqa: ANN401
    """item[key], where `item` is an object and the value a `kind`; else BadInput naming `where`."""
    if not isinstance(item, dict):
        raise BadInput(f"{where} is not an object")
    value = item.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadInput(f"{where} needs {key!r} as {KINDS[kind]}")
    return value


def load_squad(path: Path) -> tuple[list[tuple[str, str]], list[Question]]:
    """Articles as (title, text: paragraphs joined by blank lines) and their questions."""
    try:
        top = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None
    if isinstance(top, dict) and "pages" in top and "data" not in top:
        raise BadInput(f"{path}: 'pages' must be a list of pages")
    if not isinstance(top, dict) or "data" not in top:
        raise BadInput(f"{path} is neither SQuAD JSON (no 'data') nor the news format (no 'pages')")
    articles: list[tuple[str, str]] = []
    questions: list[Question] = []
    for number, entry in enumerate(need(top, "data", list, str(path))):
        where = f"{path}, data[{number}]"
        title = need(entry, "title", str, where)
        offset = 0
        paragraphs = []
        for p_number, paragraph in enumerate(need(entry, "paragraphs", list, where)):
            p_where = f"{where}, paragraphs[{p_number}]"
            # Added text is cleaned (trailing spaces, zero-width characters), so gold spans are
            # found again in the cleaned paragraph, at the occurrence nearest the original one.
            context = clean_text(need(paragraph, "context", str, p_where))
            for q_number, qa in enumerate(need(paragraph, "qas", list, p_where)):
                q_where = f"{p_where}, qas[{q_number}]"
                question = need(qa, "question", str, q_where)
                golds = need(qa, "answers", list, q_where)
                for a_number, gold in enumerate(golds):
                    need(gold, "text", str, f"{q_where}, answers[{a_number}]")
                    need(gold, "answer_start", int, f"{q_where}, answers[{a_number}]")
                span = None
                if golds:  # none: a SQuAD 2.0 unanswerable question
                    first = golds[0]
                    start = offset + _nearest(context, first["text"], first["answer_start"])
                    span = (start, start + len(first["text"]))
                qid = str(qa.get("id", f"{number}.{p_number}.{q_number}"))
                answers = tuple(a["text"] for a in golds)
                questions.append(Question(qid, question, answers, number, span))
            paragraphs.append(context)
            offset += len(context) + 2
        articles.append((title.replace("_", " "), "\n\n".join(paragraphs)))
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
    if q.span is None:
        return False, False
    span = q.span
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
                p.article_id == article_id and p.start <= span[0] and span[1] <= p.end
                for p in passages.values()
            )
        )
    return found[0], found[1]


def _covers(hit, article_id: int, span: tuple[int, int] | None) -> bool:  # noqa: ANN001
    p = hit.passage
    if span is None:
        return False
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
        hit = hit1 = hit3 = abstained = bm25_1 = dense_1 = unanswerable_not_found = 0
        lengths: list[int] = []
        latencies: list[float] = []
        misses: list[dict] = []
        for done, (q, answer, elapsed, ranks) in enumerate(iter_answers(library, ids, questions)):
            latencies.append(elapsed)
            if not answer.abstained:  # the mean of the quotes shown, as for the news format
                lengths.append(len(answer.quote))
            if not q.answers:  # unanswerable: "not found" is right, as in the CSV format
                unanswerable_not_found += answer.abstained
                right = answer.abstained
            else:
                alone = _single_retrievers(library, q, ids[q.article])
                abstained += answer.abstained
                right = not answer.abstained and any(a in answer.quote for a in q.answers)
                hit += right
                hit1 += bool(ranks) and ranks[0] < 1
                hit3 += bool(ranks) and ranks[0] < 3
                bm25_1, dense_1 = bm25_1 + alone[0], dense_1 + alone[1]
            if not right:
                misses.append(_miss(q, answer, articles[q.article][0]))
            if progress:
                progress(done + 1, len(questions))
        library.close()
    unanswerable = sum(not q.answers for q in questions)
    answerable = len(questions) - unanswerable
    n = answerable or 1
    latencies.sort()
    return EvalReport(
        file=path.name,
        articles=len(articles),
        questions=answerable,
        answer_hit=hit / n,
        passage_hit_at_1=hit1 / n,
        passage_hit_at_3=hit3 / n,
        bm25_passage_hit_at_1=bm25_1 / n,
        dense_passage_hit_at_1=dense_1 / n,
        abstain_rate=abstained / n,
        unanswerable=unanswerable,
        unanswerable_not_found=unanswerable_not_found / (unanswerable or 1),
        mean_answer_chars=statistics.fmean(lengths or [0]),
        add_seconds=add_seconds,
        latency_p50_ms=1000 * quantile(latencies, 0.5),
        latency_p95_ms=1000 * quantile(latencies, 0.95),
        misses=misses,
    )


def _miss(q: Question, answer, title: str) -> dict:  # noqa: ANN001 - an index.models.Answer
    """A missed question as --misses lists it (the same keys as the news format's)."""
    shown = answer.sources or answer.hits  # the quoted article; for an abstention, the first hit
    return {
        "id": q.id,
        "question": q.question,
        "expected": list(q.answers),  # none: unanswerable, and it was answered
        "abstained": answer.abstained,
        "confidence": round(answer.confidence, 3),
        "quote": answer.quote,
        "article": shown[0].article.title if shown else None,
        "gold_article": title,
    }


def asdict_shallow(obj) -> dict:  # noqa: ANN001
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def quantile(values: list[float], q: float) -> float:
    """The q-quantile of sorted `values` (nearest rank), 0 for none."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]
