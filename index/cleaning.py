"""Tidying an article's text before it is split, and telling its sentences from page furniture.

Extracted pages and pasted text carry things that are not sentences of the article: datelines
("Düsseldorf -", "Hamburg (dpa) –"), time stamps ("Stand: 28.04.2020 18:00 Uhr"), bylines,
credits, links, "read more" teasers, "follow us" prompts; and hard line breaks inside
sentences. Quoting any of these as an answer is wrong, so they are recognized here by their
form (pure functions, no I/O): lines that are only furniture are never made sentences, a
dateline is cut off the sentence it starts, and lines broken inside a sentence are joined
before the text is stored.
"""

from __future__ import annotations

import re

from .punctuation import CLOSERS, CONTINUES, ENDS

# A dateline: a place (capitalized or upper-case words, a parenthesized agency, "via"), then a
# spaced dash, at the start of a paragraph: "Düsseldorf - ", "AUSTIN (KXAN) — ",
# "SOUTHWEST MIAMI-DADE, FLA. (WSVN) - ", "Hamburg (dpa/lno) – ". Or a date: "06.11.23 - ".
_PLACE_WORD = r"(?:[A-ZÄÖÜÀ-Þ][\w.'’/-]*,?|\([^()\n]{1,30}\),?|via|an der|am|de|del|la)"
_DATELINE = re.compile(
    rf"^(?:{_PLACE_WORD}(?:\s+{_PLACE_WORD}){{0,5}}|\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}})\s+[-–—]"
    r"(?:\s+|$)"
)
_PARENTHESIS_CLOSE = re.compile(r"[^.!?\n]{1,60}?\s[-–—]\s")
_DATE_OR_TIME = re.compile(
    r"\b(\d{1,2}\.\s?\d{1,2}\.\s?(\d{2}|\d{4})|\d{4}-\d{2}-\d{2}|\d{1,2}[:.h]\d{2}|\d{4}|"
    r"uhr|am|um|à|at|on)\b",
    re.IGNORECASE,
)
_STAMP_LABEL = re.compile(
    r"^\W*(stand|datum|date|aktualisiert|veröffentlicht|erstellt|updated|published|posted|"
    r"last updated|créé|mis à jour|publié|actualizado|publicado|aggiornato|pubblicato)\b\W*",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^\W*+(quelle|source|sources|fuente|fonte|foto|photo|bild|image|credit|copyright|©|"
    r"lesen sie (auch|hier|mehr)|mehr zum thema|weitere informationen|read (more|also)|"
    r"see also|lire aussi|à lire aussi|lee también|leggi anche|anzeige|advertisement|"
    r"sign up|subscribe|related|follow us|like us|folgen sie uns|liken sie uns|"
    r"you (?:may|might) also like|das könnte sie auch interessieren|auch interessant)\b",
    re.IGNORECASE,
)
# After a credit's label, a separator ("Foto: dpa", "Quelle | AFP", "Copyright © 2020") marks
# furniture; without one, a line that ends as a sentence is one ("Sources close to the minister
# said on Tuesday …", "Anzeige gegen den Fahrer wurde erstattet.").
_LABEL_SEPARATOR = re.compile(r"\s*[:|/©(\[–—-]|\s+\d")
_BYLINE = re.compile(r"^(?i:von|by|par|por|di|door|av|af)\s+[A-ZÄÖÜ][\w'’.-]+\s+[A-ZÄÖÜ]")
_LINK = re.compile(r"^\W*+((https?://|www\.|pic\.twitter\.com/)\S+|\S+@\S+\.\w+)\W*$")
# A line longer than this is no link of its own (and the pattern, which backtracks over a run of
# punctuation, never reads one: splitting stays linear in the text's length).
_LINK_CHARS = 500
WORD = re.compile(r"[^\W\d_]{2,}")  # a word of letters (index.extract_lead too)
_END = re.compile(rf"[{ENDS}{CONTINUES}{CLOSERS}]\s*$")


def dateline_end(line: str) -> int:
    """How many characters of `line` (a paragraph's start) are a dateline; 0 if none. The rest
    must still read as a sentence: a capital, a quote or a digit after the dash."""
    match = _DATELINE.match(line)
    if not match:
        return 0
    rest = line[match.end() :]
    if rest and not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "„“\"«‚'"):
        return 0
    # A second spaced dash before the sentence ends closes a parenthesis that the first opened
    # ("Die Kanzlerin – Angela Merkel – sprach …"): the words before it are the sentence's own.
    if _PARENTHESIS_CLOSE.match(rest):
        return 0
    return match.end()


