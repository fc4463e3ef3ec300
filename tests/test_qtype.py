"""What a question asks for, and evidence of it beyond the question's own words."""

from __future__ import annotations

import pytest

from index.qtype import content, has_evidence, question_type


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Wie viele Menschen arbeiten für FACC?", "quantity"),
        ("How many burials a day are there?", "quantity"),
        ("Seit wann streiten die Stadt und die Baufirma?", "time"),
        ("When did the crash happen?", "time"),
        ("Warum wird das Pflaster nicht repariert?", "reason"),
        ("Why did they leave?", "reason"),
        ("Wo sitzt FACC?", "place"),
        ("Wer führt FACC?", "person"),
        ("Who hosted the interview?", "person"),
        ("Quand la loi a-t-elle été votée ?", "time"),
        ("Was hat Johnson nach Brüssel geschickt?", None),
        ("What does HAMR stand for?", "expansion"),
        ("Wofür steht die Abkürzung BfS?", "expansion"),
        ("Que signifie le sigle SNCF ?", "expansion"),
        ("Was bedeutet das für die Mieter?", None),  # no abbreviation
        ("In welchem Jahr wurde die Brücke gebaut?", "year"),
        ("What year did the mill close?", "year"),
        ("Wie heißt die neue Trainerin?", "person"),
        ("Which airline ordered the planes?", "entity"),
        ("Welcher frühere Bürgermeister hat gesprochen?", "entity"),
        ("What is the plan?", None),  # "what" before a verb asks no "which X"
        ("What happened to the ferry?", None),
        ("What car were they driving?", "entity"),
        # a leading clause of condition or time: the question word after it is what is asked
        ("When many people are arrested, what is a common tactic?", None),
        ("After 1935, who was forbidden to enter the Rhineland?", "person"),
        ("If the vote fails, when will they vote again?", "time"),
        # a decade or a century is a time too
        ("In what decades was the composer most active?", "time"),
        ("In welchem Jahrhundert wurde die Kirche gebaut?", "time"),
    ],
)
def test_question_type(question: str, kind: str | None) -> None:
    assert question_type(question) == kind


def test_evidence_must_be_new() -> None:
    question = "Wie viele Menschen arbeiten 2023 für FACC?"
    assert has_evidence("quantity", "Derzeit sind knapp 3.300 Menschen bei FACC.", question)
    assert not has_evidence("quantity", "Im Jahr 2023 arbeiten Menschen bei FACC.", question)
    assert has_evidence("time", "Seit August 2015 läuft ein Verfahren.", "Seit wann?")
    assert has_evidence("reason", "Weil die Stellen wichtig sind, bleibt es.", "Warum?")
    assert not has_evidence(None, "Seit August 2015.", "Was?")


@pytest.mark.parametrize(
    "sentence",
    [
        "The movement grew in the 1970s.",
        "In den 1970ern wuchs die Bewegung.",
        "Die 70er Jahre waren wild.",
        "The site dates to 13,000 BP.",
        "Caesar starb 44 v. Chr. in Rom.",
    ],
)
def test_a_decade_or_an_era_answers_when(sentence: str) -> None:
    assert has_evidence("time", sentence, "When did it happen?")


def test_an_era_is_told_by_its_capitals() -> None:
    assert not has_evidence("time", "They bought 500 ad slots.", "When did it happen?")


def test_a_year_is_asked_for_not_any_time() -> None:
    question = "In welchem Jahr eröffnete das Museum?"
    assert has_evidence("year", "Das Museum eröffnete 1998 am Hafen.", question)
    assert not has_evidence("year", "Das Museum eröffnete am Samstag.", question)


def test_a_name_the_question_holds_is_no_answer_to_who() -> None:
    question = "Wer hat Müller getroffen?"
    assert not has_evidence("person", "Am Montag traf Jan Müller die Presse.", question)
    assert has_evidence("person", "Am Montag traf Ministerin Eva Koch den Parteichef.", question)


