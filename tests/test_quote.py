"""Quotes are verbatim and never longer than the limit; long sentences are cut to clauses."""

from __future__ import annotations

from index.quote import ELLIPSIS, cut_to_clauses


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


def test_one_endless_clause_is_cut_at_a_word() -> None:
    sentence = "wort " * 200
    quote = cut_to_clauses(sentence.strip(), 300, lambda t: 0.0)
    assert len(quote) <= 300 and quote.endswith(ELLIPSIS)
    assert quote.rstrip(ELLIPSIS).split() == ["wort"] * len(quote.rstrip(ELLIPSIS).split())


def test_a_quote_never_spans_a_skipped_byline(tmp_path) -> None:  # noqa: ANN001
    """Furniture lines give no sentence; a quote widened over the gap they leave would show
    them ("…Bußgeld.\\nVon A, B und C, NDR\\nInterne Unterlagen…")."""
    from index.embedder import HashEmbedder
    from index.library import Library, LibraryConfig

    library = Library(LibraryConfig(tmp_path / "data"), embedder=HashEmbedder())
    text = (
        "Harbour bridge opened\n"
        "The mayor opened the new harbour bridge on Friday morning.\n"
        "By John Smith and Jane Doe, Reuters\n"
        "It carries four lanes of traffic.\n"
    )
    library.add_text(text)
    answer = library.ask("When did the mayor open the new harbour bridge?")
    assert not answer.abstained
    assert "Friday" in answer.quote and "Reuters" not in answer.quote, answer.quote
    library.close()
