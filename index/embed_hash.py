"""A deterministic bag-of-words embedder for fast unit tests: no model, no randomness."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashEmbedder:
    """Each word hashed into one of `dimension` buckets; rows L2-normalized."""

    def __init__(self, dimension: int = 64, max_tokens: int = 128) -> None:
        self.name = f"hash-{dimension}"
        self._dimension = dimension
        self._max_tokens = max_tokens

    @property
    def vectors_id(self) -> str:
        return self.name

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
