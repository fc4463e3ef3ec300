"""index.story: a later report of the same event that names it otherwise continues its story."""

from __future__ import annotations

import pytest

from index.lexical import LexicalIndex, analyze
from index.story import (
    STORY_DAYS,
    STORY_DF,
    continues,
    document_frequency,
    name_words,
    rare_names,
)

OLDER = (
    "Landslides kill dozens in Kerala\n"
    "At least 93 people were killed when landslides swept through villages in the Wayanad "
    "district of the southern Indian state of Kerala early on Tuesday, officials said."
)
NEWER = (
    "Hopes fade for hundreds still missing\n"
    "Rescuers have recovered 308 bodies from the hill villages of Mundakkai and Chooralmala, "
    "Kerala officials said on Friday."
)


def texts(extra: int = 0, word: str = "Kerala") -> list[str]:
    """The two reports, `extra` other passages that hold `word`, and 40 unrelated ones."""
    return (
        [OLDER, NEWER]
        + [f"News from {word} number {n} today." for n in range(extra)]
        + [f"Unrelated passage {n} about the weather." for n in range(40)]
    )


def library(extra: int = 0) -> LexicalIndex:
    return LexicalIndex.build((n, text, "en") for n, text in enumerate(texts(extra)))


def test_names_are_words_capitalized_inside_a_sentence() -> None:
    words = name_words(OLDER, "en")
    assert "Kerala" in words and "Wayanad" in words and "Indian" in words
    assert "Landslides" not in words and "At" not in words  # a line's and a sentence's start
    assert "Tuesday" not in words  # a day names no story
    # German capitalizes every noun: only the words its dictionary does not know are names.
    german = "Nach dem Unglück am Mottarone ist ein Kind in der Klinik gestorben."
    assert name_words(german, "de") == ["Mottarone"]


def test_an_abbreviation_in_capitals_names_no_story() -> None:
    """A broadcaster's, an agency's or an office's abbreviation, alone or as a hyphenated name's
    part, is in many stories: a report on the ARD's outgoing director and one on an
    ARD-Telenovela six days later are not one story."""
    older = "Die Amtszeit der MDR-Intendantin endet. Sie war ARD-Vorsitzende in Bichlheim."
    newer = "Die ARD-Telenovela geht in die 20. Staffel, wie die ARD in Bichlheim mitteilte."
    assert name_words(older, "de") == ["Bichlheim"]
    assert "ARD" not in name_words(newer, "de")
    index = LexicalIndex.build(
        [(0, older, "de"), (1, newer, "de")]
        + [(n, f"Das Wetter in Hamburg am Tag {n}.", "de") for n in range(2, 40)]
    )
    assert continues(older, newer, 6, "de", index.idf)  # the shared town ties them
    assert not continues(older, newer.replace("in Bichlheim ", ""), 6, "de", index.idf)
    words = name_words("The US-based NDMA said Kerala-Regierung and Air India were hit.", "en")
    assert words == ["Kerala-Regierung", "Air", "India"]  # not "based", nor "NDMA"


def test_document_frequency_is_read_back_from_the_idf() -> None:
    index = library(extra=5)
    terms = {*analyze("Kerala Wayanad Mundakkai weather", "en")}
    df = document_frequency("en", terms, index.idf)
    for term in terms:
        held = sum(term in analyze(text, "en") for text in texts(extra=5))
        assert held > 0 and df[term] == pytest.approx(held, abs=1e-6), term


def test_a_later_report_sharing_a_rare_name_continues_the_story() -> None:
    index = library()
    assert continues(OLDER, NEWER, 3, "en", index.idf)
    assert not continues(OLDER, NEWER, STORY_DAYS + 1, "en", index.idf)  # weeks later
    assert not continues(OLDER, NEWER, -1, "en", index.idf)  # an older one
    assert not continues(OLDER, NEWER, None, "en", index.idf)  # no date
    assert rare_names(OLDER, "en", index.idf)[:3] == ["Kerala", "Wayanad", "Indian"]


def test_a_name_the_library_writes_about_all_the_time_ties_nothing() -> None:
    index = library(extra=STORY_DF)  # Kerala in STORY_DF + 2 passages: a topic, not a story
    assert not continues(OLDER, NEWER, 3, "en", index.idf)
    assert "Kerala" not in rare_names(OLDER, "en", index.idf)


def test_a_name_that_starts_the_later_headline_ties_it() -> None:
    """The later report names the state only as its headline's first word, which is
    capitalized whatever it is; the first report writes it inside a sentence, so it is a name."""
    older = (
        "Flash floods hit the Hill Country\n"
        "At least 24 people died in the floods in central Texas after the Guadalupe River rose, "
        "officials said on Saturday."
    )
    newer = (
        "Texas flood death toll passes 100\n"
        "The death toll from the flash floods in Kerr County has risen to at least 104, "
        "authorities said on Tuesday."
    )
    index = LexicalIndex.build(
        (n, text, "en")
        for n, text in enumerate(
            [older, newer, *(f"Unrelated passage {n} about the weather." for n in range(40))]
        )
    )
    assert continues(older, newer, 3, "en", index.idf)
    # Both headlines' first words alone tie nothing: neither is written inside a sentence.
    assert not continues(
        "Storms hit the coast\nIt rained.", "Storms return\nIt rained.", 3, "en", index.idf
    )
