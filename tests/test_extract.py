"""Extraction keeps a page's blocks apart: a label glued to the text after it becomes a line."""

from __future__ import annotations

import pytest

from index.chunking import split_sentences
from index.extract import MAX_COMMENT_SECTIONS, extract_html

PAGE = """<html><head><title>Berne interdit le fongicide</title></head><body><article>
<h1>Berne interdit le fongicide</h1>
<h3><span class="keyword">Agriculture</span>L'Office fédéral a décidé de retirer le produit.</h3>
<p>Le fongicide sera interdit dès 2020 en Suisse. L'Office le considère comme cancérigène.</p>
<p>Près de 45 tonnes ont été utilisées en 2017 en Suisse, selon les chiffres de l'Office.</p>
</article></body></html>"""


def test_a_glued_label_is_its_own_line() -> None:
    text = extract_html(PAGE).text
    assert "AgricultureL'Office" not in text
    sentences = [text[a:b] for a, b in split_sentences(text, "fr")]
    assert "L'Office fédéral a décidé de retirer le produit." in sentences


def test_words_inside_a_sentence_stay_joined() -> None:
    page = PAGE.replace('<span class="keyword">Agriculture</span>', "<b>Agri</b>culture ")
    assert "Agriculture L'Office" in extract_html(page).text  # lower case after: not a label


def test_a_link_inside_a_paragraph_keeps_its_words_and_page_chrome_still_goes() -> None:
    """trafilatura's precision mode deletes spans of class "link" (or "bottom-…", a border) with
    their text; inside a paragraph such a span is the sentence's own words."""
    page = PAGE.replace(
        "selon les chiffres de l'Office.</p>",
        "selon les chiffres de "
        '<span class="link"><a href="/ofag">l\'Office fédéral de l\'agriculture</a></span>.</p>'
        '<div class="link"><a href="/a">Plus sur ce sujet</a> <a href="/b">Archives</a></div>'
        '<span class="bottom-bar">Partager cet article sur Facebook</span>',
    )
    text = extract_html(page).text
    assert "selon les chiffres de l'Office fédéral de l'agriculture." in text
    assert "Plus sur ce sujet" not in text and "Partager" not in text


@pytest.mark.parametrize(
    ("title", "heading", "shown"),
    [
        # a section's name as the page's title: its first <h1> is the headline
        ("Medienmitteilungen", "Impfen ist bis Ende Februar noch überall möglich", "h1"),
        # a headline as the title is kept, whatever the <h1> says (a site's banner)
        ("Berne interdit le fongicide chlorothalonil", "Bienvenue sur le portail du canton", "t"),
        # an <h1> too short to be a headline does not replace it
        ("Agriculture", "Le canton", "t"),
    ],
)
def test_a_section_name_as_title_gives_way_to_the_first_heading(
    title: str, heading: str, shown: str
) -> None:
    page = PAGE.replace(
        "<title>Berne interdit le fongicide</title>",
        f'<title>{title}</title><meta property="og:title" content="{title}">',
    )
    page = page.replace("<h1>Berne interdit le fongicide</h1>", f"<h1>{heading}</h1>")
    assert extract_html(page).title == (heading if shown == "h1" else title)


def _ld(*bodies: str, kind: str = "NewsArticle") -> str:
    import json

    items = [
        {"@type": kind, "headline": "Stadtrat beschließt Schulneubau", "articleBody": body}
        for body in bodies
    ]
    data = {"@context": "https://schema.org", "@graph": items}
    # "</" escaped as pages (and JSON encoders for HTML) do: "</script>" would end the script.
    encoded = json.dumps(data).replace("</", "<\\/")
    return f'<script type="application/ld+json">{encoded}</script>'


BODY = " ".join(
    f"Im Punkt {i} des Beschlusses geht es um die Schule am Markt und ihre neue Turnhalle."
    for i in range(40)
)


