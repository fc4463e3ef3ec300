"""Performing an add described by a journal Job, and, at start, finishing the ones an earlier
run of the bot left in the journal (a crash, a kill, a stop that came too early)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from index.errors import ArticleBotError, FetchError, RefusedURL
from index.library import Library, Stage
from index.models import AddResult

from . import render
from .journal import Job
from .logs import redact
from .services import SERVICES, Services
from .texts import t

logger = logging.getLogger(__name__)

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # Telegram's getFile limit for bots
MAX_ATTEMPTS = 3  # starts that may try to finish one job: a job that kills the bot is dropped


def _no_progress(stage: str, details: dict) -> None:
    del stage, details


async def download(bot: Bot, file_id: str) -> bytes:
    """A document's bytes (BadRequest if Telegram's file is over the bot download limit)."""
    file = await bot.get_file(file_id)
    if (file.file_size or 0) > DOWNLOAD_LIMIT:
        raise BadRequest("file is too big")
    return bytes(await file.download_as_bytearray())


def job_call(library: Library, job: Job) -> Callable[[Stage], AddResult]:
    """The library call that performs `job` (a document's: once its bytes are in the job)."""
    by, options = str(job.user_id), job.options
    if job.kind == "url":
        return lambda p: library.add_url(job.source, added_by=by, progress=p)
    if job.kind == "text":
        extra = {k: options[k] for k in ("url", "source") if options.get(k)}
        # A forwarded channel post's date is the publisher's own, like a feed entry's.
        posted = options.get("published")
        return lambda p: library.add_text(
            job.source, **extra, feed_date=posted, added_by=by, progress=p
        )
    return lambda p: library.add_bytes(
        job.data,
        options["suffix"],
        title=options.get("title") or None,
        url=options.get("url"),
        source=options.get("source"),
        feed_date=options.get("published"),
        added_by=by,
        progress=p,
    )


async def perform(svc: Services, job: Job, progress: Stage = _no_progress) -> tuple[str, str]:
    """Run `job` in a thread: ("added" | "exists" | "failed", the text for the user). No
    exception escapes but cancellation; error texts never show the token."""
    lang, token = job.lang, svc.settings.token
    try:
        result = await asyncio.to_thread(job_call(svc.library, job), progress)
    except RefusedURL as exc:
        return "failed", t(lang, "refused_url", reason=redact(str(exc), token))
    except FetchError as exc:
        return "failed", t(lang, "fetch_failed", reason=redact(str(exc), token))
    except ArticleBotError as exc:
        return "failed", t(lang, "add_failed", reason=redact(str(exc), token))
    except Exception:
        # Not a user error: the details go to the log, the user gets an apology.
        logger.exception("adding an article failed")
        return "failed", t(lang, "sorry")
    article = result.article
    logger.info(
        "article #%d %s (%d passages)",
        article.id,
        "added" if result.created else "was already stored",
        article.passages,
    )
    return ("added" if result.created else "exists"), render.added_text(result, lang)


async def resume_pending(application: Application) -> int:
    """Finish every add left in the journal and tell each user how it ended; the count."""
    svc: Services = application.bot_data[SERVICES]
    jobs = await asyncio.to_thread(svc.journal.pending)
    for job in jobs:
        await _resume(application.bot, svc, job)
    return len(jobs)


async def _resume(bot: Bot, svc: Services, job: Job) -> None:
    when = datetime.fromtimestamp(job.created, UTC).strftime("%Y-%m-%d %H:%M UTC")
    logger.info("finishing an interrupted /add (%s from %s, chat %s)", job.kind, when, job.chat_id)
    if job.attempts >= MAX_ATTEMPTS:
        logger.warning("dropping an /add that was interrupted %d times", job.attempts)
        text = t(job.lang, "resumed_gave_up", time=when, attempts=job.attempts)
    else:
        # Counted before the work: if this job is what brings the bot down, it is not retried
        # for ever.
        await asyncio.to_thread(svc.journal.write, replace(job, attempts=job.attempts + 1))
        outcome, result = await _finish(bot, svc, job)
        text = t(job.lang, f"resumed_{outcome}", time=when) + "\n" + result
    try:
        await bot.send_message(
            job.chat_id,
            text,
            reply_parameters=ReplyParameters(job.message_id, allow_sending_without_reply=True),
        )
    except Forbidden as exc:  # the user blocked the bot: nobody to tell
        logger.warning("could not tell chat %s about its /add (%s)", job.chat_id, exc.message)
    except TelegramError as exc:  # kept: the next start tells them (the add is idempotent)
        logger.warning("could not tell chat %s about its /add (%s)", job.chat_id, exc)
        return
    await asyncio.to_thread(svc.journal.done, job)


async def _finish(bot: Bot, svc: Services, job: Job) -> tuple[str, str]:
    """Perform `job`, first downloading a document whose bytes were not yet saved."""
    if job.kind == "document" and not job.source:
        try:
            job = job.with_data(await download(bot, job.options["file_id"]))
        except TelegramError as exc:
            reason = redact(str(exc), svc.settings.token)
            return "failed", t(job.lang, "add_failed", reason=reason)
    return await perform(svc, job)
