"""Feeds in the bot: /subscribe URL, /feeds, /unsubscribe ID (admins only, on every path as
/add), and the scheduled polling: a JobQueue job checks every CHECK_EVERY seconds whether a
feed is due (its next poll, with jitter and backoff, is kept in DATA_DIR/feeds.db, so a restart
resumes the schedule) and runs one pass in a worker thread, one pass at a time. A feed paused
after FEED_FAILURE_LIMIT failures is reported once to the admins who subscribed it; with
FEED_DIGEST they also get one message per pass with the new titles."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict

from telegram import Bot, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from index.errors import ArticleBotError
from index.feeds import PollResult
from index.feedstore import Feed
from index.recency import timezone

from . import render
from .common import (
    admin_id_payload,
    command_payload,
    reason,
    require_admin,
    user_lang,
    within_limit,
)
from .services import SERVICES, Services, sender_id, services
from .split import split_html
from .texts import t

logger = logging.getLogger(__name__)

CHECK_EVERY = 60.0  # seconds between two looks at which feeds are due
FIRST_CHECK = 5.0  # seconds after start-up
JOB_NAME = "feeds"
_URL = re.compile(r"(?i)(https?://|www\.)\S+")


def schedule(application: Application) -> None:
    """Start the polling job (from post_init)."""
    if application.job_queue is None:  # python-telegram-bot without its job-queue extra
        logger.warning("PTB's JobQueue is not installed: feeds are not polled")
        return
    application.job_queue.run_repeating(
        poll_feeds, interval=CHECK_EVERY, first=FIRST_CHECK, name=JOB_NAME
    )


def poll_soon(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pass right away (after /subscribe), besides the schedule."""
    if context.job_queue is not None:
        context.job_queue.run_once(poll_feeds, 0.0, name=f"{JOB_NAME}-now")


