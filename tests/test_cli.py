"""The `articlebot` command line, with the fast fake embedder: add, ask (piped questions too),
stats, list, delete, rebuild, eval and backup. Its errors are in test_cli_errors.py."""

from __future__ import annotations

import io
import json
import os
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
