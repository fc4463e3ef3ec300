"""The kind of number a question asks for (index/units.py) and compound parts in BM25 terms."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from index import lexical
from index.answer import AnswerConfig
from index.embedder import HashEmbedder
from index.lexical import TERMS, LexicalIndex, analyze, passage_terms, query_terms
from index.library import Library, LibraryConfig
from index.units import holds_unit


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        # Money: the amount, not the count of files in the same article.
        (
            "Wie viel hat der Aktivist für die Daten bezahlt?",
            "Er kaufte sie für 600 US-Dollar.",
            True,
        ),
        ("Wie viel hat der Aktivist für die Daten bezahlt?", "Er kaufte die 1400 Dateien.", False),
        ("How much did the city pay for the land?", "It paid $4.2 million in 2019.", True),
        ("How much did the city pay for the land?", "The plot covers 40 acres.", False),
        ("How much is the studio paying the couple?", "The deal is worth $100 million.", True),
        ("How much is the studio paying the couple?", "They signed in 2020.", False),
        # A share, an age, a temperature, an amount of a substance.
        (
            "Welcher Anteil der Beschäftigten ist weiblich?",
            "Mehr als 80 Prozent sind Frauen.",
            True,
        ),
        (
            "Welcher Anteil der Beschäftigten ist weiblich?",
            "Der Verband hat 700.000 Beschäftigte.",
            False,
        ),
        (
            "Wie alt ist die neue Bürgermeisterin?",
            "Die 32 Jahre alte Claudia Brandes gewann.",
            True,
        ),
        ("How hot must it be?", "It needs 400 to 600 degrees Celsius.", True),
        ("Welche Menge Wasserstoff lieferte der Reaktor?", "Er lieferte 14 Gramm pro Tag.", True),
        # A count of the thing asked for, also inside a compound; not a count of something else.
        (
            "Wie viele Stunden Arbeit stecken darin?",
            "Rund 10.000 Arbeitsstunden stecken darin.",
            True,
        ),
        ("How many burials a day are there now?", "There are around 24 burials each day.", True),
        ("How many burials a day are there now?", "The island has held 1 million dead.", False),
        # Money earned; the cue inside a German compound ("Jahresgehalt", "Arbeitslosenquote",
        # "Durchschnittstemperatur").
        ("How much does the mayor earn per year?", "He is paid $120,000 a year.", True),
        ("How much does the mayor earn per year?", "He was elected in 2021.", False),
        ("Wie hoch ist das Jahresgehalt der Intendantin?", "Es liegt bei 295.000 Euro.", True),
        (
            "Wie hoch ist das Jahresgehalt der Intendantin?",
            "Sie ist seit 32 Jahren im Sender.",
            False,
        ),
        ("Wie hoch ist die Arbeitslosenquote?", "Sie sank auf 5,7 Prozent.", True),
        (
            "Wie hoch war die Durchschnittstemperatur im Oktober 2023?",
            "Das Temperaturmittel lag im Oktober 2023 mit 11,9 Grad Celsius über dem Wert.",
            True,
        ),
        # The question's own number does not answer it.
        ("Wie viel kostet ein Ticket für 2 Personen?", "Es gibt 2 Personen.", False),
        # A question that asks for no number.
        ("Wer hat die Wahl gewonnen?", "Sie ist 32 Jahre alt.", False),
    ],
)
def test_holds_unit(question: str, sentence: str, expected: bool) -> None:
    assert holds_unit(question, sentence) is expected


def test_german_query_terms_hold_the_parts_of_compounds() -> None:
    terms = query_terms("Wo findet man die Radonkarte?", "de")
    assert set(analyze("Radon Karte", "de")) <= set(terms)
    assert terms[: len(analyze("Wo findet man die Radonkarte?", "de"))] == analyze(
        "Wo findet man die Radonkarte?", "de"
    )


def test_english_query_terms_are_analyze_terms() -> None:
    question = "Where can the radon map be found?"
    assert query_terms(question, "en") == analyze(question, "en")


BREXIT_DE = (
    "Brexit: Das Unterhaus billigt den Abänderungsantrag\n\n"
    "Das britische Unterhaus hat in London mit 321 zu 299 Stimmen einen Abänderungsantrag der "
    "Opposition gebilligt. Die Regierung wollte das verhindern."
)


def test_german_passage_terms_hold_the_parts_of_compounds() -> None:
    """A passage's compounds are split too, so a question meets them through a part both share:
    "Änderungsantrag" finds "Abänderungsantrag", "Gericht" finds "Landgericht"."""
    passages = [
        (1, "Die Opposition brachte einen Abänderungsantrag ein.", "de"),
        (2, "Das Landgericht Potsdam verhandelt seit Montag.", "de"),
        (3, "Der Landtag tagt am Mittwoch wieder.", "de"),
    ]
    index = LexicalIndex.from_terms((i, lang, passage_terms(t, lang)) for i, t, lang in passages)
    assert list(index.search("Wer stellte den Änderungsantrag?", 3)) == [1]
    assert list(index.search("Welches Gericht?", 3)) == [2]
    terms = passage_terms(passages[0][1], "de")
    assert terms[: len(analyze(passages[0][1], "de"))] == analyze(passages[0][1], "de")
    assert "antrag" in terms and terms.count("abanderungsantrag") == 1  # parts, not the word again
    # German compounds worth splitting are nouns: an adjective ending in a word by chance is not.
    assert passage_terms("Die politische Lage", "de") == analyze("Die politische Lage", "de")


def test_english_passage_terms_are_analyze_terms() -> None:
    text = "The city council approved the construction of a new bridge."
    assert passage_terms(text, "en") == analyze(text, "en")


def test_the_terms_version_records_the_stemmer_and_lemmatizer_releases(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another PyStemmer or simplemma may stem or lemmatize otherwise: stored terms made by
    another release are of another version, made again as an upgrade's are (below)."""
    monkeypatch.setattr(lexical, "installed", lambda name: "1.0")
    before = lexical._terms_version()
    monkeypatch.setattr(lexical, "installed", lambda name: "2.0" if name == "simplemma" else "1.0")
    assert lexical._terms_version() != before
    monkeypatch.setattr(lexical, "installed", lambda name: "2.0" if name == "PyStemmer" else "1.0")
    assert lexical._terms_version() != before
    monkeypatch.setattr(lexical, "installed", lambda name: "1.0.7")  # a patch release: the same
    assert lexical._terms_version() == before


