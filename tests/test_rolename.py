"""Whether a sentence names a person right after the role a "who" question asks for
(index.rolename)."""

from __future__ import annotations

from index.rolename import role_named


class _Article:
    """An article's sentences and language, as role_named reads them."""

    def __init__(self, language: str, *sentences: str) -> None:
        self.language = language
        self.sentences = sentences

    def sentence(self, i: int) -> str:
        return self.sentences[i]


def test_a_person_named_after_the_asked_role_in_german_and_english() -> None:
    german = _Article(
        "de",
        "Deshalb begrüßt der Tierschutzverein für Berlin die Kampagne von Dr. Kathrin Herrmann.",
        "„Silvester ist eine Schreckensnacht“, sagt die TVB-Vorstandsvorsitzende Eva Rönspieß.",
        "Die Vorstandsvorsitzende sagte am Montag nichts.",  # the role, no name after it
    )
    lines = [(1, i) for i in range(3)]
    asked = "Wer ist Vorstandsvorsitzende beim Tierschutzverein für Berlin?"
    assert role_named(asked, {1: german}, lines) == {(1, 1)}  # a compound's end counts
    english = _Article(
        "en",
        "Apple CEO Tim Cook spoke on Monday.",
        "The company's chief executive spoke on Monday.",
        "Analyst Jane Doe said the CEO was right.",
    )
    lines = [(2, i) for i in range(3)]
    assert role_named("Who is the CEO of Apple?", {2: english}, lines) == {(2, 0)}


def test_only_who_questions_and_only_names_the_question_does_not_hold() -> None:
    article = _Article("en", "Apple CEO Tim Cook spoke on Monday.")
    lines = [(3, 0)]
    assert role_named("When did the CEO of Apple speak?", {3: article}, lines) == set()
    assert role_named("Who said that CEO Tim Cook spoke?", {3: article}, lines) == set()
