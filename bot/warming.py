"""The bot's start-up work in the background (bot.app.prepare_library): the lemma dictionaries,
the reader and the second look's encoder loaded, then the missing sentence analyses stored.

It runs on a daemon thread so that the bot answers meanwhile, and it is stopped and waited for
when the bot stops (`stop_all`, before the library closes): a daemon thread still inside torch's
or ONNX Runtime's native code when the interpreter exits is ended mid-call, which aborts the
process ("terminate called without an active exception": a bot stopped with Ctrl-C a moment
after its first answer exited with SIGABRT). Loading cannot be interrupted (seconds); storing the
analyses stops between batches.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from index import second_look
from index.analysis_backfill import backfill
from index.library import Library
from index.warmup import warm_text_tools

logger = logging.getLogger(__name__)
WAIT = 60.0  # seconds a stopping bot waits for the loading under way (it takes a few)
_RUNNING: list[WarmUp] = []
_GUARD = threading.Lock()


class _Stopped(Exception):
    """The bot is stopping: the analyses not yet stored are left to its next start."""


class WarmUp:
    def __init__(self, library: Library, languages: list[str], *, reader: bool) -> None:
        self._library = library
        self._languages = languages
        self._reader = reader
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="warm-up", daemon=True)

    def start(self) -> WarmUp:
        with _GUARD:
            _RUNNING.append(self)
        self.thread.start()
        return self

    def stop(self, timeout: float = WAIT) -> None:
        self._stop.set()
        self.thread.join(timeout)
        with _GUARD:
            if self in _RUNNING:
                _RUNNING.remove(self)

    def _run(self) -> None:
        steps: list[Callable[[], object]] = [lambda: warm_text_tools(self._languages)]
        if self._reader:  # READER=1: the reader too (or the one line saying why it is missing),
            # and the second look's encoder (index.second_look), on with it
            steps += [self._library.reader, second_look.warm]
        for step in steps:
            if self._stop.is_set():
                return
            step()
        try:
            backfill(self._library.backend, self._check)
        except _Stopped:
            logger.info(
                "the bot is stopping: the sentence analyses left are stored at its next start"
            )
        except Exception as error:  # noqa: BLE001 - answering computes them anyway: one line
            logger.warning("could not store the sentence analyses: %s", error)

    def _check(self, done: int, total: int) -> None:
        del done, total
        if self._stop.is_set():
            raise _Stopped


def stop_all(timeout: float = WAIT) -> None:
    """Stop the warm-ups under way and wait for each (up to `timeout` seconds)."""
    with _GUARD:
        running = list(_RUNNING)
    for warm in running:
        warm.stop(timeout)
