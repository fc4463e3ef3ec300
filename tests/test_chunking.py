from __future__ import annotations

from index.chunking import chunk_text, split_sentences
from tests.conftest import SEED_DE


def words(texts):  # noqa: ANN001, ANN201
    return [len(t.split()) for t in texts]


def sentences(text: str, language: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, language)]


def test_german_abbreviations_dates_and_quotes_do_not_split() -> None:
    text = (
        "Das ist z. B. ein Test mit Dr. Müller. Er kam am 27.10.2025 in Berlin an. "
        "Er sagte: „Ich komme. Wirklich.“ Dann ging er."
    )
    assert sentences(text, "de") == [
        "Das ist z. B. ein Test mit Dr. Müller.",
        "Er kam am 27.10.2025 in Berlin an.",
        "Er sagte: „Ich komme. Wirklich.“",
        "Dann ging er.",
    ]


def test_english_abbreviations_and_quotes_do_not_split() -> None:
    text = 'The U.S. Army said so. Mr. Smith arrived at 5 p.m. on Monday. "I will go," he said.'
    assert sentences(text, "en") == [
        "The U.S. Army said so.",
        "Mr. Smith arrived at 5 p.m. on Monday.",
        '"I will go," he said.',
    ]


def test_line_breaks_end_sentences_and_spans_are_verbatim() -> None:
    text = "Titel ohne Punkt\n\nErster Satz hier. Zweiter Satz dort.\nDritte Zeile"
    spans = split_sentences(text, "de")
    assert [text[s:e] for s, e in spans] == [
        "Titel ohne Punkt",
        "Erster Satz hier.",
        "Zweiter Satz dort.",
        "Dritte Zeile",
    ]


def test_passages_respect_the_budget_and_never_cut_a_sentence() -> None:
    text = SEED_DE.read_text(encoding="utf-8")
    chunks = chunk_text(text, "de", words, max_tokens=60)
    all_sentences = set(sentences(text, "de"))
    assert len(chunks) > 3
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        parts = [chunk.text[s:e] for s, e in chunk.sentences]
        assert all(p in all_sentences for p in parts)
        if len(parts) > 1:
            assert sum(words(parts)) <= 60
    # Every sentence of the article is in some passage.
    covered = {chunk.text[s:e] for chunk in chunks for s, e in chunk.sentences}
    assert covered == all_sentences


def test_overlap_repeats_the_last_sentence_inside_a_paragraph() -> None:
    text = " ".join(f"Satz Nummer {i} hat genau sechs Wörter." for i in range(10))
    chunks = chunk_text(text, "de", words, max_tokens=20)
    assert len(chunks) >= 3
    for before, after in zip(chunks, chunks[1:], strict=False):
        last = before.text[before.sentences[-1][0] : before.sentences[-1][1]]
        assert after.text.startswith(last)


def test_a_sentence_longer_than_the_budget_stays_whole() -> None:
    long_sentence = "Dies ist ein " + "sehr " * 50 + "langer Satz."
    chunks = chunk_text(f"Kurz. {long_sentence} Ende.", "de", words, max_tokens=10)
    assert any(c.text == long_sentence for c in chunks)


def test_empty_text_has_no_chunks() -> None:
    assert chunk_text("   \n  ", "en", words, max_tokens=10) == []


def test_overlong_texts_are_refused_before_any_work() -> None:
    import pytest

    from index.chunking import MAX_ARTICLE_CHARS, MAX_SENTENCES, check_length
    from index.errors import BadInput

    check_length("x" * MAX_ARTICLE_CHARS)
    with pytest.raises(BadInput, match="at most 300,000"):
        check_length("x" * (MAX_ARTICLE_CHARS + 1))
    many = "\n".join(f"Zeile {i} hier." for i in range(MAX_SENTENCES + 1))
    with pytest.raises(BadInput, match="sentences"):
        chunk_text(many, "de", words, max_tokens=100)


def test_pysbd_never_sees_more_than_a_block(monkeypatch) -> None:  # noqa: ANN001
    # pysbd's time grows with the square of its input (one 200k-character line took 33 s); the
    # splitter hands it blocks of at most MAX_BLOCK characters, so splitting stays linear.
    from index import chunking

    seen: list[int] = []
    real = chunking._segmenter("de")

    class Recording:
        def segment(self, text: str) -> list[str]:
            seen.append(len(text))
            return real.segment(text)

    monkeypatch.setattr(chunking, "_segmenter", lambda language: Recording())
    line = "Das ist ein Satz mit Dr. Müller am 27.10.2025 und vielen Wörtern. " * 4_000
    spans = split_sentences(line, "de")
    assert len(spans) == 4_000 and all(line[a:b].endswith("Wörtern.") for a, b in spans)
    assert seen and max(seen) <= chunking.MAX_BLOCK
    # A line with no sentence end inside is one sentence without asking pysbd.
    seen.clear()
    assert len(split_sentences("wort " * 100, "de")) == 1 and not seen


def test_pysbd_patterns_stay_compiled_across_articles(monkeypatch) -> None:  # noqa: ANN001
    """pysbd hands re its abbreviation patterns anew on every call: with the rest of a process
    filling the re module's cache (600 other patterns here), an article split again compiles
    none of them again."""
    import re
    import re._compiler

    text = SEED_DE.read_text(encoding="utf-8")
    split_sentences(text, "de")
    for n in range(600):
        re.match(f"other pattern {n}", "")
    compiled: list[object] = []
    original = re._compiler.compile

    def counting(pattern, flags=0):  # noqa: ANN001, ANN202
        compiled.append(pattern)
        return original(pattern, flags)

    monkeypatch.setattr(re._compiler, "compile", counting)
    assert split_sentences(text, "de")
    assert compiled == []
