"""The default model's fast path: a sentence-transformers model exported to ONNX once (with
torch), then run on ONNX Runtime and `tokenizers` alone, optionally through an int8 copy."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .files import DIR_MODE, seal_tree

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

ONNX_FILE = "onnx/model.onnx"
INT8_FILE = "onnx/model_qint8.onnx"
BATCH_TOKENS = 256  # padded tokens per ONNX Runtime call (see OnnxRuntimeRunner.encode)
# Questions (and the quotes recency compares) run on a thread per core whose idle threads sleep
# instead of spinning: a spinning pool is slow on a busy machine (it waits for threads that
# do not get a core) and one thread is slow on an idle one. One question / two quotes of ~290
# characters on this 2-core machine, p50 ms: idle 6.6 / 26.9 (one thread 9.1 / 43.8,
# spinning 6.0 / 26.2); beside two busy processes 9.3 / 42.3 (14.6 / 43.7, 15.5 / 78.5).
# The int8 copy for text being added keeps ONNX Runtime's default (spinning); without it
# (EMBEDDING_INT8=0) added text runs on the questions' session.
QUERY_SPINNING = False
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


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


class OnnxRuntimeRunner:
    """An exported mean-pooling model run with ONNX Runtime and a `tokenizers` tokenizer alone.

    It computes what sentence-transformers computes for such a model (tokenize, transformer, mean
    over the real tokens, normalize) without importing torch or transformers: start-up in a
    fraction of a second instead of about ten.
    """

    def __init__(self, folder: Path, onnx_file: str = ONNX_FILE, *, spinning: bool = True) -> None:
        """`spinning`: whether ONNX Runtime's idle intra-op threads spin (see QUERY_SPINNING)."""
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
        if not spinning:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(folder / onnx_file), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int, *, query: bool = True) -> np.ndarray:
        """Texts longest first, in batches of at most `batch_size` texts and BATCH_TOKENS padded
        tokens: small batches of like lengths (measured on 2 cores: the sentences of XQuAD-en
        in 13.0 s with batches of 64, 4.9-7.2 s with this budget; its passages 7.2 vs 4.8 s).
        `query` makes no difference: runs_without_torch admits only models without prompts."""
        del query
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
    (+ normalize) with no prompts: what OnnxRuntimeRunner computes exactly."""
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
        and not any((config.get("prompts") or {}).values())
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
    target = folder / INT8_FILE
    if not target.is_file():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        logger.info("quantizing the embedding model to int8 for adding, in %s (once)", folder)
        fd, tmp = tempfile.mkstemp(prefix=".model_qint8-", suffix=".onnx", dir=target.parent)
        os.close(fd)
        try:
            with _dropping_logs(logging.getLogger()):
                quantize_dynamic(
                    folder / ONNX_FILE, tmp, weight_type=QuantType.QInt8, per_channel=True
                )
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return Path(INT8_FILE)


def export_onnx(target: str, device: str) -> SentenceTransformer:
    """The model loaded by sentence-transformers' ONNX backend, exported now (needs torch)."""
    from sentence_transformers import SentenceTransformer

    # sentence-transformers warns 'No model.onnx found' and 'saving is recommended': we save.
    # transformers warns that the exporter (optimum) still reads `torch_dtype`: not ours to fix.
    st_logger = logging.getLogger("sentence_transformers.backend.utils")
    config_logger = logging.getLogger("transformers.configuration_utils")
    with _dropping_logs(st_logger), _dropping_logs(config_logger), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit tracer warnings during the export
        return SentenceTransformer(
            target,
            device=device,
            backend="onnx",
            local_files_only=Path(target).exists(),
            # The CPU provider by name: the first available one may be Azure's remote one.
            model_kwargs={"export": True, "provider": "CPUExecutionProvider"},
        )


def save_atomically(model: SentenceTransformer, dest: Path) -> bool:
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
            if not (dest / ONNX_FILE).is_file():
                raise
            # Another process saved the same export first: keep theirs.
        return True
    except OSError as exc:
        logger.warning("could not cache the ONNX export in %s: %s", dest, exc)
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _DropAll(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def _dropping_logs(target: logging.Logger) -> Iterator[None]:
    """Advice the libraries log during an export or quantization (pre-process, save the export):
    not needed here, and not for the user's log."""
    drop = _DropAll()
    target.addFilter(drop)
    try:
        yield
    finally:
        target.removeFilter(drop)
