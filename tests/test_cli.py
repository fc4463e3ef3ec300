"""The `articlebot` command line, with the fast fake embedder."""

from __future__ import annotations

import gzip
import io
import json
import os
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from index import cli
from index.embedder import HashEmbedder
from tests.conftest import SEED_DE

ARTICLE = "Bridge approved\n\nThe council approved a new bridge. It will cost 40 million euros."


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "index.library.SentenceTransformerEmbedder", lambda name, **options: HashEmbedder()
    )


def run(
    capsys: pytest.CaptureFixture,
    *argv: str,
    stdin: str = "",
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    if monkeypatch is not None:  # a real stdin has bytes underneath (sys.stdin.buffer)
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    code = cli.main(list(argv), environ={"MODELS_DIR": os.environ["MODELS_DIR"]})
    out, err = capsys.readouterr()
    return code, out, err


def test_add_ask_list_stats_delete(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    data = ["--data-dir", str(tmp_path / "d")]
    article = tmp_path / "bridge.txt"
    article.write_text(ARTICLE)
    code, out, _ = run(
        capsys, "add", str(article), str(SEED_DE), str(tmp_path / "nope.txt"), "--json", *data
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1  # one source failed
    assert [r["status"] for r in rows] == ["added", "added", "failed"]
    assert rows[0]["title"] == "Bridge approved" and rows[1]["language"] == "de"
    assert "no such file" in rows[2]["error"]

    code, out, _ = run(capsys, "add", str(article), *data)
    assert code == 0 and out.startswith("exists")

    code, out, _ = run(capsys, "ask", "How much will the bridge cost?", "--json", *data)
    answer = json.loads(out)
    assert code == 0 and not answer["abstained"]
    assert "40 million euros" in answer["answer"]
    assert answer["sources"][0]["title"] == "Bridge approved"

    code, out, _ = run(
        capsys,
        "ask",
        "--json",
        *data,
        monkeypatch=monkeypatch,
        stdin="What will the bridge cost?\n\nWann trafen sie sich?\n",
    )
    assert [json.loads(line)["question"] for line in out.splitlines()] == [
        "What will the bridge cost?",
        "Wann trafen sie sich?",
    ]

    code, out, _ = run(capsys, "stats", "--json", *data)
    stats = json.loads(out)
    assert stats["articles"] == 2 and stats["passages"] == stats["vectors"] > 0
    assert stats["model"] == "hash-64"

    code, out, _ = run(capsys, "list", *data)
    assert code == 0 and len(out.splitlines()) == 2

    code, out, _ = run(capsys, "delete", str(rows[0]["article_id"]), *data)
    assert code == 0 and "Bridge approved" in out
    code, out, err = run(capsys, "delete", "999", *data)
    assert code == 2 and err.strip() == "articlebot: error: there is no article with id 999"

    code, out, _ = run(capsys, "rebuild", *data)
    assert code == 0 and "rebuilt" in out


def test_stdin_and_bad_sources(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    data = ["--data-dir", str(tmp_path / "d")]
    code, out, _ = run(capsys, "add", "-", "--json", *data, monkeypatch=monkeypatch, stdin=ARTICLE)
    assert code == 0 and json.loads(out)["status"] == "added"
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    code, out, err = run(
        capsys, "add", str(binary), "file:///etc/passwd", "http://127.0.0.1/", *data
    )
    assert code == 1
    # One convention (README): every failure is one "articlebot: error:" line, naming the source.
    assert err.splitlines() == [
        f"articlebot: error: {binary}: this looks like binary data, not text",
        "articlebot: error: file:///etc/passwd: only http:// and https:// links can be fetched",
        "articlebot: error: http://127.0.0.1/: links to local or private addresses are not allowed",
    ]
    code, out, _ = run(capsys, "stats", "--json", *data)
    assert json.loads(out)["articles"] == 1


def test_eval_missing_file(capsys) -> None:  # noqa: ANN001
    code, _, err = run(capsys, "eval", "/nonexistent.json")
    assert code == 2 and "no such file" in err


def test_piped_questions_are_answered_in_order(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    data = ["--data-dir", str(tmp_path / "d")]
    code, _, _ = run(capsys, "add", "-", *data, monkeypatch=monkeypatch, stdin=ARTICLE)
    assert code == 0
    piped = "What will the bridge cost?\n\n   \nWho approved the bridge?\n"
    code, out, _ = run(capsys, "ask", "--json", *data, monkeypatch=monkeypatch, stdin=piped)
    answers = [json.loads(line) for line in out.strip().splitlines()]
    assert code == 0
    assert [a["question"] for a in answers] == [
        "What will the bridge cost?",
        "Who approved the bridge?",
    ]
    assert "40 million euros" in answers[0]["answer"]


def test_piped_questions_are_embedded_a_batch_at_a_time(
    tmp_path: Path, capsys, monkeypatch
) -> None:  # noqa: ANN001
    """Many piped questions: embedded ASK_BATCH at a time (20 MB of them had asked for a
    10 GiB matrix at once), all of them checked before the first is answered."""
    from index import asking
    from index.embedder import HashEmbedder

    data = ["--data-dir", str(tmp_path / "d")]
    run(capsys, "add", "-", *data, monkeypatch=monkeypatch, stdin=ARTICLE)
    batches: list[int] = []
    encode = HashEmbedder.encode
    monkeypatch.setattr(
        HashEmbedder, "encode", lambda s, texts: batches.append(len(texts)) or encode(s, texts)
    )
    monkeypatch.setattr(asking, "ASK_BATCH", 2)
    piped = "".join(f"What will the bridge cost? ({n})\n" for n in range(5))
    code, out, _ = run(capsys, "ask", "--json", *data, monkeypatch=monkeypatch, stdin=piped)
    assert code == 0 and len(out.strip().splitlines()) == 5
    assert max(batches) <= 2 and sum(batches) >= 5
    too_long = piped + "x" * 1001 + "\n"  # the sixth: said before any answer
    code, out, err = run(capsys, "ask", *data, monkeypatch=monkeypatch, stdin=too_long)
    assert code == 2 and out == "" and "question 6 is too long" in err


def test_backup_command(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    data = ["--data-dir", str(tmp_path / "d")]
    run(capsys, "add", "-", *data, monkeypatch=monkeypatch, stdin=ARTICLE)
    code, out, _ = run(capsys, "backup", str(tmp_path / "copy"), *data)
    assert code == 0 and "backed up 1 articles" in out
    code, out, _ = run(capsys, "stats", "--json", "--data-dir", str(tmp_path / "copy"))
    assert json.loads(out)["articles"] == 1
    code, _, err = run(capsys, "backup", str(tmp_path / "copy"), *data)
    assert code == 2 and "not an empty folder" in err


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

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            content_type, coding, body = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            if coding:
                self.send_header("Content-Encoding", coding)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


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
