"""The CLI's bad inputs (found in review, 2026-12-05): each gets one `articlebot: error:` line,
or the other sources go on, instead of a traceback."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from index import cli
from index.embedder import HashEmbedder
from tests.test_cli import ARTICLE, run


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "index.library.SentenceTransformerEmbedder", lambda name, **options: HashEmbedder()
    )


def _library(tmp_path: Path, capsys: pytest.CaptureFixture) -> list[str]:
    article = tmp_path / "bridge.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "data")]
    assert run(capsys, "add", str(article), *data)[0] == 0
    return data


def test_a_closed_stdin_is_one_error(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    data = _library(tmp_path, capsys)
    monkeypatch.setattr("sys.stdin", None)
    for argv in (["ask", *data], ["add", "-", *data]):
        code, _, err = run(capsys, *argv)
        assert code in (1, 2) and "stdin is closed" in err, err


def test_piped_questions_are_utf8_and_bounded(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    data = _library(tmp_path, capsys)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xffWhat does it cost?\n")))
    code, _, err = run(capsys, "ask", *data)
    assert code == 2 and err.startswith("articlebot: error:") and "UTF-8" in err
    endless = io.BytesIO(b"What does the bridge cost?\n" * 1_000_000)  # 27 MB, over the cap
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(endless))
    code, _, err = run(capsys, "ask", *data)
    assert code == 2 and err.startswith("articlebot: error:"), err


def test_sources_shown_are_one_to_ten(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    data = _library(tmp_path, capsys)
    for k in ("0", "-1", "11"):
        with pytest.raises(SystemExit):
            cli.main(["ask", "What does it cost?", "-k", k, *data], environ={})
    assert run(capsys, "ask", "What does it cost?", "-k", "1", *data)[0] == 0


def test_an_undecodable_argument_is_one_error(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    data = _library(tmp_path, capsys)
    code, _, err = run(capsys, "ask", "\udcffwhat?", *data)
    assert code == 2 and err.count("\n") == 1 and "not valid text" in err


def test_an_unreadable_source_fails_alone(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """An OSError reading one file (here EIO: /proc/self/mem) stopped the whole add."""
    unreadable = tmp_path / "mem.txt"
    unreadable.symlink_to("/proc/self/mem")
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "data")]
    code, out, err = run(capsys, "add", str(unreadable), str(good), *data)
    assert code == 1 and "added" in out and f"{unreadable}" in err


def test_feeds_remove_of_an_id_beyond_sqlite_is_not_found(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    data = ["--data-dir", str(tmp_path / "data")]
    run(capsys, "feeds", "list", *data)
    code, _, err = run(capsys, "feeds", "remove", str(2**70), *data)
    assert code == 2 and "there is no feed with id" in err


def test_a_backup_into_the_current_folder(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    data = _library(tmp_path, capsys)
    target = tmp_path / "backup"
    target.mkdir()
    monkeypatch.chdir(target)
    code, out, err = run(capsys, "backup", ".", *data)
    assert code == 0 and "backed up 1 articles" in out, err
    assert (target / "articles.db").is_file()


def test_models_dir_holds_the_exports_and_a_file_there_is_one_error(
    tmp_path: Path,
    capsys,  # noqa: ANN001
) -> None:
    data = _library(tmp_path, capsys)
    shared = os.environ["MODELS_DIR"]  # the run's one models folder (conftest)
    assert (
        cli.main(["ask", "What does the bridge cost?", *data], environ={"MODELS_DIR": shared}) == 0
    )
    assert list(Path(shared).glob("reader-*.onnx"))  # the reader's export is kept there
    assert not (tmp_path / "data" / "models").exists()  # and not beside the library
    a_file = tmp_path / "models.txt"
    a_file.write_text("x", encoding="utf-8")
    capsys.readouterr()
    code = cli.main(
        ["ask", "What does the bridge cost?", *data], environ={"MODELS_DIR": str(a_file)}
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("articlebot: error: MODELS_DIR") and "is a file" in err, err
