"""A key sentence the reader reads as no answer (below AnswerConfig.reader_floor) makes the
answer reader_below less sure (index.answer): near misses (the topic is stored, the fact asked
for is not) are "not found" instead of a quote about something else."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index import asking
from index.answer import AnswerConfig, product_config
from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from index.reread import READ_BELOW, READ_FLOOR

TEXT = (
    "Harbor town opens new ferry terminal\n\n"
    "The town of Millbrook opened its new ferry terminal on Saturday, Mayor Dana Whitfield said"
    " at the ceremony.\n\n"
    "The terminal cost 14 million dollars and was paid for by the state and the town together."
    " Ferries to the islands will leave every two hours in summer.\n\n"
    "Whitfield said the old terminal had been damaged by storms twice in the past decade. The new"
    " building stands on higher ground and has a waiting hall for 300 passengers.\n\n"
    "Local businesses hope the terminal will bring more visitors to the harbor district."
)
TITLE = "Harbor town opens new ferry terminal"


class _Reads:
    """A stand-in reader that reads every text at `value`."""

    def __init__(self, value: float) -> None:
        self.value = value

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        return np.full(len(texts), self.value, dtype=np.float32)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    library = Library(LibraryConfig(tmp_path / "lib"), embedder=HashEmbedder())
    library.add_text(TEXT, title=TITLE)
    yield library
    library.close()


def _confidence(library: Library, below: float, context: str | None = None) -> float:
    """The confidence of the cost question (a follow-up to `context` where given) with the
    reader on, never abstaining, and `below` as reader_below."""
    never = replace(AnswerConfig(threshold=-math.inf), reader_weight=1.0, rescue_to=0.0)
    library.config = replace(library.config, answer=replace(never, reader_below=below))
    question = "And how much did it cost?" if context else "How much did the terminal cost?"
    answer = library.ask(question, context=context)
    assert not answer.abstained and answer.follow_up == bool(context)
    return answer.confidence


def test_a_key_sentence_read_below_the_floor_costs_reader_below(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asking, "load_reader", lambda *_: _Reads(READ_FLOOR - 1))
    assert _confidence(library, 0.25) == pytest.approx(_confidence(library, 0.0) - 0.25)
    # a follow-up is read by the reader without the question it follows: not lowered
    asked_before = "When did Millbrook open its ferry terminal?"
    assert _confidence(library, 0.25, asked_before) == pytest.approx(
        _confidence(library, 0.0, asked_before)
    )
    monkeypatch.setattr(asking, "load_reader", lambda *_: _Reads(READ_FLOOR + 1))
    assert _confidence(library, 0.25) == pytest.approx(_confidence(library, 0.0))


def test_the_product_settings_take_the_floor_with_the_reader_only() -> None:
    assert product_config().reader_below == READ_BELOW > 0
    assert product_config(reader=False).reader_below == 0.0


@pytest.mark.model
def test_a_near_miss_is_not_found_and_the_stored_fact_still_answered(tmp_path: Path) -> None:
    library = Library(LibraryConfig(tmp_path / "lib", answer=product_config()))
    library.add_text(TEXT, title=TITLE)
    near_miss = "How old is Dana Whitfield?"  # she is named; her age is not stated
    assert library.ask(near_miss).abstained
    stored = library.ask("How much did the terminal cost?")
    assert not stored.abstained and "14 million dollars" in stored.quote
    # without the floor, the near miss was answered with a sentence about something else
    library.config = replace(library.config, answer=replace(product_config(), reader_below=0.0))
    quoted = library.ask(near_miss)
    assert not quoted.abstained and "old" not in quoted.key_sentence
    library.close()
