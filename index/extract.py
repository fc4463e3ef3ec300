"""The article in a web page: main text and metadata with trafilatura."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from html import unescape

import lxml.etree
import lxml.html
import trafilatura

from .errors import ExtractionError
from .extract_lead import snapshot, with_lead

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


# Characters XML does not allow, and numeric references to them: one in a page made trafilatura,
# reading lxml's tree, return nothing ("no article text found"). They are invisible; dropped.
_NOT_XML = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
    r"|&#(?:x0*(?:[0-8bcef]|1[0-9a-f])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));",
    re.IGNORECASE,
)


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Main text and metadata of an article page; ExtractionError when there is none."""
    html = _NOT_XML.sub("", html or "")
    if not html.strip():
        raise ExtractionError("no article text found in the page")
    page = _separate_labels(html)
    heading = _first_heading(page)  # before trafilatura prunes the tree
    again = snapshot(page, html)  # for the lead the precise reading drops (index.extract_lead)
    try:
        # favor_precision drops navigation/footer-only pages that the default mode would
        # return as "text"; MIN_OUTPUT_SIZE stays 1, so a short 2-3 paragraph article passes.
        doc = trafilatura.bare_extraction(
            page,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
        )
    except MemoryError:  # not "no text": index.extract_bounded says what it is
        raise
    except Exception as exc:  # untrusted HTML: any parser failure means "nothing usable"
        logger.debug("trafilatura failed: %s", type(exc).__name__)
        doc = None
    text = (getattr(doc, "text", None) or "").strip()
    embedded = _embedded_body(html, text)
    if embedded:
        text = embedded
        if doc is None:  # a page whose HTML holds no text at all: its metadata alone
            doc = _metadata(html, url)
    if doc is None or not text:
        raise ExtractionError("no article text found in the page")
    title = _headline(_clean(doc.title), heading)
    if not embedded:
        text = with_lead(again, text, title)
    return Extracted(
        title=title,
        text=text,
        published=_iso_date(doc.date),
        author=_clean(doc.author),
        source=_clean(doc.sitename),
    )


# The schema.org articleBody a page embeds (JSON-LD) replaces the text extracted from its HTML
# only where it is this many times as long, and by at least EMBEDDED_GAIN characters: a page
# rendered by JavaScript shows "Bitte aktivieren Sie JavaScript" in its HTML, a paywalled one
# its teaser, while both embed the whole article for search engines. Where the HTML holds the
# article too (5 of the news set's 36 pages embed one body, each within 1% of the extracted
# length), the extracted text is kept: it has the paragraph breaks articleBody mostly lacks.
EMBEDDED_RATIO = 2.0
EMBEDDED_GAIN = 500
MAX_JSON_NODES = 100_000  # JSON values looked at per script (a page is byte-capped anyway)


def _embedded_body(html: str, extracted: str) -> str:
    """The one article body the page embeds as schema.org JSON-LD where it is much longer than
    `extracted`; "" otherwise (none, several: a live blog's posts or a front page's list).

    Read by hand: trafilatura.baseline reads these too, but falls back to the page's paragraphs
    without saying which it returned, and joins several bodies into one."""
    if "articleBody" not in html:
        return ""
    try:  # (an XHTML page's encoding declaration would stop lxml reading a str)
        tree = lxml.html.fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (ValueError, lxml.etree.ParserError):
        return ""
    bodies: set[str] = set()
    for script in tree.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json" or len(bodies) > 1:
            continue
        try:
            data = json.loads(script.text or "", strict=False)  # raw newlines in real pages
        except (ValueError, RecursionError):
            continue
        stack, seen = [data], 0
        while stack and seen < MAX_JSON_NODES and len(bodies) < 2:  # iterative: no recursion
            node, seen = stack.pop(), seen + 1
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                body = node.get("articleBody")
                text = _plain(body) if isinstance(body, str) else ""
                if text:
                    bodies.add(text)
                stack.extend(v for v in node.values() if isinstance(v, dict | list))
    if len(bodies) != 1:
        return ""
    body = bodies.pop()
    size = len(extracted)
    return body if len(body) >= max(EMBEDDED_RATIO * size, size + EMBEDDED_GAIN) else ""


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# A tag: a name, then attributes (name=value) or nothing ("a<b und c>d" is no tag). Possessive
# quantifiers: with backtracking, "\s+[^<>=]+" and "[^<>]*\s*" could split a run of spaces every
# way, and an articleBody of "<a" and 20,000 spaces took 1-4 s (a page's worth, hours).
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*+(?:\s++[^<>=]++=[^<>]*+)?\s*+/?>")
# What JSON can hold and text must not: a lone surrogate (a string cut inside an emoji) cannot
# be stored as UTF-8, a control character would make the text read as binary (sources.clean_text).
_UNSTORABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(body: str) -> str:
    """An articleBody's text: markup some sites leave in it made text, one line per block
    element (scripts and styles dropped), else its HTML entities decoded; "" if none is left."""
    body = _UNSTORABLE.sub("", body)
    if _TAG.search(body):
        try:
            root = lxml.html.fragment_fromstring(body, create_parent="div")
        except (ValueError, lxml.etree.ParserError):
            root = None
        if root is not None:
            for junk in list(root.iter("script", "style", "noscript")):
                junk.drop_tree()
            for block in root.iter("p", "h1", "h2", "h3", "h4", "li", "br", "div", "blockquote"):
                block.tail = "\n" + (block.tail or "")
            body = root.text_content()
        else:
            body = unescape(body)
    else:
        body = unescape(body)
    lines = (" ".join(line.split()) for line in _UNSTORABLE.sub("", body).split("\n"))
    return "\n".join(line for line in lines if line)


