"""The sentences that state nothing of the kind of answer a question asks for, where others
do (index.kindcheck): read lower by the reader (index.reread, tests/test_reread.py)."""

from __future__ import annotations

import pytest

from index.kindcheck import lacking


@pytest.mark.parametrize(
    ("question", "sentences", "lacking_ones"),
    [
        # an amount of a unit: a weight, an age, money
        (
            "How much cocaine did the agents find?",
            {1: "They found a compartment with 20 packages.", 2: "They found 475 pounds."},
            {1},
        ),
        (
            "Wie alt ist Kims Schwester?",
            {1: "Sein Alter wird auf 36 geschätzt.", 2: "Die 32-Jährige gilt als mächtig."},
            {1},
        ),
        (
            "Wie viel kostet das Ticket?",
            {1: "Das Ticket gilt bundesweit.", 2: "Es kostet 58 Euro im Monat."},
            {1},
        ),
        # a game's or a vote's result
        (
            "What was the final score of the Sixers' win over Boston?",
            {
                1: "The Sixers won at home on Wednesday.",
                2: "They beat Boston 106-103, a close win.",
            },
            {1},
        ),
        (
            "Wie knapp ging die Abstimmung im Unterhaus aus?",
            {1: "Das Unterhaus stimmte am Samstag ab.", 2: "Es stimmten 322 zu 306 dafür."},
            {1},
        ),
        # where someone or something is based or comes from: the words that say so, or a place
        # right after a name the question asks about; not a place anywhere in the sentence
        (
            "Wo sitzt FACC?",
            {
                1: "Der Konzernchef von FACC sprach über den Krieg in Israel.",
                2: "Vom Innviertel aus beliefert das Unternehmen Airbus.",
            },
            {1},
        ),
        (
            "Und woher stammt sie?",
            {1: "Die gebürtige Duisburgerin leitet die Caritas.", 2: "Sie war in Berlin."},
            {2},
        ),
        (
            "Where is Andrew Hartley from?",
            {1: "Hartley, 37, from Radstock, did a rushed job.", 2: "He was jailed in Bristol."},
            {2},
        ),
        (
            "Where is Energiprojekt AB based?",
            {1: "The firm Energiprojekt AB in Sweden made progress.", 2: "It sells in Europe."},
            {2},
        ),
        # "Besitz" (property) is no seat
        (
            "Wo sitzt die Firma?",
            {1: "Ihr Besitz ist groß.", 2: "Die Firma mit Sitz in Ried wächst."},
            {1},
        ),
        # "where" alone asks for no such kind: an event's place is in most of its sentences
        (
            "Where did the bus crash?",
            {1: "The bus crashed near Funchal.", 2: "A native of Lisbon was driving."},
            set(),
        ),
        # nor "from" inside a "where" question: where a thing went, not where it comes from
        (
            "Where was the museum moved to from its old house?",
            {1: "It moved to Somerset House.", 2: "A native of Lisbon runs it."},
            set(),
        ),
        # not a result for "Ergebnis" alone: what followed an election, not a count
        (
            "Was war das Ergebnis der Wahl von 2007?",
            {1: "Es folgten Prozesse.", 2: "Die meisten sind 9-18 Jahre alt."},
            set(),
        ),
        # none where no sentence states one: the kind cannot choose
        ("Wie viel kostet es?", {1: "Das Ticket ist beliebt.", 2: "Es gilt bundesweit."}, set()),
        # a count of a thing alone is not checked: news count in other words
        (
            "How many patients took part?",
            {1: "Blood was drawn from 31 volunteers.", 2: "The trial ran for three weeks."},
            set(),
        ),
        # a time for "when": a date, a decade; a year the question names is none
        (
            "Wann entstand das Foto?",
            {1: "Bald ist der Jahrestag des Fotos.", 2: "Es entstand am 7. Dezember 1972."},
            {1},
        ),
        (
            "In what decade did the city grow fastest?",
            {1: "The city grew fastest with its port.", 2: "It boomed in the 1970s."},
            {1},
        ),
        (
            "Wann wurde der Vertrag von 2019 unterschrieben?",
            {1: "Der Vertrag von 2019 gilt weiter.", 2: "Er wurde im März unterschrieben."},
            {1},
        ),
        # a clause of time answers "when" too ("als" after a comma, not "als" alone)
        (
            "Ab wann unterstützten die Republikaner das Imperium?",
            {
                1: "Die Republikaner waren als Partei dem Imperium feindlich gesinnt.",
                2: "Sie boten Unterstützung, als Deutschland begann, ein Imperium aufzubauen.",
                3: "Frankreich übernahm 1830 Algerien.",
            },
            {1},
        ),
        # a leading clause of time asks what its question word asks
        (
            "When many people are arrested, what is a common tactic?",
            {1: "Mass arrests are a tactic.", 2: "In 1963 many were arrested."},
            set(),
        ),
        # nor a name, a place, a reason
        (
            "Who found the boat?",
            {1: "The boat was found on Sunday.", 2: "Jana Roth found it."},
            set(),
        ),
    ],
)
def test_lacking(question: str, sentences: dict[int, str], lacking_ones: set[int]) -> None:
    assert lacking(question, sentences) == lacking_ones
