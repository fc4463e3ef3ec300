"""Asking, browsing, buttons and errors: one small async function per command.

Each handler is a thin call into index.Library, run off the event loop with asyncio.to_thread.
Adding and deleting (admins only) live in adding.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from contextlib import suppress

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ContextTypes

from index.errors import ArticleBotError

from . import adding, render
from .common import command_payload, plain, reason, send_parts, typing, user_lang, within_limit
from .followup import KEPT_ANSWERS, context_for, remember_question, store_answer, stored_answer
from .services import sender_id, services
from .texts import language, t

logger = logging.getLogger(__name__)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user and show their numeric id (for ADMIN_USER_IDS)."""
    user = update.effective_user
    name = user.first_name if user else ""
    user_id = sender_id(update)
    await update.effective_message.reply_text(
        t(user_lang(update), "start", name=name, user_id=user_id if user_id is not None else "–")
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain asking, adding and the other commands."""
    await update.effective_message.reply_text(t(user_lang(update), "help"))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question after /ask (the way to ask in groups)."""
    await answer(update, context, command_payload(update.effective_message))


async def private_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text message in a private chat."""
    await answer(update, context, update.effective_message.text or "")


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a group message that mentions the bot or replies to it; ignore the rest."""
    question = addressed_question(update.effective_message, context)
    if question is not None:
        await answer(update, context, question)


def addressed_question(message: Message, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The question in a group message meant for the bot, without the @mention; else None."""
    bot = context.bot
    text = message.text or ""
    replied = message.reply_to_message
    to_bot = (
        replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
    )
    mention = f"@{bot.username}".lower()
    for entity, value in message.parse_entities([MessageEntity.MENTION]).items():
        del entity
        if value.lower() == mention:
            to_bot = True
    for entity in message.entities:
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            to_bot = True
    if not to_bot:
        return None
    return re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE).strip()


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """The one place questions are answered: throttle, context, ask, render, buttons."""
    svc = services(context)
    message = update.effective_message
    chat_id = update.effective_chat.id
    question = " ".join(question.split())
    if not await within_limit(update, context, question=True):
        return
    if not question:
        await message.reply_text(t(user_lang(update), "ask_usage"))
        return
    previous = context_for(context.chat_data, question)
    async with typing(context, chat_id):
        try:
            result = await asyncio.to_thread(
                svc.library.ask, question, k=svc.settings.answer_sources, context=previous
            )
        except ArticleBotError as exc:
            await message.reply_text(t(user_lang(update), "error", reason=reason(exc, context)))
            return
    remember_question(context.chat_data, question, previous, follow_up=result.follow_up)
    parts = render.answer_messages(result, more_sources=svc.settings.answer_sources - 1)
    markup = None
    if not result.abstained:
        kept = context.bot_data.setdefault(KEPT_ANSWERS, OrderedDict())
        number = store_answer(context.chat_data, result, kept)
        markup = answer_buttons(number, language(result.language)) if number else None
    await send_parts(message, parts, markup)


def answer_buttons(number: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "btn_more"), callback_data=f"more:{number}"),
                InlineKeyboardButton(t(lang, "btn_sources"), callback_data=f"src:{number}"),
            ]
        ]
    )


async def list_articles(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the first page of stored articles, with buttons to page through."""
    text, markup = await list_page(context, 0, user_lang(update))
    await update.effective_message.reply_text(text, reply_markup=markup)


async def list_page(
    context: ContextTypes.DEFAULT_TYPE, offset: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    page = render.LIST_PAGE
    articles = await asyncio.to_thread(services(context).library.list, offset, page + 1)
    buttons = []
    if offset > 0:
        buttons.append(
            InlineKeyboardButton(t(lang, "btn_prev"), callback_data=f"list:{max(offset - page, 0)}")
        )
    if len(articles) > page:
        buttons.append(
            InlineKeyboardButton(t(lang, "btn_next"), callback_data=f"list:{offset + page}")
        )
    markup = InlineKeyboardMarkup([buttons]) if buttons else None
    return render.list_text(articles[:page], offset, lang), markup


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show how many articles and passages there are, their languages and the model."""
    result = await asyncio.to_thread(services(context).library.stats)
    await update.effective_message.reply_text(render.stats_text(result, user_lang(update)))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point to /help for a command the bot does not know (private chats)."""
    await update.effective_message.reply_text(t(user_lang(update), "unknown_command"))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route an inline button press; anything unexpected (old or forged data) is refused."""
    query = update.callback_query
    kind, _, arg = (query.data or "").partition(":")
    number = int(arg) if re.fullmatch(r"\d{1,9}", arg) else None
    lang = user_lang(update)
    if kind == "del":
        await adding.confirm_delete(update, context, number)
    elif kind == "list" and number is not None and isinstance(query.message, Message):
        text, markup = await list_page(context, number, lang)
        await query.answer()
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as exc:  # the same page again (a double tap) is fine
            if "not modified" not in str(exc).lower():
                raise
    elif kind in ("more", "src") and number is not None and isinstance(query.message, Message):
        await show_details(update, context, kind, number)
    else:
        await query.answer(plain(t(lang, "unknown_button")), show_alert=True)


async def show_details(
    update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str, number: int
) -> None:
    """The "More passages" and "Sources" buttons under an answer."""
    query = update.callback_query
    stored = stored_answer(context.chat_data, number)
    if stored is None:
        await query.answer(plain(t(user_lang(update), "answer_gone")), show_alert=True)
        return
    await query.answer()
    parts = render.passages_messages(stored) if kind == "more" else render.sources_messages(stored)
    message = query.message
    assert isinstance(message, Message)
    await send_parts(message, parts)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error once; tell the user only that something went wrong, where that helps.

    Telegram's own faults (a blocked chat, a timeout, a gateway error, flood control, polling
    failures) are one warning line each: they are expected now and then and PTB recovers from
    them. Anything else is a bug here and gets its traceback.
    """
    error = context.error
    where = update.update_id if isinstance(update, Update) else "-"
    chat = update.effective_chat if isinstance(update, Update) else None
    transient = isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    if update is None and isinstance(error, TelegramError):  # from polling: PTB retries
        if isinstance(error, Conflict):
            logger.error("another bot process is polling with this token: %s", error.message)
        elif transient:
            logger.warning("polling for updates failed (%s); trying again", error.message)
        else:
            logger.error("polling for updates failed", exc_info=error)
        return
    if isinstance(error, Forbidden):
        logger.warning(
            "chat %s does not accept messages from the bot (%s); update %s dropped",
            chat.id if chat else "-",
            error.message,
            where,
        )
        return
    if isinstance(error, TimedOut | RetryAfter):
        # The reply may have arrived anyway (a timeout), or more sending makes it worse (flood).
        logger.warning("Telegram fault while handling update %s: %s", where, error)
        return
    if transient:
        logger.warning("Telegram fault while handling update %s: %s", where, error)
    else:
        logger.error("error while handling update %s", where, exc_info=error)
    if not isinstance(update, Update) or chat is None:
        return
    try:
        await context.bot.send_message(chat.id, t(user_lang(update), "sorry"))
    except TelegramError as exc:
        logger.warning("could not tell the user about the error: %s", exc)
    if update.callback_query is not None:
        with suppress(TelegramError):  # it may have been answered before the error
            await update.callback_query.answer()