def test_an_embedded_article_body_replaces_a_javascript_shell_or_a_teaser() -> None:
    """A page rendered by JavaScript, or a paywalled one, embeds the whole article as JSON-LD
    for search engines while its HTML shows a notice or a teaser."""
    head = "<html><head><title>Stadtrat beschließt Schulneubau</title>"
    shell = head + _ld(BODY) + "</head><body><p>Bitte aktivieren Sie JavaScript.</p></body></html>"
    teaser = (
        head
        + _ld(f"<p>{BODY[:400]}</p><p>{BODY[400:]}</p>")  # markup left in it: one line a block
        + "</head><body><article><h1>Stadtrat beschließt Schulneubau</h1><p>Der Stadtrat hat"
        " einen Schulneubau beschlossen, nach langer und teils hitziger Debatte im Rat.</p>"
        "<div>Weiterlesen mit Abo</div></article></body></html>"
    )
    empty = head + _ld(BODY) + '</head><body><div id="root"></div></body></html>'
    assert extract_html(shell).text == BODY
    assert extract_html(teaser).text == f"{BODY[:400].strip()}\n{BODY[400:].strip()}"
    got = extract_html(empty)
    assert got.text == BODY and got.title == "Stadtrat beschließt Schulneubau"


def test_the_pages_own_text_is_kept_where_it_holds_the_article_or_bodies_are_many() -> None:
    paragraphs = "".join(f"<p>{BODY[i : i + 300]}</p>" for i in range(0, len(BODY), 300))
    page = f"<html><head>{_ld(BODY)}</head><body><article>{paragraphs}</article></body></html>"
    assert "\n" in extract_html(page).text  # its paragraphs, not the one-line body
    # A live blog's posts (or a front page's list) are several bodies: none is the article.
    blog = _ld(BODY, BODY[:900], kind="BlogPosting")
    shell = f"<html><head>{blog}</head><body><p>Bitte aktivieren Sie JavaScript.</p></body></html>"
    assert extract_html(shell).text == "Bitte aktivieren Sie JavaScript."


def test_hostile_embedded_json_is_read_in_bounded_time() -> None:
    deep = '{"@graph": ' * 5000 + "{}" + "}" * 5000  # beyond the JSON parser's nesting
    wide = "[" + ",".join(['{"a": [1, 2, {"b": 3}]}'] * 50_000) + "]"
    for data in (deep, wide, "{not json"):
        page = (
            f'<html><head><script type="application/ld+json">{data}</script></head><body>'
            f"<article><p>{BODY}</p></article><p>articleBody</p></body></html>"
        )
        assert extract_html(page).text == BODY


@pytest.mark.parametrize("start", ["<a", "<a x=", "</p"])
def test_an_embedded_body_that_almost_holds_a_tag_is_read_in_bounded_time(start: str) -> None:
    """A tag's start followed by a long run of spaces and no ">": the tag pattern once tried every
    split of the run (20,000 spaces took 1-4 s, this body's 300,000 hours)."""
    import time

    shell = (
        f"<html><head>{_ld(start + ' ' * 300_000 + BODY)}</head><body><p>Bitte.</p></body></html>"
    )
    started = time.perf_counter()
    text = extract_html(shell).text
    assert time.perf_counter() - started < 5.0
    assert text.endswith(BODY[-80:])


def test_an_embedded_body_is_made_storable_text() -> None:
    """What JSON may hold and stored text must not (a lone surrogate from a string cut inside
    an emoji, control characters), scripts in its markup, and text that only looks like markup;
    an XHTML page's declaration and a script type with parameters do not hide the body."""
    import json

    from index.sources import from_text

    raw = json.dumps({"@type": "NewsArticle", "articleBody": "Eins \ud83d zwei.\u0000 " + BODY})
    assert "\\ud83d" in raw  # JSON's escape, read back as a lone surrogate
    page = (
        '<?xml version="1.0" encoding="utf-8"?><html><head>'
        f'<script type="application/LD+json; charset=utf-8">{raw}</script></head>'
        "<body><p>Bitte aktivieren Sie JavaScript.</p></body></html>"
    )
    text = extract_html(page).text
    assert text.startswith("Eins zwei. Im Punkt 0") and text.encode("utf-8")
    from_text(text)  # not taken for binary data
    marked = _ld("<script>track()</script><p>Wenn a &lt; b gilt.</p><p>" + BODY + "</p>")
    shell = f"<html><head>{marked}</head><body><p>Bitte aktivieren.</p></body></html>"
    assert extract_html(shell).text == f"Wenn a < b gilt.\n{BODY}"
    plain = _ld("Wenn a<b und c>d gilt, dann &amp; nur dann. " + BODY)  # no markup: as written
    shell = f"<html><head>{plain}</head><body><p>Bitte aktivieren.</p></body></html>"
    assert extract_html(shell).text.startswith("Wenn a<b und c>d gilt, dann & nur dann.")


