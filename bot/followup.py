"""Chat-style follow-ups, and the answers the inline buttons refer to, kept in chat_data.

"Und wann war das?" or "Who said that?" mean nothing alone; they are asked in the context of the
chat's last full question. A question counts as a follow-up when it is short or starts with a
conjunction or pronoun, and only for a while after the question it follows.
"""

from __future__ import annotations

import re
import time
from typing import Any

from index.models import Answer

MAX_WORDS = 5
TTL_SECONDS = 30 * 60
KEEP_ANSWERS = 20
_WORD = re.compile(r"\w+", re.UNICODE)
_EN = "and but or so then also what about he she it its they them their him her his that this these"
_DE = (
    "und aber oder also dann auch er sie es ihn ihm ihr ihnen sein seine das dies diese dieser dort"
)
FOLLOW_UP_STARTS = frozenset(f"{_EN} those there {_DE} da dabei darüber davon dazu damit".split())


def is_follow_up(question: str) -> bool:
    words = _WORD.findall(question.lower())
    return bool(words) and (len(words) <= MAX_WORDS or words[0] in FOLLOW_UP_STARTS)


def context_for(
    chat_data: dict[Any, Any] | None, question: str, now: float | None = None
) -> str | None:
    """The chat's previous question if `question` follows up on it, else None."""
    if chat_data is None or not is_follow_up(question):
        return None
    previous = chat_data.get("last_question")
    if not previous:
        return None
    text, asked_at = previous
    now = time.monotonic() if now is None else now
    return text if now - asked_at <= TTL_SECONDS and text != question else None


def remember_question(
    chat_data: dict[Any, Any] | None, question: str, context: str | None, now: float | None = None
) -> None:
    """Keep a standalone question as the context for what follows; a follow-up keeps its anchor
    (refreshed), so "Wer?" then "Und wann?" both refer to the same topic."""
    if chat_data is None:
        return
    now = time.monotonic() if now is None else now
    chat_data["last_question"] = (context or question, now)


def store_answer(chat_data: dict[Any, Any] | None, answer: Answer) -> int:
    """Keep the answer for its buttons; returns its number in this chat (0: not kept)."""
    if chat_data is None:
        return 0
    number = chat_data.get("answer_seq", 0) + 1
    chat_data["answer_seq"] = number
    answers: dict[int, Answer] = chat_data.setdefault("answers", {})
    answers[number] = answer
    for old in sorted(answers)[:-KEEP_ANSWERS]:
        del answers[old]
    return number


def stored_answer(chat_data: dict[Any, Any] | None, number: int) -> Answer | None:
    if chat_data is None:
        return None
    return chat_data.get("answers", {}).get(number)
