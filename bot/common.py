"""Small helpers the handler modules share: language, command text, sending, the admin gate,
the per-user limit on replies, commands meant for other bots."""

from __future__ import annotations

import asyncio
import functools
import html
import logging
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes, filters

from .logs import redact
from .services import Throttle, sender_id, services
from .split import split_html, units
from .texts import language, t

logger = logging.getLogger(__name__)

TYPING_AFTER = 1.0  # seconds an answer may take before "typing…" is shown
TYPING_EVERY = 4.5  # Telegram shows "typing…" for 5 seconds per action
SHORTEST_SPLIT = 256  # a "too long" part is halved down to this size, no further
_TAGS = re.compile(r"<[^>]+>")
_COMMAND = re.compile(r"^/\w+(@\w+)?")


def user_lang(update: Update) -> str:
    """The language for texts that answer no question: the user's Telegram language."""
    user = update.effective_user
    return language(user.language_code if user else None)


def plain(html_text: str) -> str:
    """HTML text as plain text (for callback answers, which take no markup)."""
    return html.unescape(_TAGS.sub("", html_text))


def for_other_bot(message: Message) -> bool:
    """Whether the message's leading command names another bot ("/add@other_bot ...")."""
    match = _COMMAND.match(message.text or message.caption or "")
    if match is None or not match.group(1):
        return False
    return match.group(1)[1:].lower() != (message.get_bot().username or "").lower()


class OtherBotCommand(filters.MessageFilter):
    """A command addressed to another bot: never this bot's business, not even for a reply."""

    def filter(self, message: Message) -> bool:
        return for_other_bot(message)


OTHER_BOT = OtherBotCommand()
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


async def within_limit(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, question: bool = False
) -> bool:
    """Whether this user may get a reply now (questions and everything else have a budget
    each, per minute). Past it, the user is told to wait once per window, then nothing: a
    flood of presses or commands gets no flood of replies."""
    svc = services(context)
    throttle: Throttle = svc.throttle if question else svc.actions
    user = update.effective_user
    key = user.id if user else update.effective_chat.id if update.effective_chat else 0
    wait = throttle.wait_time(key)
    if wait <= 0:
        return True
    if throttle.notice(key, wait):
        key_text = "throttled" if question else "throttled_actions"
        text = t(user_lang(update), key_text, seconds=math.ceil(wait))
        logger.info("user %s is over the reply limit; told to wait %.0f s", key, wait)
        if update.callback_query is not None:
            await update.callback_query.answer(plain(text))
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
    return False


def limited(callback: Handler) -> Handler:
    """`callback`, run only while the user is within their per-minute budget of replies."""

    @functools.wraps(callback)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await within_limit(update, context):
            await callback(update, context)

    return wrapper


def command_payload(message: Message) -> str:
    """What follows the command ("/add@bot x\\ny" -> "x\\ny"), newlines kept."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or ()
    first = next(iter(entities), None)
    if first is not None and first.type == MessageEntity.BOT_COMMAND and first.offset == 0:
        return text[first.length :].strip()
    return _COMMAND.sub("", text, count=1).strip()


def reason(exc: BaseException, context: ContextTypes.DEFAULT_TYPE) -> str:
    """An error's text for the user, with the bot token (or anything like it) taken out: a
    URL in an error can carry it (e.g. a file download's)."""
    return redact(str(exc), services(context).settings.token)


async def send_parts(
    message: Message, parts: Sequence[str], markup: InlineKeyboardMarkup | None = None
) -> list[Message]:
    """Reply with each part in turn; the buttons go under the last one."""
    sent = []
    for number, part in enumerate(parts, 1):
        sent += await _send(message, part, markup if number == len(parts) else None)
    return sent


async def _send(message: Message, part: str, markup: InlineKeyboardMarkup | None) -> list[Message]:
    """One part; if Telegram counts it as too long after all, in halves."""
    try:
        return [await message.reply_text(part, reply_markup=markup)]
    except BadRequest as exc:
        if "too long" not in exc.message.lower() or units(part) < SHORTEST_SPLIT:
            raise
    logger.warning("Telegram found a reply of %d characters too long; splitting it", units(part))
    halves = split_html(part, units(part) // 2 + 16)  # + room for tags reopened at the cut
    sent = []
    for number, half in enumerate(halves, 1):
        sent += await _send(message, half, markup if number == len(halves) else None)
    return sent


@asynccontextmanager
async def typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat from TYPING_AFTER seconds on until the block ends.

    Not at once: most answers take well under a second, and every chat action is a request
    that AIORateLimiter counts against Telegram's 30 per second, as the answer is: sent for
    every question, it halved how many questions a second the bot could answer.
    """

    async def repeat() -> None:
        await asyncio.sleep(TYPING_AFTER)
        while True:
            try:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as exc:  # only cosmetic: never let it fail the answer
                logger.debug("chat action failed: %s", exc)
            await asyncio.sleep(TYPING_EVERY)

    task = asyncio.create_task(repeat())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def require_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True for an admin; anyone else gets a refusal that shows their numeric id."""
    admin_ids = services(context).settings.admin_ids
    user_id = sender_id(update)
    if user_id is not None and user_id in admin_ids:
        return True
    lang = user_lang(update)
    text = (
        t(lang, "not_admin", user_id=user_id)
        if user_id is not None
        else t(lang, "not_admin_anonymous")
    )
    logger.info("refused a write from %s", user_id if user_id is not None else "anonymous")
    if not await within_limit(update, context):  # refusals are replies too
        return False
    if update.callback_query is not None:
        await update.callback_query.answer(plain(text), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
    return False


async def admin_id_payload(
    update: Update, context: ContextTypes.DEFAULT_TYPE, usage: str
) -> int | None:
    """The id after an admin command ("/delete 12", "/unsubscribe #3"); None, after replying,
    when the sender is no admin or the payload is no id (then with the `usage` text)."""
    if not await require_admin(update, context):
        return None
    payload = command_payload(update.effective_message)
    if not re.fullmatch(r"#?\d{1,12}", payload):
        await update.effective_message.reply_text(t(user_lang(update), usage))
        return None
    return int(payload.lstrip("#"))