@pytest.mark.parametrize("character", ["\x01", "\x08", "\x1a", "\x1b", "&#1;", "&#x1B;", "\ufffe"])
def test_a_stray_control_character_does_not_lose_the_article(character: str) -> None:
    """A character XML does not allow (or a reference to one) made trafilatura, reading the
    parsed tree, find no text at all: "no article text found" for the whole page."""
    body = "".join(
        f"<p>This is paragraph number {i} of the article about the city council and its new "
        "bridge project, which is expected to cost a lot.</p>"
        for i in range(8)
    )
    page = (
        "<html><head><title>Council approves bridge</title></head><body><article>"
        f"<h1>Council approves bridge</h1>{body}</article></body></html>"
    )
    spoiled = page.replace("paragraph number 3", f"paragraph{character}number 3")
    assert len(extract_html(spoiled).text) > 900


ARTIKEL = """<html><head><title>Neuer Park im Norden der Stadt eröffnet</title></head><body>
<div class="{wrapper}"><h1>Neuer Park im Norden der Stadt eröffnet</h1>
<p>Der Oberbürgermeister hat am Montag den neuen Park im Norden der Stadt eröffnet.</p>
<p>Auf zwei Hektar wurden 120 Bäume gepflanzt und ein Spielplatz gebaut.</p>
<p>Die Anwohner hatten die Pläne in mehreren Versammlungen mit der Stadt besprochen.</p>
</div>
<div class="{comments}"><div class="rubrik">Kommentare</div>
<div class="kommentar-item"><div class="benutzer">Kritiker2010</div>
<div class="kommentar-text">Ein Quantensprung ist das wohl kaum, eher ein sehr kleiner Schritt für
diese Stadt. Die neuen Bushaltestellen behindern den Verkehr in der ganzen Umgebung, und der
Spielplatz ist viel zu klein für die vielen Kinder, die hier im Viertel wohnen.</div></div>
<div class="fussnote">Beachten Sie, dass die Redaktion unpassende Kommentare entfernen kann.</div>
</div></body></html>"""


@pytest.mark.parametrize("comments", ["kommentare", "leser-kommentare", "reacties"])
def test_a_comment_section_named_in_another_language_is_not_the_article(comments: str) -> None:
    """trafilatura drops readers' comments only where a class says "comment…" in English."""
    text = extract_html(ARTIKEL.format(wrapper="artikel", comments=comments)).text
    assert "120 Bäume gepflanzt" in text
    assert "Quantensprung" not in text and "Kritiker2010" not in text
    assert "Redaktion unpassende" not in text


def test_many_or_nested_comment_sections_are_looked_at_a_bounded_number_of_times() -> None:
    """A hostile page of nested sections, each holding the headline (kept, and looked into), or
    of a thousand side by side: the article is still found, and at most MAX_COMMENT_SECTIONS of
    them are looked at."""
    nested = '<div class="kommentare">' * 200 + "<h1>Neuer Park</h1>" + "</div>" * 200
    wide = '<div class="kommentare"><p>Ein Kommentar.</p></div>' * 1_000
    for extra in (nested, wide):
        page = ARTIKEL.format(wrapper="artikel", comments="rubrik").replace(
            "</body>", extra + "</body>"
        )
        assert "120 Bäume gepflanzt" in extract_html(page).text
    assert MAX_COMMENT_SECTIONS <= 100


def test_an_opinion_piece_labelled_kommentar_is_kept() -> None:
    """The word "Kommentar" also names a genre: a section so named holding the headline is kept."""
    page = ARTIKEL.format(wrapper="kommentar", comments="rubrik")
    page = page.replace('<div class="kommentar">', '<div class="kommentare">', 1)
    assert "120 Bäume gepflanzt" in extract_html(page).text
    single = ARTIKEL.format(wrapper="kommentar", comments="kommentare")
    assert "120 Bäume gepflanzt" in extract_html(single).text
