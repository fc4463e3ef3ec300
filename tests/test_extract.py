"""Extraction keeps a page's blocks apart: a label glued to the text after it becomes a line."""

from __future__ import annotations

from index.chunking import split_sentences
from index.extract import extract_html

PAGE = """<html><head><title>Berne interdit le fongicide</title></head><body><article>
<h1>Berne interdit le fongicide</h1>
<h3><span class="keyword">Agriculture</span>L'Office fédéral a décidé de retirer le produit.</h3>
<p>Le fongicide sera interdit dès 2020 en Suisse. L'Office le considère comme cancérigène.</p>
<p>Près de 45 tonnes ont été utilisées en 2017 en Suisse, selon les chiffres de l'Office.</p>
</article></body></html>"""


def test_a_glued_label_is_its_own_line() -> None:
    text = extract_html(PAGE).text
    assert "AgricultureL'Office" not in text
    sentences = [text[a:b] for a, b in split_sentences(text, "fr")]
    assert "L'Office fédéral a décidé de retirer le produit." in sentences


def test_words_inside_a_sentence_stay_joined() -> None:
    page = PAGE.replace('<span class="keyword">Agriculture</span>', "<b>Agri</b>culture ")
    assert "Agriculture L'Office" in extract_html(page).text  # lower case after: not a label
