"""The `articlebot` command line, with the fast fake embedder."""

from __future__ import annotations

import gzip
import io
import json
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv), environ={})
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
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert "binary" in lines[0]
    assert "file" in lines[1] or "scheme" in lines[1]
    assert "127.0.0.1" in lines[2] or "private" in lines[2] or "not allowed" in lines[2]
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
