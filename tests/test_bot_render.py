"""Rendering answers as Telegram HTML, and splitting long HTML at safe places."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render
from bot.split import MAX_MESSAGE, split_html, units
from index.models import AddResult, Stats
from tests.conftest_bot import abstention, answer, article
from tests.fakes_telegram import visible_text


def _valid(part: str) -> str:
    """The visible text of a part; fails like Telegram would on bad HTML."""
    return visible_text(part, "HTML")


def test_quote_with_key_sentence_in_bold_title_link_and_date() -> None:
    [message] = render.answer_messages(answer())
    assert "<b>It costs 40 million euros.</b> It opens in 2028." in message
    assert '<a href="https://news.example/a">Bridge news</a>' in message
    assert "2025-10-27" in message and "Example News" in message
    assert message.startswith("<blockquote>")
    _valid(message)


def test_everything_from_articles_is_escaped() -> None:
    evil = article(title='<script>alert("x")</script> & co', url='https://x.example/?a=1&b="2"')
    quote = "Tom & Jerry said <b>hi</b>."
    [message] = render.answer_messages(answer(quote, (0, len(quote)), articles=(evil,)))
    assert "<script>" not in message and "&lt;script&gt;" in message
    assert "Tom &amp; Jerry said &lt;b&gt;hi&lt;/b&gt;." in message
    assert 'href="https://x.example/?a=1&amp;b=&quot;2&quot;"' in message
    assert "Tom & Jerry said <b>hi</b>." in _valid(message)


def test_only_web_addresses_become_links() -> None:
    local = article(url="javascript:alert(1)")
    [message] = render.answer_messages(answer(articles=(local,)))
    assert "<a " not in message and "<b>Bridge news</b>" in message


def test_up_to_two_more_sources_from_other_articles() -> None:
    articles = (
        article(1, "First"),
        article(1, "First"),
        article(2, "Second"),
        article(3, "Third"),
        article(4, "Fourth"),
    )
    [message] = render.answer_messages(answer(articles=articles))
    assert "More sources" in message
    assert message.count("First") == 1
    assert "Second" in message and "Third" in message and "Fourth" not in message


def test_abstention_is_plain_without_quote_or_source() -> None:
    assert render.answer_messages(abstention()) == [
        "I found nothing about that in the stored articles."
    ]
    [german] = render.answer_messages(abstention("Wer ist das?", "de"))
    assert "nichts gefunden" in german
    assert "<" not in german


def test_german_labels_and_english_fallback() -> None:
    [german] = render.answer_messages(answer(language="de"))
    assert "Quelle:" in german
    [french] = render.answer_messages(answer(language="fr"))
    assert "Source:" in french
    undated = article(published=None)
    [message] = render.answer_messages(answer(articles=(undated,), language="de"))
    assert "hinzugefügt am 2025-11-01" in message


def test_a_long_quote_is_split_and_the_bold_survives_the_cut() -> None:
    sentence = "Der Rat hat am Dienstag den Bau einer neuen Brücke über den Fluss beschlossen. "
    quote = sentence * 120  # ~9,600 characters
    parts = render.answer_messages(answer(quote, (100, 9000)))
    assert len(parts) == 3
    for part in parts:
        assert units(part) <= MAX_MESSAGE
        _valid(part)
    assert all("<b>" in p for p in parts)  # reopened in every part
    whole = _valid(f"<blockquote>{render.quote_html(answer(quote, (100, 9000)))}</blockquote>")
    expected = whole + "Source: Bridge news · 2025-10-27 · Example News"
    assert re.sub(r"\s", "", "".join(_valid(p) for p in parts)) == re.sub(r"\s", "", expected)


def test_passages_and_sources_views() -> None:
    two = answer(articles=(article(1, "First"), article(2, "Second")))
    [passages] = render.passages_messages(two)
    assert "Passage of Second." in passages and "(#2)" in passages
    [sources] = render.sources_messages(two)
    assert "1. " in sources and "2. " in sources and "#2" in sources
    _valid(passages)
    _valid(sources)


def test_added_duplicate_list_and_stats_texts() -> None:
    assert "Added <b>#1</b>: Bridge news" in render.added_text(AddResult(article(), True), "en")
    assert "3 passages" in render.added_text(AddResult(article(), True), "en")
    assert "Schon gespeichert als <b>#1</b>" in render.added_text(AddResult(article(), False), "de")
    page = render.list_text([article(1), article(2, "A & B")], 0, "en")
    assert "Articles 1–2" in page and "A &amp; B" in page
    assert render.list_text([], 0, "de") == "Noch keine Artikel gespeichert."
    long_urls = [article(i, url="https://x.example/" + "p" * 600) for i in range(10)]
    assert units(render.list_text(long_urls, 0, "en")) <= MAX_MESSAGE
    stats = Stats(2, 10, 10, "all-MiniLM-L6-v2", 384, {"de": 1, "en": 1}, "/data")
    assert "de: 1, en: 1" in render.stats_text(stats, "en")
    assert "/data" not in render.stats_text(stats, "en")


def test_split_prefers_line_then_sentence_boundaries() -> None:
    lines = [f"Line {i}: " + "Ein kurzer Satz. " * 20 for i in range(30)]
    parts = split_html("\n".join(lines))
    assert len(parts) > 1
    for part in parts[:-1]:
        assert part.endswith("Ein kurzer Satz.")  # cut at the end of a line
    one_line = "Ein kurzer Satz. " * 400
    for part in split_html(one_line)[:-1]:
        assert part.endswith(".")
    assert split_html("short") == ["short"]
    assert split_html("   ") == []


def test_split_never_cuts_an_entity_or_a_tag() -> None:
    text = "<b>" + "&amp;" * 2000 + "</b>" + "x" * 5000
    parts = split_html(text)
    for part in parts:
        assert units(part) <= MAX_MESSAGE
        _valid(part)
        assert not re.search(r"&(?!amp;)", part)
    assert "".join(_valid(p) for p in parts) == "&" * 2000 + "x" * 5000


def test_split_counts_utf16_units_like_telegram() -> None:
    parts = split_html("😀 " * 3000)  # each emoji is two UTF-16 units
    assert len(parts) == 3
    assert all(units(p) <= MAX_MESSAGE for p in parts)


_TOKENS = st.one_of(
    st.text(alphabet=st.sampled_from(list("abcäß😀 .!?\n&<>\"'")), max_size=40),
    st.sampled_from(["b", "i", "code", "a", "blockquote", "tg-spoiler", "/", "/"]),
)


def _html(tokens: list[str]) -> tuple[str, str]:
    """Balanced Telegram HTML (at most 3 deep) from tokens, and its visible text."""
    html_out, shown, stack = [], [], []
    for token in tokens:
        if token == "/" and stack:
            html_out.append(f"</{stack.pop()}>")
        elif token in ("b", "i", "code", "a", "blockquote", "tg-spoiler"):
            if len(stack) < 3:
                stack.append(token)
                html_out.append(
                    '<a href="https://e.example/?q=1&amp;r=2">' if token == "a" else f"<{token}>"
                )
        elif token != "/":
            html_out.append(render.esc(token))
            shown.append(token)
    html_out.extend(f"</{tag}>" for tag in reversed(stack))
    return "".join(html_out), "".join(shown)


@settings(max_examples=150, deadline=None)
@given(st.lists(_TOKENS, min_size=1, max_size=150), st.integers(min_value=160, max_value=700))
def test_split_property_valid_parts_within_limit_same_text(tokens: list[str], limit: int) -> None:
    text, shown = _html(tokens)
    parts = split_html(text, limit)
    for part in parts:
        assert units(part) <= limit
        _valid(part)
    joined = "".join(_valid(p) for p in parts)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", shown)


def test_dates_say_when_they_are_only_the_day_added() -> None:
    from dataclasses import replace

    dated = replace(article(), published="2025-10-27", published_from="feed")
    undated = replace(article(), published="2025-11-01", published_from="added")
    assert render.date(dated, "en") == "2025-10-27"
    assert render.date(undated, "en") == "added 2025-11-01"
    assert render.date(undated, "de") == "hinzugefügt am 2025-11-01"
    [message] = render.answer_messages(answer(articles=(undated,)))
    assert "Source: " in message and "· added 2025-11-01 ·" in message


def test_agency_copies_are_listed_once_and_counted() -> None:
    from dataclasses import replace

    report = replace(article(), copies=3, outlets=("Stadtanzeiger", "Kurier <b>"))
    [message] = render.answer_messages(answer(articles=(report,)))
    assert message.count("also published by Stadtanzeiger, Kurier &lt;b&gt;") == 1
    _valid(message)
    assert render.article_line(report, "en").endswith("· 3 copies")
    assert render.article_line(replace(report, copies=1), "de").endswith("· 1 Kopie")
    copy = AddResult(report, created=False, near_duplicate=0.934)
    assert render.added_text(copy, "en") == (
        "⚠️ near-duplicate of <b>#1</b> (93% similar), recorded as another source: Bridge news"
    )


def test_nothing_found_for_the_time_named() -> None:
    from dataclasses import replace

    nothing = replace(abstention("Was ist gestern passiert?", "de"), period="gestern")
    [message] = render.answer_messages(nothing)
    assert message == "In den Artikeln, die gestern erschienen sind, habe ich dazu nichts gefunden."
    english = replace(abstention(), period="last week")
    assert render.answer_messages(english) == [
        "I found nothing about that in the articles published last week."
    ]


def test_an_article_with_a_very_long_web_address_is_cited_without_a_link() -> None:
    """A feed entry or a redirect may give an address of thousands of characters ("&" escapes
    to "&amp;"): an href cannot be cut across messages, so the title is shown bold, unlinked,
    and the answer is sent (it raised, and the user got "Sorry")."""
    url = "https://news.example/a?" + "&".join(f"p{i}=v" for i in range(1200))
    messages = render.answer_messages(answer(articles=(article(url=url),)))
    assert messages and all(units(m) <= MAX_MESSAGE for m in messages)
    assert "href" not in messages[0]
    short = render.answer_messages(answer(articles=(article(url="https://news.example/a"),)))
    assert 'href="https://news.example/a"' in short[0]


def test_a_list_page_lists_all_its_articles_however_long_their_titles() -> None:
    """Ten titles of characters that escape long: the page cuts the titles rather than
    dropping articles (it showed six of "Articles 1–10", and "Next" skipped the rest)."""
    articles = [article(i, ("AT&T " * 60)[:300], url=None) for i in range(1, 11)]
    text = render.list_text(articles, 0, "en")
    assert units(text) <= MAX_MESSAGE
    assert all(f"<b>#{i}</b>" in text for i in range(1, 11))
    assert "…" in text
