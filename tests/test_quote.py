"""Quotes are verbatim and never longer than the limit; long sentences are cut to clauses (the
reader choosing among their runs, a follow-up's by its own words), never between a letter and its
accent; a quote never spans a skipped byline, and a heading alone is never the answer. How a quote
takes in its neighbours is in test_quote_neighbours.py."""

from __future__ import annotations

import pytest

from index.library import Library
from index.quote import CHOICES, ELLIPSIS, cut_to_clauses, is_verbatim


def test_a_long_sentence_is_cut_to_its_best_clauses_verbatim() -> None:
    sentence = (
        "In business, notable alumni include Microsoft CEO Satya Nadella, Oracle Corporation "
        "founder Larry Ellison, former Governor of New Jersey Jon Corzine, McKinsey & Company "
        "founder and author of the first management accounting textbook James O. McKinsey, "
        "Bloomberg founder Michael Bloomberg, and many others who went on to lead companies."
    ) * 2
    quote = cut_to_clauses(sentence, 300, lambda t: float("McKinsey" in t))
    assert len(quote) <= 300
    assert "James O. McKinsey" in quote  # no cut after an initial
    assert quote.startswith(ELLIPSIS) or quote.endswith(ELLIPSIS)
    assert quote.strip(ELLIPSIS) in sentence


def test_a_cut_beside_the_article_s_own_ellipsis_adds_none() -> None:
    sentence = (
        '"Because our country is so far back now, and because the next president must repair '
        "so much of what was broken in the last years, in the courts and in the agencies, so "
        "Joe Biden worked for eight years with Barack Obama, … We need somebody who can hit the "
        'ground running," Scott said.'
    )
    quote = cut_to_clauses(sentence, 80, lambda t: float("ground running" in t))
    assert quote.startswith(f"{ELLIPSIS} We need") and ELLIPSIS * 2 not in quote
    assert is_verbatim(quote, sentence)
    # the same where a sentence's first words are cut at a word, before the text's own "…"
    from index.quote import _first_words

    words = _first_words("Sie sagte nur … und dann ging sie aus dem Saal, ohne ein Wort", 20)
    assert words == f"Sie sagte nur {ELLIPSIS}"


def test_the_reader_chooses_among_the_maximal_runs_of_clauses() -> None:
    """With `choose` (the reader), the run is picked among the longest runs that fit (none
    inside another) by their text, not by the question's words: here the last clause holds the
    answer and shares no word with what `weigh` likes."""
    clauses = [f"clause number {n} of the quoted statement about the robot" for n in range(12)]
    clauses[-1] = "said lead author Josh Leipheimer, a doctoral student at Rutgers University"
    sentence = ", ".join(clauses) + "."
    seen: list[list[str]] = []

    def choose(texts: list[str]) -> int:
        seen.append(texts)
        return next(i for i, t in enumerate(texts) if "Rutgers" in t)

    quote = cut_to_clauses(sentence, 300, lambda t: float("number 0 " in t), choose)
    assert "Rutgers University" in quote and len(quote) <= 300
    assert quote.startswith(ELLIPSIS) and quote.strip(ELLIPSIS) in sentence
    [texts] = seen  # read once, in one batch
    assert len(texts) > 1
    for text in texts:  # each fits, and none lies inside another
        assert len(text) + 2 <= 300 and text in sentence
        assert not any(o != text and text in o for o in texts)
    without = cut_to_clauses(sentence, 300, lambda t: float("number 0 " in t))
    assert "Rutgers" not in without and "number 0 " in without


def test_the_reader_reads_a_bounded_number_of_runs_of_an_endless_sentence() -> None:
    """A sentence of thousands of clauses: `choose` gets at most CHOICES runs, those `weigh`
    likes best, and the quote still fits."""
    sentence = ", ".join(f"Teil {n} der Aufzählung ohne Ende" for n in range(2000)) + "."
    seen: list[list[str]] = []

    def choose(texts: list[str]) -> int:
        seen.append(texts)
        return len(texts) - 1

    quote = cut_to_clauses(sentence, 300, lambda t: float("Teil 1500 " in t), choose)
    [texts] = seen
    assert len(texts) == CHOICES and all("Teil 1500 " in t for t in texts[:1])
    assert len(quote) <= 300 and quote.strip(ELLIPSIS) in sentence


def test_one_endless_clause_is_cut_at_a_word() -> None:
    sentence = "wort " * 200
    quote = cut_to_clauses(sentence.strip(), 300, lambda t: 0.0)
    assert len(quote) <= 300 and quote.endswith(ELLIPSIS)
    assert quote.rstrip(ELLIPSIS).split() == ["wort"] * len(quote.rstrip(ELLIPSIS).split())


