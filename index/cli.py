"""`articlebot`: add, ask, list, delete, stats, rebuild, backup, eval, run, feeds."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

from .cli_feeds import register as register_feeds
from .cli_feeds import timezone_setting
from .errors import ArticleBotError, BadInput, NotFound
from .paths import check_backup_destination, check_data_dir, describe
from .sources import read_stream

logger = logging.getLogger(__name__)

MAX_ID = 2**63 - 1  # SQLite's largest INTEGER
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def _backend(environ: Mapping[str, str]) -> str:
    from .embedder import BACKENDS, DEFAULT_BACKEND

    raw = (environ.get("EMBEDDING_BACKEND") or "").strip()
    value = raw.lower() or DEFAULT_BACKEND
    if value not in BACKENDS:
        raise BadInput(f"EMBEDDING_BACKEND must be onnx or torch, not {raw!r}")
    return value


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise BadInput(f"{name} must be 1/0, true/false, yes/no or on/off, not {raw!r}")


def _ports(environ: Mapping[str, str]) -> frozenset[int]:
    from .addresses import parse_ports

    try:
        return parse_ports(environ.get("ALLOWED_URL_PORTS") or "")
    except ValueError as exc:
        raise BadInput(f"ALLOWED_URL_PORTS {exc}") from None


def _data_dir(args: argparse.Namespace, environ: Mapping[str, str]) -> Path:
    return Path(args.data_dir or environ.get("DATA_DIR") or "data")


def _library(  # noqa: ANN202 - index.library.Library, imported lazily
    args: argparse.Namespace, environ: Mapping[str, str], *, write: bool = True
):
    """The library in the data dir; `write`: the command will write to it."""
    from .embedder import DEFAULT_MODEL
    from .library import Library, LibraryConfig
    from .storage import storage_config

    data_dir = _data_dir(args, environ)
    check_data_dir(data_dir, write=write)
    config = LibraryConfig(
        data_dir=data_dir,
        model=environ.get("EMBEDDING_MODEL") or DEFAULT_MODEL,
        embedding_backend=_backend(environ),
        int8_adding=_flag(environ, "EMBEDDING_INT8", True),
        allow_private_urls=_flag(environ, "ALLOW_PRIVATE_URLS", False),
        url_ports=_ports(environ),
        storage=storage_config(environ),
        timezone=timezone_setting(environ),
    )
    try:
        return Library(config)
    except (OSError, sqlite3.Error) as exc:
        raise BadInput(f"cannot open the library in {data_dir}: {describe(exc)}") from None


def _is_url(source: str) -> bool:
    return "://" in source or source.lower().startswith(("http:", "https:"))


def cmd_add(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from tqdm import tqdm

    library = _library(args, environ, write=True)
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
                data = read_stream(sys.stdin.buffer)
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
        except ArticleBotError as exc:
            row["error"] = str(exc)
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
    library = _library(args, environ, write=False)
    if args.question is not None:  # "" too: the library says it is empty
        answers = iter([library.ask(args.question, k=args.k)])
    elif sys.stdin.isatty():  # typed: answer each line as it comes
        answers = (library.ask(line, k=args.k) for line in sys.stdin if line.strip())
    else:  # piped: read to the end, embed the questions in batches
        questions = [x for x in sys.stdin if x.strip()]
        if not questions:
            raise BadInput("no question: give one as an argument or one per line on stdin")
        answers = iter(library.ask_many(questions, k=args.k))
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
    library = _library(args, environ, write=False)
    for article in library.list(0, 1_000_000):
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
    article = _library(args, environ, write=True).delete(args.id)
    print(f"deleted #{article.id} {article.title}")
    return 0


def cmd_stats(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    stats = _library(args, environ, write=False).stats()
    if args.json:
        print(json.dumps(asdict(stats), ensure_ascii=False))
    else:
        for key, value in asdict(stats).items():
            print(f"{key}: {value}")
    return 0


def cmd_rebuild(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from tqdm import tqdm

    library = _library(args, environ, write=True)
    with tqdm(unit="passage", file=sys.stderr, desc="re-embedding", disable=None) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        stats = library.rebuild(progress)
    print(f"rebuilt: {stats.passages} passages, {stats.vectors} vectors, model {stats.model}")
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
        embedding_backend=_backend(environ),
        int8_adding=_flag(environ, "EMBEDDING_INT8", True),
        models_dir=_data_dir(args, environ) / "models",  # the ONNX export, reused
    )
    with tqdm(
        unit="question", file=sys.stderr, desc="asking", disable=True if args.json else None
    ) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        if path.suffix.lower() == ".csv":
            from .evaluate_csv import evaluate_csv

            report = evaluate_csv(path, _library(args, environ, write=False), progress)
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


def cmd_backup(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    destination = Path(args.path)
    library = _library(args, environ, write=True)  # the backup takes the write lock
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="articlebot", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="the library's folder (default: $DATA_DIR or ./data)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("add", parents=[common], help="add articles from URLs, files or stdin (-)")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    p.add_argument("--title", help="the title (default: extracted, or the first line)")
    p.add_argument("--json", action="store_true", help="one JSON object per source")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser(
        "ask",
        parents=[common],
        help="answer a question (or one per stdin line; piped ones in batches)",
    )
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true")
    p.add_argument("-k", type=int, default=3, help="sources to show (default 3)")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("list", parents=[common], help="list stored articles")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("delete", parents=[common], help="delete an article by id")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_delete)
    p = sub.add_parser("stats", parents=[common], help="counts, model, languages")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)
    p = sub.add_parser("rebuild", parents=[common], help="re-embed everything into new indexes")
    p.set_defaults(func=cmd_rebuild)
    p = sub.add_parser(
        "backup", parents=[common], help="a consistent copy of the library (safe while it runs)"
    )
    p.add_argument("path", help="a new folder for the copy")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser(
        "eval",
        parents=[common],
        help="answer quality on a SQuAD file, a news set (questions.json + pages/) or a CSV of "
        "your own questions",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.add_argument("--misses", action="store_true", help="also list the questions missed")
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("run", parents=[common], help="start the Telegram bot (long polling)")
    p.set_defaults(func=cmd_run)
    register_feeds(sub, common)  # `articlebot feeds add|list|remove|poll` (cli_feeds.py)
    return parser


def configure_logging(level_name: str) -> None:
    level = logging.getLevelName(level_name.strip().upper() or "WARNING")
    if not isinstance(level, int):
        level = logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Some libraries (bm25s) set their own loggers to DEBUG: the handler level keeps them quiet.
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)
    for noisy in ("httpx", "httpcore", "bm25s"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if environ is None:
        from dotenv import load_dotenv

        load_dotenv(".env")
        environ = os.environ
    configure_logging(environ.get("LOG_LEVEL", "WARNING"))
    try:
        return args.func(args, environ)
    except ArticleBotError as exc:
        print(f"articlebot: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:  # e.g. the disk filled up: one line, the rest logged
        logger.debug("articlebot %s failed", args.command, exc_info=True)
        print(f"articlebot: error: {describe(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
