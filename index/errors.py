"""One small error hierarchy; the CLI and the bot turn each into one clear line for the user."""

from __future__ import annotations


class ArticleBotError(Exception):
    """Base class: the message is meant for the user, one line, no traceback."""


class RefusedURL(ArticleBotError):
    """The URL is not allowed: bad scheme, or a host that resolves to a non-global address."""


class FetchError(ArticleBotError):
    """The URL could not be fetched: network error, HTTP error, too large, too slow, wrong type."""


class ExtractionError(ArticleBotError):
    """No article text could be extracted from the page or file."""


class BadInput(ArticleBotError):
    """Empty, binary or otherwise unusable input."""


class NotFound(ArticleBotError):
    """An unknown article id."""


class IndexMismatch(ArticleBotError):
    """The saved index was built with another model or dimension: `articlebot rebuild` fixes it."""


class LockBusy(ArticleBotError):
    """Another process holds the data dir's write lock."""


class StorageError(ArticleBotError):
    """The library's storage cannot be used as it is: a damaged database, a database of another
    schema version, a storage server that cannot be reached. The message says what to do."""


class FeedError(ArticleBotError):
    """The URL is not a feed, nor a page that names one; or the feed could not be read."""