def test_a_quote_never_spans_a_skipped_byline(hash_library: Library) -> None:
    """Furniture lines give no sentence; a quote widened over the gap they leave would show
    them ("…Bußgeld.\\nVon A, B und C, NDR\\nInterne Unterlagen…")."""
    text = (
        "Harbour bridge opened\n"
        "The mayor opened the new harbour bridge on Friday morning.\n"
        "By John Smith and Jane Doe, Reuters\n"
        "It carries four lanes of traffic.\n"
    )
    hash_library.add_text(text)
    answer = hash_library.ask("When did the mayor open the new harbour bridge?")
    assert not answer.abstained
    assert "Friday" in answer.quote and "Reuters" not in answer.quote, answer.quote


def test_a_heading_alone_is_never_the_answer_but_a_list_item_may_be(hash_library: Library) -> None:
    """A subheading holds the topic's words without the detail ("Karte ist räumlich höher
    aufgelöst" above the resolution): it is no window of its own. A list item, short and
    unpunctuated like a heading, is body text and may be quoted alone."""
    text = (
        "Neue Karte zur Radonbelastung\n"
        "Das Bundesamt für Strahlenschutz hat am Dienstag eine neue Übersicht veröffentlicht.\n"
        "Karte ist räumlich höher aufgelöst\n"
        "Sie zeigt die Werte nun in einer Auflösung von 1x1 Kilometer statt wie bisher 10x10.\n"
        "Die neuen Preise der Fahrkarten im Überblick:\n"
        "- Einzelfahrschein für die Innenstadt 3,90 Euro\n"
        "- Tageskarte für alle Zonen 8,50 Euro\n"
    )
    hash_library.add_text(text)
    article = hash_library._articles.get(hash_library.search("Radonbelastung", k=1))[0]
    sentences = [article.sentence(i) for i in range(len(article))]
    kinds = dict(zip(sentences, article.kinds, strict=True))
    assert kinds["Karte ist räumlich höher aufgelöst"] == "heading"
    assert kinds["- Tageskarte für alle Zonen 8,50 Euro"] == "body"
    windows = [" ".join(sentences[a : b + 1]) for a, b in article.layout.bounds]
    assert "Karte ist räumlich höher aufgelöst" not in windows
    assert "- Tageskarte für alle Zonen 8,50 Euro" in windows
    answer = hash_library.ask("Wie fein ist die Karte räumlich aufgelöst?")
    assert "1x1 Kilometer" in answer.quote, answer.quote
    answer = hash_library.ask("Was kostet die Tageskarte für alle Zonen?")
    assert "8,50 Euro" in answer.quote, answer.quote


def test_a_cut_inside_a_word_never_parts_a_letter_from_its_accent() -> None:
    """A clause with no space to cut at (decomposed accents here; Thai, Devanagari) is cut
    at a character, never between a letter and its combining mark ("e" shown for "é")."""
    import unicodedata

    sentence = "x" + "e\u0301" * 200
    quote = cut_to_clauses(sentence, 300, lambda t: 0.0)
    body = quote.removesuffix(ELLIPSIS)
    assert len(quote) <= 300 and sentence.startswith(body)
    assert not unicodedata.combining(sentence[len(body)])


def test_a_follow_up_s_long_sentence_is_cut_to_its_own_words(tmp_path) -> None:  # noqa: ANN001
    """A follow-up's sentence is chosen by its own words, and so are the clauses of a sentence
    too long to quote whole: not those that answered the previous question."""
    import math

    from index.answer import AnswerConfig
    from index.embedder import HashEmbedder
    from index.library import LibraryConfig

    filler = ", ".join(f"after a long debate number {n} in the assembly" for n in range(6))
    sentence = (
        "The new harbour bridge in Kiel, which cost the city of Kiel 120 million euros, "
        f"{filler}, was finally designed by the architect Jana Roth."
    )
    assert len(sentence) > 300
    config = AnswerConfig(threshold=-math.inf)  # the ranker alone: clauses chosen by weight
    library = Library(LibraryConfig(tmp_path / "lib", answer=config), embedder=HashEmbedder())
    library.add_text(f"Kiel harbour bridge\n{sentence}\n", title="Kiel harbour bridge")
    assert "Jana Roth" in library.ask("Who designed the bridge?").quote
    previous = "How many million euros did the new harbour bridge in Kiel cost the city of Kiel?"
    after = library.ask("Who designed it?", context=previous)
    library.close()
    assert after.follow_up and "Jana Roth" in after.quote, after.quote


@pytest.mark.parametrize("sentence", ["好，" * 499 + "好。", "a, " * 333 + "b."])
def test_a_sentence_of_tiny_clauses_is_cut_in_few_weighings(sentence: str) -> None:
    calls = []

    def weigh(text: str) -> float:
        calls.append(text)
        return float(len(text))

    quote = cut_to_clauses(sentence, 300, weigh)
    assert len(quote) <= 300 and is_verbatim(quote, sentence)
    assert len(calls) < 10_000  # every run of 2-character clauses that fits: about 75,000
