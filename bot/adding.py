"""Adding and deleting articles (admins only): /add, documents, channel forwards, /delete.

Every path checks the sender first, so a stranger's URL is never fetched and their text never
stored. The library works in a thread and reports its stages through a progress callback, which
StatusReporter turns into edits of one status message.
"""

from __future__ import annotations

import asyncio
import logging
import re
from contextlib import suppress
from pathlib import Path
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageOriginChannel,
    Update,
)
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes, filters

from index.errors import ArticleBotError, NotFound

from .common import (
    admin_id_payload,
    command_payload,
    for_other_bot,
    reason,
    require_admin,
    user_lang,
)
from .jobs import DOWNLOAD_LIMIT, download, perform
from .journal import Job
from .services import services
from .texts import passages, t

logger = logging.getLogger(__name__)

SUFFIXES = {
    ".txt": ".txt",
    ".text": ".txt",
    ".md": ".md",
    ".markdown": ".md",
    ".html": ".html",
    ".htm": ".html",
    ".xhtml": ".html",
}
MIME_SUFFIXES = {"text/plain": ".txt", "text/markdown": ".md", "text/html": ".html"}
ADD_CAPTION = re.compile(r"^/add(@\w+)?(\s|$)", re.IGNORECASE)
WRITE_COMMAND = re.compile(r"^/(add|delete|subscribe|unsubscribe)(@\w+)?(\s|$)", re.IGNORECASE)
_URL = re.compile(r"(?i)(https?://|www\.)\S+")
# One word that is a link all the same: another scheme ("ftp://…", refused as one), a host and
# path without a scheme ("news.example.com/artikel.html"), a slip ("https//…"). It is fetched or
# refused as a link, never stored as an article whose text is the link.
_LINKISH = re.compile(r"(?i)[a-z][a-z0-9+.-]*:\S+|[\w-]+(?:\.[\w-]+)+(?:[/?#]\S*)?|\S*/\S*")
_SCHEME = re.compile(r"(?i)[a-z][a-z0-9+.-]*:")


class ChannelForward(filters.MessageFilter):
    """A message forwarded from a channel."""

    def filter(self, message: Message) -> bool:
        return isinstance(message.forward_origin, MessageOriginChannel)


class StatusReporter:
    """Edits one status message as the library reports its stages from a worker thread.

    Every stage is shown, in order (there are only three, and the rate limiter paces edits).
    """

    def __init__(self, message: Message, lang: str) -> None:
        self._message = message
        self._lang = lang
        self._shown = message.text_html if message.text else ""
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._run())

    def __call__(self, stage: str, details: dict) -> None:
        """The library's progress callback; runs in the worker thread."""
        lang = self._lang
        if stage == "indexing":
            count = passages(lang, int(details.get("passages", 0)))
            text: str | None = t(lang, "status_indexing", passages=count)
        else:
            key = {"fetching": "status_fetching", "extracting": "status_extracting"}.get(stage)
            text = t(lang, key) if key else None
        if text is not None:
            # After a stop signal the loop may be gone while the add runs on: let it finish.
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._queue.put_nowait, text)

    async def _run(self) -> None:
        while (text := await self._queue.get()) is not None:
            await self._edit(text)

    async def _edit(self, text: str) -> bool:
        if text == self._shown:
            return True
        try:
            await self._message.edit_text(text)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                logger.warning("could not edit the status message: %s", exc)
                return False
        except TelegramError as exc:
            logger.warning("could not edit the status message: %s", exc)
            return False
        self._shown = text
        return True

    async def finish(self, text: str) -> None:
        """Show the outcome after every stage edit already on its way."""
        self._queue.put_nowait(None)
        await self._task
        if not await self._edit(text):
            await self._message.reply_text(text)


async def run_add(context: ContextTypes.DEFAULT_TYPE, status: Message, lang: str, job: Job) -> None:
    """Perform `job` in a thread, reporting on `status`; every outcome ends as one edit of it.
    The job leaves the journal once the outcome has been shown."""
    reporter = StatusReporter(status, lang)
    _, final = await perform(services(context), job, reporter)
    await reporter.finish(final)
    await asyncio.to_thread(services(context).journal.done, job)


def new_job(update: Update, kind: str, content: str, **options: Any) -> Job:
    """A journal entry for an add asked for by this update (`content`: see Job.source)."""
    message = update.effective_message
    return Job(
        chat_id=message.chat_id,
        user_id=update.effective_user.id,
        message_id=message.message_id,
        kind=kind,
        source=content,
        lang=user_lang(update),
        options={k: v for k, v in options.items() if v is not None},
    )


