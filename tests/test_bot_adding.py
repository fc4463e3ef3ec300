"""Fast handler tests of adding, Telegram replaced by FakeRequest: /add of a text with one status
message edited as it goes, an edited /add never run again, a refused URL or a link never stored as
text, documents checked before downloading, and forwarded channel posts keeping their source,
link and day."""

from __future__ import annotations

from datetime import date

import pytest

from index.library import Library
from tests.conftest_bot import ADMIN, ARTICLE_EN, StubLibrary, harness


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
