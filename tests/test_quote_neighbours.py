"""A quote widened over its neighbours (index.quote.build_quote), verbatim and within the
limit: the budget left takes the next paragraph's first clauses, or the run of them the reader
says answers; a window too long keeps the best part of its other sentence; a heading is never a
neighbour's clauses; the article's own white space is kept, and a piece skipped between two
sentences of a line is never dropped unmarked."""

from __future__ import annotations

from index.quote import ELLIPSIS


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