_AIRLINE = "Which airline ordered the jets?"
_MAYOR = "Welcher frühere Bürgermeister sprach im Rat?"


@pytest.mark.parametrize(
    ("question", "sentence", "named"),
    [
        (_AIRLINE, "The order came from Nordic Air last week.", False),  # no "airline" beside
        (_AIRLINE, "The airline Nordic Air ordered twelve jets.", True),
        (_MAYOR, "Gestern sprach Altbürgermeister Hans Weber im Rat.", True),  # a compound's part
        (_MAYOR, "Der Bürgermeister sprach im Rat.", False),  # the noun, no name or number beside
    ],
)
def test_which_x_is_answered_by_a_name_beside_x(question: str, sentence: str, named: bool) -> None:
    assert has_evidence("entity", sentence, question) is named


def test_which_x_is_answered_by_a_list_of_names() -> None:
    question = "Which airlines joined the alliance?"
    assert has_evidence("entity", "It now has Norair, Alpine, Skylines and Orca.", question)
    assert not has_evidence("entity", "It now has new members from the north.", question)


@pytest.mark.parametrize(
    ("sentence", "spelled"),
    [
        ("SDK improved upon Heat Assisted Magnetic Recording (HAMR) technology.", True),
        ("It improves heat-assisted magnetic recording (HAMR) technology.", True),  # bracketed
        ("It improves heat-assisted magnetic recording technology.", False),  # not names
        ("HAMR works by heating the disk material.", False),  # only the abbreviation
        ("Heute arbeiten Menschen ruhig.", False),  # lower-case words do not spell a name
        ("Hot Air Made Rising, so to say.", True),  # what it cannot tell: any names in a row
    ],
)
def test_expansion_evidence(sentence: str, spelled: bool) -> None:
    assert has_evidence("expansion", sentence, "What does HAMR stand for?") is spelled


def test_expansion_skips_short_function_words() -> None:
    question = "Wofür steht die Abkürzung BfS?"
    assert has_evidence("expansion", "Das Bundesamt für Strahlenschutz (BfS) warnt.", question)
    assert not has_evidence("expansion", "Das Bundesamt warnt vor Strahlen.", question)


def test_expansion_skips_at_most_two_short_words_in_a_row() -> None:
    """Bounded: a sentence of thousands of short words is checked in linear time."""
    question = "Wofür steht IFU?"
    assert has_evidence("expansion", "Das Institut für die Umwelt (IFU) warnt.", question)
    assert has_evidence("expansion", "Das Institut für die an Umwelt (IFU) warnt.", question)
    assert not has_evidence("expansion", "Das Institut für die an der Umwelt (IFU).", question)
    assert not has_evidence("expansion", " ".join(["Institut", "für", "an"] * 20_000), question)


def test_pronominal_adverbs_are_not_content() -> None:
    # "dafür" stands for something named before; as a rare word it would otherwise weigh like
    # the question's nouns and match any sentence saying "dafür".
    assert content("Wo reicht man den Antrag dafür ein?") == "reicht man den Antrag ein"
    assert content("Was hält sie davon, und worüber spricht sie hierbei?") == "hält sie spricht sie"


def test_a_where_question_asks_for_the_place_not_its_verb() -> None:
    # "sitzt" is not a word the answer needs: "der oberösterreichische Zulieferer FACC".
    assert content("Wo sitzt FACC?") == "FACC"
    assert content("Where is the company based?") == "is the company"
    # Only in a question for a place: who sits on a board is asked by its verb too.
    assert content("Wer sitzt im Aufsichtsrat?") == "sitzt im Aufsichtsrat"


def test_a_german_place_may_take_two_adjectives() -> None:
    question = "Wo reicht man den Antrag ein?"
    assert has_evidence("place", "Er gibt ihn bei der zuständigen unteren Behörde ab.", question)
    assert has_evidence("place", "Sie wohnt in der schönen alten Stadt Lübeck.", question)
    assert not has_evidence("place", "Es ist richtig, das so zu tun.", question)
