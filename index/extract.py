"""The article in a web page: main text and metadata with trafilatura."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html
import trafilatura

from .errors import ExtractionError

logger = logging.getLogger(__name__)
# trafilatura logs ERROR/WARNING lines ("empty HTML tree", "discarding data") for every page
# without an article; ExtractionError says the same once, to the user who sent it.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Extracted:
    title: str | None
    text: str  # main text, paragraphs separated by "\n" (trafilatura's output)
    published: str | None  # ISO date "YYYY-MM-DD" when known
    author: str | None
    source: str | None  # site name / outlet when known


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Main text and metadata of an article page; ExtractionError when there is none."""
    if not html or not html.strip():
        raise ExtractionError("no article text found in the page")
    try:
        # favor_precision drops navigation/footer-only pages that the default mode would
        # return as "text"; MIN_OUTPUT_SIZE stays 1, so a short 2-3 paragraph article passes.
        doc = trafilatura.bare_extraction(
            _separate_labels(html),
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
        )
    except Exception as exc:  # untrusted HTML: any parser failure means "nothing usable"
        logger.debug("trafilatura failed: %s", type(exc).__name__)
        doc = None
    text = (getattr(doc, "text", None) or "").strip()
    if doc is None or not text:
        raise ExtractionError("no article text found in the page")
    return Extracted(
        title=_clean(doc.title),
        text=text,
        published=_iso_date(doc.date),
        author=_clean(doc.author),
        source=_clean(doc.sitename),
    )


# Inline elements that pages style as a line of their own: a kicker or label glued to the text
# after it ("<span>Agriculture</span>L'Office fédéral…", "Vídeo" before a teaser) would
# otherwise run into one word and one sentence ("AgricultureL'Office").
_INLINE = ("span", "a", "em", "strong", "b", "i", "small", "label", "font", "mark")


def _separate_labels(html: str) -> lxml.html.HtmlElement | str:
    """The page as a tree with a line break after every inline element whose text runs,
    without a space, into a capitalized word; the page as it was if it does not parse."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html
    for element in list(tree.iter(*_INLINE)):
        tail = element.tail or ""
        end = (element.text_content() or "")[-1:]
        if tail[:1].isupper() and end.isalpha() and end.islower():
            brk = lxml.html.Element("br")
            brk.tail, element.tail = tail, ""
            element.addnext(brk)
    return tree


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _iso_date(value: str | None) -> str | None:
    match = _ISO_DATE.match(value or "")
    return match.group(0) if match else None