def is_furniture(line: str) -> bool:
    """Whether a whole line is page furniture, not a sentence of the article."""
    text = line.strip()
    if not WORD.search(text) or (len(text) <= _LINK_CHARS and _LINK.match(text)):
        return True
    if dateline_end(text) == len(text):  # a dateline on a line of its own
        return True
    if text.startswith("(") and text.endswith(")") and len(text) < 80:
        return True  # "( Pescasseroli, 14 Gennaio 20 )"
    credit = _CREDIT.match(text)
    if (
        credit
        and len(text) < 200
        and (_LABEL_SEPARATOR.match(text, credit.end()) or not _END.search(text))
    ):
        return True
    words = WORD.findall(text)
    if _STAMP_LABEL.match(text) and len(words) <= 4:
        return True
    if len(WORD.findall(_DATE_OR_TIME.sub(" ", text))) == 0:
        return True  # nothing but dates and times: "28.04.2020 21:38 Uhr"
    return bool(_BYLINE.match(text) and len(words) <= 12 and not _END.search(text))


# Articles, prepositions and conjunctions that a heading does not end in, while a line wrapped
# inside a sentence does ("who in 2008, won the\nAfrica Movie Academy Award"): the next line
# continues the sentence even where it starts with a capital. Written out for the languages of
# most news here (no library lists "words that cannot end a phrase"; stopword lists hold
# "here", "now", "too", which can). German prepositions that are also a verb's separable part
# ("aus", "mit", "zu", "auf", "nach", "bei") are left out: a headline or sentence ends in them
# ("Top-Angreiferin Krystal Rivers fällt aus").
_MID_PHRASE_WORDS = (
    "the an of to for with and or but at by from than "
    "der das den dem des ein eine einen einem einer eines und oder aber von vom zum zur für als "
    "dass sowie "
    "le la les une des du et ou au aux pour par sur dans avec "
    "el los las una del con por para "
    "il lo gli della delle degli per"
)
_MID_PHRASE = frozenset(_MID_PHRASE_WORDS.split())


def _ends_mid_phrase(line: str) -> bool:
    words = line.split()
    return bool(words) and words[-1] in _MID_PHRASE


def join_broken_lines(text: str) -> str:
    """Join lines broken inside a sentence: a line that does not end a sentence, followed by
    one that starts in lower case ("... hat sich\\nverändert."), is one line. A line that ends
    a sentence, a heading (no final punctuation, next line capitalized) and blank-line
    paragraph breaks stay as they are."""
    out: list[str] = []
    parts: list[str] = []  # the line being built: pieces joined once (linear in the text)
    for line in text.split("\n"):
        previous = parts[-1] if parts else ""
        start = line.lstrip()[:1]  # a page's hard wrap may leave a space before the next word
        if (
            previous.strip()
            and (start.islower() or (start.isalpha() and _ends_mid_phrase(previous)))
            and not _END.search(previous[-8:])
            and not is_furniture(previous)
        ):
            parts[-1] = previous.rstrip()
            parts.append(line.lstrip())
            continue
        if parts:
            out.append(" ".join(parts))
        parts = [line]
    if parts:
        out.append(" ".join(parts))
    return "\n".join(out)
