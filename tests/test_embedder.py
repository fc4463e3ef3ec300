"""The embedder's backends: ONNX Runtime gives torch's vectors, its export is made once and kept,
a bad backend is refused, and an export failure falls back to torch."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from index import cli, embed_onnx
from index import embedder as embedder_module
from index.embed_st import LOCKED_BATCH, SentenceTransformersRunner
from index.embedder import SentenceTransformerEmbedder, runs_without_torch
from index.library import Library, LibraryConfig
from tests.conftest import REPO, SEED_DE

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
    shared = [p for p in cache_dir.rglob("*") if p.stat().st_mode & 0o077]
    assert shared == [], "the export is owner-only like the rest of the data dir"
    mtime = exported[0].stat().st_mtime_ns

    def no_export(*args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(embed_onnx, "export_onnx", no_export)
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

    monkeypatch.setattr(embed_onnx, "export_onnx", broken)
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


@pytest.mark.model
def test_the_cached_export_runs_without_importing_torch(
    onnx_embedder: SentenceTransformerEmbedder, cache_dir: Path
) -> None:
    """Once exported, the default model starts on ONNX Runtime alone: no torch, no
    sentence-transformers import (the ~10 s of a cold start), and the same vectors."""
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from index.embedder import SentenceTransformerEmbedder\n"
        f"e = SentenceTransformerEmbedder(backend='onnx', cache_dir=Path({str(cache_dir)!r}))\n"
        f"v = e.encode({TEXTS!r})\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers')"
        " if m in sys.modules)\n"
        "print(json.dumps({'heavy': heavy, 'backend': e.loaded_backend,"
        " 'tokens': e.count_tokens(" + repr(TEXTS) + "), 'max': e.max_tokens,"
        " 'v': v.tolist()}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["heavy"] == []
    assert got["backend"] == "onnx"
    assert got["tokens"] == onnx_embedder.count_tokens(TEXTS)
    assert got["max"] == onnx_embedder.max_tokens == 254
    assert np.allclose(np.array(got["v"], dtype=np.float32), onnx_embedder.encode(TEXTS), atol=1e-5)


@pytest.mark.model
def test_adding_runs_an_int8_copy_made_once_with_near_identical_vectors(
    cache_dir: Path, torch_embedder: SentenceTransformerEmbedder
) -> None:
    embedder = SentenceTransformerEmbedder(
        backend="onnx", cache_dir=cache_dir, quantize_documents=True
    )
    sentences = [s.strip() + "." for s in SEED_DE.read_text().split(".") if len(s.strip()) > 20]
    documents = embedder.encode_documents(sentences)
    assert embedder.documents_backend == "onnx-int8"
    quantized = list(cache_dir.glob("*/onnx/model_qint8.onnx"))
    assert len(quantized) == 1
    assert not list(cache_dir.glob("*/onnx/.model_qint8-*"))  # no temp file left
    full = torch_embedder.encode(sentences)
    cosines = (documents * full).sum(axis=1)
    assert cosines.min() > 0.95 and cosines.mean() > 0.98
    assert not np.allclose(documents, full, atol=1e-4)  # really the int8 model
    # Questions still run the full model.
    assert np.allclose(embedder.encode(TEXTS), torch_embedder.encode(TEXTS), atol=1e-4)
    mtime = quantized[0].stat().st_mtime_ns
    again = SentenceTransformerEmbedder(
        backend="onnx", cache_dir=cache_dir, quantize_documents=True
    )
    assert np.allclose(again.encode_documents(sentences), documents, atol=1e-6)
    assert quantized[0].stat().st_mtime_ns == mtime


@pytest.mark.model
def test_a_quantization_failure_adds_with_the_full_model_and_one_warning(
    onnx_embedder: SentenceTransformerEmbedder,
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(folder: Path) -> Path:
        raise OSError("No space left on device")

    monkeypatch.setattr(embedder_module, "quantized_copy", broken)
    embedder = SentenceTransformerEmbedder(
        backend="onnx", cache_dir=cache_dir, quantize_documents=True
    )
    with caplog.at_level(logging.WARNING):
        vectors = embedder.encode_documents(TEXTS)
        embedder.encode_documents(TEXTS)
    assert embedder.documents_backend == "onnx"
    assert np.allclose(vectors, onnx_embedder.encode(TEXTS), atol=1e-6)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "No space left on device" in warnings[0]


def test_only_plain_mean_pooling_models_skip_sentence_transformers(tmp_path: Path) -> None:
    def model(pooling: dict, modules: tuple[str, ...] = ("Transformer", "Pooling")) -> Path:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        (folder / "1_Pooling").mkdir(parents=True)
        (folder / "tokenizer.json").write_text("{}")
        (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
        entries = [
            {"idx": i, "name": str(i), "path": "1_Pooling" if i == 1 else "", "type": f"x.{kind}"}
            for i, kind in enumerate(modules)
        ]
        (folder / "modules.json").write_text(json.dumps(entries))
        return folder

    legacy = {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}
    assert runs_without_torch(model({"pooling_mode": "mean"}))
    assert runs_without_torch(
        model({"pooling_mode": "mean"}, ("Transformer", "Pooling", "Normalize"))
    )
    assert runs_without_torch(model(legacy))
    assert not runs_without_torch(model({"pooling_mode": "cls"}))
    assert not runs_without_torch(model({**legacy, "pooling_mode_weightedmean_tokens": True}))
    assert not runs_without_torch(
        model({"pooling_mode": "mean"}, ("Transformer", "Pooling", "Dense"))
    )
    assert not runs_without_torch(tmp_path / "missing")


def test_a_question_is_not_held_up_by_a_whole_add() -> None:
    """Through sentence-transformers, the lock is held per small batch: a question asked while
    an article's sentences are embedded runs between two of their batches."""
    calls: list[str] = []
    started = threading.Event()

    class Model:  # the part of SentenceTransformer the runner uses
        max_seq_length = 256

        def get_embedding_dimension(self) -> int:
            return 4

        def encode_query(self, texts: list[str], **kwargs: object) -> np.ndarray:
            calls.append("query")
            return np.ones((len(texts), 4), dtype=np.float32) / 2

        def encode_document(self, texts: list[str], **kwargs: object) -> np.ndarray:
            calls.append("document")
            started.set()
            time.sleep(0.02)
            return np.ones((len(texts), 4), dtype=np.float32) / 2

    runner = SentenceTransformersRunner(Model(), "torch")  # type: ignore[arg-type]
    adding = threading.Thread(
        target=runner.encode, args=(["s"] * 40 * LOCKED_BATCH, 64), kwargs={"query": False}
    )
    adding.start()
    assert started.wait(5)
    assert runner.encode(["question?"], 64).shape == (1, 4)
    adding.join()
    assert calls.count("document") == 40
    assert calls.index("query") < len(calls) - 1  # not after the whole add


def test_the_first_export_prints_nothing_of_the_libraries(tmp_path: Path) -> None:
    """A fresh data dir's first `add` exports the model; what the libraries say meanwhile (the
    exporter's "`torch_dtype` is deprecated", sentence-transformers' advice) is not the user's
    to read: stderr holds no warning."""
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run(
        [sys.executable, "-m", "index.cli", "add", str(SEED_DE)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "added" in out.stdout
    assert "deprecated" not in out.stderr and "warn" not in out.stderr.lower(), out.stderr
