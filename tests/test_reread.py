"""The reader's second reading (index.reread): each sentence of the windows that may still win read
again under its article's headline, the two readings averaged."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index import asking
from index.answer import READER_WEIGHT, AnswerConfig, product_config
from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from index.models import Answer
from index.reread import HEADLINE_CHARS, HEADLINE_REACH, under_headline

TEXT = (
    "The bridge over the Ach opened on Friday after three years of work.\n\n"
    "The bridge cost 12 million euros, paid by the town and the state.\n\n"
    "Its architect, Jana Roth, also designed the station."
)
QUESTION = "Who made the Lindau bridge?"


class _StandIn:
    """A stand-in reader scoring each text by `score`, remembering what it was given to read."""

    def __init__(self, score: Callable[[str], float]) -> None:
        self._score = score
        self.seen: list[list[str]] = []

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        self.seen.append(list(texts))
        return np.asarray([self._score(t) for t in texts], dtype=np.float32)


def _knows(text: str) -> float:
    """A text naming Jana Roth and the bridge answers (20), one naming only the bridge a
    little (1), any other not (0)."""
    return 20.0 if "Roth" in text and "bridge" in text else 1.0 if "bridge" in text else 0.0


def _ask(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reader: _StandIn,
    question: str = QUESTION,
    context: str | None = None,
    headline: bool = True,
) -> Answer:
    config = AnswerConfig(
        threshold=-math.inf, reader_weight=READER_WEIGHT, reader_headline=headline
    )
    library = Library(LibraryConfig(tmp_path / "lib", answer=config), embedder=HashEmbedder())
    library.add_text(TEXT, title="Lindau's new bridge")
    monkeypatch.setattr(asking, "load_reader", lambda *_: reader)
    try:
        return library.ask(question, context=context)
    finally:
        library.close()


def test_a_sentence_naming_its_subject_only_in_the_headline_is_read_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Its architect, Jana Roth, …" does not name the bridge; read under the headline
    "Lindau's new bridge" it answers (the mean of 0 alone and 20 under it against 1)."""
    alone = _ask(tmp_path / "a", monkeypatch, _StandIn(_knows), headline=False)
    assert "Roth" not in alone.key_sentence
    stand_in = _StandIn(_knows)
    headed = _ask(tmp_path / "b", monkeypatch, stand_in)
    assert headed.key_sentence == "Its architect, Jana Roth, also designed the station."
    first, again = stand_in.seen
    assert all(not text.startswith("Lindau's new bridge: ") for text in first)
    assert again and all(text.startswith("Lindau's new bridge: ") for text in again)
    assert {text.removeprefix("Lindau's new bridge: ") for text in again} <= set(first)


def test_only_windows_that_may_still_win_are_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert AnswerConfig().reader_headline  # on by default, with the reader
    stand_in = _StandIn(lambda text: 20.0 if "Roth" in text else 0.0)  # one far above the others
    answer = _ask(tmp_path, monkeypatch, stand_in)
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
    stand_in = _StandIn(_knows)
    answer = _ask(
        tmp_path, monkeypatch, stand_in, "And who made it?", "When did the Lindau bridge open?"
    )
    assert answer.follow_up
    assert stand_in.seen and all(
        not text.startswith("Lindau's new bridge: ") for seen in stand_in.seen for text in seen
    )


def _read_with(text: str, question: str, where: Path, **config: float) -> Answer:
    """`question` asked of a library holding `text`, with the reader at its weight and `config`
    (the reader itself is the test's stand-in)."""
    answer = AnswerConfig(threshold=-math.inf, reader_weight=READER_WEIGHT, **config)
    library = Library(LibraryConfig(where, answer=answer), embedder=HashEmbedder())
    library.add_text(text, title="A report")
    try:
        return library.ask(question)
    finally:
        library.close()


YEARS = (
    "Jana Roth took over the bridge office on 1 November 2011 from its founder.\n\n"
    "Max Berg takes over the bridge office on 1 November 2023, the council said.\n\n"
    "The bridge office looks after the town's bridges."
)
ROLES = (
    "The harbour association welcomed the campaign of the senator Dr. Kathrin Herrmann.\n\n"
    "Fireworks are a night of terror for animals, says the association's chairwoman Eva Roth.\n\n"
    "The harbour association looks after the town's animals."
)

AMOUNTS = (
    "The agents inspected the boat and found a hidden compartment with 20 packages inside.\n\n"
    "The agents found 475 pounds of cocaine in the boat on Sunday, the agency said.\n\n"
    "The boat was seized and two men were arrested."
)


@pytest.mark.parametrize(
    ("text", "question", "scores", "setting", "wrong", "right"),
    [
        # The reader reads words, not whether a sentence's facts are the question's: it scores
        # the 2011 handover higher (a stand-in: 5 against 2) for a question about 2023's;
        # time_clash lowers a sentence naming years, none of them the question's, by that much.
        (
            YEARS,
            "Who takes over the bridge office on 1 November 2023?",
            ("2011", "2023"),
            "time_clash",
            "2011",
            "Max Berg",
        ),
        # It weighs the question's other words too: it scores the sentence naming the
        # association and another person higher; role_named raises the one naming a person
        # right after the role asked for.
        (
            ROLES,
            "Who is the chairwoman of the harbour association?",
            ("welcomed", "says"),
            "role_named",
            "Herrmann",
            "Eva Roth",
        ),
        # It weighs the question's topic words above the kind of answer asked for: it scores
        # the sentence on the compartment found higher than the one stating the amount;
        # kind_absent lowers a sentence stating no weight where another does.
        (
            AMOUNTS,
            "How much cocaine did the agents find in the boat?",
            ("compartment", "pounds"),
            "kind_absent",
            "compartment",
            "475 pounds",
        ),
    ],
)
def test_the_reader_s_score_moved_by_time_clash_role_named_and_kind_absent(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    question: str,
    scores: tuple[str, str],
    setting: str,
    wrong: str,
    right: str,
) -> None:
    high, low = scores
    stand_in = _StandIn(lambda t: 5.0 if high in t else 2.0 if low in t else 0.0)
    monkeypatch.setattr(asking, "load_reader", lambda *_: stand_in)
    off = _read_with(text, question, tmp_path / "a", **{setting: 0.0})
    on = _read_with(text, question, tmp_path / "b", **{setting: 4.5})
    assert wrong in off.key_sentence and right in on.key_sentence
    assert getattr(product_config(), setting) > 1.0  # on with the reader
