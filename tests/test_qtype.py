"""What a question asks for, and evidence of it beyond the question's own words."""

from __future__ import annotations

import pytest

from index.qtype import has_evidence, question_type


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
