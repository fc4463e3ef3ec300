"""Page extraction (index.extract) in a worker process, within a deadline and a memory limit.

trafilatura, justext and htmldate take time and memory that grow faster than a page's size for
some shapes of HTML, within the 5 MB a fetch may bring: a page of 4.9 MB of short table cells
was still being read after 5 minutes; one of `<span>ab</span>Cd` repeated, 45 s at 680 KB; a
20 MB `.html` document of list items took 7 GB. In the bot's own process that work also held
the interpreter's lock, so every other user waited. The worker reads one page at a time; one
that takes longer than EXTRACT_SECONDS is stopped (the worker is ended and started again at the
next page), and one that needs more than EXTRACT_MEMORY of address space fails there, each with
one clear message. Hand-written because no library runs a function in a process with a
deadline that ends it (concurrent.futures cannot stop a call that has started; pebble, which
can, is not in the dependencies, and the worker's loop is a few lines).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .errors import ExtractionError
from .extract import Extracted

logger = logging.getLogger(__name__)

# The 60 pages of the two news sets (up to 1.4 MB) read in 0.17 s at most, 1.0 s together.
EXTRACT_SECONDS = 30.0
# The worker's address space: reading those 60 pages it peaks at 66 MB.
EXTRACT_MEMORY = 1024**3

# Pages read at once per process, each by a worker of its own: an admin's /add does not wait
# behind a feed's page that runs into the limit. Idle workers are kept for the next pages.
WORKERS = 2
_SLOTS = threading.BoundedSemaphore(WORKERS)
_GUARD = threading.Lock()  # over _idle
_idle: list[_Worker] = []


ALARM_EXTRA = 3  # seconds past its deadline after which a worker whose parent is gone ends
START_SECONDS = 60.0  # for the worker's imports (about 0.2 s; a busy machine may take longer)


class _Worker:
    """A process that extracts the pages it is sent, one at a time, until its socket closes.
    Started as `python -P -m index.extract_bounded` with this package's folder first on its
    path (the same `index` as the parent's, whatever the working directory holds), not by
    multiprocessing: its "spawn" runs the caller's main script again in the child (a script
    without `if __name__ == "__main__"` would start itself), and a fork of a process holding
    ONNX Runtime's and torch's threads may deadlock. It says "ready" once its imports are done:
    a worker that cannot start is told from a page that killed it."""

    def __init__(self) -> None:
        mine, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[1])
        paths = [package_root, *filter(None, [os.environ.get("PYTHONPATH")])]
        command = [sys.executable, "-P", "-m", __name__, str(theirs.fileno())]
        self.process = subprocess.Popen(
            [*command, str(EXTRACT_MEMORY), str(EXTRACT_SECONDS)],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        )
        theirs.close()
        self.connection = Connection(mine.detach())
        try:
            ready = self.connection.poll(START_SECONDS) and self.connection.recv()
        except (EOFError, OSError):
            ready = None
        if ready != ("ready", None, False):
            self.stop()
            logger.error("the page reader's process did not start (exit status %s)", self.code)
            raise ExtractionError("the page reader could not start (the log says why)")

    @property
    def code(self) -> int | None:
        return self.process.poll()

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        self.connection.close()
        self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # stuck in the kernel: it goes when it can
            logger.warning("the page reader's process %s has not ended yet", self.process.pid)


def extract_page(html: str, url: str | None = None) -> Extracted:
    """index.extract.extract_html in a worker: its result, or ExtractionError (its own, or for
    a page that takes longer than EXTRACT_SECONDS or more than EXTRACT_MEMORY)."""
    with _SLOTS:
        worker = _take()
        outcome = None
        try:
            outcome = _read(worker, html, url)
        finally:  # interrupted (Ctrl-C in a notebook), its answer would be the next page's
            if outcome is None or outcome[2]:  # stopped, or spent: the next page gets a new one
                worker.stop()
            else:
                with _GUARD:
                    _idle.append(worker)
    if outcome[0] == "late":
        logger.warning("a page took longer than %g s to read: stopped", EXTRACT_SECONDS)
        raise ExtractionError(
            f"the page could not be read within {EXTRACT_SECONDS:g} seconds "
            "(its HTML is too large or too intricate)"
        )
    kind, value, _ = outcome
    if kind == "memory":
        raise ExtractionError("the page could not be read: its HTML needs too much memory")
    if kind == "error":
        raise ExtractionError(value)
    return value


def _take() -> _Worker:
    """An idle worker that is still alive, else a new one."""
    with _GUARD:
        while _idle:
            worker = _idle.pop()
            if worker.alive():
                return worker
            worker.stop()
    return _Worker()


def _read(worker: _Worker, html: str, url: str | None) -> tuple[str, Any, bool]:
    """The worker's outcome for one page; ("late", None, True) past EXTRACT_SECONDS."""
    try:
        worker.connection.send((html, url))
        if not worker.connection.poll(EXTRACT_SECONDS):
            return ("late", None, True)
        return worker.connection.recv()
    except (EOFError, OSError):  # it died: the system's memory killer, a crash
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(timeout=5)
        logger.warning("the page reader's process ended reading a page (%s)", worker.code)
        return ("memory", "", True)


def stop() -> None:
    """End the idle workers (tests; each ends by itself when the process does: its socket
    closes)."""
    with _GUARD:
        workers = list(_idle)
        _idle.clear()
    for worker in workers:
        worker.stop()


NEAR_LIMIT = 0.9  # a failure after the worker's address space came this close to the limit


def _peak() -> int:
    """The worker's largest address space so far, in bytes (Linux's /proc; else 0)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _serve(connection: Connection, memory: int, seconds: float) -> None:
    """The worker's loop: for each page ("ok", Extracted), ("error", message) or ("memory",
    ""), and whether it ends after this page (its address space came near the limit: it would
    count against the next page's)."""
    # Ctrl-C in a terminal reaches the whole process group: the parent stops, closes the socket
    # and the worker ends at EOF, without a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):  # not on this system: the deadline still holds
        pass
    from .extract import extract_html

    connection.send(("ready", None, False))
    while True:
        try:
            html, url = connection.recv()
        except (EOFError, OSError):
            return
        outcome: tuple[str, Any]
        # Past its deadline the parent kills the worker; should the parent be gone (killed
        # itself), SIGALRM's default action ends the worker a little later, even inside C code.
        signal.alarm(math.ceil(seconds) + ALARM_EXTRA)
        try:
            outcome = ("ok", extract_html(html, url))
        except MemoryError:
            outcome = ("memory", "")
        except ExtractionError as error:
            outcome = ("error", str(error))
        except Exception as error:  # noqa: BLE001 - untrusted HTML: nothing usable, one line
            outcome = ("error", f"no article text found in the page ({type(error).__name__})")
        signal.alarm(0)
        spent = _peak() >= NEAR_LIMIT * memory
        if outcome[0] == "error" and spent:
            # lxml and trafilatura take a MemoryError inside them for a page they cannot parse
            outcome = ("memory", "")
        try:
            connection.send((*outcome, spent))
        except (OSError, ValueError):
            return
        if spent:
            return


if __name__ == "__main__":  # the worker: python -P -m index.extract_bounded FD MEMORY SECONDS
    _serve(Connection(int(sys.argv[1])), int(sys.argv[2]), float(sys.argv[3]))
