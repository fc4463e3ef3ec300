"""index.extract_lead: the lead a news site marks as a teaser, which trafilatura's precise mode
drops, goes before the text; the page furniture beside it and the link lists after it do not."""

from __future__ import annotations

from types import SimpleNamespace

from index import extract_lead
from index.extract import extract_html
from tests.conftest import SHARED

BODY = "".join(
    f"<p>{sentence}</p>"
    for sentence in (
        "Mitte November wird sie das Amt von Peter Brandt übernehmen, der sich nach 18 Jahren "
        "nicht mehr zur Wahl stellte.",
        "Nach Stationen im Bundesfamilienministerium ist sie seit dem Jahr 2017 Mitglied des "
        "Vorstands, zuständig für die Sozialpolitik und die Digitale Agenda des Verbandes.",
        "Die gebürtige Duisburgerin und studierte Volkswirtin wurde von den 161 Delegierten des "
        "Verbandes für ein Mandat von sechs Jahren gewählt.",
        "„Ich danke den Delegierten für ihr Vertrauen und freue mich sehr auf die Arbeit mit "
        "dem Verband“, sagte sie nach ihrer Wahl in Freiburg.",
    )
)
TEASER = (
    "Anna M. Berger (62) ist von der Delegiertenversammlung zur neuen Präsidentin des "
    "Wohlfahrtsverbandes gewählt worden. Sie ist die erste Frau in diesem Amt."
)
PAGE = f"""<html lang="de"><head><title>Anna Berger zur neuen Präsidentin gewählt</title></head>
<body><nav><a href="/">Start</a> <a href="/presse">Presse</a></nav>
<div class="eventbox"><span class="heading">Pressemitteilung</span>
<h1 class="eventbox__headline">Anna Berger zur neuen Präsidentin gewählt</h1>
<div class="eventbox__teaser"><p>{TEASER}</p></div>
<dl><dt>Erschienen am:</dt><dd>13.10.2021</dd><dt>Herausgeber:</dt><dd>Pressestelle</dd></dl>
</div>
<div class="article-body">{BODY}</div>
<div class="related"><h3>Mehr zum Thema</h3><ul>
<li><a href="/a">Verband stellt neuen Jahresbericht zur Armut in Deutschland vor</a></li>
<li><a href="/b">Delegierte beraten in Freiburg über die Zukunft der sozialen Arbeit</a></li>
</ul></div></body></html>"""


def test_the_prose_before_the_precise_text_goes_before_it(monkeypatch) -> None:  # noqa: ANN001
    """The merge itself, on what trafilatura's default mode returns for such a page (it fell
    back to the whole page's text there: headline, teaser, furniture, body, other articles)."""
    precise = extract_html(PAGE).text
    default = "\n".join(
        [
            "Pressemitteilung",
            "Anna Berger zur neuen Präsidentin gewählt",  # the headline: the title already
            TEASER,
            "Erschienen am:",
            "13.10.2021",
            "Pressestelle des Wohlfahrtsverbandes",
            precise,
            "Verband stellt neuen Jahresbericht zur Armut in Deutschland vor",  # after: not read
        ]
    )
    monkeypatch.setattr(
        extract_lead.trafilatura, "bare_extraction", lambda *a, **k: SimpleNamespace(text=default)
    )
    merged = extract_lead.with_lead(PAGE, precise, "Anna Berger zur neuen Präsidentin gewählt")
    assert merged == f"{TEASER}\n{precise}"


def test_a_page_whose_default_reading_fails_keeps_its_precise_text(monkeypatch) -> None:  # noqa: ANN001
    def fail(*args: object, **kwargs: object) -> None:
        raise ValueError("broken tree")

    monkeypatch.setattr(extract_lead.trafilatura, "bare_extraction", fail)
    assert extract_lead.with_lead(PAGE, "Ein Satz.", None) == "Ein Satz."


def test_a_real_page_s_lead_marked_as_teaser_is_kept() -> None:
    """A press release whose lead is in "eventbox__teaser" (the news set's page 16)."""
    page = SHARED / "news" / "pages" / "16-caritas-praesidentin.html"
    text = extract_html(page.read_text(encoding="utf-8")).text
    assert text.startswith("Eva M. Welskop-Deffaa (62) ist von der Delegiertenversammlung")
    assert "Erschienen am" not in text and "Reinhardtstraße" not in text


def test_a_page_without_a_teaser_reads_as_before() -> None:
    page = PAGE.replace(f'<div class="eventbox__teaser"><p>{TEASER}</p></div>', "")
    text = extract_html(page).text
    assert text.startswith("Mitte November wird sie das Amt")
    assert "Jahresbericht" not in text


def test_a_page_over_the_size_bound_is_read_once(monkeypatch) -> None:  # noqa: ANN001
    """Reading a page twice doubles its time, which must stay within index.extract_bounded's."""
    calls = []
    real = extract_lead.trafilatura.bare_extraction
    monkeypatch.setattr(
        extract_lead.trafilatura,
        "bare_extraction",
        lambda *a, **k: calls.append(k.get("favor_precision", False)) or real(*a, **k),
    )
    extract_html(PAGE)
    assert calls == [True, False]  # the precise reading, then the default one: under the bound
    calls.clear()
    monkeypatch.setattr(extract_lead, "MAX_PAGE_CHARS", len(PAGE) - 1)
    extract_html(PAGE)
    assert calls == [True]
