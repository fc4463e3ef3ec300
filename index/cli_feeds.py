"""`articlebot feeds add|list|remove|poll`: feed subscriptions from the command line (the bot's
/subscribe, /feeds, /unsubscribe; `poll` is one pass over the due feeds, for cron)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any

from .errors import BadInput, NotFound
from .feeds import PollResult
from .feedservice import FeedService, FeedSettings
from .feedstore import Feed
from .recency import DEFAULT_TIMEZONE, timezone

FEED_VARS = ("FEED_INTERVAL_MINUTES", "FEED_BACKFILL", "FEED_FAILURE_LIMIT")


def feed_settings(environ: Mapping[str, str]) -> FeedSettings:
    """FEED_INTERVAL_MINUTES, FEED_BACKFILL, FEED_FAILURE_LIMIT (FEED_DIGEST is the bot's)."""
    defaults = FeedSettings()

    def number(name: str, default: int, least: int) -> int:
        raw = (environ.get(name) or "").strip()
        if not raw:
            return default
        if not raw.isdigit() or int(raw) < least:
            raise BadInput(f"{name} must be a whole number of at least {least}, not {raw!r}")
        return int(raw)

    return FeedSettings(
        interval_minutes=number("FEED_INTERVAL_MINUTES", defaults.interval_minutes, 1),
        backfill=number("FEED_BACKFILL", defaults.backfill, 0),
        failure_limit=number("FEED_FAILURE_LIMIT", defaults.failure_limit, 1),
    )


def timezone_setting(environ: Mapping[str, str]) -> str:
    """TIMEZONE, checked (publication days, "heute", "gestern")."""
    name = (environ.get("TIMEZONE") or "").strip() or DEFAULT_TIMEZONE
    try:
        timezone(name)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    return name


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add `feeds` and its subcommands to the `articlebot` parser."""
    feeds = sub.add_parser("feeds", help="RSS/Atom subscriptions: add, list, remove, poll")
    actions = feeds.add_subparsers(dest="feeds_command", required=True)
    p = actions.add_parser("add", parents=[common], help="subscribe to a feed (or a site's feed)")
    p.add_argument("url", metavar="URL")
    p.set_defaults(func=cmd_add)
    p = actions.add_parser("list", parents=[common], help="the subscriptions and their state")
    p.add_argument("--json", action="store_true", help="one JSON object per feed")
    p.set_defaults(func=cmd_list)
    p = actions.add_parser("remove", parents=[common], help="unsubscribe a feed by id")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_remove)
    p = actions.add_parser("poll", parents=[common], help="one pass over the due feeds (cron)")
    p.add_argument("--json", action="store_true", help="one JSON object per feed polled")
    p.set_defaults(func=cmd_poll)


def _service(
    args: argparse.Namespace, environ: Mapping[str, str], *, write: bool, create: bool = False
) -> FeedService:
    from .cli_env import open_library

    settings = feed_settings(environ)  # a bad setting first, before the data dir is looked at
    return FeedService(open_library(args, environ, write=write, create=create), settings)


def cmd_add(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    service = _service(args, environ, write=True, create=True)
    feed, created = service.subscribe(args.url, "cli")
    verb = "subscribed" if created else "already subscribed"
    print(f"{verb} #{feed.id} {feed.title or '-'} {feed.url}")
    if created:
        print(f"the first poll (`articlebot feeds poll`) adds up to {service.settings.backfill} "
              "of its newest entries")  # fmt: skip
    return 0


def cmd_list(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    for feed in _service(args, environ, write=False).feeds():
        if args.json:
            print(json.dumps(feed_json(feed), ensure_ascii=False))
        else:
            print("\t".join(str(v) for v in feed_row(feed)))
    return 0


def feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "title": feed.title,
        "url": feed.url,
        "paused": feed.paused,
        "last_fetch": _time(feed.last_fetch),
        "last_success": _time(feed.last_success),
        "articles_added": feed.articles_added,
        "failures": feed.failures,
        "last_error": feed.last_error,
        "next_due": _time(feed.next_due),
    }


def feed_row(feed: Feed) -> tuple[Any, ...]:
    state = "paused" if feed.paused else "active"
    return (
        f"#{feed.id}",
        state,
        feed.title or "-",
        feed.url,
        f"last fetch {_time(feed.last_fetch) or 'never'}",
        f"{feed.articles_added} added",
        f"last error: {feed.last_error}" if feed.last_error else "ok",
    )


def cmd_remove(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from .cli_env import MAX_ID

    if not 0 < args.id <= MAX_ID:  # beyond SQLite's integers: no such feed
        raise NotFound(f"there is no feed with id {args.id}")
    feed = _service(args, environ, write=True).remove(args.id)
    print(f"unsubscribed #{feed.id} {feed.title or '-'} {feed.url}")
    return 0


def cmd_poll(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    results = _service(args, environ, write=True).poll()
    if results is None:
        raise BadInput("another process is polling the feeds of this data dir; try again later")
    for result in results:
        if args.json:
            print(json.dumps(result_json(result), ensure_ascii=False), flush=True)
        else:
            print("\n".join(result_lines(result)), flush=True)
    return 1 if any(r.status == "failed" for r in results) else 0


def result_json(result: PollResult) -> dict[str, Any]:
    return {
        "feed": result.feed.id,
        "status": result.status,
        "added": [_added(entry, outcome) for entry, outcome in result.added],
        "failed": [{"url": entry.url, "error": why} for entry, why in result.failed],
        "known": result.known,
        "error": result.error,
        "paused": result.paused_now,
    }


def _added(entry: Any, outcome: Any) -> dict[str, Any]:
    article = outcome.article
    status = "added" if outcome.created else "exists"
    if outcome.near_duplicate is not None:
        status = "near-duplicate"
    return {"url": entry.url, "status": status, "article_id": article.id, "title": article.title}


def result_lines(result: PollResult) -> list[str]:
    feed = result.feed
    head = f"feed #{feed.id} {feed.title or feed.url}:"
    if result.status == "failed":
        paused = " (paused: too many failures in a row)" if result.paused_now else ""
        return [f"{head} failed: {result.error}{paused}"]
    if result.status == "not modified":
        return [f"{head} not modified"]
    counts = f"{len(result.added)} new, {result.known} already stored"
    lines = [f"{head} {counts}, {len(result.failed)} failed"]
    for entry, outcome in result.added:
        row = _added(entry, outcome)
        lines.append(f"  {row['status']:<14} #{row['article_id']} {row['title']}")
    lines += [f"  failed         {entry.url}: {why}" for entry, why in result.failed]
    return lines


def _time(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
