"""Chat-style follow-ups, and the answers the inline buttons refer to, kept in chat_data.

"Und wann war das?" or "Who said that?" mean nothing alone; they are asked in the context of the
chat's last standalone question, for a while after it. Whether a question is such a follow-up is
decided by the library on evidence, not by its length (index.followup: no content words of its
own, a word pointing back, or nothing found alone while the two together find an answer); a new
short question such as "Wo sitzt FACC?" is answered on its own and becomes the new context.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from index.models import Answer

TTL_SECONDS = 30 * 60
KEEP_ANSWERS = 20  # answers kept per chat for their buttons
# ... and across all chats (an answer with its passages is some 10-40 KB): without this bound
# every chat that ever asked kept its last 20 for the life of the process.
KEEP_ALL = 2000
KEPT_ANSWERS = "kept_answers"  # bot_data's key for them


def context_for(
    chat_data: dict[Any, Any] | None, question: str, now: float | None = None
) -> str | None:
    """The chat's previous standalone question, if recent enough to be followed up on."""
    if chat_data is None:
        return None
    previous = chat_data.get("last_question")
    if not previous:
        return None
    text, asked_at = previous
    now = time.monotonic() if now is None else now
    return text if now - asked_at <= TTL_SECONDS and text != question else None


def remember_question(
    chat_data: dict[Any, Any] | None,
    question: str,
    context: str | None,
    now: float | None = None,
    *,
    follow_up: bool = False,
) -> None:
    """A standalone question becomes the context for what follows; a follow-up keeps its anchor
    (refreshed), so "Wer?" then "Und wann?" both refer to the same topic."""
    if chat_data is None:
        return
    now = time.monotonic() if now is None else now
    chat_data["last_question"] = (context if follow_up and context else question, now)


def store_answer(
    chat_data: dict[Any, Any] | None,
    answer: Answer,
    kept: OrderedDict[tuple[int, int], dict[int, Answer]] | None = None,
) -> int:
    """Keep the answer for its buttons; returns its number in this chat (0: not kept).
    `kept` (the bot's, shared by all chats): the answers kept anywhere, oldest first; past
    KEEP_ALL the oldest are let go (its buttons then say the answer is gone)."""
    if chat_data is None:
        return 0
    number = chat_data.get("answer_seq", 0) + 1
    chat_data["answer_seq"] = number
    answers: dict[int, Answer] = chat_data.setdefault("answers", {})
    answers[number] = answer
    for old in sorted(answers)[:-KEEP_ANSWERS]:
        del answers[old]
    if kept is not None:
        kept[id(answers), number] = answers
        while len(kept) > KEEP_ALL:
            (_, oldest), holder = kept.popitem(last=False)
            holder.pop(oldest, None)
    return number


def stored_answer(chat_data: dict[Any, Any] | None, number: int) -> Answer | None:
    if chat_data is None:
        return None
    return chat_data.get("answers", {}).get(number)
