"""Follow-ups by evidence: a question is read with the previous one only when it cannot stand
alone (no content words, or a word pointing back); a short new question is not a follow-up."""

from __future__ import annotations

import pytest

from index.followup import has_content, needs_context, refers_back


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Und wann war das?", "de"),
        ("Und woher stammt sie?", "de"),
        ("Wo reicht man den Antrag dafür ein?", "de"),
        ("Und wen hatte dieser Hacker ins Visier genommen?", "de"),
        ("Wo kann ich sie mir ansehen?", "de"),
        ("Who said that?", "en"),
        ("Where did she study law?", "en"),
        ("What are its disks made of?", "en"),
        ("How long has it been used for that?", "en"),
        # An object pronoun is not the clause's own subject (that would be "himself").
        ("Why did Biden pardon him?", "en"),
        ("What does Ofcom want from them?", "en"),
        ("Et pourquoi?", "fr"),
        ("¿Y dónde está eso?", "es"),
    ],
)
def test_questions_that_cannot_stand_alone(question: str, language: str) -> None:
    assert needs_context(question, language)


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Wer ist Bürgermeister von Grosbliederstroff?", "de"),
        ("Wo sitzt FACC?", "de"),
        ("Wann starb Lotte Tobisch?", "de"),
        ("Wie viele Autohäuser gibt es in Thüringen?", "de"),  # expletive "es"
        ("Wie wurde Lucke bei seiner ersten Vorlesung beschimpft?", "de"),  # "seiner": Lucke
        ("What does HAMR stand for?", "en"),
        ("Who is Alvaro Zabaleta?", "en"),
        ("How close to the deadline did Meadows announce his retirement?", "en"),
        ("En quelle année la France a-t-elle arrêté l'immigration de travail ?", "fr"),
    ],
)
def test_standalone_questions(question: str, language: str) -> None:
    assert not needs_context(question, language)


def test_content_and_back_reference_separately() -> None:
    assert not has_content("Und wann war das?", "de")
    assert has_content("Und woher stammt sie?", "de") and refers_back("Und woher stammt sie?", "de")
    assert not refers_back("Wer führt FACC?", "de")
