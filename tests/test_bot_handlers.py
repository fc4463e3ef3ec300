"""Fast handler tests (the real Application and handlers, Telegram replaced by FakeRequest): /start,
/help and the commands' menus, non-admins refused on every path that writes, /list, /delete,
/stats, unknown commands, and errors (an apology, the traceback to the log)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.services import GROUP_ANONYMOUS_BOT
from index.errors import BadInput
from tests.conftest_bot import ADMIN, STRANGER, StubLibrary, article, harness
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
