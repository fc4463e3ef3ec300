"""Language detection with langdetect, seeded so the same text always gets the same answer."""

from __future__ import annotations

import re
import threading

from langdetect import DetectorFactory, LangDetectException, detect_langs

_LOCK = threading.Lock()  # langdetect's factory is global and not thread-safe while it loads
_WORD = re.compile(r"\w{2,}", re.UNICODE)
DetectorFactory.seed = 0


def detect_language(text: str, *, default: str = "en", hints: tuple[str, ...] = ()) -> str:
    """The ISO 639-1 code of `text`'s language, or `default` when it cannot be told.

    Short texts (questions) are ambiguous for langdetect; `hints` (e.g. the languages the library
    holds) win when langdetect gives them a reasonable probability, so "Wer war das?" stays German.
    """
    sample = text[:5000]
    if len(_WORD.findall(sample)) == 0:
        return default
    with _LOCK:
        try:
            guesses = detect_langs(sample)
        except LangDetectException:
            return default
    if not guesses:
        return default
    best = guesses[0]
    for guess in guesses:
        if guess.lang in hints and guess.prob >= 0.2:
            return _normalize(guess.lang)
    return _normalize(best.lang)


def _normalize(code: str) -> str:
    # langdetect says "zh-cn"/"zh-tw"; keep the base code, which is what stemmers and texts key on.
    return code.split("-")[0].lower()
