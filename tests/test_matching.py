"""index.matching: lemma dictionaries loaded once, in the background at the bot's start."""

from __future__ import annotations


def test_preload_loads_the_dictionaries_in_the_background() -> None:
    from index import matching

    thread = matching.preload(["de", "xx"])  # "xx": no dictionary, skipped
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert "de" in matching._READY and "xx" not in matching._READY
    assert matching.words("Er starb", "de")[0].lemma == matching.words("gestorben", "de")[0].lemma
