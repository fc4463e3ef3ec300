"""`articlebot feeds add|list|remove|poll`, the settings they read, feeds in backups, and the
CLI's output for agency copies and publication dates."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from index import cli
from index.embedder import HashEmbedder
from index.feedstore import FeedStore
from tests.conftest import SEED_DE
from tests.conftest_news_site import NewsSite, news_site  # noqa: F401 - the `site` fixture

ENV = {"ALLOW_PRIVATE_URLS": "1", "FEED_BACKFILL": "2"}


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "index.library.SentenceTransformerEmbedder", lambda name, **options: HashEmbedder()
    )


def run(capsys: pytest.CaptureFixture, *argv: str, env: dict | None = None) -> tuple[int, str, str]:
    environ = {**ENV, "MODELS_DIR": os.environ["MODELS_DIR"]} if env is None else env
    code = cli.main(list(argv), environ=environ)
    out, err = capsys.readouterr()
    return code, out, err


def test_subscribe_poll_list_remove(
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
    site: NewsSite,
) -> None:
    data = ["--data-dir", str(tmp_path / "d")]
    code, out, _ = run(capsys, "feeds", "add", f"{site.base}/", *data)  # the page names it
    assert code == 0 and out.startswith(f"subscribed #1 Coast Times (Atom) {site.base}/atom.xml")
    code, out, _ = run(capsys, "feeds", "add", f"{site.base}/atom.xml", *data)
    assert out.startswith("already subscribed #1")
    code, out, _ = run(capsys, "feeds", "poll", *data)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("feed #1 Coast Times (Atom): 2 new, 0 already")
    assert [x.split()[0] for x in lines[1:]] == ["added", "added"]
    fetched = site.count("/atom.xml")
    code, out, _ = run(capsys, "feeds", "poll", *data)  # nothing due: nothing fetched
    assert code == 0 and out == "" and site.count("/atom.xml") == fetched
    code, out, _ = run(capsys, "feeds", "list", "--json", *data)
    [row] = [json.loads(x) for x in out.splitlines()]
    assert row["articles_added"] == 2 and row["paused"] is False and row["last_error"] is None
    code, out, _ = run(capsys, "list", *data)
    assert all("\t2025-11-20\t" in x for x in out.splitlines())  # the feed's dates
    # The subscriptions are part of a backup.
    code, _, _ = run(capsys, "backup", str(tmp_path / "copy"), *data)
    restored = FeedStore(tmp_path / "copy" / "feeds.db")
    assert [f.url for f in restored.list()] == [f"{site.base}/atom.xml"]
    assert restored.list()[0].etag  # its state too: the next poll is conditional
    restored.close()
    code, out, _ = run(capsys, "feeds", "remove", "1", *data)
    assert out.startswith("unsubscribed #1")
    code, _, err = run(capsys, "feeds", "remove", "1", *data)
    assert code == 2 and err == "articlebot: error: there is no feed with id 1\n"


def test_a_failing_feed_is_reported(
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
    site: NewsSite,
) -> None:
    data = ["--data-dir", str(tmp_path / "d")]
    run(capsys, "feeds", "add", f"{site.base}/rss.xml", *data)
    site.failing = True
    code, out, _ = run(capsys, "feeds", "poll", "--json", *data)
    [row] = [json.loads(x) for x in out.splitlines()]
    assert code == 1 and row["status"] == "failed" and "HTTP 500" in row["error"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("FEED_BACKFILL", "x"), ("FEED_INTERVAL_MINUTES", "0"), ("TIMEZONE", "Mars/Olympus")],
)
def test_bad_feed_settings_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, name: str, value: str
) -> None:
    code, _, err = run(
        capsys, "feeds", "list", "--data-dir", str(tmp_path / "d"), env={name: value}
    )
    assert code == 2 and err.count("\n") == 1 and name in err


def test_an_agency_copy_in_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = ["--data-dir", str(tmp_path / "d")]
    seed = SEED_DE.read_text(encoding="utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_text(seed + "\nMehr Nachrichten aus der Region lesen Sie hier.\n")
    run(capsys, "add", str(SEED_DE), *data)
    code, out, _ = run(capsys, "add", str(copy), *data)
    assert code == 0 and out.startswith("near-duplicate of #1 ")
    assert "% similar), recorded as another source" in out
    code, out, _ = run(capsys, "list", *data)
    [line] = out.splitlines()
    assert line.endswith("+1 copies") and "\tadded " in line  # no date of its own: said so
    code, out, _ = run(capsys, "ask", "Womit könnte Trump Kim locken?", "--json", *data)
    [source] = json.loads(out)["sources"]
    assert source["published_from"] == "added"
    [outlet] = source["also_published_by"]  # no outlet, no address: its title, shortened
    assert outlet.startswith("Der Präsident") and len(outlet) <= 60