async def poll_feeds(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One pass over the due feeds, in a worker thread; then the notices."""
    svc: Services = context.application.bot_data[SERVICES]
    if svc.feed_pass.locked():
        return  # a pass is running: the feeds due now are polled by the next one
    async with svc.feed_pass:
        if not await asyncio.to_thread(svc.feeds.due):
            return
        try:
            application = context.application
            results = await asyncio.to_thread(svc.feeds.poll, lambda: not application.running)
        except Exception:  # the next tick tries again; the schedule must survive
            logger.exception("a feed pass failed")
            return
    if results:
        await report(context.bot, svc, results)


async def report(bot: Bot, svc: Services, results: list[PollResult]) -> None:
    """Paused feeds: one message to each subscriber, once; with FEED_DIGEST, one message per
    subscriber with the pass's new titles."""
    digests: dict[tuple[int, str], list[str]] = defaultdict(list)
    for result in results:
        feed = result.feed
        added = [(entry, outcome) for entry, outcome in result.added if outcome is not None]
        for user_id, lang in subscribers(feed):
            if result.paused_now:
                text = t(
                    lang,
                    "feed_paused_notice",
                    id=feed.id,
                    title=feed.title or feed.url,
                    failures=svc.settings.feeds.failure_limit,
                    error=result.error or "?",
                    url=feed.url,
                )
                await _send(bot, user_id, text)
            if svc.settings.feeds.digest and added:
                digests[user_id, lang] += [_digest_line(outcome, lang) for _, outcome in added]
    for (user_id, lang), lines in digests.items():
        for part in split_html("\n".join([t(lang, "digest_header"), *lines])):
            await _send(bot, user_id, part)


def _digest_line(outcome: object, lang: str) -> str:
    article = outcome.article  # type: ignore[attr-defined]
    line = f"• {render.link(article)}"
    if outcome.near_duplicate is not None:  # type: ignore[attr-defined]
        line += " " + t(lang, "digest_copy", id=article.id)
    return line


def subscribers(feed: Feed) -> list[tuple[int, str]]:
    """(Telegram user id, language) of the feed's subscribers; the CLI's are skipped. Each is
    stored as "USER_ID:LANG" (the language of the user's /subscribe)."""
    seen: dict[int, str] = {}
    for subscriber in feed.subscribers:
        user, _, lang = subscriber.partition(":")
        if user.isdigit():
            seen.setdefault(int(user), lang or "en")
    return list(seen.items())


async def _send(bot: Bot, chat_id: int, text: str) -> None:
    try:
        await bot.send_message(chat_id, text)
    except Forbidden as exc:  # never started the bot, or blocked it
        logger.warning("could not tell user %s about a feed (%s)", chat_id, exc.message)
    except TelegramError as exc:
        logger.warning("could not tell user %s about a feed (%s)", chat_id, exc)


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe to a feed, or to the feed a site's page names (admins)."""
    if not await require_admin(update, context):
        return
    message = update.effective_message
    lang = user_lang(update)
    payload = command_payload(message)
    if not _URL.fullmatch(payload):
        await message.reply_text(t(lang, "subscribe_usage"))
        return
    url = payload if "://" in payload else f"https://{payload}"
    svc = services(context)
    status = await message.reply_text(t(lang, "status_subscribing"))
    was = {f.url: f.paused for f in await asyncio.to_thread(svc.feeds.feeds)}
    try:
        feed, created = await asyncio.to_thread(
            svc.feeds.subscribe, url, f"{sender_id(update)}:{lang}"
        )
    except ArticleBotError as exc:
        await status.edit_text(t(lang, "subscribe_failed", reason=reason(exc, context)))
        return
    title = feed.title or feed.url
    if created:
        settings = svc.settings.feeds
        text = t(
            lang,
            "subscribed",
            id=feed.id,
            title=title,
            backfill=settings.backfill,
            minutes=settings.interval_minutes,
        )
    elif was.get(feed.url):
        text = t(lang, "resubscribed", id=feed.id, title=title)
    else:
        text = t(lang, "already_subscribed", id=feed.id, title=title)
    await status.edit_text(text)
    poll_soon(context)


async def list_feeds(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The subscriptions with their last fetch, articles added and last error (admins)."""
    if not await require_admin(update, context) or not await within_limit(update, context):
        return
    svc = services(context)
    lang = user_lang(update)
    feeds = await asyncio.to_thread(svc.feeds.feeds)
    if not feeds:
        await update.effective_message.reply_text(t(lang, "feeds_empty"))
        return
    zone = timezone(svc.settings.timezone)
    blocks = [t(lang, "feeds_header"), *(feed_text(f, lang, zone) for f in feeds)]
    for part in split_html("\n\n".join(blocks)):
        await update.effective_message.reply_text(part)


def feed_text(feed: Feed, lang: str, zone: object) -> str:
    fetched = (
        feed.last_fetch.astimezone(zone).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]
        if feed.last_fetch
        else t(lang, "never")
    )
    lines = [
        t(
            lang,
            "feed_line",
            id=feed.id,
            title=feed.title or "-",
            url=feed.url,
            fetched=fetched,
            added=feed.articles_added,
        )
    ]
    if feed.paused:
        lines.append(t(lang, "feed_paused", failures=feed.failures))
    if feed.last_error:
        lines.append(t(lang, "feed_error", error=feed.last_error))
    return "\n".join(lines)


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop polling a feed (admins); the articles it added stay."""
    feed_id = await admin_id_payload(update, context, "unsubscribe_usage")
    if feed_id is None:
        return
    message = update.effective_message
    lang = user_lang(update)
    try:
        feed = await asyncio.to_thread(services(context).feeds.remove, feed_id)
    except ArticleBotError as exc:
        await message.reply_text(t(lang, "error", reason=reason(exc, context)))
        return
    await message.reply_text(t(lang, "unsubscribed", id=feed.id, title=feed.title or feed.url))
