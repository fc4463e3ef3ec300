"""Settings.from_env(): the only place in the bot that reads the environment."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from index.addresses import parse_ports
from index.answer import product_config
from index.cli_feeds import FEED_VARS, feed_settings, timezone_setting
from index.embedder import BACKENDS, DEFAULT_BACKEND, DEFAULT_MODEL
from index.errors import ArticleBotError, BadInput
from index.feedservice import FeedSettings
from index.library import LibraryConfig
from index.paths import models_folder
from index.recency import DEFAULT_TIMEZONE
from index.storage import STORAGE_VARS, StorageConfig, storage_config

DEFAULT_API_URL = "https://api.telegram.org"
TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"", "0", "false", "no", "off"})
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_HOST = re.compile(r"[A-Za-z0-9_.-]+|[0-9A-Fa-f:.]+")  # a name or an address (brackets gone)

# Every variable Settings reads, with its default as .env.example shows it.
ENV_VARS = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "ADMIN_USER_IDS",
    "DATA_DIR",
    "MODELS_DIR",
    "EMBEDDING_MODEL",
    "EMBEDDING_BACKEND",
    "EMBEDDING_INT8",
    "READER",
    "ALLOW_PRIVATE_URLS",
    "ALLOWED_URL_PORTS",
    "LOG_LEVEL",
    "QUESTIONS_PER_MINUTE",
    "ACTIONS_PER_MINUTE",
    "FLOOD_RETRIES",
    "ANSWER_SOURCES",
    "TIMEZONE",
    *FEED_VARS,
    "FEED_DIGEST",
    *STORAGE_VARS,
)


class SettingsError(ArticleBotError):
    """A setting has a value the bot cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    token: str | None = field(default=None, repr=False)  # never printed, never logged
    api_url: str = DEFAULT_API_URL
    admin_ids: frozenset[int] = frozenset()
    data_dir: Path = Path("data")
    models_dir: Path | None = None  # MODELS_DIR: the ONNX exports; None: DATA_DIR/models
    embedding_model: str = DEFAULT_MODEL
    embedding_backend: str = DEFAULT_BACKEND  # onnx (ONNX Runtime) or torch: the same vectors
    embedding_int8: bool = True  # with onnx: articles being added run through an int8 copy
    reader: bool = True  # READER: a cross-encoder rescores the first windows (index.reader)
    allow_private_urls: bool = False
    url_ports: frozenset[int] = frozenset()  # ports besides 80 and 443 that /add URL may reach
    log_level: str = "INFO"
    questions_per_minute: int = 10  # per user; 0 turns the throttle off
    actions_per_minute: int = 20  # per user: commands, buttons, refusals; 0: no limit
    flood_retries: int = 3  # AIORateLimiter retries after Telegram's RetryAfter
    answer_sources: int = 3  # the quoted source plus up to two more
    # STORAGE_BACKEND, QDRANT_* (index/storage/); not printed: it holds QDRANT_API_KEY
    storage: StorageConfig = field(default_factory=StorageConfig, repr=False)
    timezone: str = DEFAULT_TIMEZONE  # publication days, "heute", "gestern", feed times
    # FEED_INTERVAL_MINUTES, FEED_BACKFILL, FEED_FAILURE_LIMIT, FEED_DIGEST
    feeds: FeedSettings = field(default_factory=FeedSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read and check every setting; raise SettingsError naming the first bad one."""

        def get(name: str) -> str:
            return (environ.get(name) or "").strip()

        token = get("TELEGRAM_BOT_TOKEN") or None
        if token is not None and not _TOKEN.fullmatch(token):
            # The value itself is not echoed: it may be a real secret with a typo.
            raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a bot token (digits:secret)")
        return cls(
            token=token,
            api_url=_api_url(get("TELEGRAM_API_URL")),
            admin_ids=_admin_ids(get("ADMIN_USER_IDS")),
            data_dir=Path(get("DATA_DIR") or "data"),
            models_dir=Path(get("MODELS_DIR")) if get("MODELS_DIR") else None,
            embedding_model=get("EMBEDDING_MODEL") or DEFAULT_MODEL,
            embedding_backend=_choice(
                "EMBEDDING_BACKEND", get("EMBEDDING_BACKEND"), BACKENDS, DEFAULT_BACKEND
            ),
            embedding_int8=_flag("EMBEDDING_INT8", get("EMBEDDING_INT8") or "1"),
            reader=_flag("READER", get("READER") or "1"),
            allow_private_urls=_flag("ALLOW_PRIVATE_URLS", get("ALLOW_PRIVATE_URLS")),
            url_ports=_ports(get("ALLOWED_URL_PORTS")),
            log_level=_log_level(get("LOG_LEVEL")),
            questions_per_minute=_int("QUESTIONS_PER_MINUTE", get("QUESTIONS_PER_MINUTE"), 10),
            actions_per_minute=_int("ACTIONS_PER_MINUTE", get("ACTIONS_PER_MINUTE"), 20),
            flood_retries=_int("FLOOD_RETRIES", get("FLOOD_RETRIES"), 3),
            answer_sources=max(1, _int("ANSWER_SOURCES", get("ANSWER_SOURCES"), 3)),
            storage=_storage(environ),
            timezone=_checked(timezone_setting, environ),
            feeds=replace(
                _checked(feed_settings, environ),
                digest=_flag("FEED_DIGEST", get("FEED_DIGEST")),
            ),
        )

    def with_data_dir(self, data_dir: Path) -> Settings:
        return replace(self, data_dir=data_dir)

    def library_config(self) -> LibraryConfig:
        return LibraryConfig(
            data_dir=self.data_dir,
            models_dir=models_folder(self.data_dir, str(self.models_dir or "")),
            model=self.embedding_model,
            embedding_backend=self.embedding_backend,
            int8_adding=self.embedding_int8,
            answer=product_config(self.reader),
            allow_private_urls=self.allow_private_urls,
            url_ports=self.url_ports,
            storage=self.storage,
            timezone=self.timezone,
        )


def _storage(environ: Mapping[str, str]) -> StorageConfig:
    return _checked(storage_config, environ)


T = TypeVar("T")


def _checked(read: Callable[[Mapping[str, str]], T], environ: Mapping[str, str]) -> T:
    """A reader shared with the CLI, its BadInput as the SettingsError naming the variable."""
    try:
        return read(environ)
    except BadInput as exc:
        raise SettingsError(str(exc)) from None


def _api_url(value: str) -> str:
    """The Bot API's base URL, checked here so that a malformed one is one line at start-up, not
    a traceback from deep inside the first request."""
    url = (value or DEFAULT_API_URL).rstrip("/")
    # People paste the per-bot prefix too; the bot adds /bot<token> itself.
    url = url.removesuffix("/bot").rstrip("/")
    bad = SettingsError(
        f"TELEGRAM_API_URL must be an http(s) URL such as https://api.telegram.org or "
        f"http://127.0.0.1:8081, not {value!r}"
    )
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when out of range or not a number
        httpx.URL(url)  # what will really use it
    except (ValueError, httpx.InvalidURL):
        raise bad from None
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or not _HOST.fullmatch(host)
        or port == 0
        or parts.username is not None
        or parts.query
        or parts.fragment
    ):
        raise bad
    return url


def _admin_ids(value: str) -> frozenset[int]:
    ids = set()
    for item in re.split(r"[,\s]+", value):
        if not item:
            continue
        if not re.fullmatch(r"\d+", item):
            raise SettingsError(
                f"ADMIN_USER_IDS must be comma-separated numeric user ids, not {item!r} "
                "(send /start to the bot to see your id)"
            )
        ids.add(int(item))
    return frozenset(ids)


def _ports(value: str) -> frozenset[int]:
    try:
        return parse_ports(value)
    except ValueError as exc:
        raise SettingsError(f"ALLOWED_URL_PORTS {exc}") from None


def _flag(name: str, value: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise SettingsError(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def _choice(name: str, value: str, choices: tuple[str, ...], default: str) -> str:
    choice = value.lower() or default
    if choice not in choices:
        raise SettingsError(f"{name} must be {' or '.join(choices)}, not {value!r}")
    return choice


def _int(name: str, value: str, default: int) -> int:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise SettingsError(f"{name} must not be negative")
    return number


def _log_level(value: str) -> str:
    level = (value or "INFO").upper()
    if not isinstance(logging.getLevelName(level), int):
        raise SettingsError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {value!r}")
    return level
