"""`articlebot eval` on real news: pages added by URL from a loopback server, as a user's /add.

The format (questions.json beside a pages/ folder; see the README, "Measuring quality"):

    {"pages": [{"file": "x.html", "language": "de",
                "questions": [{"q": "...", "answers": ["..."]}]}],
     "out_of_corpus": [{"q": "...", "language": "de"}],
     "chats": [{"turns": [{"q": "...", "answers": ["..."], "file": "x.html"}, {...}],
                "follow_up": true}]}

A page is `file` (under pages/, served on 127.0.0.1 and added by its URL) or `url` (fetched from
the web). A question is answered when one of its gold strings is inside the quote shown; an
out-of-corpus question is answered right when the library says it found nothing. A chat's turns are
asked in order with the previous turn as context, as the bot asks them; the library decides
whether a turn needs that context.
"""

from __future__ import annotations

import functools
import http.server
import json
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

from .embedder import Embedder
from .errors import BadInput
from .evaluate import Report, need, quantile
from .library import Library, LibraryConfig
from .models import Answer


@dataclass(frozen=True)
class Asked:
    question: str
    answers: tuple[str, ...]  # empty: out of corpus, "not found" is right
    language: str
    page: str | None  # the page that answers it
    kind: str  # "page", "out_of_corpus", "chat-1", "follow-up", "new-topic"


@dataclass
class NewsReport(Report):
    file: str
    pages: int
    questions: int
    answer_hit: float
    answer_hit_by_language: dict[str, float]
    article_first: float  # the right article ranked first
    abstained_answerable: float  # "not found" although a page answers it
    out_of_corpus: int
    out_of_corpus_not_found: float
    follow_ups: str  # "right/of"
    new_topics: str
    mean_quote_chars: float
    max_quote_chars: int
    add_seconds: float
    latency_p50_ms: float
    latency_p95_ms: float
    misses: list[dict] = field(default_factory=list)


def is_news_format(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("pages"), list)


def load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None
    if not is_news_format(data):
        raise BadInput(f"{path} is neither SQuAD JSON nor the news format (no 'pages')")
    _check(data, path)
    return data


def _check(data: dict, path: Path) -> None:
    """BadInput, naming the item, for anything the evaluation could not use; before any adding."""
    for number, page in enumerate(data["pages"]):
        where = f"{path}, pages[{number}]"
        if not isinstance(page, dict) or not (page.get("file") or page.get("url")):
            raise BadInput(f"{where} needs 'file' (under pages/) or 'url' as a string")
        _optional(page, ("file", "url", "language"), str, where)
        if "url" not in page:
            need(page, "file", str, where)
            folder = (path.parent / "pages").resolve()
            file = (folder / page["file"]).resolve()
            if not file.is_relative_to(folder) or not file.is_file():
                raise BadInput(f"{where}: no such file: {path.parent / 'pages' / page['file']}")
        _optional(page, ("questions",), list, where)
        for q_number, question in enumerate(page.get("questions", [])):
            _check_question(question, f"{where}, questions[{q_number}]")
    for key, check in (("out_of_corpus", _check_outside), ("chats", _check_chat)):
        _optional(data, (key,), list, str(path))
        for number, item in enumerate(data.get(key, [])):
            check(item, f"{path}, {key}[{number}]")


def _optional(item: dict, keys: tuple[str, ...], kind: type, where: str) -> None:
    for key in keys:
        if key in item:
            need(item, key, kind, where)


def _check_question(item: object, where: str) -> None:
    need(item, "q", str, where)
    golds = need(item, "answers", list, where)
    if not golds or not all(isinstance(a, str) and a for a in golds):
        raise BadInput(f"{where} needs 'answers' as a list of one or more non-empty strings")
    _optional(item, ("file", "url"), str, where)  # type: ignore[arg-type]


def _check_outside(item: object, where: str) -> None:
    need(item, "q", str, where)
    _optional(item, ("language",), str, where)  # type: ignore[arg-type]


