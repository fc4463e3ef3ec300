"""benchmarks.ranker's reworded training questions: the words shared with the answer's sentence
left out, the rest of the question kept."""

from __future__ import annotations

import random

from benchmarks.ranker import paraphrased
from index.evaluate import Question

TEXT = (
    "Der Verein wurde 1900 gegründet. Die Mannschaft gewann 2013 das Triple in München. "
    "Danach folgte ein Umbruch."
)


def question(text: str, answer: str) -> Question:
    start = TEXT.index(answer)
    return Question("1", text, (answer,), 0, (start, start + len(answer)))


def test_shared_words_are_left_out_and_the_rest_kept() -> None:
    q = question("Wann gewann die Mannschaft des Vereins das Triple?", "2013")
    reworded = paraphrased(q, TEXT, "de", 1.0, random.Random(0))
    assert reworded is not None
    # "gewann", "Mannschaft", "Triple" are in the answer's sentence; "Vereins" only elsewhere.
    assert reworded.question == "Wann die des Vereins das?"
    assert reworded.answers == q.answers and reworded.span == q.span


def test_a_question_made_only_of_shared_words_is_not_reworded() -> None:
    q = question("Wann gewann die Mannschaft das Triple?", "2013")
    assert paraphrased(q, TEXT, "de", 1.0, random.Random(0)) is None
    assert paraphrased(q, TEXT, "de", 0.0, random.Random(0)) is None