def _metadata(html: str, url: str | None) -> object | None:
    try:
        return trafilatura.extract_metadata(html, default_url=url)
    except Exception as exc:  # untrusted HTML
        logger.debug("trafilatura.extract_metadata failed: %s", type(exc).__name__)
        return None


# Inline elements that pages style as a line of their own: a kicker or label glued to the text
# after it ("<span>Agriculture</span>L'Office fédéral…", "Vídeo" before a teaser) would
# otherwise run into one word and one sentence ("AgricultureL'Office").
_INLINE = ("span", "a", "em", "strong", "b", "i", "small", "label", "font", "mark")


# Readers' comment sections named in other languages than English: trafilatura's
# include_comments=False finds only "comment…" in a class or id (its xpaths.py), so a German
# site's <div class="kommentare"> came out as the article's last paragraphs, and a reader's
# opinion could be quoted as the article's (nnz-online.de). A class or id word that names the
# section or its list of posts; the singular "kommentar" alone is not one: it marks an opinion
# piece as well (NZZ's "teaser__flag--kommentar").
_COMMENT_SECTION = re.compile(
    r"(?:^|[-_\s])(?:leser|user|reader)?-?(?:kommentare|kommentarer|kommentit|komentarze|"
    r"commentaires|commenti|comentarios|comentários|reacties|"
    r"kommentar-?(?:item|items|liste|list|bereich|thread|section))(?:$|[-_\s])",
    re.IGNORECASE,
)


MAX_COMMENT_SECTIONS = 50  # sections so named looked at per page (a page has one or two)


def _drop_comment_sections(tree: lxml.html.HtmlElement) -> None:
    """Delete the readers' comment sections _COMMENT_SECTION names, unless one holds the
    page's headline or <article> (then the name is a genre's, not a section's). A deleted
    section is not searched further; at most MAX_COMMENT_SECTIONS are looked at, so that a
    hostile page of nested ones costs no more than a page's walk."""
    looked, stack = 0, [tree]
    while stack and looked < MAX_COMMENT_SECTIONS:
        element = stack.pop()
        named = isinstance(element.tag, str) and (
            _COMMENT_SECTION.search(element.get("class") or "")
            or _COMMENT_SECTION.search(element.get("id") or "")
        )
        if named and element.getparent() is not None:
            looked += 1
            if next(element.iter("h1", "article"), None) is None:
                element.drop_tree()
                continue
        stack.extend(reversed(element))


# trafilatura's precision mode deletes every span whose class is the token "link" or starts or
# ends with "bottom", or whose style has a border (PRECISION_DISCARD_XPATH: page chrome), with its
# text, also inside a paragraph: "But they're especially high for <span class="link"><a>Joe
# Biden</a></span>." became "especially high for ." (CBS News). Inside a paragraph those
# attributes are taken off the span; a paragraph that is chrome is judged as a whole.
_CHROME_CLASS = re.compile(r"(?:^|\s)(?:link(?:\s|$)|bottom)|bottom(?:\s|$)")
_PARAGRAPH = frozenset({"p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "td"})


def _keep_inline_spans(tree: lxml.html.HtmlElement) -> None:
    """Take the attributes that make trafilatura's precision mode delete a span off every span
    inside a paragraph (see _CHROME_CLASS)."""
    for span in tree.iter("span"):
        chrome = _CHROME_CLASS.search(span.get("class") or "") or _CHROME_CLASS.search(
            span.get("id") or ""
        )
        if not chrome and "border" not in (span.get("style") or ""):
            continue
        if any(parent.tag in _PARAGRAPH for parent in span.iterancestors()):
            for attribute in ("class", "id", "style"):
                span.attrib.pop(attribute, None)


def _separate_labels(html: str) -> lxml.html.HtmlElement | str:
    """The page as a tree with a line break after every inline element whose text runs,
    without a space, into a capitalized word (inline spans kept: _keep_inline_spans; readers'
    comments dropped: _drop_comment_sections); the page as it was if it does not parse."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html
    _keep_inline_spans(tree)
    _drop_comment_sections(tree)
    for element in list(tree.iter(*_INLINE)):
        tail = element.tail or ""
        end = (element.text_content() or "")[-1:]
        if tail[:1].isupper() and end.isalpha() and end.islower():
            brk = lxml.html.Element("br")
            brk.tail, element.tail = tail, ""
            element.addnext(brk)
    return tree


# A title of at most this many words is a site's or section's name where the page's first <h1>
# is a headline of HEADLINE_WORDS or more: "Medienmitteilungen" for the Kanton Bern's "…: Impfen
# und Boostern ist bis Ende Februar noch überall möglich" (its og:title and <title>). The title
# is shown with every quote and read with each sentence (index.reread).
SECTION_WORDS = 2
HEADLINE_WORDS = 4


def _first_heading(page: lxml.html.HtmlElement | str) -> str | None:
    """The text of the page's first <h1>, if it parsed."""
    if isinstance(page, str) or (first := next(page.iter("h1"), None)) is None:
        return None
    return " ".join(first.text_content().split()) or None


def _headline(title: str | None, heading: str | None) -> str | None:
    """`title`, or the first <h1> where the title is a section's name (SECTION_WORDS)."""
    if heading is None or len(heading.split()) < HEADLINE_WORDS:
        return title
    if title is None or len(title.split()) <= SECTION_WORDS:
        return heading
    return title


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _iso_date(value: str | None) -> str | None:
    match = _ISO_DATE.match(value or "")
    return match.group(0) if match else None
