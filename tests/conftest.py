"""Shared fixtures: no network but loopback, no model hub, the real bundled model shared per run."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "datasets"
SEED_DE = SHARED / "seed" / "article-de.txt"
XQUAD = SHARED / "xquad"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
        if host in ("localhost",):
            return True
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        return ip.is_loopback or (getattr(ip, "ipv4_mapped", None) or ip).is_loopback
    return isinstance(address, str | bytes)  # AF_UNIX paths are local


def _guard(real):  # noqa: ANN001, ANN202
    def connect(self: socket.socket, address: object):  # noqa: ANN202
        if not _is_loopback(address):
            raise OSError(f"tests may not reach the network ({address!r})")
        return real(self, address)

    return connect


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback address fails the test that makes it."""
    monkeypatch.setattr(socket.socket, "connect", _guard(_real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guard(_real_connect_ex))


@pytest.fixture(scope="session", autouse=True)
def _one_models_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """MODELS_DIR for the whole run: every library the command line or the bot opens, here and
    in the processes the tests start (they inherit it), shares one folder of ONNX exports.
    Each new data dir would otherwise export the reader and the second look again: 86 MB and
    several seconds each, about 3 GB of disk in one run. Tests of where exports go unset it."""
    previous = os.environ.get("MODELS_DIR")
    os.environ["MODELS_DIR"] = str(tmp_path_factory.mktemp("models-shared"))
    yield
    if previous is None:
        os.environ.pop("MODELS_DIR", None)
    else:
        os.environ["MODELS_DIR"] = previous


@pytest.fixture(autouse=True)
def _libraries_share_the_models_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The libraries and bots made in this process read MODELS_DIR as the command line and the
    bot read it from their environment (they are given settings, not the environment)."""
    from bot import settings
    from index import library, paths

    def models_folder(data_dir: Path, chosen: str = "") -> Path:
        return paths.models_folder(data_dir, chosen or os.environ.get("MODELS_DIR", ""))

    monkeypatch.setattr(library, "models_folder", models_folder)
    monkeypatch.setattr(settings, "models_folder", models_folder)


@pytest.fixture(scope="session")
def real_embedder():  # noqa: ANN201
    """The bundled all-MiniLM-L6-v2, loaded once per test run."""
    from index.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.encode(["warm up"])
    return embedder


@pytest.fixture(scope="session")
def product_embedder(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The bundled model as the CLI and the bot run it: its ONNX export kept in a models folder
    and text being added through the export's int8 copy (EMBEDDING_INT8's default), so that the
    quality floors hold for the vectors users get (the full model's differ by rounding, and
    answers on the news set with them)."""
    from index.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(
        cache_dir=tmp_path_factory.mktemp("models"), quantize_documents=True
    )
    embedder.encode_documents(["warm up"])
    assert embedder.documents_backend == "onnx-int8"
    return embedder


@pytest.fixture
def hash_library(tmp_path: Path) -> Iterator:
    """A library with the fast fake embedder, for unit tests."""
    from index.embedder import HashEmbedder
    from index.library import Library, LibraryConfig

    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    yield library
    library.close()
