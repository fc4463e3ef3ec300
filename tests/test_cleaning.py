"""Page furniture is told from sentences; datelines are cut; broken lines are joined."""

from __future__ import annotations

import pytest

from index.chunking import split_sentences
from index.cleaning import dateline_end, is_furniture, join_broken_lines


@pytest.mark.parametrize(
    "line",
    [
        "Düsseldorf -",
        "Bergisch Gladbach -",
        "Stand: 28.04.2020 18:00 Uhr",
        "28.04.2020 21:38 Uhr",
        "Datum 25.01.2022",
        "Créé: 12.12.2019, 07h36",
        "Quelle: Agenturen",
        "Source: CDC, Chicago Department of Public Health",
        "Lesen Sie hier: Spielabbruch in der Kreisliga",
        "https://www.facebook.com/SomePub/posts/123",
        "peter.christopher@example.org",
        "Von Volkmar Kabisch, Jan Lukas Strozyk und Benedikt Strunz, NDR",
        "By Nada Tawfik, BBC News, New York",
        "( Pescasseroli, 14 Gennaio 20 )",
        "\t",
    ],
)
def test_furniture_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Tauben finden nicht raus",  # a heading: kept
        "Hauptursache sind Kostensteigerungen bei Strom und Diesel",
        "Von wegen. Am Sonntag verkündete der Ministerpräsident die Schließung.",
        "By contrast, the Court of Justice held that the Treaty did not prevent it.",
        "Die Abgeordneten stimmten mit 322 zu 306 Stimmen zu.",
        "Grüner Wasserstoff – dezentral und günstig",
    ],
)
def test_sentences_are_not_furniture(line: str) -> None:
    assert not is_furniture(line)


@pytest.mark.parametrize(
    ("line", "dateline"),
    [
        ("Hamburg (dpa/lno) – Trotz eines Gespräches blieb es dabei.", "Hamburg (dpa/lno) – "),
        ("AUSTIN (KXAN) — Texas voters approved an amendment.", "AUSTIN (KXAN) — "),
        (
            "SOUTHWEST MIAMI-DADE, FLA. (WSVN) - An overnight crash.",
            "SOUTHWEST MIAMI-DADE, FLA. (WSVN) - ",
        ),
        ("06.11.23 - Sensation in der Hochburg!", "06.11.23 - "),
        ("Potsdam – Zum Ende des Jagdjahres lief die Prämie aus.", "Potsdam – "),
        ("Grüner Wasserstoff – dezentral und günstig", ""),  # lower case after the dash
        ("Das Rhein-Maas- Delta ist die wichtigste Naturregion.", ""),
    ],
)
def test_datelines(line: str, dateline: str) -> None:
    assert line[: dateline_end(line)] == dateline


def test_split_sentences_skips_furniture_and_cuts_datelines() -> None:
    text = "Düsseldorf -\nHamburg (dpa) – Der Senat tagte. Er beschloss nichts.\nStand: 01.02.2020"
    got = [text[a:b] for a, b in split_sentences(text, "de")]
    assert got == ["Der Senat tagte.", "Er beschloss nichts."]


def test_broken_lines_are_joined_but_headings_and_paragraphs_stay() -> None:
    text = (
        "Die Lage hat sich\nverändert. Das sagte er.\n"
        "Eine Überschrift\nDer nächste Absatz beginnt hier.\n\nNeuer Absatz."
    )
    assert join_broken_lines(text) == (
        "Die Lage hat sich verändert. Das sagte er.\n"
        "Eine Überschrift\nDer nächste Absatz beginnt hier.\n\nNeuer Absatz."
    )
