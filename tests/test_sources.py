from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import BadInput
from index.sources import canonical_url, clean_text, content_hash, from_bytes, from_file, from_text


def test_first_line_is_the_title_of_pasted_text() -> None:
    draft = from_text("# Großer Titel\n\nDer erste Absatz des Artikels ist hier.\nUnd noch einer.")
    assert draft.title == "Großer Titel"
    assert draft.text.startswith("Der erste Absatz")


def test_given_title_keeps_the_whole_text() -> None:
    draft = from_text("Erste Zeile des Textes hier.\nZweite Zeile.", title="Mein Titel")
    assert draft.title == "Mein Titel"
    assert draft.text.startswith("Erste Zeile")


@pytest.mark.parametrize("text", ["", "   \n\t ", "kurz", "!!! ??? ... --- ***"])
def test_empty_or_too_short_text_is_refused(text: str) -> None:
    with pytest.raises(BadInput, match="empty or too short"):
        from_text(text)


def test_binary_is_refused() -> None:
    with pytest.raises(BadInput, match="binary"):
        clean_text("abc\x00def" * 10)
    with pytest.raises(BadInput, match="binary"):
        from_bytes(bytes(range(256)) * 10, ".txt")


def test_invalid_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Überschrift\nÄrger über Öl und Soße, ein längerer Text.".encode("latin-1"))
    with pytest.raises(BadInput, match="not UTF-8"):
        from_file(path)


def test_file_types_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no such file"):
        from_file(tmp_path / "missing.txt")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(BadInput, match="unsupported file type"):
        from_file(pdf)
    md = tmp_path / "a.md"
    md.write_text("\n\n# Titel der Datei\nText des Artikels, lang genug für einen Eintrag.")
    assert from_file(md).title == "Titel der Datei"


def test_html_file_is_extracted(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    body = "".join(
        f"<p>Absatz {i}: Die Regierung beschloss am Montag neue Regeln.</p>" for i in range(4)
    )
    page.write_text(
        f"<html><head><title>Neue Regeln</title></head><body><article>"
        f"<h1>Neue Regeln</h1>{body}</article></body></html>"
    )
    draft = from_file(page)
    assert draft.title == "Neue Regeln"
    assert "Die Regierung beschloss" in draft.text


def test_invisible_characters_and_newlines_are_normalized() -> None:
    # A line broken inside a sentence ("Text" / "mit") is joined; a blank line stays a break.
    assert clean_text("Ein\u200b Text\r\nvon\rZeilen   \n\n\n\nund Ende.") == (
        # "von" ends no heading: the line after it continues the sentence (cleaning). ("mit"
        # may: "Die Stadt macht mit" is a whole headline.)
        "Ein Text von Zeilen\n\nund Ende."
    )


def test_canonical_url_and_content_hash() -> None:
    assert canonical_url("HTTPS://Example.COM:443/a/b/?utm_source=x&b=2&a=1#frag") == (
        "https://example.com/a/b?a=1&b=2"
    )
    assert canonical_url(None) is None
    assert content_hash("Hallo,  Welt!\n") == content_hash("hallo welt")
    assert content_hash("Hallo Welt") != content_hash("Hallo Welten")


def test_bidi_controls_are_removed_from_titles_and_sources() -> None:
    draft = from_text(
        "Invoice \u202egpj.exe\u202c\nThe text of the article, long enough to be stored here.",
        source="\u2067Daily\u2069  News\u202d",
    )
    assert draft.title == "Invoice gpj.exe"
    assert draft.source == "Daily News"
    assert from_text("T\nThe text of the article, long enough.", source="\u202e").source is None


def test_a_saved_page_in_windows_1252_is_read_as_a_fetched_one_is() -> None:
    """A page saved from a site that writes windows-1252 is read in its detected character set
    (by URL it always was; as a document it was refused as "not UTF-8 text")."""
    body = "".join(
        f"<p>Der Ärger über die Straßenbahn in Düsseldorf wächst, Absatz {i}, sagte die "
        "Sprecherin der Bürgerinitiative am Montag.</p>"
        for i in range(6)
    )
    page = (
        '<html><head><meta charset="windows-1252"><title>Ärger über die Straßenbahn</title>'
        f"</head><body><article><h1>Ärger über die Straßenbahn</h1>{body}</article></body></html>"
    )
    draft = from_bytes(page.encode("cp1252"), ".html")
    assert "Ärger über die Straßenbahn in Düsseldorf" in draft.text