def _check_chat(item: object, where: str) -> None:
    need(item, "follow_up", bool, where)
    for number, turn in enumerate(need(item, "turns", list, where)):
        _check_question(turn, f"{where}, turns[{number}]")


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """`folder` served on 127.0.0.1 (a free port) for the duration; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            del format, args

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _add_pages(library: Library, data: dict, folder: Path) -> dict[str, int]:
    """Every page added by URL; {page key: article id}."""
    ids: dict[str, int] = {}
    with serve(folder / "pages") as base:
        for page in data["pages"]:
            url = page.get("url") or base + quote(page["file"])
            ids[_key(page)] = library.add_url(url).article.id
    return ids


def _key(item: dict) -> str:
    return item.get("file") or item["url"]


def _questions(data: dict) -> list[Asked]:
    out = [
        Asked(
            q["q"],
            tuple(q["answers"]),
            page.get("language", "?"),
            page.get("file") or page.get("url"),
            "page",
        )
        for page in data["pages"]
        for q in page.get("questions", [])
    ]
    out += [
        Asked(q["q"], (), q.get("language", "?"), None, "out_of_corpus")
        for q in data.get("out_of_corpus", [])
    ]
    return out


def evaluate_news(
    path: Path,
    *,
    embedder: Embedder | None = None,
    config: LibraryConfig | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> NewsReport:
    data = load(path)
    languages = {_key(p): p.get("language", "?") for p in data["pages"]}
    with tempfile.TemporaryDirectory(prefix="articlebot-eval-") as tmp:
        base = config or LibraryConfig(Path(tmp))
        library = Library(replace(base, data_dir=Path(tmp), allow_private_urls=True), embedder)
        try:
            t0 = time.perf_counter()
            ids = _add_pages(library, data, path.parent)
            add_seconds = time.perf_counter() - t0
            results = _ask_all(library, data, languages, progress)
        finally:
            library.close()
    return _report(path, len(ids), ids, results, add_seconds)


Result = tuple[Asked, Answer, float]


def _ask_all(
    library: Library,
    data: dict,
    languages: dict[str, str],
    progress: Callable[[int, int], None] | None,
) -> list[Result]:
    singles = _questions(data)
    chats = data.get("chats", [])
    total = len(singles) + sum(len(c["turns"]) for c in chats)
    results: list[Result] = []

    def ask(item: Asked, context: str | None = None) -> None:
        t0 = time.perf_counter()
        answer = library.ask(item.question, context=context)
        results.append((item, answer, time.perf_counter() - t0))
        if progress:
            progress(len(results), total)

    for item in singles:
        ask(item)
    for chat in chats:
        previous = None
        for number, turn in enumerate(chat["turns"]):
            kind = "chat-1" if number == 0 else ("follow-up" if chat["follow_up"] else "new-topic")
            page = turn.get("file") or turn.get("url")
            ask(
                Asked(turn["q"], tuple(turn["answers"]), languages.get(page, "?"), page, kind),
                previous,
            )
            previous = turn["q"]
    return results


def _hit(item: Asked, answer: Answer) -> bool:
    if not item.answers:
        return answer.abstained
    return not answer.abstained and any(a in answer.quote for a in item.answers)


def _report(
    path: Path, pages: int, ids: dict[str, int], results: list[Result], add_seconds: float
) -> NewsReport:
    answerable = [(q, a) for q, a, _ in results if q.kind == "page"]
    outside = [(q, a) for q, a, _ in results if q.kind == "out_of_corpus"]
    hits = Counter(q.language for q, a in answerable if _hit(q, a))
    asked = Counter(q.language for q, _ in answerable)
    first = sum(bool(a.hits) and a.hits[0].article.id == ids[q.page] for q, a in answerable)
    quotes = [len(a.quote) for _, a, _ in results if not a.abstained]
    latencies = sorted(t for *_, t in results)
    turns = {
        kind: [(q, a) for q, a, _ in results if q.kind == kind]
        for kind in ("follow-up", "new-topic")
    }
    n = len(answerable) or 1
    return NewsReport(
        file=path.name,
        pages=pages,
        questions=len(answerable),
        answer_hit=sum(hits.values()) / n,
        answer_hit_by_language={lang: hits[lang] / asked[lang] for lang in sorted(asked)},
        article_first=first / n,
        abstained_answerable=sum(a.abstained for _, a in answerable) / n,
        out_of_corpus=len(outside),
        out_of_corpus_not_found=sum(a.abstained for _, a in outside) / (len(outside) or 1),
        follow_ups=_ratio(turns["follow-up"]),
        new_topics=_ratio(turns["new-topic"]),
        mean_quote_chars=statistics.fmean(quotes or [0]),
        max_quote_chars=max(quotes or [0]),
        add_seconds=add_seconds,
        latency_p50_ms=1000 * quantile(latencies, 0.5),
        latency_p95_ms=1000 * quantile(latencies, 0.95),
        misses=[_miss(q, a) for q, a, _ in results if not _hit(q, a)],
    )


def _ratio(pairs: list[tuple[Asked, Answer]]) -> str:
    return f"{sum(_hit(q, a) for q, a in pairs)}/{len(pairs)}"


def _miss(item: Asked, answer: Answer) -> dict:
    shown = answer.sources or answer.hits  # the quoted article; for an abstention, the first hit
    return {
        "kind": item.kind,
        "language": item.language,
        "question": item.question,
        "expected": list(item.answers),
        "abstained": answer.abstained,
        "confidence": round(answer.confidence, 3),
        "quote": answer.quote,
        "article": shown[0].article.title if shown else None,
    }
