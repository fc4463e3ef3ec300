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
        # "I" is capitalized, but names nothing "it" could refer to
        ("How do I turn it on?", "en"),
        ("Can I still buy it?", "en"),
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


def test_an_answer_read_with_the_previous_question_must_name_its_own_words(
    hash_library,  # noqa: ANN001
) -> None:
    """Whether the quoted article speaks of the question's own words is checked on the quoted
    source itself, also where it is not among the answer's hits (recency's newer report found
    further down): it was taken as speaking of them unchecked."""
    from index.models import Answer, Source

    hash_library.add_text(
        "Kiel harbour bridge opened\nThe new harbour bridge in Kiel cost 120 million euros.\n",
        title="Kiel harbour bridge opened",
    )
    [hit] = hash_library.search("harbour bridge Kiel", k=1)
    source = (Source(hit.article, hit.passage, hit.score),)
    quote = "The new harbour bridge in Kiel cost 120 million euros."
    for hits in ((hit,), ()):
        answer = Answer("Wo sitzt FACC?", "de", False, quote, sources=source, hits=hits)
        assert not hash_library._speaks_of(answer, "Wo sitzt FACC?")
        assert hash_library._speaks_of(answer, "Was kostet die Brücke in Kiel?")


def test_that_before_an_article_starts_a_clause() -> None:
    assert not needs_context("Who said that the bridge was unsafe?", "en")
    assert needs_context("Who said that?", "en")


def test_the_time_a_question_names_and_its_other_languages(hash_library) -> None:  # noqa: ANN001
    """The "this" of a time expression ("this year's") points at the calendar, not back; a
    pronoun points back in any of the library's languages whose dictionary reads the question
    (langdetect takes "Und wo wohnt er?" for English where the library holds English)."""
    hints = ("de", "en")
    alone = hash_library._cannot_stand_alone
    assert not alone("What is this year's inflation rate in Germany?", hints)
    assert not alone("Wie hoch ist die Inflation in diesem Jahr?", hints)
    assert alone("What did this cost?", hints)
    assert alone("Und wo wohnt er?", hints)
    assert alone("Und was kostet das in dieser Woche?", hints)  # "das" ends no noun: back
    # ... but "der" of "der Oktober 2023" is the time's: a new question (a held-out chat's turn
    # had been read with the previous question, about another article)
    assert not alone("Wie viele Sonnenstunden hatte der Oktober 2023?", hints)
    assert not alone("Where to buy tickets for the Kiel harbour festival?", ("en", "pl"))


def test_the_answers_kept_for_buttons_are_bounded_across_all_chats() -> None:
    """Each chat keeps its last KEEP_ANSWERS answers, and all chats together KEEP_ALL: every
    chat that ever asked kept its answers for the life of the process."""
    from collections import OrderedDict

    from bot import followup
    from index.models import Answer

    kept: OrderedDict = OrderedDict()
    chats = [{} for _ in range(followup.KEEP_ALL // 4 + 10)]
    for chat in chats:
        for n in range(5):
            followup.store_answer(chat, Answer(f"q{n}", "en", False, "a quote"), kept)
    total = sum(len(chat.get("answers", {})) for chat in chats)
    assert len(kept) == total == followup.KEEP_ALL
    assert followup.stored_answer(chats[0], 1) is None  # the oldest let go
    assert followup.stored_answer(chats[-1], 5) is not None
    one: dict = {}
    for n in range(followup.KEEP_ANSWERS + 3):
        followup.store_answer(one, Answer(f"q{n}", "en", False, "a quote"))
    assert len(one["answers"]) == followup.KEEP_ANSWERS
