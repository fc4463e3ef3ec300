"""Agency copies through the bot: an outlet's copy of a stored report, added by /add, is reported
("near-duplicate of #1 (…% similar), recorded as another source") and merged into the report;
answers quote the report once and list its other outlets once; /list counts the copies; a
different report on the same event is stored as an article of its own."""

from __future__ import annotations

import json
from pathlib import Path

from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from tests.conftest_bot import ADMIN, SEED_DE, STRANGER, ArticleSite, harness

SAME_EVENT = Path(__file__).parent / "fixtures" / "same_event.json"


def _page(title: str, paragraphs: list[str], site: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html><head><title>{title}</title><meta property="og:site_name" content="{site}">'
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


async def test_an_agency_copy_is_reported_and_merged(tmp_path: Path) -> None:
    seed = SEED_DE.read_text(encoding="utf-8")
    title, _, body = seed.partition("\n")
    paragraphs = [p for p in body.split("\n") if p.strip()]
    copy = _page(
        title,
        ["BERLIN (dpa) - " + paragraphs[0], *paragraphs[1:-1], "Mehr Nachrichten lesen Sie hier."],
        "Stadtanzeiger",
    )
    library = Library(
        LibraryConfig(tmp_path / "data", allow_private_urls=True), embedder=HashEmbedder()
    )
    try:
        async with harness(library) as bot:
            admin = bot.api.user(ADMIN, language_code="en")
            [added] = await bot.say(admin, "/add " + seed)
            assert added["text"].startswith("✅ Added #1")
            with ArticleSite(copy).running() as site:
                [status] = await bot.say(admin, "/add " + site.url("/politik/trump-kim.html"))
            assert status["text"].startswith("⚠️ near-duplicate of #1 (")
            assert "% similar), recorded as another source: " in status["text"]
            assert library.stats().articles == 1
            [listing] = await bot.say(admin, "/list")
            assert "#1" in listing["text"] and "1 copy" in listing["text"]
            user = bot.api.user(STRANGER, language_code="de")
            [reply] = await bot.say(user, "Womit könnte Trump Kim an den Verhandlungstisch locken?")
            assert "Sanktionen" in reply["text"]
            assert reply["text"].count("auch erschienen bei Stadtanzeiger") == 1
            assert "Weitere Quellen" not in reply["text"]  # one report, one quote
            # The same copy again is an exact duplicate, as before.
            with ArticleSite(copy).running() as site:
                [again] = await bot.say(admin, "/add " + site.url("/politik/trump-kim.html"))
            assert again["text"].startswith("ℹ️ Already stored as #1")
            # Different reports of one event are never merged.
            pair = json.loads(SAME_EVENT.read_text(encoding="utf-8"))["pairs"][0]
            [first] = await bot.say(admin, "/add Bahnstreik (A)\n" + pair["a"])
            [second] = await bot.say(admin, "/add Bahnstreik (B)\n" + pair["b"])
            assert first["text"].startswith("✅ Added #2")
            assert second["text"].startswith("✅ Added #3")
            assert not bot.api.problems
    finally:
        library.close()
