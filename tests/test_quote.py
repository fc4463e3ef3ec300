"""Quotes are verbatim and never longer than the limit; long sentences are cut to clauses."""

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


class _Lines:
    """The parts of index.sentences.ArticleSentences that build_quote reads: one sentence per
    line here, as news often writes its paragraphs."""

    def __init__(self, lines: list[str]) -> None:
        self.text = "\n".join(lines)
        starts = [sum(len(x) + 1 for x in lines[:i]) for i in range(len(lines))]
        self.spans = tuple((s, s + len(x)) for s, x in zip(starts, lines, strict=True))
        self.blocks = tuple(range(len(lines)))
        self.kinds = ("body",) * len(lines)

    def __len__(self) -> int:
        return len(self.spans)

    def sentence(self, i: int) -> str:
        a, b = self.spans[i]
        return self.text[a:b]


def test_the_budget_left_takes_the_next_paragraphs_first_clauses() -> None:
    """A lead that names the event, and the figure in the next paragraph, whose sentence is too
    long to fit whole: its first clauses fill the quote, after the line break."""
    from index.quote import build_quote, is_verbatim

    lead = "Internal documents of the arms maker have appeared online after hackers copied them."
    figure = (
        "An activist bought all 1,400 files, as he says, and then made the whole data set "
        "available for anyone to download, because he wants to protest against the arms trade, "
        "which in his view profits from wars that the company's shareholders never see, and "
        "which he thinks no government will stop."
    )
    article = _Lines(["Leak at the arms maker", lead, figure])
    article.kinds = ("heading", "body", "body")
    quote, (a, b) = build_quote(article, 1, [0.0, 1.0, 0.5], 300, lambda t: 0.0)
    assert len(quote) <= 300 and quote[a:b] == lead
    assert quote.startswith(lead + "\nAn activist bought all 1,400 files,"), quote
    assert quote.endswith(ELLIPSIS) and is_verbatim(quote, article.text)


def test_the_next_sentences_part_is_the_one_that_answers_where_the_reader_says_so() -> None:
    """The budget left goes to the next sentence's first clauses, as the quote reads on, unless
    the reader (`choose`) reads another run of its clauses as answering better: the name asked
    for is in its second clause, not its first."""
    from index.quote import build_quote, is_verbatim

    lead = (
        "Police are trying to unravel the mystery behind the death of a hunter whose remains "
        "were found on Tuesday with gunshot wounds in the jungle near the coast of the region."
    )
    named = (
        "Two loggers have since claimed that they had heard when the hunter, identified as "
        "54-year-old Bharrat Ramdehol better known as Suresh, was shot but cannot say how it "
        "happened because they were a fair distance away from him at the time."
    )
    article = _Lines(["Hunter found dead", lead, named])
    article.kinds = ("heading", "body", "body")
    read: list[list[str]] = []

    def reader(texts: list[str]) -> int:
        read.append(texts)
        return next((i for i, t in enumerate(texts) if "Ramdehol" in t), 0)

    def evidence(text: str) -> float:  # a name, as answer selection weighs a "who" question's
        return float("Ramdehol" in text)

    quote, (a, b) = build_quote(article, 1, [0.0, 1.0, 0.5], 300, evidence, choose=reader)
    assert len(quote) <= 300 and quote[a:b] == lead
    assert "Bharrat Ramdehol" in quote and is_verbatim(quote, article.text), quote
    assert [t[:11] for t in read[-1]] == ["Two loggers", "identified "]  # both were read
    # The reader decides: one that reads the first clauses as the better answer keeps them.
    quote, _ = build_quote(article, 1, [0.0, 1.0, 0.5], 300, evidence, choose=lambda t: 0)
    assert quote.startswith(lead + "\nTwo loggers have since claimed"), quote
    # Without the reader the weighing decides, and of equals the first clauses are kept.
    quote, _ = build_quote(article, 1, [0.0, 1.0, 0.5], 300, lambda t: 0.0)
    assert quote.startswith(lead + "\nTwo loggers have since claimed"), quote
    quote, _ = build_quote(article, 1, [0.0, 1.0, 0.5], 300, evidence)
    assert "Bharrat Ramdehol" in quote and is_verbatim(quote, article.text), quote


