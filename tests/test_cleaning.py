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


@pytest.mark.parametrize(
    "sentence",
    [
        "Credit card fraud rose by 20 percent last year, the report said.",
        "Sources close to the minister said the deal was done.",
        "Copyright infringement claims against the company were dismissed on Monday.",
        "Anzeige gegen den Fahrer wurde erstattet, teilte die Polizei mit.",
        "Bild und Ton fielen während der Sendung für zehn Minuten aus.",
        "Quelle des Fehlers war ein Softwareupdate, sagte der Sprecher.",
        "Related problems arose at two other plants, the company said.",
        "Follow us, the protesters shouted as they marched to the square.",
    ],
)
def test_a_sentence_that_starts_like_a_credit_is_a_sentence(sentence: str) -> None:
    """A credit's label without a separator, on a line that ends as a sentence, is the
    sentence's first word: it is indexed and can be quoted (it was dropped as furniture)."""
    text = f"The mayor spoke on Tuesday.\n{sentence}\nThe bridge will open in 2028."
    assert sentence in [text[a:b] for a, b in split_sentences(text, "en")]


@pytest.mark.parametrize(
    "line",
    [
        "Foto: dpa",
        "Quelle | AFP",
        "Copyright 2020 Beispiel Verlag. Alle Rechte vorbehalten.",
        "Anzeige",
        # social and related-reading prompts (raw-HTML pages of the held-out sets)
        "Folgen Sie uns auf Twitter",
        "Liken Sie uns auf Facebook",
        "Follow us: Google News | NewsBreak | Reddit | Instagram | Facebook | Twitter",
        "Related: Alaska Airlines delays full Oneworld membership to early 2021",
    ],
)
def test_credits_with_a_separator_or_no_sentence_end_are_furniture(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "sentence",
    [
        "Die Kanzlerin – Angela Merkel – sprach am Montag von einem großen Erfolg.",
        "The President – Joe Biden – said the bill would pass.",
    ],
)
def test_a_parenthesis_between_dashes_is_no_dateline(sentence: str) -> None:
    assert dateline_end(sentence) == 0
    assert [sentence[a:b] for a, b in split_sentences(sentence, "de")] == [sentence]


def test_a_long_run_of_punctuation_is_split_in_linear_time() -> None:
    """The link pattern backtracked over a run of punctuation: 100k characters took 12.7 s,
    60k about 4.6 s (a bound on pathological input, not a speed target: it takes milliseconds)."""
    import time

    text = "*" * 60_000 + " this line ends in words.\nAnother sentence here."
    started = time.perf_counter()
    split_sentences(text, "en")
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        # A hard wrap that leaves a space before the next word.
        ("She has taken\n to her Instagram page.", "She has taken to her Instagram page."),
        # A line ending in an article or preposition continues, whatever the next one starts with.
        (
            "Kate Henshaw, who in 2008, won the\nAfrica Movie Academy Award for Best Actress.",
            "Kate Henshaw, who in 2008, won the Africa Movie Academy Award for Best Actress.",
        ),
        (
            "Die Stadt und der\nLandkreis Fulda einigten sich am Montag.",
            "Die Stadt und der Landkreis Fulda einigten sich am Montag.",
        ),
    ],
)
def test_lines_wrapped_inside_a_sentence_are_joined(text: str, joined: str) -> None:
    assert join_broken_lines(text) == joined


@pytest.mark.parametrize(
    "text",
    [
        "Kate Henshaw\nVeteran Nollywood actress Kate Henshaw shared new photos.",
        "Was sich ändert\nDie neue Regel gilt ab Januar.",
        "Where we go from here\nThe council meets again on Monday.",
        # A German headline may end in a verb's separable part that is also a preposition.
        "Top-Angreiferin Krystal Rivers fällt aus\nDie Stuttgarter müssen auf sie verzichten.",
        "Die Stadt lenkt ein und nimmt die Pläne zurück, der Rat stimmt zu\nDer Bau beginnt 2025.",
    ],
)
def test_a_heading_stays_apart_from_its_paragraph(text: str) -> None:
    assert join_broken_lines(text) == text
