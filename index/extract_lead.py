"""The lead an article page's precise extraction left out.

index.extract reads pages with trafilatura's `favor_precision`, which keeps navigation, link lists
and footers out of the text (the default mode returns them as text for a page that holds nothing
else). It also drops every element whose class names a teaser, and news sites mark their lead
so ("eventbox__teaser", "article-teaser", "intro"): the paragraph that states who was elected,
what happened, is the one most questions ask about ("Eva M. Welskop-Deffaa (62) ist … zur neuen
Präsidentin des Deutschen Caritasverbandes gewählt worden" was missing from that page's text; on
the news set's 36 pages, 1 lead and 2 subheadings were). So the page is read a second time in
trafilatura's default mode, and the prose it finds before the precise text's first line (the
head of the article: headline, subheading, teaser, and the page's furniture there, which is
left out) goes before the text. Only before the first line: after it, the default mode adds
lists of other articles' titles and captions. trafilatura has no mode that keeps teasers and
drops the rest, so the two are merged here.
"""

from __future__ import annotations

import copy
import logging
import re

import lxml.html
import trafilatura

from .cleaning import WORD, is_furniture

logger = logging.getLogger(__name__)

# A line of the head that is prose, not a label, date or breadcrumb: this many words or more,
# and a sentence's end (a subheading or lead without one: LONG_WORDS words or more).
PROSE_WORDS = 8
LONG_WORDS = 12
_ENDS_SENTENCE = re.compile(r"[.!?…:;\"“”»«'’)]\s*$")
MATCH_CHARS = 60  # of the precise text's first line, found in the default mode's lines
ANCHOR_CHARS = 20  # ... a line this long at least ("Berlin" alone may begin any line)
# A larger page is read once: a second reading takes about as long as the first (a 5 MB page of
# 60,000 paragraphs took 12 s, 20 s read twice, against index.extract_bounded's 30 s), and the
# news set's largest page is 1.4 MB.
MAX_PAGE_CHARS = 2_000_000


def snapshot(page: lxml.html.HtmlElement | str, html: str) -> lxml.html.HtmlElement | str | None:
    """A copy of the parsed page for the second reading (trafilatura prunes the tree it reads);
    None for a page of more than MAX_PAGE_CHARS."""
    if len(html) > MAX_PAGE_CHARS:
        return None
    return page if isinstance(page, str) else copy.deepcopy(page)


def with_lead(page: lxml.html.HtmlElement | str | None, text: str, title: str | None) -> str:
    """`text` (the precise extraction) with the prose lines the default mode finds before its
    first line of ANCHOR_CHARS or more, where there are any; `text` unchanged otherwise, for no
    page (`snapshot`) or where reading fails."""
    # The anchor: the precise text's first line long enough not to begin another line by chance
    anchor = next((line for line in text.split("\n") if len(line.strip()) >= ANCHOR_CHARS), None)
    if page is None or anchor is None:
        return text
    try:
        doc = trafilatura.bare_extraction(
            page, with_metadata=False, include_comments=False, include_tables=True
        )
    except Exception as exc:  # untrusted HTML: the precise text stands
        logger.debug("trafilatura (default mode) failed: %s", type(exc).__name__)
        return text
    found = (getattr(doc, "text", None) or "").split("\n")
    first = _flat(anchor)[:MATCH_CHARS]
    start = next((i for i, line in enumerate(found) if _flat(line).startswith(first)), None)
    if not start:
        return text
    known = _flat(text)
    heading = _flat(title or "")
    head = [
        line.strip()
        for line in found[:start]
        if _is_prose(line) and _flat(line) not in known and _flat(line) != heading
    ]
    return "\n".join([*head, text]) if head else text


def _is_prose(line: str) -> bool:
    words = len(WORD.findall(line))
    if words < PROSE_WORDS or is_furniture(line):
        return False
    return words >= LONG_WORDS or _ENDS_SENTENCE.search(line) is not None


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()
