"""Durability: `articlebot add` of many articles killed with SIGKILL at random moments, resumed
into the same data dir, trial after trial. Every article whose add was confirmed must be present
and answerable, SQLite and the indexes must agree, no file may be corrupt, and adding everything
again must finish without duplicates.

`make test` runs a few trials; `make soak` runs many (SOAK_TRIALS) and writes the figures for
RELIABILITY.md to $RELIABILITY_OUT when it is set. The child process uses the fast fake embedder:
what is under test is the writing (SQLite, FAISS, BM25, the generation switch), not the model.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from tests.conftest import REPO

TRIALS = int(os.environ.get("SOAK_TRIALS", "4"))
ARTICLES = 8 * TRIALS + 8  # enough that every trial finds some still to add

CHILD = (
    "import sys, index.library as lib; from index.embedder import HashEmbedder; "
    "lib.SentenceTransformerEmbedder = lambda name, **kw: HashEmbedder(); "
    "from index.cli import main; raise SystemExit(main(sys.argv[1:], environ={}))"
)


def _article(i: int) -> str:
    filler = " ".join(
        f"Paragraph {j} of the Zorvik{i} report describes the harbour, the ferries and the weather."
        for j in range(12)
    )
    return (
        f"Zorvik{i} harbour report\n\n{filler}\n\n"
        f"The shipyard of Zorvik{i} built {100 + i} boats last year.\n\n{filler}"
    )


def _write_articles(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(ARTICLES):
        path = folder / f"zorvik{i:02d}.txt"
        path.write_text(_article(i), encoding="utf-8")
        paths.append(path)
    return paths


def _add(
    data: Path, files: list[Path], kill_at: tuple[int, float] | None
) -> tuple[list[dict], bool]:
    """Run the CLI add. `kill_at` (n, seconds): SIGKILL it that long after its n-th confirmed
    add, i.e. somewhere inside the next one. Returns (confirmed rows, whether it was killed)."""
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, "add", *map(str, files), "--json", "--data-dir", str(data)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    rows: list[dict] = []
    reached = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            rows.append(json.loads(line))
            if kill_at is not None and len(rows) >= kill_at[0]:
                reached.set()
        reached.set()  # the process ended first

    reader = threading.Thread(target=read)
    reader.start()
    killed = False
    if kill_at is not None:
        reached.wait(timeout=120)
        time.sleep(kill_at[1])
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed = True
    process.wait(timeout=120)
    reader.join()
    return rows, killed


def _check(data: Path, confirmed: set[str]) -> dict:
    """Everything confirmed is there and answerable; stores agree; files are sound."""
    with sqlite3.connect(data / "articles.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    library = Library(LibraryConfig(data), embedder=HashEmbedder())
    try:
        stats = library.stats()
        assert stats.passages == stats.vectors
        titles = [a.title for a in library.list(limit=1000)]
        assert len(titles) == len(set(titles)), "an article was stored twice"
        for source in confirmed:
            i = int(Path(source).stem.removeprefix("zorvik"))
            assert f"Zorvik{i} harbour report" in titles
            answer = library.ask(f"How many boats did the shipyard of Zorvik{i} build?")
            assert f"{100 + i} boats" in answer.quote
        return {"articles": stats.articles, "passages": stats.passages}
    finally:
        library.close()


def test_sigkill_during_add_loses_no_confirmed_article(tmp_path: Path) -> None:
    files = _write_articles(tmp_path / "articles")
    data = tmp_path / "data"
    rng = random.Random(int(os.environ.get("SOAK_SEED", "5")))
    confirmed: set[str] = set()
    kills = 0
    trials = []
    for _ in range(TRIALS):
        present = len(confirmed)
        kill_at = (present + rng.randrange(0, 8), rng.uniform(0.0, 0.15))
        rows, killed = _add(data, files, kill_at)
        kills += killed
        confirmed |= {r["source"] for r in rows if r["status"] in ("added", "exists")}
        assert all(r["status"] != "failed" for r in rows), rows
        state = _check(data, confirmed)
        trials.append(
            {
                "kill_after_confirmed": kill_at[0],
                "kill_delay_s": round(kill_at[1], 3),
                "killed": killed,
                "confirmed": len(rows),
                **state,
            }
        )
    rows, killed = _add(data, files, None)  # resume to the end
    assert not killed and len(rows) == ARTICLES
    assert all(r["status"] in ("added", "exists") for r in rows)
    final = _check(data, {r["source"] for r in rows})
    assert final["articles"] == ARTICLES
    assert kills == TRIALS, "a trial ended before its kill"
    out = os.environ.get("RELIABILITY_OUT")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        report = {"trials": trials, "kills": kills, "confirmed_before_final": len(confirmed)}
        (Path(out) / "sigkill_add.json").write_text(json.dumps(report, indent=1))
