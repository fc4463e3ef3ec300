"""The command line's settings: what `articlebot` reads from the environment, and the library
it opens in the data dir (settings are read here and in bot/settings.py only)."""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from .errors import BadInput
from .paths import check_data_dir, describe, models_folder

MAX_ID = 2**63 - 1  # SQLite's largest INTEGER
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def backend(environ: Mapping[str, str]) -> str:
    from .embedder import BACKENDS, DEFAULT_BACKEND

    raw = (environ.get("EMBEDDING_BACKEND") or "").strip()
    value = raw.lower() or DEFAULT_BACKEND
    if value not in BACKENDS:
        raise BadInput(f"EMBEDDING_BACKEND must be onnx or torch, not {raw!r}")
    return value


def flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise BadInput(f"{name} must be 1/0, true/false, yes/no or on/off, not {raw!r}")


def ports(environ: Mapping[str, str]) -> frozenset[int]:
    from .addresses import parse_ports

    try:
        return parse_ports(environ.get("ALLOWED_URL_PORTS") or "")
    except ValueError as exc:
        raise BadInput(f"ALLOWED_URL_PORTS {exc}") from None


def answer_config(environ: Mapping[str, str]):  # noqa: ANN201 - index.answer.AnswerConfig
    """Answer selection's settings: the reader (index.reader) unless READER=0."""
    from .answer import product_config

    return product_config(flag(environ, "READER", True))


def data_dir_of(args: argparse.Namespace, environ: Mapping[str, str]) -> Path:
    return Path(args.data_dir or environ.get("DATA_DIR") or "data")


def models_dir_of(args: argparse.Namespace, environ: Mapping[str, str]) -> Path:
    """Where the ONNX exports are kept: MODELS_DIR, else beside the library (models_folder)."""
    return models_folder(data_dir_of(args, environ), environ.get("MODELS_DIR") or "")


def open_library(  # noqa: ANN202 - index.library.Library, imported lazily
    args: argparse.Namespace,
    environ: Mapping[str, str],
    *,
    write: bool = True,
    create: bool = False,
):
    """The library in the data dir; `write`: the command will write to it; `create`: it may
    make a new library there (only `add` and `feeds add`: any other command given a mistyped
    --data-dir would otherwise leave an empty library behind and answer from it)."""
    from .cli_feeds import timezone_setting
    from .embedder import DEFAULT_MODEL
    from .library import Library, LibraryConfig
    from .storage import library_exists, storage_config

    data_dir = data_dir_of(args, environ)
    check_data_dir(data_dir, write=write)
    config = LibraryConfig(
        data_dir=data_dir,
        model=environ.get("EMBEDDING_MODEL") or DEFAULT_MODEL,
        embedding_backend=backend(environ),
        int8_adding=flag(environ, "EMBEDDING_INT8", True),
        models_dir=models_dir_of(args, environ),
        answer=answer_config(environ),
        allow_private_urls=flag(environ, "ALLOW_PRIVATE_URLS", False),
        url_ports=ports(environ),
        storage=storage_config(environ),
        timezone=timezone_setting(environ),
    )
    if not create and not library_exists(data_dir, config.storage):
        raise BadInput(
            f"no library at {data_dir} (nothing has been added there; check --data-dir / DATA_DIR)"
        )
    try:
        return Library(config)
    except (OSError, sqlite3.Error) as exc:
        raise BadInput(f"cannot open the library in {data_dir}: {describe(exc)}") from None
