"""The CLI's robustness (found in review, 2026-12-06): a mistyped data dir, a closed stdout
pipe, a malformed QDRANT_URL and a large `list`, each one clear line or quiet, never a
traceback or a library made by mistake."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from index import cli, cli_commands
from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from index.storage import StorageConfig
from index.store import Store
from tests.test_cli import ARTICLE, run

TOKEN = "123456:" + "A" * 35
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "index.library.SentenceTransformerEmbedder", lambda name, **options: HashEmbedder()
    )


def _articles(library: Library, count: int) -> None:
    """`count` distinct short articles (the fake embedder: about 5 ms each)."""
    rng = random.Random(7)
    words = ["river", "city", "road", "money", "plan", "mayor", "tower", "park", "train"]
    for n in range(count):
        text = (
            f"Bridge number {n} opens\n\nThe council approved bridge number {n} on Monday. "
            + " ".join(rng.choice(words) for _ in range(12))
            + f" cost {n * 7 + 3} million euros."
        )
        library.add_bytes(text.encode(), ".txt", added_by="cli")


# -- 1. a mistyped data dir ------------------------------------------------------------------

READ_ONLY = (
    ["ask", "What does the bridge cost?"],
    ["list"],
    ["stats"],
    ["stats", "--json"],
    ["delete", "1"],
    ["rebuild"],
    ["analyze"],
    ["feeds", "list"],
    ["feeds", "remove", "1"],
    ["feeds", "poll"],
)


def test_reading_a_missing_library_is_one_line_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Before: each of these made an empty library at the mistyped path and answered from it."""
    typo = tmp_path / "dta" / "library"
    questions = tmp_path / "questions.csv"
    questions.write_text("question,answer\nWhat does it cost?,40 million\n", encoding="utf-8")
    backup = tmp_path / "copy"
    commands = [*READ_ONLY, ["backup", str(backup)], ["eval", str(questions)]]
    for command in commands:
        code, out, err = run(capsys, *command, "--data-dir", str(typo))
        assert (code, out) == (2, ""), command
        assert err == (
            f"articlebot: error: no library at {typo} (nothing has been added there; "
            "check --data-dir / DATA_DIR)\n"
        ), command
    assert not (tmp_path / "dta").exists() and not backup.exists()
    # DATA_DIR the same; and an existing folder without a library is left as it was.
    empty = tmp_path / "empty"
    empty.mkdir()
    for environ in ({"DATA_DIR": str(typo)}, {"DATA_DIR": str(empty)}):
        assert cli.main(["list"], environ=environ) == 2
        assert "no library at" in capsys.readouterr().err
    assert not (tmp_path / "dta").exists() and list(empty.iterdir()) == []


def test_writing_commands_still_make_the_library(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    article = tmp_path / "bridge.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "new" / "data")]
    assert run(capsys, "add", str(article), *data)[0] == 0
    code, out, _ = run(capsys, "list", *data)
    assert code == 0 and "Bridge approved" in out
    assert run(capsys, "stats", *data)[0] == 0
    # The bot makes its data dir itself (bot.services builds the Library), as before.
    fresh = tmp_path / "bot-data"
    Library(LibraryConfig(data_dir=fresh), embedder=HashEmbedder())
    assert fresh.is_dir()


# -- 2. a closed stdout pipe -----------------------------------------------------------------

DRIVER = textwrap.dedent(
    """
    import sys
    from types import SimpleNamespace
    from index import cli, cli_commands

    ROWS = [
        SimpleNamespace(
            id=n, language="en", passages=3, published="2026-01-01",
            published_from="text", copies=0, title=f"Article {n}", url=None,
        )
        for n in range(100_000)
    ]

    class Many:  # a library listing far more than a pipe holds
        def list(self, offset, limit):
            return ROWS[offset : offset + limit]

        def iter_articles(self, page):
            return iter(ROWS)

    cli_commands.open_library = lambda *a, **k: Many()
    sys.exit(cli.main(["list"], environ={}))
    """
)


def test_a_closed_stdout_pipe_is_quiet() -> None:
    """Before: `articlebot list | head -1` printed 'Exception ignored ... BrokenPipeError'."""
    child = subprocess.Popen(
        [sys.executable, "-c", DRIVER],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().startswith(b"#0\t")
    child.stdout.close()
    err = child.stderr.read().decode()
    code = child.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception" not in err, err
    assert err == "" and code == 141


# -- 3. a malformed QDRANT_URL ---------------------------------------------------------------

BAD_URLS = ("http://[::1", "qdrant:abc", ":::", "http://qdrant:abc", "http://qdrant:99999")


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_qdrant_url_is_one_line(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Before: a LocationParseError or ValueError traceback from inside qdrant-client."""
    environ = {"STORAGE_BACKEND": "qdrant", "QDRANT_URL": url}
    code = cli.main(["stats", "--data-dir", str(tmp_path)], environ=environ)
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith("articlebot: error: QDRANT_URL ") and repr(url) in err, err
    with pytest.raises(SettingsError, match="^QDRANT_URL ") as caught:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **environ})
    assert repr(url) in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://localhost:6333", "https://x.cloud.qdrant.io", "localhost:6333", "http://q/p"]
)
def test_good_qdrant_urls_pass(url: str) -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "QDRANT_URL": url})
    assert settings.storage.qdrant_url == url


# -- 4. `list` of a large library ------------------------------------------------------------


def test_list_reads_the_store_in_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: one query for up to 1,000,000 rows, all held in memory before the first line."""
    data_dir = tmp_path / "data"
    library = Library(LibraryConfig(data_dir=data_dir), embedder=HashEmbedder())
    _articles(library, 250)
    every = library.list(0, 1000)
    assert len(every) == 250
    code, expected, _ = run(capsys, "list", "--data-dir", str(data_dir))  # one page
    assert code == 0 and [int(x.split("\t")[0][1:]) for x in expected.splitlines()] == [
        a.id for a in every
    ]
    limits: list[int] = []
    articles_before = Store.articles_before

    def counted(self: Store, before: int | None, limit: int) -> list:  # noqa: ANN001
        limits.append(limit)
        return articles_before(self, before, limit)

    monkeypatch.setattr(Store, "articles_before", counted)
    monkeypatch.setattr(Store, "list_articles", None)  # not the one large query
    monkeypatch.setattr(cli_commands, "LIST_PAGE", 7)
    code, out, err = run(capsys, "list", "--data-dir", str(data_dir))
    assert (code, err) == (0, "") and out == expected
    assert out.splitlines()[0].startswith(f"#{every[0].id}\t")  # newest first, as before
    assert max(limits) == 7 and len(limits) == 250 // 7 + 1


def test_qdrant_lists_in_pages_too(tmp_path: Path) -> None:
    """The same pages from the Qdrant backend (its local mode standing in for a server)."""
    storage = StorageConfig(backend="qdrant", qdrant_path=tmp_path / "q", qdrant_collection="t")
    library = Library(
        LibraryConfig(data_dir=tmp_path / "data", storage=storage), embedder=HashEmbedder()
    )
    _articles(library, 12)
    pages = list(library.backend.iter_articles(5))
    assert [len(page) for page in pages] == [5, 5, 2]
    assert [a.id for page in pages for a in page] == [a.id for a in library.list(0, 100)]
    assert [a.id for a in library.iter_articles(3)] == [a.id for a in library.list(0, 100)]
