"""The reader's second reading (index.reread): each sentence of the windows that may still win read
again under its article's headline, the two readings averaged."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from index import asking
from index.answer import READER_WEIGHT, AnswerConfig
from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from index.reread import HEADLINE_CHARS, HEADLINE_REACH, under_headline

TEXT = (
    "The bridge over the Ach opened on Friday after three years of work.\n\n"
    "The bridge cost 12 million euros, paid by the town and the state.\n\n"
    "Its architect, Jana Roth, also designed the station."
)
QUESTION = "Who made the Lindau bridge?"


class _Knows:
    """A stand-in reader: a text naming Jana Roth and the bridge answers (20), one naming only
    the bridge a little (1), any other not (0)."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        self.seen.append(list(texts))
        return np.asarray(
            [
                20.0 if "Roth" in t and "bridge" in t else 1.0 if "bridge" in t else 0.0
                for t in texts
            ],
            dtype=np.float32,
        )


def _ask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, headline: bool) -> tuple[str, _Knows]:
    config = AnswerConfig(
        threshold=-math.inf, reader_weight=READER_WEIGHT, reader_headline=headline
    )
    library = Library(LibraryConfig(tmp_path / "lib", answer=config), embedder=HashEmbedder())
    library.add_text(TEXT, title="Lindau's new bridge")
    stand_in = _Knows()
    monkeypatch.setattr(asking, "load_reader", lambda: stand_in)
    try:
        return library.ask(QUESTION).key_sentence, stand_in
    finally:
        library.close()


def test_a_sentence_naming_its_subject_only_in_the_headline_is_read_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Its architect, Jana Roth, …" does not name the bridge; read under the headline
    "Lindau's new bridge" it answers (the mean of 0 alone and 20 under it against 1)."""
    alone, _ = _ask(tmp_path / "a", monkeypatch, headline=False)
    assert "Roth" not in alone
    headed, stand_in = _ask(tmp_path / "b", monkeypatch, headline=True)
    assert headed == "Its architect, Jana Roth, also designed the station."
    first, again = stand_in.seen
    assert all(not text.startswith("Lindau's new bridge: ") for text in first)
    assert again and all(text.startswith("Lindau's new bridge: ") for text in again)
    assert {text.removeprefix("Lindau's new bridge: ") for text in again} <= set(first)


class _Far:
    """A stand-in reader that reads one sentence far above the others."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        self.seen.append(list(texts))
        return np.asarray([20.0 if "Roth" in t else 0.0 for t in texts], dtype=np.float32)


def test_only_windows_that_may_still_win_are_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = AnswerConfig(threshold=-math.inf, reader_weight=READER_WEIGHT)
    assert config.reader_headline  # on by default, with the reader
    library = Library(LibraryConfig(tmp_path / "lib", answer=config), embedder=HashEmbedder())
    library.add_text(TEXT, title="Lindau's new bridge")
    stand_in = _Far()
    monkeypatch.setattr(asking, "load_reader", lambda: stand_in)
    try:
        answer = library.ask(QUESTION)
    finally:
        library.close()
    assert "Roth" in answer.key_sentence
    first, again = stand_in.seen
    assert len(first) == 3  # every sentence read alone ...
    # ... and again only that of the window 20 above the others (HEADLINE_REACH is far less).
    assert HEADLINE_REACH < 20 - 5
    assert again == ["Lindau's new bridge: Its architect, Jana Roth, also designed the station."]


def test_the_headline_is_cut_at_a_word_and_an_article_without_one_is_read_alone() -> None:
    assert (
        under_headline("Lindau's  new\nbridge", "It opened.") == "Lindau's new bridge: It opened."
    )
    assert under_headline("  ", "It opened.") == "It opened."
    long = "word " * 60
    headed = under_headline(long, "It opened.")
    head = headed.removesuffix(": It opened.")
    assert len(head) <= HEADLINE_CHARS and head.split() == ["word"] * len(head.split())


def test_a_follow_up_is_read_without_the_headline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A follow-up's own words choose its sentence: the headline names the subject of the
    question it follows, and is not read with it."""
    config = AnswerConfig(threshold=-math.inf, reader_weight=READER_WEIGHT)
    library = Library(LibraryConfig(tmp_path / "lib", answer=config), embedder=HashEmbedder())
    library.add_text(TEXT, title="Lindau's new bridge")
    stand_in = _Knows()
    monkeypatch.setattr(asking, "load_reader", lambda: stand_in)
    try:
        answer = library.ask("And who made it?", context="When did the Lindau bridge open?")
    finally:
        library.close()
    assert answer.follow_up
    assert stand_in.seen and all(
        not text.startswith("Lindau's new bridge: ") for seen in stand_in.seen for text in seen
    )
