"""Settings.from_env: defaults, parsing, clear errors, and .env.example listing every variable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.settings import DEFAULT_API_URL, ENV_VARS, Settings, SettingsError
from index.embedder import DEFAULT_BACKEND, DEFAULT_MODEL
from index.errors import ArticleBotError

REPO = Path(__file__).resolve().parents[1]
TOKEN = "123456789:AAH-secret_value_for_settings_test_00"


def test_defaults_from_an_empty_environment() -> None:
    settings = Settings.from_env({})
    assert settings.token is None
    assert settings.api_url == DEFAULT_API_URL
    assert settings.admin_ids == frozenset()
    assert settings.data_dir == Path("data")
    assert settings.embedding_model == DEFAULT_MODEL
    assert settings.embedding_backend == DEFAULT_BACKEND == "onnx"
    assert settings.allow_private_urls is False
    assert settings.url_ports == frozenset()
    assert settings.embedding_int8 is True
    assert settings.log_level == "INFO"
    assert settings.questions_per_minute == 10
    assert settings.answer_sources == 3


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": f" {TOKEN} ",
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot/",
            "ADMIN_USER_IDS": "42, 7 ,1000",
            "DATA_DIR": "/srv/articles",
            "EMBEDDING_MODEL": "some/model",
            "EMBEDDING_BACKEND": " Torch ",
            "EMBEDDING_INT8": "off",
            "ALLOW_PRIVATE_URLS": "yes",
            "ALLOWED_URL_PORTS": "8080, 8443",
            "LOG_LEVEL": "debug",
            "QUESTIONS_PER_MINUTE": "0",
            "ACTIONS_PER_MINUTE": "7",
            "FLOOD_RETRIES": "5",
            "ANSWER_SOURCES": "2",
        }
    )
    assert settings.token == TOKEN
    assert settings.api_url == "http://127.0.0.1:8081"  # a pasted "/bot" suffix is dropped
    assert settings.admin_ids == frozenset({42, 7, 1000})
    assert settings.data_dir == Path("/srv/articles")
    assert settings.embedding_model == "some/model"
    assert settings.embedding_backend == "torch"
    assert settings.embedding_int8 is False
    assert settings.allow_private_urls is True
    assert settings.log_level == "DEBUG"
    assert settings.questions_per_minute == 0
    assert settings.actions_per_minute == 7
    assert settings.flood_retries == 5
    assert settings.answer_sources == 2
    config = settings.library_config()
    assert (
        config.data_dir,
        config.model,
        config.embedding_backend,
        config.int8_adding,
        config.allow_private_urls,
        config.url_ports,
    ) == (Path("/srv/articles"), "some/model", "torch", False, True, frozenset({8080, 8443}))


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("ADMIN_USER_IDS", "42,@alice", "ADMIN_USER_IDS"),
        ("ADMIN_USER_IDS", "-100123", "ADMIN_USER_IDS"),
        ("ALLOW_PRIVATE_URLS", "maybe", "ALLOW_PRIVATE_URLS"),
        ("ALLOWED_URL_PORTS", "8080,http", "ALLOWED_URL_PORTS"),
        ("ALLOWED_URL_PORTS", "70000", "ALLOWED_URL_PORTS"),
        ("EMBEDDING_INT8", "sometimes", "EMBEDDING_INT8"),
        ("EMBEDDING_BACKEND", "tensorflow", "EMBEDDING_BACKEND must be onnx or torch"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("QUESTIONS_PER_MINUTE", "ten", "QUESTIONS_PER_MINUTE"),
        ("FLOOD_RETRIES", "-1", "FLOOD_RETRIES"),
        ("TELEGRAM_API_URL", "ftp://example.org", "TELEGRAM_API_URL"),
        # Before: "http://[::1" raised ValueError (a traceback); the others passed and failed
        # later inside every request, after 110 log lines.
        ("TELEGRAM_API_URL", "http://[::1", "TELEGRAM_API_URL"),
        ("TELEGRAM_API_URL", "http://exa mple.org", "TELEGRAM_API_URL"),
        ("TELEGRAM_API_URL", "http://example.org:99999", "TELEGRAM_API_URL"),
        ("TELEGRAM_API_URL", "http://:80", "TELEGRAM_API_URL"),
        ("TELEGRAM_API_URL", "https://", "TELEGRAM_API_URL"),
        ("TELEGRAM_API_URL", "http://host:0", "TELEGRAM_API_URL"),
        ("TELEGRAM_API_URL", "http://host?x=1", "TELEGRAM_API_URL"),
        ("ACTIONS_PER_MINUTE", "many", "ACTIONS_PER_MINUTE"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings.from_env({name: value})


def test_a_malformed_token_is_refused_without_echoing_it() -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "not a token but maybe a secret"})
    assert "maybe a secret" not in str(info.value)
    assert isinstance(info.value, ArticleBotError)  # the CLI prints it as one line


def test_the_token_is_not_in_repr() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)
    assert "secret" not in repr(settings)


def test_models_dir_is_where_the_library_keeps_its_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MODELS_DIR")  # the test run's own (conftest)
    assert Settings.from_env({"DATA_DIR": "a"}).library_config().models_dir == Path("a/models")
    chosen = Settings.from_env({"DATA_DIR": "a", "MODELS_DIR": str(tmp_path / "m")})
    assert chosen.library_config().models_dir == tmp_path / "m"
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(ArticleBotError, match="MODELS_DIR .* is a file"):
        Settings.from_env({"MODELS_DIR": str(tmp_path / "f")}).library_config()


def test_with_data_dir() -> None:
    settings = Settings.from_env({"DATA_DIR": "a"}).with_data_dir(Path("b"))
    assert settings.data_dir == Path("b")


def test_env_example_documents_every_setting() -> None:
    lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert sorted(values) == sorted(ENV_VARS)
    for name in values:  # each one has a comment right above it
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}="))
        assert lines[index - 1].startswith("#"), name
    assert Settings.from_env(values) == Settings.from_env({})  # the example shows the defaults


def test_the_env_file_and_the_data_dir_are_git_ignored() -> None:
    """A filled-in .env holds the token; data/ holds what admins added: neither may be committed."""
    for path in (".env", "data/articles.db", "reliability/x.json"):
        checked = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO, check=False)
        assert checked.returncode == 0, f"{path} is not git-ignored"
    checked = subprocess.run(["git", "check-ignore", "-q", ".env.example"], cwd=REPO, check=False)
    assert checked.returncode == 1  # the example is committed
