"""`articlebot`: add, ask, list, delete, stats, rebuild, analyze, backup, eval, run, feeds.

The parser and the entry point; the subcommands are in cli_commands.py, the settings they read
from the environment in cli_env.py."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from collections.abc import Mapping, Sequence

from .cli_commands import (
    cmd_add,
    cmd_analyze,
    cmd_ask,
    cmd_backup,
    cmd_delete,
    cmd_eval,
    cmd_list,
    cmd_rebuild,
    cmd_run,
    cmd_stats,
)
from .cli_feeds import register as register_feeds
from .errors import ArticleBotError
from .paths import describe

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="articlebot",
        description="Questions answered from a library of news articles with verbatim quotes: "
        "add articles, ask, manage the library and its feeds, or run the Telegram bot.",
        epilog="Settings come from the environment and ./.env (README, Settings).",
    )
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
    p.add_argument("-k", type=_sources, default=3, help="sources to show (1-10, default 3)")
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
        "analyze",
        parents=[common],
        help="store the sentence analysis of articles added by an older version (faster answers)",
    )
    p.set_defaults(func=cmd_analyze)
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


def _sources(value: str) -> int:
    """-k: how many sources an answer shows, 1 to 10."""
    number = int(value)
    if not 1 <= number <= 10:
        raise argparse.ArgumentTypeError(f"must be 1 to 10, not {number}")
    return number


def _undecodable(args: argparse.Namespace) -> str | None:
    """An argument holding bytes the locale could not decode (surrogate escapes)."""
    for value in vars(args).values():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and any("\ud800" <= c <= "\udfff" for c in text):
                return text.encode("utf-8", "backslashreplace").decode("ascii", "replace")
    return None


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    bad = _undecodable(args)
    if bad is not None:
        print(f"articlebot: error: an argument is not valid text: {bad[:80]}", file=sys.stderr)
        return 2
    if environ is None:
        from dotenv import load_dotenv

        load_dotenv(".env")
        environ = os.environ
    configure_logging(environ.get("LOG_LEVEL", "WARNING"))
    try:
        code = args.func(args, environ)
        if sys.stdout is not None:  # the last lines too, while a closed pipe can be caught
            sys.stdout.flush()
        return code
    except BrokenPipeError:  # `articlebot list | head -1`: the reader has all it wants
        return _quiet_broken_pipe()
    except ArticleBotError as exc:
        print(f"articlebot: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:  # e.g. the disk filled up: one line, the rest logged
        logger.debug("articlebot %s failed", args.command, exc_info=True)
        print(f"articlebot: error: {describe(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        logger.debug("articlebot %s ran out of memory", args.command, exc_info=True)
        print("articlebot: error: out of memory; give it less at once", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _quiet_broken_pipe() -> int:
    """141 (as a shell reports SIGPIPE), and stdout pointed at /dev/null: the interpreter
    flushes it again on exit, which would print "Exception ignored ... BrokenPipeError"
    (the recipe in the Python docs' signal module notes)."""
    logger.debug("stdout was closed early", exc_info=True)
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests capture it)
        return 141
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)
    return 141


if __name__ == "__main__":
    sys.exit(main())
