"""Language detection (index/language.py): seeded, so a question's language is the same every
time; a question detected again in the same ask (a chat's follow-up) is not detected anew."""

from __future__ import annotations

import pytest

from index import language
from index.language import detect_language

QUESTIONS = [
    ("Wer war das?", ("de", "en"), "de"),
    ("How much will the bridge cost?", ("de", "en"), "en"),
    ("Wo reicht man den Antrag ein?", (), "de"),
    ("Combien coûte le billet pour les enfants ?", ("fr",), "fr"),
]


def test_cached_questions_get_what_detection_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    language._short.cache_clear()
    fresh = {q: language._detect(q, "en", hints) for q, hints, _ in QUESTIONS}
    assert all(fresh[q] == want for q, _, want in QUESTIONS), fresh
    calls: list[str] = []
    real = language._detect

    def counted(sample: str, default: str, hints: tuple[str, ...]) -> str:
        calls.append(sample)
        return real(sample, default, hints)

    monkeypatch.setattr(language, "_detect", counted)
    for _ in range(3):
        for question, hints, _want in QUESTIONS:
            assert detect_language(question, hints=hints) == fresh[question]
    assert len(calls) == len(QUESTIONS)  # each detected once
    text = "Der Stadtrat hat den Bau einer neuen Brücke über den Fluss beschlossen. " * 4
    assert detect_language(text) == detect_language(text) == "de"
    assert calls.count(text[:5000]) == 2  # long texts (articles) are not kept
    assert detect_language("?!", default="xx") == "xx"
