"""The quote shown for an answer: verbatim, at most `max_chars` characters.

The key sentence is widened by its better-scoring neighbour, then the next, while the quote still
fits and the neighbour is a sentence of the article's own (not an interviewer's question, not a
heading, not page furniture); what is left of the budget takes the nearest clauses of the
sentences on either side, across a paragraph break too (of the next one, its run of clauses
that the reader reads as answering better than its first, where one does). A window of two
sentences that do not fit together keeps the key sentence whole and the other's best run of
clauses. A key sentence longer than `max_chars`
is cut to its best-matching run of clauses, with "…" where it was cut: still the article's
words, in order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from .sentences import ArticleSentences

ELLIPSIS = "…"
Choose = Callable[[list[str]], int]  # the index of the text that answers best
CHOICES = 14  # runs of clauses `choose` reads at most (cut_to_clauses)
# A sentence of more than MANY_CLAUSES clauses (a run of one-word items, "好，好，…") is cut
# only where clauses are at least MIN_CLAUSE characters: a 1,000-character sentence of 500
# two-character clauses took 1.5 s to weigh every run that fits.
MANY_CLAUSES = 40
MIN_CLAUSE = 8
MIN_PART = 30  # characters of budget left that are worth a part of a neighbouring sentence
# Clause boundaries inside a long sentence: after a comma, semicolon, colon, dash or an inner
# sentence end (a long "sentence" is often a quotation of several), also before a closing
# quotation mark (“…,” said X), but not after an initial ("James O. McKinsey") or a number's
# dot ("am 27. Oktober").
_CLAUSE_END = re.compile(
    r"(?<=[,;:!?…])\s+|(?<=[,;:!?…][\"'”“»«)])\s+|(?<=[^\sA-Z0-9][^\s.]\.)\s+"
    r"|(?<=[^\sA-Z0-9][^\s.]\.[\"'”“»«)])\s+|\s+(?=[–—]\s)|(?<=[–—])\s+"
    # Chinese and Japanese clauses end in full-width marks with no space after them (after a
    # closing mark that follows one, not before it).
    r"|(?<=[，、；：。！？])(?![」』”’）\s])|(?<=[，、；：。！？][」』”’）])(?!\s)"
)


def build_quote(
    article: ArticleSentences,
    key: int,
    scores: Sequence[float],
    max_chars: int,
    weigh: Callable[[str], float],
    also: int | None = None,
    choose: Choose | None = None,
) -> tuple[str, tuple[int, int]]:
    """(quote, key sentence span inside the quote) for sentence `key` of `article`, with
    sentence `also` (its neighbour, chosen with it) when it fits. `choose`: see cut_to_clauses."""
    spans = article.spans
    a0, b0 = spans[key]
    if b0 - a0 > max_chars:
        quote = cut_to_clauses(article.text[a0:b0], max_chars, weigh, choose)
        return quote, (0, len(quote))
    a = b = key
    if also is not None and max(b0, spans[also][1]) - min(a0, spans[also][0]) <= max_chars:
        a, b = min(key, also), max(key, also)
    elif also is not None and _joins(article, key, also):
        part = _window_part(article, key, also, max_chars, weigh, choose)
        if part:
            return part
    while True:
        fits = [
            i
            for i in (a - 1, b + 1)
            if 0 <= i < len(spans)
            and article.kinds[i] == "body"
            and max(spans[b][1], spans[i][1]) - min(spans[a][0], spans[i][0]) <= max_chars
            and (blank_between(article, i, a) if i < a else blank_between(article, b, i))
        ]
        if not fits:
            break
        extra = max(fits, key=lambda i: scores[i])
        a, b = min(a, extra), max(b, extra)
    lo, hi = spans[a][0], spans[b][1]
    head, tail = _partial_neighbours(article, a, b, max_chars - (hi - lo), weigh, choose)
    quote = f"{head}{article.text[lo:hi]}{tail}"
    return quote, (len(head) + a0 - lo, len(head) + b0 - lo)


def _window_part(
    article: ArticleSentences,
    key: int,
    also: int,
    max_chars: int,
    weigh: Callable[[str], float],
    choose: Choose | None,
) -> tuple[str, tuple[int, int]] | None:
    """The key sentence whole beside the best run of clauses of `also`, the window's other
    sentence, where the two do not fit together: the window was chosen for both, and the part
    of `also` that answers is often not its first clauses ("Two loggers … heard when the
    hunter, identified as 54-year-old Bharrat Ramdehol …, was shot" for the hunter's name).
    None where too little room is left for a part."""
    lo, hi = sorted((key, also))
    gap = _gap(article, lo)
    whole = article.sentence(key)
    room = max_chars - len(whole) - len(gap)
    if room <= MIN_PART:
        return None
    part = _best_part(article.sentence(also), room, weigh, choose, after=also > key)
    if not part:
        return None
    if also > key:
        return f"{whole}{gap}{part}", (0, len(whole))
    start = len(part) + len(gap)
    return f"{part}{gap}{whole}", (start, start + len(whole))


def blank_between(article: ArticleSentences, i: int, j: int) -> bool:
    """Whether nothing but white space lies between sentence `i` and the next one, `j`: no
    line of page furniture (a byline, a credit, a link) that split_sentences skipped and that
    a quote spanning the gap would show."""
    return not article.text[article.spans[i][1] : article.spans[j][0]].strip()


def _partial_neighbours(
    article: ArticleSentences,
    a: int,
    b: int,
    room: int,
    weigh: Callable[[str], float],
    choose: Choose | None,
) -> tuple[str, str]:
    """What is left of the budget, filled with the first clauses (else words) of the next
    sentence and the last clauses of the one before (the article's own, with nothing but white
    space between), "…" where they are cut: an answer is often right next to the sentence that
    matches the question, and in news the next paragraph is often a single sentence ("Ein
    Aktivist kaufte die insgesamt 1400 Dateien …" after a lead that names the leak)."""
    head = tail = ""
    after = b + 1
    if room > MIN_PART and _joins(article, b, after):
        gap = _gap(article, b)
        tail = _best_part(article.sentence(after), room - len(gap), weigh, choose)
        tail = f"{gap}{tail}" if tail else ""
        room -= len(tail)
    before = a - 1
    if room > MIN_PART and _joins(article, a, before):
        gap = _gap(article, before)
        head = _clauses(article.sentence(before), room - len(gap), from_start=False)
        head = f"{head}{gap}" if head else ""
        room -= len(head)
    return head, tail


def _best_part(
    sentence: str,
    room: int,
    weigh: Callable[[str], float],
    choose: Choose | None,
    *,
    after: bool = True,
) -> str:
    """The part of `sentence` shown in `room` beside the quote: the clauses nearest to it (the
    first ones, else the first words, of a sentence `after` it; the last ones of one before),
    as the quote reads on, or its best-weighed run of clauses where the reader (`choose`, else
    `weigh`) reads that one as answering better: the part that answers is not always the
    nearest ("Two loggers have since claimed that they had heard when the hunter, identified
    as 54-year-old Bharrat Ramdehol …" for the hunter's name). The reader reads two texts, not
    every run (cut_to_clauses with `choose`): news p95 latency rose by half with that."""
    first = _clauses(sentence, room, from_start=after)
    if not first and after:
        first = _first_words(sentence, room)
    best = cut_to_clauses(sentence, room, weigh)  # by weighing: the reader reads two texts only
    options = [text for text in dict.fromkeys((first, best)) if text and len(text) <= room]
    if len(options) < 2:
        return options[0] if options else ""
    if choose is not None:
        return options[choose([text.strip(ELLIPSIS) for text in options])]
    return max(options, key=weigh)  # the first of equals: the quote read on


def _first_words(sentence: str, room: int) -> str:
    """The first words of `sentence` that fit in `room` with "…", cut at a word: where no clause
    fits (a German main clause runs long without a comma: "Ein Aktivist kaufte die insgesamt
    1400 Dateien nach eigener Aussage und …")."""
    cut = sentence.rfind(" ", 0, room - len(ELLIPSIS))
    return _marked(sentence[:cut].rstrip(), False, True) if cut > 0 else ""


def _joins(article: ArticleSentences, i: int, j: int) -> bool:
    """Whether sentence `j` may be quoted beside its neighbour `i`: a body sentence with nothing
    but white space between the two (not a piece split_sentences skipped, such as a "(...)" of
    an elided quotation on the same line, which the quote would otherwise drop unmarked)."""
    return (
        0 <= j < len(article)
        and article.kinds[j] == "body"
        and blank_between(article, min(i, j), max(i, j))
    )


def _gap(article: ArticleSentences, i: int) -> str:
    """The white space between sentence `i` and the next, as the article has it (a quote is
    its words verbatim, line breaks too; `_joins` allows no other gap)."""
    return article.text[article.spans[i][1] : article.spans[i + 1][0]]


def _clauses(sentence: str, room: int, *, from_start: bool) -> str:
    """Whole clauses from the start (or the end) of `sentence` that fit in `room` with "…"."""
    bounds = [0, *(m.end() for m in _CLAUSE_END.finditer(sentence)), len(sentence)]
    if from_start:
        cut = max((e for e in bounds[1:-1] if e + 1 <= room), default=0)
        return _marked(sentence[:cut].rstrip(), False, True) if cut else ""
    cut = min((s for s in bounds[1:-1] if len(sentence) - s + 1 <= room), default=len(sentence))
    return _marked(sentence[cut:], True, False) if cut < len(sentence) else ""


def is_verbatim(quote: str, text: str) -> bool:
    """Whether `quote` is `text`'s own words: each piece between ellipses occurs in `text`, in
    order (the quote's promise; tests hold every answer to it)."""
    position = 0
    for piece in (p.strip() for p in quote.split(ELLIPSIS)):
        if not piece:
            continue
        found = text.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _merged(bounds: list[int]) -> list[int]:
    """Clause bounds with none closer than MIN_CLAUSE to the one before (the last one kept)."""
    kept = [bounds[0]]
    for bound in bounds[1:-1]:
        if bound - kept[-1] >= MIN_CLAUSE:
            kept.append(bound)
    return [*kept, bounds[-1]]


def cut_to_clauses(
    sentence: str, max_chars: int, weigh: Callable[[str], float], choose: Choose | None = None
) -> str:
    """The run of whole clauses of `sentence` that `weigh` likes best (the longest of equals)
    and that fits in `max_chars` with its ellipses; a single clause that is too long is cut at a
    word. `choose` (the reader, index.answer): picks among the maximal runs that fit (those no
    longer run that fits contains) by their text, instead of `weigh`; the clause holding the
    answer often shares none of the question's words ("…said lead author Josh Leipheimer, a
    doctoral student at Rutgers University" for "Which university built the robot?")."""
    bounds = [0, *(m.end() for m in _CLAUSE_END.finditer(sentence)), len(sentence)]
    if len(bounds) > MANY_CLAUSES:  # runs are weighed in time quadratic in the clauses
        bounds = _merged(bounds)
    clauses = [
        (bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i + 1] > bounds[i]
    ]
    longest: list[tuple[int, int, float]] = []  # from each clause, the longest run that fits
    best: tuple[float, int, int] | None = None
    for i in range(len(clauses)):
        for j in range(i, len(clauses)):
            lo, hi = clauses[i][0], clauses[j][1]
            marks = (lo > 0) + (hi < len(sentence))
            if hi - lo + marks > max_chars:
                break
            weight = weigh(sentence[lo:hi])
            if j == i:
                longest.append((lo, hi, weight))
            longest[-1] = (lo, hi, weight)
            # Ties: the longer run. The answer is next to the words the question repeats, so the
            # more of the budget around them is shown, the likelier it is in the quote.
            score = weight + 1e-5 * (hi - lo)
            if best is None or score > best[0]:
                best = (score, lo, hi)
    # Maximal: not inside the run from the clause before (which reaches at least as far).
    maximal = [r for n, r in enumerate(longest) if n == 0 or r[1] > longest[n - 1][1]]
    if choose is not None and len(maximal) > 1:
        # Time stays bounded on a sentence of thousands of characters (one of 17,051 was met):
        # the reader reads the CHOICES runs `weigh` likes best, at most.
        maximal = sorted(maximal, key=lambda r: -r[2])[:CHOICES]
        lo, hi, _ = maximal[choose([sentence[a:b].strip() for a, b, _ in maximal])]
        best = (0.0, lo, hi)
    if best is None:  # no clause fits: the best clause, cut at a word boundary
        lo, hi = max(clauses, key=lambda c: weigh(sentence[c[0] : c[1]]))
        hi = min(hi, lo + max_chars - 2)
        space = sentence.rfind(" ", lo, hi)
        if space <= lo:  # no word boundary: a character's, not inside a letter and its accent
            while hi > lo + 1 and unicodedata.combining(sentence[hi]):
                hi -= 1
        best = (0.0, lo, space if space > lo else hi)
    _, lo, hi = best
    return _marked(sentence[lo:hi].strip(), lo > 0, hi < len(sentence))


def _marked(text: str, before: bool, after: bool) -> str:
    """`text` with "…" where it was cut (`before`, `after`), but not beside the article's own
    "…" ("Biden worked for eight years with Obama. … We need somebody" quoted from its second
    clause read "…… We need somebody")."""
    start = ELLIPSIS if before and not text.startswith(ELLIPSIS) else ""
    end = ELLIPSIS if after and not text.endswith(ELLIPSIS) else ""
    return f"{start}{text}{end}"
