"""Fast handler tests: the real Application and handlers, Telegram replaced by FakeRequest."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot import common
from bot.services import GROUP_ANONYMOUS_BOT, Throttle
from index.errors import BadInput
from index.followup import needs_context
from index.library import Library
from index.models import Answer
from tests.conftest_bot import (
    ADMIN,
    ARTICLE_EN,
    STRANGER,
    StubLibrary,
    abstention,
    answer,
    article,
    harness,
)
from tests.fakes_telegram import BOT_USER, FakeBotAPI

GROUP = -100555


def _buttons(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


async def test_start_shows_the_user_id_in_their_language() -> None:
    async with harness(StubLibrary()) as bot:
        [reply] = await bot.say(bot.api.user(STRANGER, "<b>Eve</b>"), "/start")
        assert f"<code>{STRANGER}</code>" in reply["html"]
        assert "&lt;b&gt;Eve&lt;/b&gt;" in reply["html"]
        [german] = await bot.say(bot.api.user(STRANGER, language_code="de"), "/start")
        assert "Deine Nutzer-ID" in german["text"]
        [help_text] = await bot.say(bot.api.user(STRANGER), "/help")
        assert "/add URL" in help_text["text"]
        assert not bot.api.problems


async def test_commands_are_registered_in_english_and_german() -> None:
    async with harness(StubLibrary()) as bot:
        for lang in (None, "de"):
            names = [c["command"] for c in bot.api.commands[lang]]
            assert names == [
                *("start", "help", "ask", "add", "list", "delete", "stats"),
                *("subscribe", "feeds", "unsubscribe"),
            ]
        assert bot.api.commands["de"][2]["description"] != bot.api.commands[None][2]["description"]


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


def _stranger_attempts(api: FakeBotAPI) -> list[tuple[str, dict[str, Any]]]:
    """Every way a non-admin could try to write, as (name, update-producing kwargs)."""
    return [
        ("add url", {"text": "/add https://news.example/a"}),
        ("add text", {"text": "/add Title\nSome article text that is long enough to store."}),
        ("document", {"document": api.document(b"Title\nText of the file, long enough.", "a.txt")}),
        (
            "group document",
            {
                "document": api.document(b"Title\nText, long enough.", "b.md"),
                "caption": "/add",
                "chat_id": GROUP,
            },
        ),
        (
            "forward",
            {
                "text": "Post\nA channel post that is long enough to store.",
                "forward_origin": api.channel_origin("News", "newschan", 7),
            },
        ),
        ("delete", {"text": "/delete 1"}),
    ]


async def test_non_admins_are_refused_on_every_path_and_nothing_is_stored() -> None:
    library = StubLibrary()
    api = FakeBotAPI()
    async with harness(library, api) as bot:
        user = api.user(STRANGER)
        for name, kwargs in _stranger_attempts(api):
            kwargs = dict(kwargs)
            [reply] = await bot.say(user, kwargs.pop("text", None), **kwargs)
            assert f"<code>{STRANGER}</code>" in reply["html"], name
        # An edited message, and forged callback data.
        sent = api.send(user, "How much?")
        await bot.run(sent)
        await bot.run(api.edit(sent, "/add https://news.example/b"))
        assert str(STRANGER) in bot.api.bot_messages()[-1]["text"]
        confirm = {
            "message_id": 9,
            "date": 0,
            "chat": api.chat(STRANGER),
            "from": BOT_USER,
            "text": "Delete #1?",
        }
        await bot.run(api.press(user, confirm, "del:1"))
        alert = api.calls_to("answerCallbackQuery")[-1]
        assert alert["show_alert"] and str(STRANGER) in alert["text"]
    assert library.writes == []
    assert api.calls_to("getFile") == [] and api.downloads == []
    assert not api.problems


async def test_anonymous_admins_and_channels_are_never_admins() -> None:
    library = StubLibrary()
    # Even when someone put the shared ids into ADMIN_USER_IDS.
    admins = frozenset({ADMIN, GROUP_ANONYMOUS_BOT, 136817688})
    async with harness(library, admin_ids=admins) as bot:
        anonymous = {
            "id": GROUP_ANONYMOUS_BOT,
            "is_bot": True,
            "first_name": "Group",
            "username": "GroupAnonymousBot",
        }
        group_chat = bot.api.chat(GROUP)
        [reply] = await bot.say(
            anonymous, "/add https://news.example/a", chat_id=GROUP, sender_chat=group_chat
        )
        assert "anonymous admins" in reply["text"]
        channel = {"id": -1001, "type": "channel", "title": "Chan"}
        [reply] = await bot.say(
            bot.api.user(ADMIN), "/add https://news.example/a", chat_id=GROUP, sender_chat=channel
        )
        assert "anonymous admins" in reply["text"]
    assert library.writes == []


async def test_an_edited_add_is_never_run_again(hash_library: Library) -> None:
    async with harness(hash_library) as bot:
        admin = bot.api.user(ADMIN)
        sent = bot.api.send(admin, f"/add {ARTICLE_EN}")
        await bot.run(sent)
        await bot.run(bot.api.edit(sent, f"/add {ARTICLE_EN}\nOne more sentence about it."))
        assert "not run again" in bot.api.bot_messages()[-1]["text"]
        await bot.run(bot.api.edit(sent, "just a typo fix"))  # not a command: ignored
        assert "not run again" in bot.api.bot_messages()[-1]["text"]
    assert hash_library.stats().articles == 1


async def test_add_text_edits_one_status_message(hash_library: Library) -> None:
    async with harness(hash_library) as bot:
        admin = bot.api.user(ADMIN)
        [status] = await bot.say(admin, f"/add {ARTICLE_EN}")
        assert status["history"][0] == "⏳ Working…"
        assert any(h.startswith("⏳ Indexing") and "passage" in h for h in status["history"])
        assert status["text"].startswith("✅ Added #1: Council approves new bridge")
        assert "Language: en" in status["text"]
        [again] = await bot.say(admin, f"/add {ARTICLE_EN}")
        assert again["text"] == "ℹ️ Already stored as #1: Council approves new bridge"
        [usage] = await bot.say(admin, "/add")
        assert "/add URL" in usage["text"]
        assert not bot.api.problems
    assert hash_library.get(1).added_by == str(ADMIN)


async def test_a_refused_url_says_why(hash_library: Library) -> None:
    async with harness(hash_library) as bot:
        [status] = await bot.say(bot.api.user(ADMIN), "/add http://127.0.0.1:9/private")
        assert status["text"].startswith("⛔ Refused:")
    assert hash_library.stats().articles == 0


async def test_documents_are_checked_before_downloading(hash_library: Library) -> None:
    async with harness(hash_library) as bot:
        api, admin = bot.api, bot.api.user(ADMIN)
        big = api.document(b"x", "big.txt", size=25 * 1024 * 1024)
        [reply] = await bot.say(admin, None, document=big)
        assert "20 MB" in reply["text"]
        [reply] = await bot.say(admin, None, document=api.document(b"%PDF", "a.pdf", "app/pdf"))
        assert ".txt, .md or .html" in reply["text"]
        assert api.calls_to("getFile") == []
        doc = api.document(ARTICLE_EN.encode(), "bridge.md", "text/markdown")
        [status] = await bot.say(admin, None, document=doc, caption="/add The bridge")
        assert status["text"].startswith("✅ Added #1: The bridge")
        assert api.downloads == [api.files[doc["file_id"]][0]]
        assert not api.problems


async def test_a_forwarded_channel_post_keeps_its_source_and_link() -> None:
    library = StubLibrary()
    async with harness(library) as bot:
        origin = bot.api.channel_origin("Daily News", "dailynews", 42)
        await bot.say(bot.api.user(ADMIN), "Post title\nThe post's text.", forward_origin=origin)
        private = bot.api.channel_origin("Private", None, 7)
        await bot.say(bot.api.user(ADMIN), "Other post\nMore text.", forward_origin=private)
    (_, (text, first)), (_, (_, second)) = library.writes
    assert text == "Post title\nThe post's text."
    assert first["source"] == "Daily News" and first["url"] == "https://t.me/dailynews/42"
    # The post's own date, dated like a feed entry (index.recency.publication_date).
    assert _day(first["feed_date"]) == date(2025, 10, 27) and first["added_by"] == str(ADMIN)
    assert second["url"] == "https://t.me/c/9876543210/7"


def _day(value: object) -> date | None:
    """The publication day the library takes from a feed date, in the default TIMEZONE."""
    from zoneinfo import ZoneInfo

    from index.recency import parse_day

    return parse_day(value, ZoneInfo("Europe/Berlin"))


async def test_a_forwarded_post_is_dated_by_its_day_in_the_bot_s_time_zone() -> None:
    """Posted 2025-11-01 23:30 UTC, 00:30 on 2 November in Berlin: dated the 2nd (it was
    dated by the UTC day)."""
    from datetime import UTC, datetime

    library = StubLibrary()
    posted = int(datetime(2025, 11, 1, 23, 30, tzinfo=UTC).timestamp())
    async with harness(library) as bot:
        origin = bot.api.channel_origin("Daily News", "dailynews", 42, date=posted)
        await bot.say(bot.api.user(ADMIN), "Post title\nThe post's text.", forward_origin=origin)
    [(_, (_, options))] = library.writes
    assert _day(options["feed_date"]) == date(2025, 11, 2)


async def test_a_document_forwarded_from_a_channel_keeps_the_post_s_date() -> None:
    library = StubLibrary()
    async with harness(library) as bot:
        api = bot.api
        origin = api.channel_origin("Daily News", "dailynews", 42)  # posted 2025-10-27
        doc = api.document(b"Title\nThe post's text, long enough to be an article.", "post.txt")
        await bot.say(api.user(ADMIN), None, document=doc, forward_origin=origin)
    [(_, (_, _, options))] = library.writes
    assert options["url"] == "https://t.me/dailynews/42"
    assert _day(options["feed_date"]) == date(2025, 10, 27)


async def test_list_pages_with_buttons() -> None:
    library = StubLibrary()
    library.articles = {i: article(i, f"Article {i}") for i in range(1, 26)}
    async with harness(library) as bot:
        user = bot.api.user(STRANGER)
        [page] = await bot.say(user, "/list")
        assert "Articles 1–10" in page["text"] and _buttons(page) == ["list:10"]
        await bot.run(bot.api.press(user, page, "list:10"))
        page = bot.api.bot_messages()[-1]
        assert "Articles 11–20" in page["text"] and _buttons(page) == ["list:0", "list:20"]
        await bot.run(bot.api.press(user, page, "list:20"))
        assert _buttons(bot.api.bot_messages()[-1]) == ["list:10"]
        count = len(bot.api.bot_messages())
        await bot.run(bot.api.press(user, page, "list:20"))  # a double tap: nothing to change
        assert len(bot.api.bot_messages()) == count  # and no apology either


async def test_delete_asks_for_confirmation() -> None:
    library = StubLibrary()
    async with harness(library) as bot:
        admin = bot.api.user(ADMIN)
        [confirm] = await bot.say(admin, "/delete 1")
        assert "Delete #1" in confirm["text"] and _buttons(confirm) == ["del:1", "del:-"]
        await bot.run(bot.api.press(admin, confirm, "del:1"))
        assert bot.api.bot_messages()[-1]["text"] == "🗑 Deleted #1: Bridge news"
        [missing] = await bot.say(admin, "/delete 99")
        assert "no article with id 99" in missing["text"]
        [usage] = await bot.say(admin, "/delete first")
        assert "/delete" in usage["text"]
    assert library.writes == [("delete", 1)]


async def test_stats_and_unknown_commands() -> None:
    async with harness(StubLibrary()) as bot:
        [stats] = await bot.say(bot.api.user(STRANGER), "/stats")
        assert "1 articles" in stats["text"] and "Model: stub" in stats["text"]
        [unknown] = await bot.say(bot.api.user(STRANGER, language_code="de"), "/frobnicate")
        assert "/help" in unknown["text"]


async def test_errors_get_an_apology_and_the_log_gets_the_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(question: str) -> Any:
        raise RuntimeError("internal detail /srv/secret/path")

    async with harness(StubLibrary(broken)) as bot:
        with caplog.at_level(logging.ERROR):
            [reply] = await bot.say(bot.api.user(STRANGER), "How much?")
    assert reply["text"] == "Sorry, something went wrong. Please try again later."
    assert "internal detail" in caplog.text and "Traceback" in caplog.text


async def test_library_errors_are_one_line() -> None:
    def refuse(question: str) -> Any:
        raise BadInput("the question is empty")

    async with harness(StubLibrary(refuse)) as bot:
        [reply] = await bot.say(bot.api.user(STRANGER), "???")
    assert reply["text"] == "⚠️ the question is empty"


@pytest.mark.parametrize(
    "link",
    [
        "news.example.com/politik/2025/11/artikel-ueber-die-wahl.html",  # no scheme, no www.
        "ftp://news.example.com/politik/2025/11/artikel-ueber-die-wahl.html",  # another scheme
        "https//news.example.com/politik/2025/11/artikel-ueber-die-wahl.html",  # a slip
    ],
)
async def test_a_link_after_add_is_fetched_or_refused_never_stored_as_text(
    hash_library,  # noqa: ANN001
    link: str,
) -> None:
    """A link the URL pattern did not know was stored as an article whose text was the link."""
    async with harness(hash_library) as bot:
        [status] = await bot.say(bot.api.user(ADMIN), f"/add {link}")
    assert hash_library.stats().articles == 0, status["text"]
    assert not status["text"].startswith("✅")
