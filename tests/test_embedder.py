"""The embedder's backends: ONNX Runtime gives torch's vectors, its export is made once and kept,
a bad backend is refused, and an export failure falls back to torch."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from index import cli
from index import embedder as embedder_module
from index.embedder import SentenceTransformerEmbedder
from index.library import Library, LibraryConfig
from tests.conftest import SEED_DE

TEXTS = [
    "Who won the election in 2016?",
    "Womit könnte Trump Kim an den Verhandlungstisch locken?",
    "The council approved a new bridge. It will cost 40 million euros and open in 2027. " * 12,
    "x",
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx_embedder(cache_dir: Path) -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder(backend="onnx", cache_dir=cache_dir)
    embedder.encode(["warm up"])
    return embedder


@pytest.fixture(scope="module")
def torch_embedder() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder(backend="torch")
    embedder.encode(["warm up"])
    return embedder


def test_a_bad_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="onnx or torch"):
        SentenceTransformerEmbedder(backend="tensorflow")


def test_the_cli_names_a_bad_backend_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code = cli.main(["stats", "--data-dir", str(tmp_path)], environ={"EMBEDDING_BACKEND": "gpu"})
    err = capsys.readouterr().err
    assert code == 2
    assert err == "articlebot: error: EMBEDDING_BACKEND must be onnx or torch, not 'gpu'\n"


@pytest.mark.model
def test_onnx_and_torch_give_the_same_vectors(
    onnx_embedder: SentenceTransformerEmbedder, torch_embedder: SentenceTransformerEmbedder
) -> None:
    assert onnx_embedder.loaded_backend == "onnx"
    assert torch_embedder.loaded_backend == "torch"
    assert onnx_embedder.dimension == torch_embedder.dimension == 384
    assert onnx_embedder.max_tokens == torch_embedder.max_tokens
    a, b = onnx_embedder.encode(TEXTS), torch_embedder.encode(TEXTS)
    assert a.dtype == np.float32 and a.shape == b.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.999
    assert onnx_embedder.count_tokens(TEXTS) == torch_embedder.count_tokens(TEXTS)


@pytest.mark.model
def test_the_export_is_made_once_and_reused(
    onnx_embedder: SentenceTransformerEmbedder,
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exported = list(cache_dir.glob("*/onnx/model.onnx"))
    assert len(exported) == 1, "one export, in DATA_DIR/models/<model>-<digest>/onnx/"
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".")]  # no temp dirs left
    mtime = exported[0].stat().st_mtime_ns

    def no_export(*args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(embedder_module, "_export_onnx", no_export)
    again = SentenceTransformerEmbedder(backend="onnx", cache_dir=cache_dir)
    vectors = again.encode(TEXTS)
    assert again.loaded_backend == "onnx"
    assert exported[0].stat().st_mtime_ns == mtime
    assert np.allclose(vectors, onnx_embedder.encode(TEXTS), atol=1e-6)


@pytest.mark.model
def test_an_export_failure_falls_back_to_torch_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("unsupported architecture\nlong traceback text")

    monkeypatch.setattr(embedder_module, "_export_onnx", broken)
    embedder = SentenceTransformerEmbedder(backend="onnx", cache_dir=tmp_path)
    with caplog.at_level(logging.WARNING):
        vector = embedder.encode(["still works"])
    assert embedder.loaded_backend == "torch"
    assert vector.shape == (1, 384)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "using torch" in warnings[0].getMessage()
    assert "unsupported architecture" in warnings[0].getMessage()
    assert "\n" not in warnings[0].getMessage()
    assert not any(tmp_path.iterdir())  # nothing half-written


@pytest.mark.model
def test_switching_backend_needs_no_rebuild(
    tmp_path: Path,
    onnx_embedder: SentenceTransformerEmbedder,
    torch_embedder: SentenceTransformerEmbedder,
) -> None:
    config = LibraryConfig(tmp_path / "data")
    with_torch = Library(config, embedder=torch_embedder)
    with_torch.add_file(SEED_DE)
    with_torch.close()
    with_onnx = Library(config, embedder=onnx_embedder)
    answer = with_onnx.ask("Womit könnte Trump Kim an den Verhandlungstisch locken?")
    assert not answer.abstained
    assert "Sanktionen" in answer.quote
    assert with_onnx.stats().model == "all-MiniLM-L6-v2"
    with_onnx.close()
