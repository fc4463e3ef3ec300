"""Library results -> escaped Telegram HTML, split into messages of at most 4096 characters.

Every piece of article or user text goes through html.escape here; the templates in texts.py
escape their values too, so nothing a stranger writes can become markup.
"""

from __future__ import annotations

import html
from dataclasses import replace

from index.models import AddResult, Answer, Article, Stats
from index.sources import strip_bidi

from .split import MAX_MESSAGE, split_html, units
from .texts import language, passages, t

LIST_PAGE = 10
# A web address longer than this, escaped, is not made a link: an href must fit in one message
# with its title (split_html cannot cut inside a tag; a feed entry or a redirect may give an
# address of several thousand characters).
MAX_HREF = 1000


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=False)


def label(text: str | None) -> str:
    """A title or a source, escaped and without bidi controls (stored ones included)."""
    return esc(strip_bidi(text or ""))


def link(article: Article) -> str:
    """The title, as a link when the article has a web address."""
    title = label(article.title) or f"#{article.id}"
    url = article.url or ""
    href = html.escape(url, quote=True)
    if url.lower().startswith(("http://", "https://")) and len(href) <= MAX_HREF:
        return f'<a href="{href}">{title}</a>'
    return f"<b>{title}</b>"


def date(article: Article, lang: str) -> str:
    """The publication date; when none was found, the day it was added, said so."""
    if article.published and article.published_from != "added":
        return esc(article.published)
    return t(lang, "added_on", date=article.published or article.added_at[:10])


def outlets(article: Article, lang: str) -> str | None:
    """ "also published by …": the outlets whose copies of the report were recorded."""
    if not article.outlets:
        return None
    return t(lang, "also_published", outlets=", ".join(strip_bidi(o) for o in article.outlets))


def byline(article: Article, lang: str) -> str:
    """Title link · date · outlet."""
    parts = [link(article), date(article, lang)]
    if article.source:
        parts.append(label(article.source))
    return " · ".join(parts)


def quote_html(answer: Answer) -> str:
    """The quote, escaped, with its key sentence in bold."""
    start, end = answer.key
    quote = answer.quote
    if not 0 <= start < end <= len(quote):
        return esc(quote)
    return f"{esc(quote[:start])}<b>{esc(quote[start:end])}</b>{esc(quote[end:])}"


def other_articles(answer: Answer, limit: int) -> list[Article]:
    """Up to `limit` sources from other articles than the quoted one, best first."""
    seen = {answer.sources[0].article.id} if answer.sources else set()
    found: list[Article] = []
    for source in answer.sources[1:]:
        if source.article.id not in seen and len(found) < limit:
            seen.add(source.article.id)
            found.append(source.article)
    return found


def answer_messages(answer: Answer, *, more_sources: int = 2) -> list[str]:
    """The reply to a question: quote, source, up to `more_sources` more; or a plain not-found."""
    lang = language(answer.language)
    if answer.abstained or not answer.sources:
        if answer.period:  # the question named a time and nothing from then answers
            return [t(lang, "not_found_period", period=answer.period)]
        return [t(lang, "not_found")]
    lines = [
        f"<blockquote>{quote_html(answer)}</blockquote>",
        f"{t(lang, 'source')}: {byline(answer.sources[0].article, lang)}",
    ]
    also = outlets(answer.sources[0].article, lang)
    if also:  # one quote per report, its other outlets listed once
        lines.append(also)
    others = other_articles(answer, more_sources)
    if others:
        lines.append(f"\n{t(lang, 'more_sources')}:")
        lines.extend(f"• {link(a)} · {date(a, lang)}" for a in others)
    return split_html("\n".join(lines))


def passages_messages(answer: Answer) -> list[str]:
    """The full passages the answer was chosen from (the "More passages" button)."""
    lang = language(answer.language)
    blocks = [t(lang, "passages_header")]
    seen: set[int] = set()
    for hit in answer.hits or tuple(answer.sources):
        if hit.passage.id in seen:
            continue
        seen.add(hit.passage.id)
        blocks.append(f"{link(hit.article)} (#{hit.article.id})\n{esc(hit.passage.text)}")
    return split_html("\n\n".join(blocks))


def sources_messages(answer: Answer) -> list[str]:
    """Every article behind the answer, with id, date, outlet and score (the "Sources" button)."""
    lang = language(answer.language)
    lines = [t(lang, "sources_header")]
    seen: set[int] = set()
    for hit in tuple(answer.sources) + tuple(answer.hits):
        if hit.article.id in seen:
            continue
        seen.add(hit.article.id)
        lines.append(
            f"{len(seen)}. {byline(hit.article, lang)} · #{hit.article.id} · {hit.score:.2f}"
        )
    return split_html("\n".join(lines))


def added_text(result: AddResult, lang: str) -> str:
    article = result.article
    if result.near_duplicate is not None:
        percent = round(100 * result.near_duplicate)
        return t(lang, "near_duplicate", id=article.id, percent=percent, title=article.title)
    if not result.created:
        return t(lang, "duplicate", id=article.id, title=article.title)
    return t(
        lang,
        "added",
        id=article.id,
        title=article.title,
        language=article.language,
        passages=passages(lang, article.passages),
    )


def article_line(
    article: Article, lang: str, *, with_link: bool = True, title_chars: int | None = None
) -> str:
    """One article of /list; `title_chars`: its title cut to that many characters with "…"."""
    if title_chars is not None and len(article.title) > title_chars:
        article = replace(article, title=article.title[: title_chars - 1].rstrip() + "…")
    title = link(article) if with_link else f"<b>{label(article.title)}</b>"
    line = (
        f"<b>#{article.id}</b> [{esc(article.language)}] {title} · "
        f"{date(article, lang)} · {passages(lang, article.passages)}"
    )
    if article.copies:  # agency copies recorded as its other sources
        count = article.copies
        line += " · " + (t(lang, "copies_1") if count == 1 else t(lang, "copies", count=count))
    return line


def list_text(articles: list[Article], offset: int, lang: str) -> str:
    """One page of /list, one message (the caller fetches at most LIST_PAGE articles)."""
    if not articles:
        return t(lang, "list_empty")
    header = t(lang, "list_header", first=offset + 1, last=offset + len(articles))
    text = "\n".join([header, *(article_line(a, lang) for a in articles)])
    # The page is one message, edited in place as it turns: where it is too long (long URLs,
    # long titles of characters that escape long), links go first, then the titles are cut,
    # so that every article of the page is listed.
    for title_chars in (None, 160, 80, 40, 20):
        if units(text) <= MAX_MESSAGE:
            break
        lines = (article_line(a, lang, with_link=False, title_chars=title_chars) for a in articles)
        text = "\n".join([header, *lines])
    return split_html(text)[0]


def stats_text(stats: Stats, lang: str) -> str:
    languages = ", ".join(f"{code}: {n}" for code, n in sorted(stats.languages.items())) or "–"
    return t(
        lang,
        "stats",
        articles=stats.articles,
        passages=stats.passages,
        languages=languages,
        model=stats.model,
    )
