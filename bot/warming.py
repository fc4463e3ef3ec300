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
import weakref
from collections.abc import Callable

from index.analysis_backfill import backfill
from index.library import Library
from index.warmup import warm_text_tools

logger = logging.getLogger(__name__)
WAIT = 60.0  # seconds a stopping bot waits for the loading under way (it takes a few)
_RUNNING: list[WarmUp] = []
_GUARD = threading.Lock()
_STOPPED: weakref.WeakSet[Library] = weakref.WeakSet()  # libraries whose bot is stopping


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
        """Start it, unless the bot is stopping (a stop while the library was still opening:
        bot.app.prepare_library runs on a worker thread the stop does not wait for)."""
        with _GUARD:
            if self._library in _STOPPED:
                return self
            _RUNNING.append(self)
        self.thread.start()
        return self

    def stop(self, timeout: float = WAIT) -> None:
        self._stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
        if self.thread.is_alive():
            logger.warning("the start-up loading did not end within %g s of the stop", timeout)

    def _run(self) -> None:
        try:
            self._steps()
        finally:
            with _GUARD:
                if self in _RUNNING:
                    _RUNNING.remove(self)

    def _steps(self) -> None:
        steps: list[Callable[[], object]] = [lambda: warm_text_tools(self._languages)]
        if self._reader:  # READER=1: the reader too (or the one line saying why it is missing),
            # and the second look's encoder (index.second_look), on with it
            steps += [self._library.reader, self._library.warm_second_look]
        for step in steps:
            if self._stop.is_set():
                return
            step()
        if self._stop.is_set():
            return
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


def stop_all(library: Library, timeout: float = WAIT) -> None:
    """Stop the warm-ups of `library` under way, and any about to start, and wait for each (up
    to `timeout` seconds): its bot is stopping and the library closes next."""
    with _GUARD:
        _STOPPED.add(library)
        running = [warm for warm in _RUNNING if warm._library is library]
    for warm in running:
        warm.stop(timeout)
