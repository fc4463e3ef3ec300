"""What a hostile chat can do (issue 13, items 9-11 and 13): forwarded commands, commands for
other bots, floods of commands and button presses, bidi controls in titles and sources."""

from __future__ import annotations

import re
from typing import Any

from bot.services import Throttle
from index.library import Library
from tests.conftest_bot import ADMIN, ARTICLE_EN, STRANGER, StubLibrary, answer, article, harness
from tests.fakes_telegram import FakeBotAPI

GROUP = -100555
BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def _from_user(api: FakeBotAPI, user_id: int) -> dict[str, Any]:
    return {"type": "user", "sender_user": api.user(user_id, "Mallory"), "date": 1761523200}


# --- item 9: forwarded text is content, never a command ----------------------------------------


async def test_a_forwarded_add_is_never_run() -> None:
    # Before: an admin forwarding a stranger's "/add URL" made the bot fetch the stranger's URL.
    library = StubLibrary()
    async with harness(library) as bot:
        api, admin = bot.api, bot.api.user(ADMIN)
        stranger = _from_user(api, STRANGER)
        [reply] = await bot.say(admin, "/add https://evil.example/a", forward_origin=stranger)
        assert "40 million euros" in reply["text"]  # asked as a question: it is content
        assert await bot.say(admin, "/delete 1", forward_origin=stranger)  # also a question
        # In a group a forwarded "/add" caption on a document is not a command either.
        doc = api.document(b"Title\nA document text that is long enough to store.", "a.txt")
        group = {"chat_id": GROUP, "forward_origin": stranger}
        assert await bot.say(admin, None, document=doc, caption="/add", **group) == []
        # In private, documents are added (as before) but the forwarded caption is no title.
        doc = api.document(b"Own title\nA document text that is long enough to store.", "b.txt")
        await bot.say(admin, None, document=doc, caption="/add Evil", forward_origin=stranger)
        # A forwarded channel post is added as today, its text as it is.
        post = "/add https://evil.example/b\nA channel post that is long enough to store."
        origin = api.channel_origin("News", "newschan", 7)
        await bot.say(admin, post, forward_origin=origin)
    assert [q for q, _ in library.asked] == ["/add https://evil.example/a", "/delete 1"]
    kinds = [kind for kind, _ in library.writes]
    assert kinds == ["bytes", "text"]  # no "url", no "delete"
    assert library.writes[0][1][2]["title"] is None
    assert library.writes[1][1][0] == post


# --- item 10: commands addressed to another bot ------------------------------------------------


async def test_commands_for_another_bot_get_no_reaction() -> None:
    # Before: a document captioned /add@other_bot in a group was added by this bot, and
    # strangers got refusals for other bots' captions.
    library = StubLibrary()
    async with harness(library) as bot:
        api, admin, stranger = bot.api, bot.api.user(ADMIN), bot.api.user(STRANGER)
        doc = api.document(b"Title\nA document text that is long enough to store.", "a.txt")
        for user in (admin, stranger):
            for caption in ("/add@other_bot", "/add@Other_Bot The title", "/ADD@x"):
                got = await bot.say(user, None, document=doc, caption=caption, chat_id=GROUP)
                assert got == [], caption
            assert await bot.say(user, None, document=doc, caption="/add@other_bot") == []
            for text in ("/add@other_bot https://x.example/", "/delete@other_bot 1", "/frob@x"):
                assert await bot.say(user, text) == [], text
                assert await bot.say(user, text, chat_id=GROUP) == [], text
            sent = api.send(user, "hello")
            await bot.run(sent)
            before = len(api.bot_messages())
            await bot.run(api.edit(sent, "/add@other_bot https://x.example/"))
            assert len(api.bot_messages()) == before
        # Addressed to this bot, the same caption works.
        [status] = await bot.say(
            admin, None, document=doc, caption="/add@articles_test_bot Mine", chat_id=GROUP
        )
        assert status["text"].startswith("✅")
    assert [(kind, value[2]["title"]) for kind, value in library.writes] == [("bytes", "Mine")]
    assert api.calls_to("getFile") and len(api.downloads) == 1


# --- item 11: every reply-producing action is throttled, one notice per window -----------------


