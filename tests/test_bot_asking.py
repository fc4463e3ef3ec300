"""Fast handler tests of asking, Telegram replaced by FakeRequest: a private message is a
question ("typing…" only when the answer is slow), nothing found said plainly, follow-ups keeping
their anchor, in groups only what is meant for the bot, questions throttled per user, the more
passages and sources buttons, and a long answer split."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from bot import common
from bot.services import Throttle
from index.followup import needs_context
from index.models import Answer
from tests.conftest_bot import STRANGER, StubLibrary, abstention, answer, article, harness
from tests.test_bot_handlers import GROUP, _buttons


async def test_a_private_message_is_a_question() -> None:
    library = StubLibrary()
    async with harness(library) as bot:
        [reply] = await bot.say(bot.api.user(STRANGER), "How much will the bridge cost?")
        assert library.asked == [("How much will the bridge cost?", None)]
        assert "<b>It costs 40 million euros.</b>" in reply["html"]
        assert _buttons(reply) == ["more:1", "src:1"]
        # An answer this fast needs no "typing…" (a request AIORateLimiter would count).
        assert bot.api.calls_to("sendChatAction") == []


async def test_a_slow_answer_shows_typing_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "TYPING_AFTER", 0.05)

    def slow(question: str) -> Answer:
        time.sleep(0.3)
        return answer()

    async with harness(StubLibrary(slow)) as bot:
        [reply] = await bot.say(bot.api.user(STRANGER), "How much will the bridge cost?")
    methods = [c.method for c in bot.api.calls]
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    assert bot.api.calls_to("sendChatAction")[0]["action"] == "typing"
    assert "40 million euros" in reply["text"]


async def test_nothing_found_is_said_plainly() -> None:
    async with harness(StubLibrary(abstention("Wo liegt Atlantis?", "de"))) as bot:
        [reply] = await bot.say(bot.api.user(STRANGER), "Wo liegt Atlantis?")
        assert reply["text"] == "Dazu habe ich in den gespeicherten Artikeln nichts gefunden."
        assert "reply_markup" not in reply


class FollowingLibrary(StubLibrary):
    """Reads a question with its context as the real library decides (index.followup)."""

    def ask(self, question: str, *, k: int = 3, context: str | None = None) -> Answer:
        answer = super().ask(question, k=k, context=context)
        language = "de" if question.startswith("Und") else "en"
        return replace(answer, follow_up=context is not None and needs_context(question, language))


async def test_follow_ups_keep_their_anchor_and_new_questions_replace_it() -> None:
    library = FollowingLibrary()
    first = "Womit könnte Trump Kim an den Verhandlungstisch locken?"
    short = "Where does FACC sit?"
    async with harness(library) as bot:
        user = bot.api.user(STRANGER)
        await bot.say(user, first)
        await bot.say(user, "Und wann war das?")
        await bot.say(user, "Who said that?")
        await bot.say(user, short)  # short, but a question of its own: the new context
        await bot.say(user, "Who runs it?")
        await bot.say(bot.api.user(STRANGER + 1), "Who said that?")  # another chat: no context
    assert library.asked == [
        (first, None),
        ("Und wann war das?", first),
        ("Who said that?", first),  # a follow-up keeps the anchor
        (short, first),  # offered the context; the library answers it alone
        ("Who runs it?", short),
        ("Who said that?", None),
    ]


async def test_in_groups_only_what_is_meant_for_the_bot() -> None:
    library = StubLibrary()
    async with harness(library) as bot:
        user = bot.api.user(STRANGER)
        assert await bot.say(user, "Just chatting about bridges", chat_id=GROUP) == []
        await bot.say(user, "@articles_test_bot how much is the bridge?", chat_id=GROUP)
        answered = await bot.say(user, "/ask@articles_test_bot when does it open?", chat_id=GROUP)
        await bot.say(user, "/ask who pays?", chat_id=GROUP)
        await bot.say(user, "and the mayor?", chat_id=GROUP, reply_to=answered[0])
        other = {"message_id": 5, "date": 0, "chat": bot.api.chat(GROUP), "from": user, "text": "x"}
        assert await bot.say(user, "not for the bot", chat_id=GROUP, reply_to=other) == []
    assert [q for q, _ in library.asked] == [
        "how much is the bridge?",
        "when does it open?",
        "who pays?",
        "and the mayor?",
    ]


async def test_questions_are_throttled_per_user() -> None:
    library = StubLibrary()
    async with harness(library, questions_per_minute=2) as bot:
        user = bot.api.user(STRANGER)
        for _ in range(3):
            replies = await bot.say(user, "How much will the bridge cost?")
        assert "Too many questions" in replies[0]["text"]
        await bot.say(bot.api.user(STRANGER + 1), "How much will the bridge cost?")
    assert len(library.asked) == 3


def test_throttle_window() -> None:
    now = [0.0]
    throttle = Throttle(2, clock=lambda: now[0])
    assert throttle.wait_time(1) == 0 and throttle.wait_time(1) == 0
    assert throttle.wait_time(1) == pytest.approx(60)
    now[0] = 59.0
    assert throttle.wait_time(2) == 0
    assert throttle.wait_time(1) == pytest.approx(1)
    now[0] = 60.0
    assert throttle.wait_time(1) == 0
    assert Throttle(0).wait_time(1) == 0


async def test_more_passages_and_sources_buttons() -> None:
    two = answer(articles=(article(1, "First"), article(2, "Second")))
    async with harness(StubLibrary(two)) as bot:
        user = bot.api.user(STRANGER)
        [reply] = await bot.say(user, "How much will the bridge cost?")
        await bot.run(bot.api.press(user, reply, "more:1"))
        await bot.run(bot.api.press(user, reply, "src:1"))
        passages, sources = bot.api.bot_messages()[-2:]
        assert "Passage of Second." in passages["text"]
        assert "1. First" in sources["text"] and "2. Second" in sources["text"]
        await bot.run(bot.api.press(user, reply, "more:99"))
        await bot.run(bot.api.press(user, reply, "bogus"))
        alerts = bot.api.calls_to("answerCallbackQuery")
        assert alerts[-2]["text"] == "This answer is too old; please ask again."
        assert alerts[-1]["text"] == "This button no longer works."


async def test_a_long_answer_is_split_with_buttons_under_the_last_part() -> None:
    quote = "The council met again on a long Tuesday evening. " * 200
    async with harness(StubLibrary(answer(quote, (0, 50)))) as bot:
        parts = await bot.say(bot.api.user(STRANGER), "What happened on Tuesday?")
        assert len(parts) == 3
        assert all(len(p["html"]) <= 4096 for p in parts)
        assert [bool(_buttons(p)) for p in parts] == [False, False, True]
        assert not bot.api.problems
