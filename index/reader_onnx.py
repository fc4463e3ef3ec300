"""The reader (index.reader) on ONNX Runtime: its model exported once per process, in memory.

The reader's scores are the same on torch and on ONNX Runtime (within 1e-5), and ONNX Runtime
reads them about twice as fast on this 2-core CPU (20 sentences of the seed article: 269 against
137 ms, p50 of 9). The export takes about 1.5 s and is made in memory when the reader loads:
there is nothing on disk to go stale when the weights change (a reader you train, an upgrade),
and an 87 MB file would buy back only that second and a half once per process. Where
onnxruntime is missing or the export fails, the reader stays on torch (index.reader says so
once in the log).
"""

from __future__ import annotations

import ctypes
import gc
import io
import warnings
from typing import Any

import numpy as np


def export(model: Any, threads: int) -> Any:
    """An ONNX Runtime session of `model` (transformers' BertForSequenceClassification, in eval
    mode), reading word embeddings and an attention mask, returning the first logit of each
    pair; its `threads` intra-op threads sleep rather than spin while they wait (a spinning pool
    is slow on a busy machine: index.embed_onnx)."""
    import onnxruntime
    import torch

    class _Logit(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, embeds: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return self.inner(inputs_embeds=embeds, attention_mask=mask).logits[:, 0]

    hidden = model.config.hidden_size
    example = (torch.zeros(2, 8, hidden), torch.ones(2, 8, dtype=torch.int64))
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        # The TorchScript exporter's notes on tracing (a mask built from a constant, its own
        # deprecation): the graph is checked against torch's scores in tests/test_reader.py.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Logit(model).eval(),
            example,
            buffer,
            input_names=["embeds", "mask"],
            output_names=["logit"],
            dynamic_axes={"embeds": {0: "pairs", 1: "tokens"}, "mask": {0: "pairs", 1: "tokens"}},
            opset_version=17,
            dynamo=False,
        )
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = max(1, threads)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(
        buffer.getvalue(), options, providers=["CPUExecutionProvider"]
    )


TOLERANCE = 1e-3  # the most an exported reader's logit may differ from torch's (they agree to 1e-5)


def check(session: Any, model: Any, batches: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """ValueError unless `session` scores `batches` (embeds, mask: a padded batch, a pair
    alone) as `model` does on torch: an exporter of another torch or transformers release
    that dropped the mask or fixed a dimension while tracing would otherwise change every
    answer's reading without a word."""
    import torch

    for embeds, mask in batches:
        with torch.inference_mode():
            out = model(
                inputs_embeds=torch.from_numpy(embeds), attention_mask=torch.from_numpy(mask)
            )
        apart = float(np.max(np.abs(out.logits[:, 0].numpy() - logits(session, embeds, mask))))
        if not apart <= TOLERANCE:
            raise ValueError(f"its scores differ from torch's by {apart:.2g}")


def logits(session: Any, embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The first logit of each pair of a batch (`embeds`: pairs x tokens x hidden)."""
    feed = {"embeds": embeds.astype(np.float32, copy=False), "mask": mask}
    return session.run(None, feed)[0]


def give_back_freed() -> None:
    """Return the memory the torch model and the export held to the system (glibc keeps freed
    heap for reuse otherwise): the process's resident memory after loading the reader 1,086 MB
    without, 974 MB with (torch: 818 MB). Where the C library is not glibc, nothing."""
    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the symbols the process has loaded: libc's
    except (OSError, AttributeError):
        return
    trim(0)