async def test_a_flood_of_presses_and_commands_gets_one_notice() -> None:
    # Before: 40 "More passages" presses and 40 /list commands got 80 replies.
    two = answer(articles=(article(1, "First"), article(2, "Second")))
    async with harness(StubLibrary(two), actions_per_minute=5, questions_per_minute=3) as bot:
        api, user = bot.api, bot.api.user(STRANGER)
        [reply] = await bot.say(user, "How much will the bridge cost?")
        for _ in range(40):
            await bot.run(api.press(user, reply, "more:1"))
        for command in ["/list"] * 40 + ["/stats", "/help", "/start", "/frob", "/add x"] * 4:
            await bot.say(user, command)
        for _ in range(10):
            await bot.say(user, "How much will the bridge cost?")
        other = await bot.say(api.user(STRANGER + 1), "/list")  # others are not held up
    texts = [m["text"] for m in api.bot_messages(STRANGER)]
    notices = [a.get("text") for a in api.calls_to("answerCallbackQuery") if a.get("text")]
    assert notices == ["Too many requests. Please wait 60 s."]  # told once
    passages = [x for x in texts if x.startswith("Passages behind this answer")]
    assert len(passages) == 5  # the budget
    questions = [x for x in texts if x.startswith("It costs 40 million euros")]
    assert len(questions) == 3
    assert [x for x in texts if x.startswith("Too many questions")] == [
        "Too many questions. Please wait 60 s."
    ]
    assert len(texts) == 5 + 3 + 1  # nothing else: no /list, /stats, refusal or second notice
    assert len(api.calls_to("answerCallbackQuery")) == 6  # 5 presses answered, 1 notice
    assert "Articles 1–1" in other[0]["text"]


async def test_refusals_are_throttled_but_admins_adds_are_not(hash_library: Library) -> None:
    async with harness(hash_library, actions_per_minute=2) as bot:
        api = bot.api
        stranger = api.user(STRANGER)
        for _ in range(10):
            await bot.say(stranger, "/add https://news.example/a")
        texts = [m["text"] for m in api.bot_messages(STRANGER)]
        assert len(texts) == 3 and texts[-1] == "Too many requests. Please wait 60 s."
        admin = api.user(ADMIN)
        for number in range(4):
            [status] = await bot.say(admin, f"/add {ARTICLE_EN}\nAddition number {number}.")
            assert status["text"].startswith("✅"), status["text"]
    assert hash_library.stats().articles == 4


def test_one_notice_per_window() -> None:
    now = [0.0]
    throttle = Throttle(1, clock=lambda: now[0])
    assert throttle.wait_time(1) == 0
    wait = throttle.wait_time(1)
    assert throttle.notice(1, wait) and not throttle.notice(1, throttle.wait_time(1))
    assert throttle.notice(2, 30.0)  # another user is told on their own
    now[0] = 61.0
    assert throttle.wait_time(1) == 0  # a new window
    assert throttle.notice(1, throttle.wait_time(1))  # and a new notice when it fills up


# --- item 13: bidi controls in titles and sources ------------------------------------------------


async def test_bidi_controls_never_reach_the_user() -> None:
    evil = article(1, "Invoice \u202egpj.exe\u202c", source="\u2067Daily\u2069 \u202dNews")
    other = article(2, "Second one", source="\u2066x")  # its title is in its stub passage
    library = StubLibrary(answer(articles=(evil, other)))
    library.articles = {1: evil, 2: other}
    async with harness(library) as bot:
        api, admin = bot.api, bot.api.user(ADMIN)
        [reply] = await bot.say(admin, "How much will the bridge cost?")
        await bot.run(api.press(admin, reply, "more:1"))
        await bot.run(api.press(admin, reply, "src:1"))
        await bot.say(admin, "/list")
        [confirm] = await bot.say(admin, "/delete 1")
        await bot.run(api.press(admin, confirm, "del:1"))
        await bot.say(api.user(STRANGER, "\u202eEve"), "/start")
        shown = [m["html"] + m["text"] for m in api.bot_messages()]
        shown += [h for m in api.bot_messages() for h in m["history"]]
    assert len(shown) > 6
    assert "Invoice gpj.exe" in reply["text"] and "Daily News" in reply["text"]
    assert [s for s in shown if BIDI.search(s)] == []
