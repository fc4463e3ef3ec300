"""The Telegram bot (python-telegram-bot) over the article library in `index`."""

import os

# python-telegram-bot 22 builds every RetryAfter (Telegram's 429) with a deprecation warning
# unless its durations are opted in as datetime.timedelta, the type its next major version
# makes the only one. Nothing here reads them (its AIORateLimiter waits them out on its own), so
# opting in changes nothing but the warning; a user's own setting is kept.
os.environ.setdefault("PTB_TIMEDELTA", "true")