def test_a_window_too_long_for_the_quote_keeps_the_best_part_of_its_other_sentence() -> None:
    """A window of two sentences that do not fit together: the key sentence whole,
    and of the other the run of clauses that answers (not merely its first words)."""
    from index.quote import build_quote, is_verbatim

    key = (
        "The museum has fought for over a year to acquire an eighteenth-century painting by "
        "the French master for its national collection of still lifes and portraits."
    )
    other = (
        "Now the museum is receiving generous help from the luxury group led by a billionaire, "
        "which has bought national treasures before, and it will pay for Basket of Wild "
        "Strawberries, a 1761 work that set records."
    )
    article = _Lines([key, other])
    quote, (a, b) = build_quote(
        article, 0, [1.0, 0.5], 300, lambda t: float("Strawberries" in t), also=1
    )
    assert len(quote) <= 300 and quote[a:b] == key
    assert "Basket of Wild Strawberries" in quote and is_verbatim(quote, article.text), quote


def test_a_heading_is_never_part_of_a_neighbours_clauses() -> None:
    from index.quote import build_quote

    long = "This sentence goes on, and on, and on, " * 10
    article = _Lines(["Some sentence about the thing asked.", long.strip()])
    article.kinds = ("body", "heading")
    quote, _ = build_quote(article, 0, [1.0, 0.0], 300, lambda t: 0.0)
    assert quote == "Some sentence about the thing asked."


def test_a_next_sentence_without_a_clause_that_fits_gives_its_first_words() -> None:
    from index.quote import build_quote, is_verbatim

    lead = (
        "Interne Unterlagen des größten deutschen Rüstungskonzerns sind im Internet "
        "aufgetaucht, nachdem Hacker die Daten kopiert und zum Kauf angeboten hatten."
    )
    figure = (
        "Ein Aktivist kaufte die insgesamt 1400 Dateien nach eigener Aussage und stellte den "
        "Datensatz dann für jedermann zugänglich zum Download bereit und schrieb dazu einen "
        "langen Text über die Gründe seines Protests gegen den Handel mit Waffen aller Art."
    )
    article = _Lines(["Daten im Netz", lead, figure])
    article.kinds = ("heading", "body", "body")
    quote, _ = build_quote(article, 1, [0.0, 1.0, 0.5], 300, lambda t: 0.0)
    assert len(quote) <= 300 and "1400 Dateien" in quote, quote
    assert quote.endswith(ELLIPSIS) and is_verbatim(quote, article.text)
    assert not quote.rstrip(ELLIPSIS).endswith(" ")


def test_partial_neighbours_keep_the_articles_own_white_space() -> None:
    """A blank line between paragraphs stays in the quote as the article has it: the quote is
    still the article's text, piece by piece."""
    from index.quote import build_quote, is_verbatim

    lead = "The council approved the new harbour bridge on Friday after a long debate."
    figure = (
        "It will cost 40 million euros and carry four lanes of traffic across the harbour mouth "
        "and two cycle paths that the city wants to link to the ring of paths around the old "
        "town and the new quarter in the east where most of the new flats are being built now."
    )
    article = _Lines(["Bridge approved", lead, figure])
    article.text = article.text.replace("\n", "\n\n")
    article.spans = ((0, 15), (17, 17 + len(lead)), (19 + len(lead), 19 + len(lead) + len(figure)))
    article.kinds = ("heading", "body", "body")
    assert article.sentence(2) == figure
    quote, _ = build_quote(article, 1, [0.0, 1.0, 0.5], 150, lambda t: 0.0)
    assert quote.startswith(lead + "\n\nIt will cost 40 million euros"), quote
    assert len(quote) <= 150 and is_verbatim(quote, article.text)


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


def test_a_piece_skipped_between_two_sentences_of_a_line_is_never_dropped_unmarked() -> None:
    """An elision mark "(...)" between two sentences of one line is no sentence of its own
    (split_sentences skips it): a neighbour's clauses beyond it are not quoted, which would
    drop it silently; the quote stays the article's text, piece by piece."""
    from index.quote import build_quote, is_verbatim

    said = (
        "„Die neue Hafenbrücke hat 120 Millionen Euro gekostet“, sagte die Bürgermeisterin "
        "am Freitag bei der Eröffnung."
    )
    built = (
        "Gebaut hat sie die Firma Meyer aus Kiel, die zuvor schon den neuen Bahnhof der Stadt "
        "errichtet und dafür mehrere Preise bekommen hatte, wie die Stadt am Montag mitteilte."
    )
    article = _Lines(["Brücke eröffnet", f"{said} (...) {built}"])
    text = article.text
    first, second = text.index(said), text.index(built)
    article.spans = (article.spans[0], (first, first + len(said)), (second, second + len(built)))
    article.blocks = (0, 1, 1)
    article.kinds = ("heading", "body", "body")
    assert article.sentence(2) == built
    quote, _ = build_quote(article, 1, [0.0, 1.0, 0.5], 160, lambda t: 0.0)
    assert is_verbatim(quote, article.text), quote
    assert "Gebaut" not in quote


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
