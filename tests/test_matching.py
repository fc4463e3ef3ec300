"""index.matching: lemma dictionaries loaded once, before the first question."""

from __future__ import annotations


def test_dictionaries_load_once_for_the_languages_asked() -> None:
    from index import matching

    matching.load_dictionaries(["de", "xx"])  # "xx": no dictionary, skipped
    assert "de" in matching._READY and "xx" not in matching._READY
    assert matching.words("Er starb", "de")[0].lemma == matching.words("gestorben", "de")[0].lemma
