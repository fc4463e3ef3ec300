"""What the handlers share (kept in application.bot_data): the library, the settings, the
journal of pending adds, who may write, and the per-user throttles (questions; everything else
that makes the bot reply)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import ContextTypes

from index.feedservice import FeedService
from index.library import Library

from .journal import Journal
from .settings import Settings

SERVICES = "services"  # the bot_data key
# Telegram's stand-ins for senders without a user account: an anonymous group admin, a channel
# posting in a group, and Telegram itself (auto-forwards from a linked channel). Never admins.
GROUP_ANONYMOUS_BOT = 1087968824
CHANNEL_BOT = 136817688
TELEGRAM_SERVICE = 777000
NEVER_ADMIN = frozenset({GROUP_ANONYMOUS_BOT, CHANNEL_BOT, TELEGRAM_SERVICE})


class Throttle:
    """At most `per_minute` events per key in any 60 seconds (0: unlimited); past that, one
    notice per key until the window frees up again (`notice`)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._events: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}  # key -> until when it was told to wait

    def wait_time(self, key: int) -> float:
        """0 and the event is counted, or the seconds until one is allowed again."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= 60.0:
            events.popleft()
        if len(events) >= self.per_minute:
            return 60.0 - (now - events[0])
        events.append(now)
        if len(self._events) > 10_000:  # forget idle users now and then
            self._events = {k: v for k, v in self._events.items() if v and now - v[-1] < 60.0}
            self._told = {k: v for k, v in self._told.items() if v > now}
        return 0.0

    def notice(self, key: int, wait: float) -> bool:
        """After wait_time(key) returned `wait` > 0: True the first time in this window (tell
        the user once), False after that (say nothing: a flood gets no flood of notices)."""
        now = self._clock()
        if self._told.get(key, 0.0) > now:
            return False
        self._told[key] = now + wait
        return True


@dataclass
class Services:
    settings: Settings
    library: Library
    journal: Journal
    feeds: FeedService  # the feed subscriptions (bot/feeds.py)
    throttle: Throttle = field(default_factory=lambda: Throttle(0))  # questions
    actions: Throttle = field(default_factory=lambda: Throttle(0))  # every other reply
    feed_pass: asyncio.Lock = field(default_factory=asyncio.Lock)  # one polling pass at a time

    @classmethod
    def create(cls, settings: Settings, library: Library) -> Services:
        # The library's folder, not settings.data_dir: callers may hand in their own library.
        return cls(
            settings,
            library,
            Journal(library.data_dir),
            FeedService(library, settings.feeds),
            Throttle(settings.questions_per_minute),
            Throttle(settings.actions_per_minute),
        )


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data[SERVICES]


def sender_id(update: Update) -> int | None:
    """The numeric id of the person behind this update; None for anonymous admins, channels
    and bots, which can never be admins (their id is shared or not theirs)."""
    if update.callback_query is not None:
        user = update.callback_query.from_user
    else:
        message = update.effective_message
        if message is not None and message.sender_chat is not None:
            return None
        user = message.from_user if message is not None else update.effective_user
    if user is None or user.is_bot or user.id in NEVER_ADMIN:
        return None
    return user.id


def is_admin(update: Update, admin_ids: frozenset[int]) -> bool:
    user_id = sender_id(update)
    return user_id is not None and user_id in admin_ids
