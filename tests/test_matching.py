"""index.matching: lemma dictionaries loaded once, before the first question."""

from __future__ import annotations

import pytest

from index.matching import reads_as


def test_dictionaries_load_once_for_the_languages_asked() -> None:
    from index import matching

    matching.load_dictionaries(["de", "xx"])  # "xx": no dictionary, skipped
    assert "de" in matching._READY and "xx" not in matching._READY
    assert matching.words("Er starb", "de")[0].lemma == matching.words("gestorben", "de")[0].lemma


def test_lemmas_are_not_stemmed_together() -> None:
    """Snowball stems "äußern" (the lemma of "geäußert") and "außen" alike; lemmas keep them
    apart."""
    from index.matching import Keys, match, words

    asked = next(w for w in words("Wer hat sich geäußert?", "de") if w.lemma == "äußern")
    assert not match(asked, frozenset(), Keys.of("Tauben bleiben außen vor.", "de"))
    assert match(asked, frozenset(), Keys.of("Dazu äußerte sich der Sprecher.", "de"))


def test_separated_verbs_match_their_joined_form() -> None:
    from index.matching import Keys, match, separated, words

    assert separated("Wo reicht man den Antrag dafür ein?", "de") == ["einreichen"]
    assert separated("Wer nimmt an dem Treffen teil?", "de") == ["teilnehmen"]
    assert separated("Die Polizei nahm den Mann fest.", "de") == ["festnehmen"]
    assert separated("Wanneer belt hij je op?", "nl") == ["opbellen"]
    # A clause ending in a preposition's object, or a particle that makes no known verb.
    assert separated("Sie fährt heute nach Berlin.", "de") == []
    assert separated("Where did he go in?", "en") == []
    asked = {w.lemma: w for w in words("Wo reicht man den Antrag ein?", "de")}["einreichen"]
    sentence = "Die Anträge müssen bei der unteren Jagdbehörde eingereicht werden."
    assert match(asked, frozenset(), Keys.of(sentence, "de")) == 1.0


def test_a_separated_verb_is_weighed_as_the_joined_verb() -> None:
    # The question's weighed words (what answer selection and the confidence count) hold
    # "einreichen", not the bare "reicht" that a sentence on handing in would not hold.
    from index.matching import stem_words
    from index.overlap import Terms

    def idf(language: str, terms: set[str]) -> dict[str, float]:
        return dict.fromkeys(terms, 1.0)

    terms = Terms.of("Wo reicht man den Antrag ein?", None, "de", idf, 0.3)
    assert set(terms.weights) == {*stem_words(["einreichen"], "de"), "antrag"}
    plain = Terms.of("Wie weit reicht das Geld?", None, "de", idf, 0.3)
    assert "reicht" in plain.weights


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Short German questions langdetect takes for Afrikaans, Danish or English.
        ("Wie werden die Pakete weitergeleitet?", "de", True),
        ("Wer gilt als der erste moderne Geologe?", "de", True),
        ("Was ist das Engineering News-Record?", "de", True),
        ("What did Trump name as a way to bring Kim to the negotiating table?", "de", False),
        ("How many people live in Berlin?", "de", False),
        ("How many people live in Berlin?", "en", True),
        ("", "de", False),
        ("Wie viele?", "xx", False),  # no dictionary: never taken for the language
    ],
)
def test_reads_as_tells_a_question_in_the_articles_language(
    text: str, language: str, expected: bool
) -> None:
    assert reads_as(text, language) is expected


def test_german_compound_parts_are_lemmatized_as_nouns() -> None:
    """A part cut out of a compound in lower case is read as the noun it is: simplemma takes
    "stunde" for a form of the verb "stunden" and "arbeit" for "abarbeiten"."""
    from index.matching import Keys, match, words

    (compound,) = words("Arbeitsstunden", "de")
    assert {"arbeit", "stunde"} <= compound.parts
    assert "abarbeiten" not in compound.parts and "stunden" not in compound.parts
    keys = Keys.of("Dafür wurden 10.000 Arbeitsstunden investiert.", "de")
    for asked in words("Wie viele Stunden Arbeit stecken darin?", "de"):
        if asked.lemma in ("stunde", "arbeit"):
            assert match(asked, frozenset(), keys) == 0.5, asked


def test_specified_counts_a_part_only_where_the_text_names_a_kind_of_the_word() -> None:
    """The question's "Gericht" is held by the text's "Landgericht" (a kind of court); the
    question's "Literaturnobelpreis" is not held by a text's "Preise" (only a part of it), as
    `match` would hold it."""
    from index.matching import Keys, match, specified, words

    (court,) = words("Gericht", "de")
    assert specified(court, frozenset(), Keys.of("Es läuft ein Verfahren am Landgericht.", "de"))
    (prize,) = words("Literaturnobelpreis", "de")
    prices = Keys.of("Der Verbund hebt die Preise an.", "de")
    assert match(prize, frozenset(), prices) == 0.5
    assert specified(prize, frozenset(), prices) == 0.0
