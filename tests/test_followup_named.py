"""A follow-up's personal pronoun, as the reader reads it: the person its previous question
named (index.followup.named_for; English only)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from index import asking
from index.answer import READER_WEIGHT, AnswerConfig
from index.embedder import HashEmbedder
from index.followup import named_for
from index.library import Library, LibraryConfig

PLUMBER = "Why was the plumber Andrew Hartley jailed?"


@pytest.mark.parametrize(
    ("question", "previous", "language", "read_as"),
    [
        ("Where is he from?", PLUMBER, "en", "Where is Andrew Hartley from?"),
        ("How old is she?", "Who found Zoe Anderson?", "en", "How old is Zoe Anderson?"),
        ("What did the court tell him?", PLUMBER, "en", "What did the court tell Andrew Hartley?"),
        # a possessive, "it", no one named before: read as asked
        ("What was his sentence?", PLUMBER, "en", None),
        ("Where is it?", PLUMBER, "en", None),
        ("Where is he from?", "Why was the plumber jailed?", "en", None),
        # German "sie", "er" name things of that gender as often: read as asked
        ("Wo kann ich sie mir ansehen?", "Was zeigt die neue Radonkarte Deutschlands?", "de", None),
    ],
)
def test_named_for(question: str, previous: str, language: str, read_as: str | None) -> None:
    assert named_for(question, previous, language) == read_as


TEXT = (
    "Zoe Anderson died at her father's home in Bath after a boiler leaked.\n\n"
    "Her boyfriend travelled from London to meet her and found her.\n\n"
    "The plumber Andrew Hartley, 39, of Radstock, Somerset, was jailed for three years."
)


class _Reader:
    """A stand-in reader: the Radstock sentence answers a question naming the plumber (10),
    the boyfriend's journey "from London" any question asking where from (5)."""

    def __init__(self) -> None:
        self.questions: list[str] = []

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        self.questions.append(question)
        return np.asarray(
            [
                10.0
                if "Radstock" in t and "Andrew Hartley" in question
                else 5.0
                if "from London" in t
                else 0.0
                for t in texts
            ],
            dtype=np.float32,
        )


def test_the_reader_reads_the_follow_up_with_the_person_named_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = _Reader()
    monkeypatch.setattr(asking, "load_reader", lambda *_: reader)
    config = AnswerConfig(threshold=-math.inf, reader_weight=READER_WEIGHT)
    library = Library(LibraryConfig(tmp_path / "lib", answer=config), embedder=HashEmbedder())
    try:
        library.add_text(TEXT, title="Plumber jailed over boiler death")
        answer = library.ask("Where is he from?", context=PLUMBER)
    finally:
        library.close()
    assert "Where is Andrew Hartley from?" in reader.questions
    assert "Radstock" in answer.key_sentence
