"""The `articlebot` command line's errors, with the fast fake embedder (test_cli.py's): hostile
pages, a bad port list, an endless stdin, a bad data dir, odd ids and empty questions, and backup
destinations that cannot work, each one `articlebot: error:` line (or one failed row) and never a
traceback."""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index import cli
from tests.conftest import SEED_DE
from tests.loopback import QuietHandler, base_url, serving
from tests.test_cli import (
    ARTICLE,
    fake_model,  # noqa: F401 - the autouse fixture
    run,
)


@pytest.fixture
def hostile_site() -> Iterator[str]:
    """A site on 127.0.0.1: /bomb is 50 MB of zeros as "gzip, gzip" (about 100 bytes on the wire),
    /idna an article served as charset=idna."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    inner = b"".join(packer.compress(bytes(1 << 20)) for _ in range(50)) + packer.flush()
    pages = {
        "/bomb": ("text/html", "gzip, gzip", gzip.compress(inner)),
        "/idna": ("text/plain; charset=idna", "", ARTICLE.encode()),
    }

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            content_type, coding, body = pages[self.path]
            self.send_body(
                body, content_type, headers={"Content-Encoding": coding} if coding else {}
            )

    with serving(Handler) as httpd:
        yield base_url(httpd)


def test_hostile_pages_are_one_line_each(tmp_path: Path, capsys, hostile_site: str) -> None:  # noqa: ANN001
    # Before: the bomb ended in a MemoryError traceback, charset=idna in a UnicodeError one.
    data = ["--data-dir", str(tmp_path / "d")]
    argv = ["add", f"{hostile_site}/bomb", f"{hostile_site}/idna", "--json", *data]
    code = cli.main(argv, environ={"ALLOW_PRIVATE_URLS": "1"})
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and err == ""
    assert [r["status"] for r in rows] == ["failed", "added"]
    assert rows[0]["error"] == "the page is larger than 5000000 bytes"
    assert rows[1]["title"] == "Bridge approved"


def test_a_bad_port_list_is_one_line(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code = cli.main(
        ["add", "https://example.com/", "--data-dir", str(tmp_path)],
        environ={"ALLOWED_URL_PORTS": "8080,https"},
    )
    err = capsys.readouterr().err
    assert code == 2
    assert (
        err == "articlebot: error: ALLOWED_URL_PORTS must be comma-separated port numbers "
        "(1-65535), not 'https'\n"
    )


class _Pipe(io.RawIOBase):
    """A pipe that never ends (as `yes | articlebot add -` would be); counts what was read."""

    def __init__(self, piece: bytes) -> None:
        self.piece = piece
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), len(self.piece))
        buffer[:size] = self.piece[:size]
        self.read_bytes += size
        return size


def test_stdin_is_read_with_the_20_mb_cap(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    # Before: sys.stdin.read() took everything (200 MB of zeros: 479 MB of memory, then refused;
    # an endless pipe: never returned).
    pipe = _Pipe(b"All work and no play makes Jack a dull boy.\n" * 1000)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(pipe)))
    code, out, err = run(capsys, "add", "-", "--data-dir", str(tmp_path / "d"))
    assert code == 1 and out == ""
    assert err == "articlebot: error: -: the text is larger than 20 MB\n"
    assert pipe.read_bytes <= 20 * 2**20 + 2 * 2**20  # the cap and a read-ahead, not more


def test_a_bad_data_dir_is_one_line(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    a_file = tmp_path / "file"
    a_file.write_text("x")
    for data_dir, message in (
        (a_file, f"the data dir {a_file} is a file, not a folder"),
        (a_file / "d", f"the data dir {a_file / 'd'} cannot be made: {a_file} is a file"),
    ):
        for command in (["stats"], ["ask", "why?"], ["add", str(SEED_DE)], ["list"]):
            code, out, err = run(capsys, *command, "--data-dir", str(data_dir))
            assert (code, out, err) == (2, "", f"articlebot: error: {message}\n"), command
    # Not writable. As root (CI) access() says yes to everything, so also a folder no one may
    # write in, root included: /sys refuses mkdir (EPERM), /proc (ENOENT).
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    for data_dir in ([] if os.geteuid() == 0 else [locked / "d", locked]) + [
        Path("/sys/articlebot-test"),
        Path("/proc/articlebot-test"),
    ]:
        code, out, err = run(capsys, "add", str(SEED_DE), "--data-dir", str(data_dir))
        assert code == 2 and out == "" and len(err.splitlines()) == 1, err
        assert err.startswith("articlebot: error: ") and str(data_dir) in err, err
        assert "Traceback" not in err


def test_odd_ids_and_empty_questions_are_one_line(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    data = ["--data-dir", str(tmp_path / "d")]
    run(capsys, "add", "-", *data, monkeypatch=monkeypatch, stdin=ARTICLE)  # a library to ask
    for article_id in ("99999999999999999999999", "0", "-5", "9223372036854775808"):
        code, out, err = run(capsys, "delete", *data, "--", article_id)
        assert (code, out) == (2, ""), article_id
        assert err == f"articlebot: error: there is no article with id {int(article_id)}\n"
    # Before: `ask ""` printed nothing and exited 0.
    for question in ("", "   "):
        code, out, err = run(capsys, "ask", question, *data)
        assert (code, out, err) == (2, "", "articlebot: error: the question is empty\n")
    code, out, err = run(capsys, "ask", "Why " * 300 + "?", *data)
    assert (code, out) == (2, "")
    assert err == (
        "articlebot: error: the question is too long: 1,201 characters, at most 1,000; "
        "ask it in fewer words\n"
    )
    code, out, err = run(capsys, "ask", *data, monkeypatch=monkeypatch, stdin="\n  \n")
    assert (code, out) == (2, "")
    assert (
        err == "articlebot: error: no question: give one as an argument or one per line on stdin\n"
    )


def test_backup_destinations_that_cannot_work_are_one_line(
    tmp_path: Path, capsys, monkeypatch
) -> None:  # noqa: ANN001, E501
    data_dir = tmp_path / "d"
    data = ["--data-dir", str(data_dir)]
    run(capsys, "add", "-", *data, monkeypatch=monkeypatch, stdin=ARTICLE)
    target = tmp_path / "target"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    cases = {
        tmp_path / "link": "is a symbolic link",
        tmp_path / "dangling": "is a symbolic link",
        a_file / "copy": f"{a_file} is a file",
        a_file: "already exists and is not an empty folder",
        data_dir / "index" / "gen-999999": "is inside the data dir",
        data_dir / "backup": "is inside the data dir",
        Path("/sys/articlebot-backup"): "cannot write the backup to /sys/articlebot-backup",
    }
    for destination, words in cases.items():
        code, out, err = run(capsys, "backup", str(destination), *data)
        assert (code, out) == (2, ""), destination
        assert err.startswith("articlebot: error: ") and words in err, err
        assert len(err.splitlines()) == 1
    assert not (tmp_path / "nowhere").exists() and list(target.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "dangling", "file", "link", "target"]
    # The library is as it was and a good destination still works.
    code, out, _ = run(capsys, "backup", str(tmp_path / "good"), *data)
    assert code == 0 and "backed up 1 articles" in out
