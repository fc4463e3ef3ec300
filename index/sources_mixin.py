"""The library's add_text / add_file / add_bytes / add_url: each makes a draft of its source
(index.sources, index.fetch) and hands it to Library.add_draft."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import sources
from .models import AddResult

if TYPE_CHECKING:
    from .library import LibraryConfig
    from .storage import StorageBackend

Stage = Callable[[str, dict], None]  # progress callback: (stage name, details)


def no_progress(stage: str, details: dict) -> None:
    del stage, details


class SourcesMixin:
    config: LibraryConfig
    backend: StorageBackend

    def add_draft(
        self,
        draft: sources.Draft,
        *,
        added_by: str | None = None,
        progress: Stage = no_progress,
        feed_date: object = None,
    ) -> AddResult:
        raise NotImplementedError

    def add_text(
        self,
        text: str,
        *,
        title: str | None = None,
        url: str | None = None,
        source: str | None = None,
        published: str | None = None,
        added_by: str | None = None,
        progress: Stage = no_progress,
        feed_date: object = None,
    ) -> AddResult:
        """`published`: the page's own date; `feed_date`: a feed entry's or a forwarded channel
        post's (index.recency.publication_date)."""
        draft = sources.from_text(text, title=title, url=url, source=source, published=published)
        return self.add_draft(draft, added_by=added_by, progress=progress, feed_date=feed_date)

    def add_file(
        self,
        path: Path,
        *,
        title: str | None = None,
        added_by: str | None = None,
        progress: Stage = no_progress,
    ) -> AddResult:
        return self.add_draft(
            sources.from_file(path, title=title), added_by=added_by, progress=progress
        )

    def add_bytes(
        self,
        data: bytes,
        suffix: str,
        *,
        title: str | None = None,
        url: str | None = None,
        source: str | None = None,
        added_by: str | None = None,
        progress: Stage = no_progress,
        feed_date: object = None,
    ) -> AddResult:
        """`feed_date`: a forwarded channel post's date (a document forwarded from a channel)."""
        draft = sources.from_bytes(data, suffix, title=title, url=url, source=source)
        return self.add_draft(draft, added_by=added_by, progress=progress, feed_date=feed_date)

    def add_url(
        self,
        url: str,
        *,
        title: str | None = None,
        added_by: str | None = None,
        progress: Stage = no_progress,
        feed_date: object = None,
    ) -> AddResult:
        """`feed_date`: the date of the feed entry that listed the URL."""
        from .extract_bounded import extract_page
        from .fetch import check_url, fetch

        url = url.strip()
        check_url(url, allow_private=self.config.allow_private_urls, ports=self.config.url_ports)
        existing = self.backend.find_duplicate(sources.canonical_url(url), "")
        if existing is not None:
            return AddResult(existing, created=False)
        progress("fetching", {"url": url})
        page = fetch(
            url,
            allow_private=self.config.allow_private_urls,
            max_bytes=self.config.fetch_max_bytes,
            timeout=self.config.fetch_timeout,
            ports=self.config.url_ports,
        )
        progress("extracting", {"url": page.url})
        if page.content_type.startswith("text/plain"):
            draft = sources.from_text(page.text, title=title, url=page.url)
        else:
            extracted = extract_page(page.text, page.url)
            draft = sources.from_text(
                extracted.text,
                title=title or extracted.title,
                url=page.url,
                source=extracted.source,
                published=extracted.published,
            )
        return self.add_draft(draft, added_by=added_by, progress=progress, feed_date=feed_date)
