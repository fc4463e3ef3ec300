"""Page extraction in a worker process (index.extract_bounded): the same result as in the
process, and a page whose HTML takes too long or too much memory stopped with one message,
without holding up the process's other threads."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest

from index import extract_bounded
from index.errors import ExtractionError
from index.extract import extract_html

PAGE = (
    "<html><head><title>Neue Brücke in Lindau</title></head><body><article>"
    "<h1>Neue Brücke in Lindau</h1>"
    + "".join(
        f"<p>Die neue Brücke über die Leiblach ist seit Freitag für den Verkehr frei, Absatz {n}."
        " Sie hat zwölf Millionen Euro gekostet und drei Jahre Bauzeit gebraucht.</p>"
        for n in range(8)
    )
    + "</article></body></html>"
)
# One paragraph of spans each followed by a word: the label separator and htmldate's search for
# a date in free text take quadratic time on it (340 KB: ~12 s on two cores).
SLOW = "<html><body><p>" + "<span>ab</span>Cd" * 20_000 + "</p></body></html>"


@pytest.fixture(autouse=True)
def fresh_worker() -> Iterator[None]:
    extract_bounded.stop()
    yield
    extract_bounded.stop()


def test_the_worker_extracts_as_the_process_does() -> None:
    assert extract_bounded.extract_page(PAGE, "https://news.example/a") == extract_html(
        PAGE, "https://news.example/a"
    )
    with pytest.raises(ExtractionError, match="no article text"):
        extract_bounded.extract_page("<html><body></body></html>")


def test_a_page_that_takes_too_long_is_stopped_and_the_process_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extract_bounded, "EXTRACT_SECONDS", 1.0)
    extract_bounded.extract_page(PAGE)  # the worker started, its imports done
    gaps: list[float] = []
    stop = threading.Event()

    def beat() -> None:  # another thread of the process: the bot answering someone else
        last = time.monotonic()
        while not stop.wait(0.05):
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    beating = threading.Thread(target=beat)
    beating.start()
    started = time.monotonic()
    try:
        with pytest.raises(ExtractionError, match="could not be read within 1 seconds"):
            extract_bounded.extract_page(SLOW)
    finally:
        stop.set()
        beating.join()
    assert time.monotonic() - started < 5
    assert max(gaps) < 0.5  # never held up (in the process, the extraction held the GIL)
    assert extract_bounded.extract_page(PAGE).title == "Neue Brücke in Lindau"  # a new worker


def test_a_page_that_needs_too_much_memory_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_bounded, "EXTRACT_MEMORY", 300 * 1024**2)
    bulky = "<html><body><ul>" + "<li>a" * 1_000_000 + "</ul></body></html>"
    with pytest.raises(ExtractionError, match="needs too much memory"):
        extract_bounded.extract_page(bulky)
    assert extract_bounded.extract_page(PAGE).title == "Neue Brücke in Lindau"


def test_ctrl_c_in_a_terminal_leaves_the_worker_to_its_parent() -> None:
    """SIGINT reaches the whole process group: the worker ignores it (no traceback of its own;
    the parent decides), and goes on serving."""
    import os
    import signal

    extract_bounded.extract_page(PAGE)
    (worker,) = extract_bounded._idle
    os.kill(worker.process.pid, signal.SIGINT)
    time.sleep(0.3)
    assert worker.alive()
    assert extract_bounded.extract_page(PAGE).title == "Neue Brücke in Lindau"
    assert extract_bounded._idle == [worker]


def test_an_interrupted_read_never_hands_its_page_to_the_next_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Interrupted while it waits (Ctrl-C in a notebook), the caller leaves a worker whose
    answer is still to come: it is stopped, so the next page gets its own answer."""
    from multiprocessing.connection import Connection

    extract_bounded.extract_page(PAGE)
    real_poll = Connection.poll

    def interrupted(self: Connection, timeout: float = 0.0) -> bool:
        real_poll(self, 0.2)
        raise KeyboardInterrupt

    monkeypatch.setattr(Connection, "poll", interrupted)
    with pytest.raises(KeyboardInterrupt):
        extract_bounded.extract_page(
            SLOW.replace("<body>", "<head><title>SLOW</title></head><body>")
        )
    monkeypatch.setattr(Connection, "poll", real_poll)
    assert extract_bounded.extract_page(PAGE).title == "Neue Brücke in Lindau"


def test_a_worker_whose_parent_stopped_waiting_ends_by_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The parent killed (SIGKILL, a supervisor) mid-page cannot stop its worker: the worker's
    own alarm ends it shortly after the deadline, even inside C code."""
    monkeypatch.setattr(extract_bounded, "EXTRACT_SECONDS", 1.0)
    monkeypatch.setattr(extract_bounded, "ALARM_EXTRA", 1)
    extract_bounded.extract_page(PAGE)
    worker = extract_bounded._idle.pop()  # forgotten, as by a parent that is gone
    worker.connection.send((SLOW, None))
    started = time.monotonic()
    worker.process.wait(timeout=30)
    assert time.monotonic() - started < 10  # the page alone takes ~12 s
    worker.connection.close()


def test_a_worker_that_cannot_start_is_said_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    monkeypatch.setattr(extract_bounded.sys, "executable", "/bin/false")
    logged = caplog.at_level(logging.ERROR, logger="index.extract_bounded")
    with logged, pytest.raises(ExtractionError, match="could not start"):
        extract_bounded.extract_page(PAGE)
    assert "did not start" in caplog.text


def test_a_page_read_beside_one_that_takes_long_does_not_wait_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two workers: an admin's /add is read while a feed's page runs into the limit."""
    monkeypatch.setattr(extract_bounded, "EXTRACT_SECONDS", 4.0)
    finished: dict[str, float] = {}

    def read(name: str, html: str) -> None:
        with contextlib.suppress(ExtractionError):  # the slow one: past the limit
            extract_bounded.extract_page(html)
        finished[name] = time.monotonic()

    slow = threading.Thread(target=read, args=("slow", SLOW))
    slow.start()
    time.sleep(0.5)  # the slow page is being read
    read("quick", PAGE)
    slow.join()
    assert finished["quick"] < finished["slow"]
