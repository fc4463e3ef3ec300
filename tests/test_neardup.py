"""index.neardup: agency copies found, different reports and updated figures kept apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import neardup
from index.neardup import Detector, Signature, signature

from .conftest import SEED_DE

SAME_EVENT = Path(__file__).parent / "fixtures" / "same_event.json"


@pytest.fixture(scope="module")
def agency() -> list[str]:
    """The seed agency report's paragraphs (the last line names the source)."""
    lines = [line for line in SEED_DE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[:-1]


def _detector(*texts: str) -> Detector:
    return Detector.from_signatures((n, signature(t)) for n, t in enumerate(texts, start=1))


def test_an_outlets_copy_of_an_agency_report_is_found(agency: list[str]) -> None:
    copy = (
        ["Seoul (dpa) - " + agency[0]]
        + agency[1:-3]  # the last paragraphs cut
        + ["© dpa-infocom, dpa:251027-99-412345/3", "Mehr Nachrichten aus Asien lesen Sie hier."]
    )
    detector = _detector("\n".join(agency))
    matches = detector.query(signature("\n".join(copy)))
    assert [m.article_id for m in matches] == [1]
    assert matches[0].containment > 0.85
    assert not matches[0].figure_changed


def test_a_copy_with_an_added_paragraph_is_found(agency: list[str]) -> None:
    own = "Die Bundesregierung in Berlin äußerte sich am Abend zurückhaltend zu den Plänen."
    copy = agency[:4] + [own] + agency[4:]
    assert [
        m.article_id for m in _detector("\n".join(agency)).query(signature("\n".join(copy)))
    ] == [1]


def test_an_update_with_a_changed_figure_is_not_merged(agency: list[str]) -> None:
    old = "\n".join(agency + ["Bei dem Unglück kamen mindestens 12 Menschen ums Leben."])
    new = old.replace("mindestens 12 Menschen", "mindestens 18 Menschen")
    (candidate,) = _detector(old).candidates(signature(new))
    assert candidate.containment > 0.9  # the same text ...
    assert candidate.figure_changed  # ... with another figure in the same place
    assert _detector(old).query(signature(new)) == []


def test_a_changed_figure_in_a_place_that_repeats_is_a_change(agency: list[str]) -> None:
    line = 'Die Firma ist "zu 100 Prozent Luftfahrt und zu 100 Prozent Export".'
    old = "\n".join([*agency, line])
    new = old.replace("zu 100 Prozent Luftfahrt", "zu 107 Prozent Luftfahrt")
    assert _detector(old).query(signature(new)) == []
    shortened = old.replace(" und zu 100 Prozent Export", "")  # one occurrence cut: no change
    assert [m.article_id for m in _detector(old).query(signature(shortened))] == [1]


def test_numbers_added_or_cut_elsewhere_are_no_figure_change(agency: list[str]) -> None:
    stored = "\n".join(agency)
    copy = "\n".join(agency[:-2] + ["dpa:251027-99-412345/3 (27.10.2025, 14:05 Uhr)"])
    (match,) = _detector(stored).query(signature(copy))
    assert not match.figure_changed


def test_different_reports_of_the_same_event_are_never_merged() -> None:
    pairs = json.loads(SAME_EVENT.read_text(encoding="utf-8"))["pairs"]
    for pair in pairs:
        assert _detector(pair["a"]).query(signature(pair["b"])) == [], pair["event"]
        assert _detector(pair["b"]).query(signature(pair["a"])) == [], pair["event"]


def test_signature_bytes_round_trip_and_bad_bytes_are_refused(agency: list[str]) -> None:
    sig = signature("\n".join(agency))
    again = Signature.from_bytes(sig.to_bytes())
    assert again.shingles == sig.shingles and again.figures == sig.figures
    assert (again.values == sig.values).all()
    assert len(sig.to_bytes()) < 1200
    for bad in (b"", b"garbage", sig.to_bytes()[:-4], bytes([99]) + sig.to_bytes()[1:]):
        with pytest.raises(ValueError):
            Signature.from_bytes(bad)


def test_remove_and_several_signatures_per_article(agency: list[str]) -> None:
    original = "\n".join(agency)
    second = "\n".join(agency[:6])  # a copy recorded as another source of article 1
    detector = Detector()
    detector.add(1, signature(original))
    detector.add(1, signature(second))
    detector.add(2, signature(pairs_text()))
    assert len(detector) == 2 and 1 in detector
    # A third copy that is the second one's text plus its own paragraph: found via either.
    third = second + "\nEin Sprecher des Außenministeriums wollte sich dazu nicht äußern."
    assert [m.article_id for m in detector.query(signature(third))] == [1]
    detector.remove(1)
    assert 1 not in detector and len(detector) == 1
    assert detector.query(signature(third)) == []
    assert [m.article_id for m in detector.query(signature(pairs_text()))] == [2]


def pairs_text() -> str:
    return json.loads(SAME_EVENT.read_text(encoding="utf-8"))["pairs"][0]["a"]


def test_empty_and_tiny_texts_match_nothing() -> None:
    detector = _detector("", "Kurz.")
    assert detector.query(signature("")) == []
    assert signature("").shingles == 0
    assert [m.article_id for m in detector.query(signature("kurz"))] == [2]  # one shingle: equal


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_signature_that_round_trips(text: str) -> None:
    sig = signature(text)
    again = Signature.from_bytes(sig.to_bytes())
    detector = Detector()
    detector.add(7, again)
    detector.query(sig)  # never raises
    assert again.shingles == sig.shingles == len(neardup.shingles(neardup.tokens(text)))


def test_a_text_of_endless_numbers_in_one_place_signs_and_round_trips() -> None:
    """An accepted text of 75,000 numbers between the same two words: its figures are a
    bounded sample per place, so the signature is stored (the count overflowed its 16-bit
    field after the article had been embedded)."""
    text = "Zahlen " + "1 a " * 74_900
    made = signature(text)
    assert len(made.figures) <= neardup.MAX_FIGURES * neardup.PER_PLACE
    again = Signature.from_bytes(made.to_bytes())
    assert again.figures == made.figures and again.shingles == made.shingles