def test_passage_terms_stored_without_compound_parts_are_made_again(tmp_path: Path) -> None:
    """A library whose stored BM25 terms are of the version before compound parts: its indexes
    split the compounds when they load and store the terms so made (the next start reads them;
    a library this small writes no checkpoint that would hold them), and so does `rebuild`."""
    config = LibraryConfig(tmp_path / "data")
    library = Library(config, embedder=HashEmbedder())
    library.add_text(BREXIT_DE)
    (pid,) = library.store.passage_ids()
    old = " ".join(analyze(BREXIT_DE, "de"))  # as the version before stored them

    def stored() -> tuple[int, str]:
        with library.store.reading() as conn:
            return conn.execute("SELECT analyzer, terms FROM passage_terms").fetchone()

    def downgrade() -> None:
        with library.store.transaction() as conn:
            conn.execute("UPDATE passage_terms SET analyzer = ?, terms = ?", (TERMS - 1, old))

    downgrade()
    library.close()
    library = Library(config, embedder=HashEmbedder())
    assert list(library._current().lexical.search("Wer stellte den Änderungsantrag?", 5)) == [pid]
    library.backend._storing.join()  # stored on a thread of its own: questions never wait
    version, terms = stored()
    assert version == TERMS and "antrag" in terms.split()
    downgrade()
    library.rebuild()
    version, terms = stored()
    assert version == TERMS and "antrag" in terms.split()
    library.close()


def test_terms_made_again_that_cannot_be_stored_leave_the_library_answering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Storing the terms made again is only a speed-up: with the write lock held elsewhere the
    library loads and searches all the same, says so once, and stores them at a later start."""
    import contextlib
    import logging

    from index.errors import LockBusy
    from index.storage import embedded_analysis

    config = LibraryConfig(tmp_path / "data")
    library = Library(config, embedder=HashEmbedder())
    library.add_text(BREXIT_DE)
    (pid,) = library.store.passage_ids()
    with library.store.transaction() as conn:
        conn.execute("UPDATE passage_terms SET analyzer = ?", (TERMS - 1,))
    library.close()

    @contextlib.contextmanager
    def busy(*_: object, **__: object):  # noqa: ANN202 - a stand-in for locking.write_lock
        raise LockBusy("another process is writing")
        yield

    monkeypatch.setattr(embedded_analysis, "write_lock", busy)
    with caplog.at_level(logging.WARNING):
        library = Library(config, embedder=HashEmbedder())
        found = list(library._current().lexical.search("Wer stellte den Änderungsantrag?", 5))
        library.backend._storing.join()
    assert found == [pid]
    assert "could not store the BM25 terms made again" in caplog.text
    with library.store.reading() as conn:
        assert conn.execute("SELECT analyzer FROM passage_terms").fetchone()[0] == TERMS - 1
    library.close()
    monkeypatch.undo()
    library = Library(config, embedder=HashEmbedder())
    library._current()
    library.backend._storing.join()
    with library.store.reading() as conn:
        assert conn.execute("SELECT analyzer FROM passage_terms").fetchone()[0] == TERMS
    library.close()


def test_a_question_does_not_wait_for_a_writer_to_store_terms_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terms made again are stored on a thread of their own: while another write holds the
    lock, the library loads and answers; the terms are stored once the write is done."""
    import threading

    from index.storage import embedded_analysis

    config = LibraryConfig(tmp_path / "data")
    library = Library(config, embedder=HashEmbedder())
    library.add_text(BREXIT_DE)
    with library.store.transaction() as conn:
        conn.execute("UPDATE passage_terms SET analyzer = ?", (TERMS - 1,))
    library.close()
    monkeypatch.setattr(embedded_analysis, "TERMS_WAIT", 60.0)
    library = Library(config, embedder=HashEmbedder())
    found: list[int] = []
    with library.backend._write:  # a write of this process going on
        asking = threading.Thread(
            target=lambda: found.extend(
                library._current().lexical.search("Wer stellte den Änderungsantrag?", 5)
            )
        )
        asking.start()
        asking.join(timeout=30)
        assert not asking.is_alive() and len(found) == 1  # answered while the write holds on
    library.backend._storing.join(timeout=30)
    with library.store.reading() as conn:
        assert conn.execute("SELECT analyzer FROM passage_terms").fetchone()[0] == TERMS
    library.close()