async def add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add the article at a URL, or the text pasted after /add (admins)."""
    if not await require_admin(update, context):
        return
    message = update.effective_message
    lang = user_lang(update)
    payload = command_payload(message)
    if not payload:
        await message.reply_text(t(lang, "add_usage"))
        return
    if _URL.fullmatch(payload) or _LINKISH.fullmatch(payload):
        url = payload if _SCHEME.match(payload) else f"https://{payload}"
        job = new_job(update, "url", url)
    else:
        job = new_job(update, "text", payload)
    # Written before the first await: PTB may already have confirmed this update to Telegram.
    services(context).journal.begin(job)
    status = await message.reply_text(t(lang, "status_start"))
    await run_add(context, status, lang, job)


def channel_origin(message: Message) -> tuple[str | None, str | None, str | None]:
    """(source, link, date) of a post forwarded from a channel, else Nones."""
    origin = message.forward_origin
    if not isinstance(origin, MessageOriginChannel):
        return None, None, None
    chat = origin.chat
    if chat.username:
        url = f"https://t.me/{chat.username}/{origin.message_id}"
    else:  # a private channel: only its members can open the link
        url = f"https://t.me/c/{str(chat.id).removeprefix('-100')}/{origin.message_id}"
    # The moment with its offset: the day is taken in TIMEZONE (a post of 23:30 UTC is of the
    # next day in Berlin).
    return chat.title or chat.username, url, origin.date.isoformat()


async def add_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add a .txt, .md or .html file (private chats, or with the caption /add) (admins)."""
    if not await require_admin(update, context):
        return
    message = update.effective_message
    lang = user_lang(update)
    document = message.document
    suffix = SUFFIXES.get(Path(document.file_name or "").suffix.lower()) or MIME_SUFFIXES.get(
        (document.mime_type or "").lower()
    )
    if suffix is None:
        await message.reply_text(t(lang, "file_type"))
        return
    if (document.file_size or 0) > DOWNLOAD_LIMIT:  # checked before asking Telegram for it
        await message.reply_text(t(lang, "file_too_big", mb=DOWNLOAD_LIMIT // 2**20))
        return
    # A forwarded document's caption is the original's, not a command to this bot.
    commanded = message.forward_origin is None and ADD_CAPTION.match(message.caption or "")
    title = command_payload(message) if commanded else None
    source, url, published = channel_origin(message)
    journal = services(context).journal
    job = journal.begin(
        new_job(
            update,
            "document",
            "",
            file_id=document.file_id,
            suffix=suffix,
            title=title or None,
            url=url,
            source=source,
            published=published,
        )
    )
    status = await message.reply_text(t(lang, "status_downloading"))
    try:
        data = await download(context.bot, document.file_id)
    except TelegramError as exc:
        logger.warning("downloading a document failed: %s", exc)
        await status.edit_text(t(lang, "add_failed", reason=reason(exc, context)))
        await asyncio.to_thread(journal.done, job)
        return
    job = job.with_data(data)
    await asyncio.to_thread(journal.write, job)  # up to 20 MB: off the event loop
    await run_add(context, status, lang, job)


async def add_forward(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add a post forwarded from a channel; source = the channel, url = the post's link."""
    if not await require_admin(update, context):
        return
    message = update.effective_message
    lang = user_lang(update)
    text = message.text or message.caption or ""
    source, url, published = channel_origin(message)
    job = new_job(update, "text", text, url=url, source=source, published=published)
    services(context).journal.begin(job)
    status = await message.reply_text(t(lang, "status_start"))
    await run_add(context, status, lang, job)


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Never re-run an edited message; an edited /add or /delete gets refused or explained."""
    message = update.edited_message
    if message is None or not WRITE_COMMAND.match(message.text or message.caption or ""):
        return
    if for_other_bot(message):
        return
    if await require_admin(update, context):
        await message.reply_text(t(user_lang(update), "edited_ignored"))


async def delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask an admin to confirm deleting the article with the given id."""
    article_id = await admin_id_payload(update, context, "delete_usage")
    if article_id is None:
        return
    message = update.effective_message
    lang = user_lang(update)
    try:
        article = await asyncio.to_thread(services(context).library.get, article_id)
    except NotFound as exc:
        await message.reply_text(t(lang, "error", reason=reason(exc, context)))
        return
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "btn_delete"), callback_data=f"del:{article.id}"),
                InlineKeyboardButton(t(lang, "btn_cancel"), callback_data="del:-"),
            ]
        ]
    )
    await message.reply_text(
        t(lang, "delete_confirm", id=article.id, title=article.title), reply_markup=buttons
    )


async def confirm_delete(
    update: Update, context: ContextTypes.DEFAULT_TYPE, article_id: int | None
) -> None:
    """The Delete/Cancel buttons: checked again, since callback data can be forged."""
    if not await require_admin(update, context):
        return
    query = update.callback_query
    lang = user_lang(update)
    await query.answer()
    if article_id is None:
        await query.edit_message_text(t(lang, "cancelled"))
        return
    try:
        article = await asyncio.to_thread(services(context).library.delete, article_id)
    except ArticleBotError as exc:
        await query.edit_message_text(t(lang, "error", reason=reason(exc, context)))
        return
    await query.edit_message_text(t(lang, "deleted", id=article.id, title=article.title))
