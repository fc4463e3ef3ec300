"""The Application: built once from Settings and a Library, run with long polling."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import sys

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from index.errors import ArticleBotError, BadInput
from index.library import Library
from index.paths import check_data_dir, describe

from . import adding, feeds, handlers
from .common import OTHER_BOT, limited
from .jobs import resume_pending
from .logs import configure_logging, redact
from .services import SERVICES, Services
from .settings import Settings
from .texts import command_descriptions
from .transport import RetryingRequest
from .warming import WarmUp, stop_all

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
COMMAND_LANGUAGES = ("en", "de")
START_ATTEMPTS = 3  # getMe tries at start-up before giving up (one log line each)
START_DELAY = (
    5.0  # seconds between them  # "en" is also registered as the default for everyone else
)
NO_TOKEN_HELP = """\
articlebot: TELEGRAM_BOT_TOKEN is not set, so the bot cannot start.

To get a token:
  1. In Telegram, open a chat with @BotFather (https://t.me/BotFather).
  2. Send /newbot and follow the prompts: a display name, then a username ending in "bot".
  3. BotFather answers with a token such as 123456789:AAH... Put it into .env:
         TELEGRAM_BOT_TOKEN=123456789:AAH...
     (cp .env.example .env lists every setting), then run `make run` again.
Send /start to your bot to learn your numeric user id for ADMIN_USER_IDS."""


def build_application(
    settings: Settings,
    library: Library,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Application:
    """The bot with its handlers and services; `request`s replace HTTP in tests.

    Every request but getUpdates goes through RetryingRequest (a 502 must not lose a reply);
    getUpdates has PTB's own retry loop.
    """
    if not settings.token:
        raise ValueError("build_application needs settings.token")
    defaults = Defaults(
        parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{settings.api_url}/bot")
        .base_file_url(f"{settings.api_url}/file/bot")
        .defaults(defaults)
        .rate_limiter(AIORateLimiter(max_retries=settings.flood_retries))
        # Updates are handled concurrently: an /add that takes a minute must not hold up
        # everyone else's questions (each handler awaits the library in a worker thread).
        .concurrent_updates(True)
        .post_init(post_init)
    )
    # PTB's own default for the general pool (many handlers send at once).
    builder = builder.request(RetryingRequest(request or HTTPXRequest(connection_pool_size=256)))
    if get_updates_request is not None or request is not None:
        builder = builder.get_updates_request(get_updates_request or request)
    application = builder.build()
    application.bot_data[SERVICES] = Services.create(settings, library)
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    """The routes. Forwarded text is content, never a command (an admin forwarding a stranger's
    "/add URL" must not add it); commands for other bots (/add@other_bot) get no reaction at all;
    everything that replies and is not an admin's write is within the user's per-minute limit
    (questions: in handlers.answer; refusals: in require_admin)."""
    private = filters.ChatType.PRIVATE
    own = ~filters.FORWARDED & ~OTHER_BOT  # a command this bot was sent
    # Edited messages come first and stop there: an edit never re-runs anything.
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, adding.on_edited))
    for name, callback in (
        ("start", limited(handlers.start)),
        ("help", limited(handlers.help_command)),
        ("ask", handlers.ask),
        ("add", adding.add),
        ("list", limited(handlers.list_articles)),
        ("delete", adding.delete),
        ("stats", limited(handlers.stats)),
        ("subscribe", feeds.subscribe),
        ("feeds", feeds.list_feeds),
        ("unsubscribe", feeds.unsubscribe),
    ):
        application.add_handler(CommandHandler(name, callback, filters=~filters.FORWARDED))
    add_caption = filters.CaptionRegex(adding.ADD_CAPTION) & own
    documents = filters.Document.ALL & ~OTHER_BOT & (private | add_caption)
    application.add_handler(MessageHandler(documents, adding.add_document))
    forwards = private & adding.ChannelForward() & (filters.TEXT | filters.CAPTION)
    application.add_handler(MessageHandler(forwards, adding.add_forward))
    text = filters.TEXT & (~filters.COMMAND | filters.FORWARDED)
    application.add_handler(MessageHandler(private & text, handlers.private_question))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & text, handlers.group_message))
    unknown = private & filters.COMMAND & own
    application.add_handler(MessageHandler(unknown, limited(handlers.unknown_command)))
    application.add_handler(CallbackQueryHandler(limited(handlers.on_button)))
    application.add_error_handler(handlers.on_error)


async def post_init(application: Application) -> None:
    """Open the index and load the model before the first update; register the commands;
    finish the adds an earlier run left in the journal."""
    library: Library = application.bot_data[SERVICES].library
    settings = application.bot_data[SERVICES].settings
    stats = await asyncio.to_thread(prepare_library, library, reader=settings.reader)
    if not settings.admin_ids:
        logger.warning("ADMIN_USER_IDS is empty: nobody can add or delete articles")
    for lang in COMMAND_LANGUAGES:
        commands = [BotCommand(name, text) for name, text in command_descriptions(lang)]
        await application.bot.set_my_commands(
            commands, language_code=None if lang == "en" else lang
        )
    # Adds a crash or a stop interrupted, before any new update: the users hear how they ended.
    resumed = await resume_pending(application)
    feeds.schedule(application)  # the feeds due (kept in DATA_DIR/feeds.db) are polled
    if resumed:
        stats = await asyncio.to_thread(library.stats)
    logger.info(
        "@%s is ready: %d articles, %d passages, model %s",
        application.bot.username,
        stats.articles,
        stats.passages,
        stats.model,
    )


def prepare_library(library: Library, *, reader: bool = False):  # noqa: ANN201 - models.Stats
    """Load the index (checking it matches the model) and warm the model up, once; the
    lemma dictionaries of the library's languages (and the reader, with READER=1) load in the
    background meanwhile, and what
    was loaded is then kept out of the garbage collector's full collections (index.warmup).
    Then, still in the background, the sentence analyses that are missing or made by other
    rules (after an upgrade) are stored, as `articlebot analyze` stores them: until then
    answering computes them for every article it reads."""
    stats = library.stats()
    WarmUp(library, list(stats.languages), reader=reader).start()  # stopped by _poll's end
    library.embedder.encode(["warm up"])
    return stats


def run_bot(settings: Settings, library: Library | None = None) -> int:
    """Run the bot with long polling until Ctrl-C or SIGTERM; the process exit code."""
    configure_logging(settings.log_level, settings.token)
    if not settings.token:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    # Everything the bot writes (database, indexes, journal, model cache) is for its owner
    # only, whatever umask it was started with; put back when the bot stops.
    umask = os.umask(0o077)
    os.umask(umask | 0o077)
    try:
        try:
            library = library or open_library(settings)
        except ArticleBotError as exc:
            print(f"articlebot: error: {exc}", file=sys.stderr)
            return 2
        return _poll(settings, library)
    finally:
        os.umask(umask)


def open_library(settings: Settings) -> Library:
    """The library in settings.data_dir; one-line ArticleBotError for a folder it cannot use."""
    check_data_dir(settings.data_dir, write=True)
    try:
        return Library(settings.library_config())
    except (OSError, sqlite3.Error) as exc:
        raise BadInput(f"cannot open the library in {settings.data_dir}: {describe(exc)}") from None


async def reach_api(application: Application, api_url: str) -> None:
    """Ask the Bot API who the bot is (getMe), up to START_ATTEMPTS times, START_DELAY seconds
    apart, one warning line per failed attempt; the last failure is raised (InvalidToken at once).

    PTB's own bootstrap would log each failure with three chained tracebacks."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            await application.bot.initialize()  # getMe; run_polling then finds it done
            return
        except InvalidToken:
            raise
        except NetworkError as exc:  # TimedOut included
            if attempt == START_ATTEMPTS:
                raise
            logger.warning(
                "cannot reach the Bot API at %s (%s); attempt %d of %d, trying again in %g s",
                api_url,
                exc.message,
                attempt,
                START_ATTEMPTS,
                START_DELAY,
            )
            await asyncio.sleep(START_DELAY)


def _poll(settings: Settings, library: Library) -> int:
    application = build_application(settings, library)
    logger.info("starting the bot with long polling against %s", settings.api_url)
    # A loop of its own, which run_polling closes when it stops: run_bot can be called again.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(reach_api(application, settings.api_url))
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        print(
            "articlebot: the Bot API rejected TELEGRAM_BOT_TOKEN; check it with @BotFather "
            "(/mybots, API Token)",
            file=sys.stderr,
        )
        return 1
    except NetworkError as exc:
        print(
            f"articlebot: cannot reach the Bot API at {settings.api_url} "
            f"({START_ATTEMPTS} attempts): {redact(exc.message, settings.token)}",
            file=sys.stderr,
        )
        return 1
    except ArticleBotError as exc:
        print(f"articlebot: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if not loop.is_closed():  # run_polling closes it; a failed start-up check did not
            loop.run_until_complete(application.bot.shutdown())
            loop.close()
        asyncio.set_event_loop(None)
        stop_all(library)  # before the interpreter exits with it inside native code (bot.warming)
        library.close()
    return 0


run = run_bot  # the name index/cli.py may also use