def _confidences(
    tmp_path: Path, step: str, title: str, texts: dict[str, str], questions: list[str]
) -> dict[tuple[str, float, int], float]:
    """Each question's confidence in a library of each text alone, with the AnswerConfig field
    `step` at 0 and at its default (every confidence seen: no threshold)."""
    never = AnswerConfig(threshold=-math.inf)
    found = {}
    for name, text in texts.items():
        for missing in (0.0, getattr(AnswerConfig(), step)):
            config = LibraryConfig(
                tmp_path / f"{name}-{missing}", answer=replace(never, **{step: missing})
            )
            library = Library(config, embedder=HashEmbedder())
            library.add_text(text, title=title)
            for n, question in enumerate(questions):
                found[name, missing, n] = library.ask(question).confidence
            library.close()
    return found


def test_an_amount_whose_unit_is_nowhere_near_is_answered_with_less_confidence(
    tmp_path: Path,
) -> None:
    texts = {
        "none": "Netflix signed a deal with the couple in 2020. The couple will make films.",
        "money": "Netflix signed a deal with the couple, worth $100 million. They will make films.",
    }
    # A question for a name is no amount: never lowered.
    questions = ["How much is Netflix paying the couple?", "Who signed a deal with Netflix?"]
    found = _confidences(tmp_path, "unit_missing", "Netflix deal", texts, questions)
    step = AnswerConfig().unit_missing
    assert step > 0
    assert found["none", step, 0] == pytest.approx(found["none", 0.0, 0] - step)
    assert found["money", step, 0] == pytest.approx(found["money", 0.0, 0])
    assert found["none", step, 1] == pytest.approx(found["none", 0.0, 1])


def test_a_count_of_a_thing_nowhere_near_is_answered_with_less_confidence(
    tmp_path: Path,
) -> None:
    texts = {
        "none": "The state held its primary on Saturday. A poll gave Biden 35% of the vote.",
        "count": "The state held its primary on Saturday. Biden won 39 delegates in the state.",
    }
    questions = ["How many delegates did Biden win in the state's primary?"]
    found = _confidences(tmp_path, "count_missing", "The state's primary", texts, questions)
    step = AnswerConfig().count_missing
    assert step > 0
    assert found["none", step, 0] == pytest.approx(found["none", 0.0, 0] - step)
    assert found["count", step, 0] == pytest.approx(found["count", 0.0, 0])


def test_the_confidence_is_discounted_by_the_size_of_the_library(tmp_path: Path) -> None:
    """The best of more passages is a better chance match: per tenfold of passages beyond
    AnswerConfig.size_floor, the confidence is per_decade less (index.confidence.size_discount)."""
    never = AnswerConfig(threshold=-math.inf)
    library = Library(LibraryConfig(tmp_path / "lib", answer=never), embedder=HashEmbedder())
    library.add_text(
        "Netflix signed a deal with the couple, worth $100 million. They will make films.\n\n"
        "The couple moved to California in 2020. Their son was born in 2019.",
        title="Netflix deal",
    )
    for town in ("Bonn", "Graz", "Turin"):
        library.add_text(f"The new bridge in {town} will cost 40 million euros.", title=town)
    passages = library.backend.searched()
    assert passages >= 4
    found = {}
    for floor, per_decade in ((passages, 0.0), (passages, 0.05), (1, 0.05)):
        library.config = replace(
            library.config, answer=replace(never, size_floor=floor, per_decade=per_decade)
        )
        found[floor, per_decade] = library.ask("How much is Netflix paying the couple?").confidence
    library.close()
    assert AnswerConfig().per_decade > 0
    # At or below the floor: no discount; beyond it, per_decade per tenfold.
    assert found[passages, 0.05] == pytest.approx(found[passages, 0.0])
    discount = 0.05 * math.log10(passages)
    assert discount > 0.01
    assert found[1, 0.05] == pytest.approx(found[passages, 0.0] - discount)
