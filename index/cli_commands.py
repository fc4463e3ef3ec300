"""`articlebot`'s subcommands, one function each: parsed arguments and the environment in, an
exit status out; library errors go up to cli.main, which prints them as one line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from .cli_env import MAX_ID, answer_config, backend, flag, models_dir_of, open_library
from .errors import ArticleBotError, BadInput, NotFound
from .paths import check_backup_destination, describe
from .sources import read_stream

LIST_PAGE = 500  # articles `list` reads from the store at a time


def _is_url(source: str) -> bool:
    return "://" in source or source.lower().startswith(("http:", "https:"))


def cmd_add(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from tqdm import tqdm

    library = open_library(args, environ, write=True, create=True)
    failed = 0
    # disable=None: a bar only on a terminal, so piped output stays one line per source.
    bar = tqdm(
        args.sources,
        unit="source",
        file=sys.stderr,
        disable=True if len(args.sources) < 2 or args.json else None,
    )
    for source in bar:
        row = {
            "source": source,
            "status": "failed",
            "article_id": None,
            "title": None,
            "language": None,
            "passages": None,
            "error": None,
        }
        try:
            if source == "-":  # read with the file size cap: a pipe may never end
                data = read_stream(_stdin().buffer)
                result = library.add_bytes(data, ".txt", title=args.title, added_by="cli")
            elif _is_url(source):
                result = library.add_url(source, title=args.title, added_by="cli")
            else:
                result = library.add_file(Path(source), title=args.title, added_by="cli")
            article = result.article
            row.update(
                status="added" if result.created else "exists",
                article_id=article.id,
                title=article.title,
                language=article.language,
                passages=article.passages,
            )
            if result.near_duplicate is not None:  # an agency copy, recorded as a source
                row.update(status="near-duplicate", similarity=result.near_duplicate)
        except (ArticleBotError, OSError) as exc:  # an unreadable file: the others go on
            row["error"] = str(exc) if isinstance(exc, ArticleBotError) else describe(exc)
            failed += 1
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        elif row["status"] == "failed":  # the one error form; the other sources go on
            tqdm.write(f"articlebot: error: {source}: {row['error']}", file=sys.stderr)
        elif row["status"] == "near-duplicate":
            tqdm.write(
                f"near-duplicate of #{row['article_id']} {row['title']} "
                f"({row['similarity']:.0%} similar), recorded as another source"
            )
        else:
            tqdm.write(
                f"{row['status']:<7} #{row['article_id']} [{row['language']}] "
                f"{row['title']} ({row['passages']} passages)"
            )
    return 1 if failed else 0


def cmd_ask(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    library = open_library(args, environ, write=False)
    if args.question is not None:  # "" too: the library says it is empty
        answers = iter([library.ask(args.question, k=args.k)])
    elif _stdin().isatty():  # typed: answer each line as it comes
        answers = (library.ask(line, k=args.k) for line in sys.stdin if line.strip())
    else:  # piped: read to the end (with the file size cap), embed the questions in batches
        try:
            text = read_stream(_stdin().buffer).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadInput("the questions on stdin are not UTF-8 text") from None
        questions = [x for x in text.splitlines() if x.strip()]
        if not questions:
            raise BadInput("no question: give one as an argument or one per line on stdin")
        answers = library.ask_each(questions, k=args.k)  # printed as they come
    for answer in answers:
        if args.json:
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        else:
            print(format_answer(answer), flush=True)
    return 0


def answer_json(answer) -> dict:  # noqa: ANN001
    return {
        "question": answer.question,
        "abstained": answer.abstained,
        "answer": answer.quote,
        "language": answer.language,
        "sources": [
            {
                "article_id": s.article.id,
                "title": s.article.title,
                "url": s.article.url,
                "passage": s.passage.text,
                "score": round(s.score, 4),
                "published": s.article.published,
                "published_from": s.article.published_from,
                "also_published_by": list(s.article.outlets),
            }
            for s in answer.sources
        ],
        "period": answer.period or None,
    }


def format_answer(answer) -> str:  # noqa: ANN001
    if answer.abstained:
        if answer.period:
            return f"No answer found in the articles published {answer.period}."
        return "No answer found in the articles."
    lines = [f"“{answer.quote}”"]
    for number, source in enumerate(answer.sources, 1):
        article = source.article
        day = article.published or article.added_at[:10]
        day = f"added {day}" if article.published_from == "added" else day
        where = " ".join(x for x in (article.url, day) if x)
        lines.append(f"  [{number}] #{article.id} {article.title} {where}".rstrip())
        if article.outlets:
            lines.append(f"      also published by {', '.join(article.outlets)}")
    return "\n".join(lines)


def cmd_list(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    library = open_library(args, environ, write=False)
    for article in library.iter_articles(LIST_PAGE):  # a page at a time: any size of library
        day = article.published or "-"
        day = f"added {day}" if article.published_from == "added" else day
        copies = f"\t+{article.copies} copies" if article.copies else ""
        print(
            f"#{article.id}\t{article.language}\t{article.passages}\t{day}"
            f"\t{article.title}\t{article.url or ''}{copies}"
        )
    return 0


def cmd_delete(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    if not 0 < args.id <= MAX_ID:  # SQLite cannot even look up a larger one
        raise NotFound(f"there is no article with id {args.id}")
    article = open_library(args, environ, write=True).delete(args.id)
    print(f"deleted #{article.id} {article.title}")
    return 0


def cmd_stats(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    stats = open_library(args, environ, write=False).stats()
    if args.json:
        print(json.dumps(asdict(stats), ensure_ascii=False))
    else:
        for key, value in asdict(stats).items():
            print(f"{key}: {value}")
    return 0


def cmd_rebuild(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from tqdm import tqdm

    library = open_library(args, environ, write=True)
    with tqdm(unit="passage", file=sys.stderr, desc="re-embedding", disable=None) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        stats = library.rebuild(progress)
    print(f"rebuilt: {stats.passages} passages, {stats.vectors} vectors, model {stats.model}")
    return 0


def cmd_analyze(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """Store the sentence analysis of the articles stored without one (index.analysis_backfill):
    libraries made before it was stored answer faster afterwards."""
    from tqdm import tqdm

    from .analysis_backfill import backfill

    library = open_library(args, environ, write=True)
    with tqdm(unit="article", file=sys.stderr, desc="analyzing", disable=None) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        stored = backfill(library.backend, progress)
    print(f"analyzed: {stored} articles")
    return 0


def cmd_eval(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """Answer quality on a SQuAD file or a news set (each in a fresh temporary library), or on a
    CSV of your own questions (asked of the library in the data dir)."""
    from tqdm import tqdm

    from .embedder import DEFAULT_MODEL
    from .evaluate import evaluate
    from .evaluate_news import evaluate_news, is_news_format
    from .library import LibraryConfig

    path = Path(args.file)
    if not path.is_file():
        raise BadInput(f"no such file: {path}")
    config = LibraryConfig(
        data_dir=Path("unused"),  # a temporary library is made for the evaluation
        model=environ.get("EMBEDDING_MODEL") or DEFAULT_MODEL,
        embedding_backend=backend(environ),
        int8_adding=flag(environ, "EMBEDDING_INT8", True),
        models_dir=models_dir_of(args, environ),  # the ONNX exports, reused
        answer=answer_config(environ),
    )
    with tqdm(
        unit="question", file=sys.stderr, desc="asking", disable=True if args.json else None
    ) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        if path.suffix.lower() == ".csv":
            from .evaluate_csv import evaluate_csv

            report = evaluate_csv(path, open_library(args, environ, write=False), progress)
        elif is_news_format(_json(path)):
            report = evaluate_news(path, config=config, progress=progress)
        else:
            report = evaluate(path, config=config, progress=progress)
    result = report.to_dict(misses=args.misses)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    return 0


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None


def _stdin():  # noqa: ANN202 - TextIO
    """stdin, or BadInput where it is closed (`articlebot ask <&-`)."""
    if sys.stdin is None:
        raise BadInput("stdin is closed: give the question as an argument")
    return sys.stdin


def cmd_backup(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    destination = Path(os.path.abspath(args.path))  # "." has no name to put a sibling beside
    library = open_library(args, environ, write=True)  # the backup takes the write lock
    check_backup_destination(destination, library.data_dir)
    try:
        stats = library.backup(destination)
    except OSError as exc:
        raise BadInput(f"cannot write the backup to {destination}: {describe(exc)}") from None
    print(
        f"backed up {stats.articles} articles ({stats.passages} passages) to {args.path}; "
        f"restore: stop the bot, then use that folder as DATA_DIR"
    )
    return 0


def cmd_run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from bot.app import run_bot
    from bot.settings import Settings

    settings = Settings.from_env(environ)
    if args.data_dir:
        settings = settings.with_data_dir(Path(args.data_dir))
    return run_bot(settings)
