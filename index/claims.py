"""Whether a newer article's answer reports the same claim as the chosen one, from the two
answers' structure rather than from how alike their words are (index.preference, prefer_recent).

A newer report of the same claim often words it differently ("Zahl der Toten" for "Menschen
gestorben", "Fluggäste" for "Passagiere"), which the bundled English model scores far below
the older report that holds the question's own words. What it keeps is
- the subject: the question's most specific word that the older quote holds (a name such as
  "Valencia", "Heathrow", "BER": of the question's capitalized words, the rarest in the
  library) is in the newer quote too; a newer quote without it is about something else;
- the figure: the first number each quote states (index.figures: not a year, not one the
  question names, not a measure or a date it does not ask for) is of the same kind (a share, an
  amount of money, a count) and within FIGURE_RATIO of the other.
Figures of different kinds, or more than APART_RATIO apart, are not one claim's: the same count
reported again grows or shrinks, it does not turn from 83.9 million passengers into 1,400
flights; nor, months later, into a third of itself (SHRINK). Between the two ratios the quotes'
cosine decides, as it does without figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from . import places
from .counted import alike, another_count
from .figures import FIGURE_RATIO, Figure, comparable, figure_like
from .lexical import analyze
from .matching import COMPOUNDING, HALF, Keys, Word, match, specified
from .models import Answer
from .qtype import content, question_type
from .recency import published
from .units import expected
from .windows import asked_words

if TYPE_CHECKING:
    from .sentences import ArticleSentences

Idf = Callable[[str, Iterable[str]], dict[str, float]]
Relation = Literal["same", "other", "undecided"]

# Further apart than this, two figures are not one claim's. Far above FIGURE_RATIO: an early
# count may still grow a hundredfold ("at least 10 dead", days later "more than 1,000").
APART_RATIO = 1000.0
# A count reported again SLOW_DAYS or more later is rarely less than SHRINK of what it was: a
# stock or a yearly total changes by some percent a year, not by a factor, and a much smaller
# count of the same kind is a part of it (the new, the selected, those on duty: 318 wind
# turbines approved for 3,200 standing, 20 million paying subscribers for 400 million users).
# Within days a count can fall that far (homes without power are reconnected). Shares and
# amounts of money are left out: a rate may well fall from 10% to 2% in a year or two.
SHRINK = 1 / 3
HEAD = 5  # letters a compound's head needs to stand for it ("beben", "glück")
SLOW_DAYS = 30
# The question kinds (index.qtype) that may ask for a figure: an amount, none, or "which X"
# (as before "which X" had a kind of its own).
FIGURE_KINDS = (None, "quantity", "entity")

_WORD = re.compile(r"\w+", re.UNICODE)
_RATE = re.compile(r"\b(?:pro|je|per|par|por|pour)\s+\w+", re.I)  # "pro Quadratmeter"


def relation(
    question: str,
    first: Answer,
    other: Answer,
    idf: Idf,
    *,
    named: bool = False,
    story: bool = False,
) -> Relation:
    """How `other` (a newer article's answer) stands to `first`: "same" when both state a
    figure, of one kind and within FIGURE_RATIO, and `other`'s quote holds the subject of the
    question that `first`'s quote holds; "other" when their figures are of different kinds or
    more than APART_RATIO apart, `other` is a count far smaller than `first`'s reported months
    later (`shrunk`: a part of it), `other` counts what belongs to what `first` counts
    (index.counted: "Ladepunkte für Elektroautos"), or `other`'s quote lacks that subject (a
    flat's purchase price for a question about the rent, guest arrivals for overnight stays: a
    news library's reports on one kind of figure read alike enough for the quotes' cosine to
    pass); else "undecided" (the quotes' cosine
    decides, index.preference). Only for questions that may ask for a figure: those for a name, a
    time, a place or a reason are left undecided. `named`, for a weaker answer: "same" asks
    more, every name (holds_names) and the figures not counting things told apart (alike).
    `story`: `other`'s article continues `first`'s story (index.story: a later report of the
    same event that names it otherwise), which stands for the subject, the names and the word
    for what is counted (what counts something belonging to it is still another count).
    Both quotes are read under their articles' titles (the subject may be named only there)."""
    language = first.language
    if question_type(question) not in FIGURE_KINDS:  # who, when, where, why: no figure
        return "undecided"
    told = stated(first, question)
    figures = [told, stated(other, question, like=told)]
    if not comparable(*figures, APART_RATIO):
        return "other"
    first_figure, other_figure = figures
    if first_figure and other_figure and another_count(first_figure.counts, other_figure.counts):
        return "other"
    if shrunk(first_figure, other_figure, days_between(first, other)):
        return "other"
    # Both quotes read under their headlines, which may name the subject their sentences do not
    # ("Louvre says it is overwhelmed" above "The world's most visited museum welcomed …"; the
    # first's, for a subject its quote was cut before: "Österreich wächst weiter" above
    # "…wie die Statistik Austria … mitteilte", where "Einwohner" alone would be the subject).
    said, first_said = _headed(other), _headed(first)
    word = subject(question, language, first_said, idf)
    if word is not None and not story and not holds(word, said, language):
        return "other"
    if not story and places.elsewhere(question, first_said, said, other.key_sentence):
        return "other"  # another place's figure of the kind asked: Berlin's for Munich's
    if None in figures or not comparable(*figures, FIGURE_RATIO):
        return "undecided"
    if named:  # a weaker answer: every name, and what it counts not said otherwise
        names = story or holds_names(question, first.quote, said, language)
        counts = (
            story  # one event's later count, in other words: "41 labourers" for "40 workers"
            or first_figure is None
            or other_figure is None
            or alike(first_figure.counts, other_figure.counts)
        )
        return "same" if names and counts else "undecided"
    return "same" if word is not None else "undecided"


def _headed(answer: Answer) -> str:
    """`answer`'s quote under its article's title."""
    return f"{answer.sources[0].article.title}\n{answer.quote}" if answer.sources else answer.quote


def figure_told(question: str, answer: Answer) -> Figure | None:
    """The figure `answer` states where the question may ask for one (else None): where there is
    one, `relation` may find another answer the same claim as `answer`."""
    return stated(answer, question) if question_type(question) in FIGURE_KINDS else None


def stated(answer: Answer, question: str, like: Figure | None = None) -> Figure | None:
    """The figure an answer states: its key sentence's, else its quote's; the one that can be
    `like` reported again where it states several (figures.figure_like), else the first."""
    language = answer.language
    return figure_like(answer.key_sentence, language, like, question) or figure_like(
        answer.quote, language, like, question
    )


def states_like(told: Figure, question: str) -> Callable[[ArticleSentences, int, int], bool]:
    """Whether a window (article, first and last sentence) states a figure that can be `told`
    reported again: of its kind, within FIGURE_RATIO (index.figures)."""

    def keep(article: ArticleSentences, first: int, last: int) -> bool:
        text = " ".join(article.sentence(i) for i in range(first, last + 1))
        found = figure_like(text, article.language, told, question)
        return found is not None and comparable(found, told, FIGURE_RATIO)

    return keep


def shrunk(first: Figure | None, other: Figure | None, days: int | None) -> bool:
    """Whether `other`, a count reported `days` after `first`, is less than SHRINK of it after
    SLOW_DAYS or more: a part of what `first` counts, not the same count again."""
    if first is None or other is None or days is None or days < SLOW_DAYS:
        return False
    if first.kind != "count" or other.kind != "count":
        return False
    return abs(other.value) < SHRINK * abs(first.value)


def days_between(first: Answer, other: Answer) -> int | None:
    """Days from `first`'s article's publication to `other`'s (None where either is unknown)."""
    days = [published(a.sources[0].article) if a.sources else None for a in (first, other)]
    if days[0] is None or days[1] is None:
        return None
    return (days[1] - days[0]).days


def subject(question: str, language: str, quote: str, idf: Idf) -> Word | None:
    """The question's most specific word that `quote` holds (by stem, lemma or compound part):
    of its capitalized words (not the question's first), the one rarest in the library; of all
    its words, where the quote holds no capitalized one. None when the quote holds none of the
    question's words."""
    asked = asked_words(question, language)
    if not asked:
        return None
    # A rate's unit is not what is asked about ("die Miete pro Quadratmeter", "Kinder je Frau",
    # "per night"): another article of the library naming tenants made "Miete" commoner than
    # "Quadratmeter", a newer purchase price per square metre then held the subject, and passed
    # for the rent's update. Its unit is the subject only where the quote holds nothing else.
    units = {s for m in _RATE.finditer(question) for s in asked_words(m.group(0), language)}
    rated = {s: w for s, w in asked.items() if s not in units}
    if units and rated:
        found = _subject(question, language, quote, idf, rated)
        if found is not None:
            return found
    return _subject(question, language, quote, idf, asked)


def _subject(
    question: str, language: str, quote: str, idf: Idf, asked: dict[str, Word]
) -> Word | None:
    """`subject` among the words `asked`."""
    capitalized = _capitalized(question, language)
    keys, stems = _keys(quote, language)
    # Held as a part of one of the quote's compounds too, a kind of it: "Handwerksbäckereien"
    # holds the question's "Bäckereien", which is then the subject rather than "Deutschland" (a
    # newer count of charging points "in Deutschland" passed as the bakeries' claim). Not two
    # compounds sharing a part ("Stromkosten" does not hold "Strompreis": matching.specified),
    # and in a language that capitalizes its nouns, a noun's part only (as `holds` asks).
    nouns = Keys.of_words(_capitalized_words(quote, language)) if language in COMPOUNDING else keys
    held = [
        w
        for w in asked.values()
        if match(w, stems, keys) == 1.0 or specified(w, frozenset(), nouns) >= HALF
    ]
    named = [w for w in held if w.stem in capitalized] or held
    if not named:
        return None
    weights = idf(language, [w.stem for w in named])
    return max(named, key=lambda w: weights.get(w.stem, 0.0))


def _capitalized(question: str, language: str) -> set[str]:
    """The stems of the question's capitalized words but its first."""
    return {w.stem for w in _capitalized_words(content(question), language, skip=question)}


def _capitalized_words(text: str, language: str, skip: str = "") -> list[Word]:
    """The words of `text` written capitalized (in German: its nouns and names), but the first
    word of `skip` (a question's first word is capitalized whatever it is)."""
    first = found.group(0) if (found := _WORD.search(skip)) else None
    return [
        w
        for token in _WORD.findall(text)
        if token[:1].isupper() and token != first
        for w in asked_words(token, language).values()
    ]


def holds_names(question: str, first: str, other: str, language: str) -> bool:
    """Whether quote `other` holds every capitalized word of the question that quote `first`
    holds, at least one of them other than the thing the question counts ("Wie viele Jahre":
    "Jahre" names nothing)."""
    counted = expected(question)[1]
    capitalized = _capitalized(question, language)
    keys, stems = _keys(first, language)
    held = [
        w
        for w in asked_words(question, language).values()
        if w.stem in capitalized and match(w, stems, keys) == 1.0
    ]
    if all(counted and (counted.startswith(w.stem) or w.stem.startswith(counted)) for w in held):
        return False  # none held, or only the thing counted
    return all(holds(w, other, language) for w in held)


def holds(word: Word, quote: str, language: str) -> bool:
    """Whether `quote` holds `word`: by stem or lemma, through a compound part, or, in a
    language that writes compounds as one word, by the compound's head ("Beben" for
    "Erdbeben", "Unglück" for "Zugunglück": a report names the thing again by its kind)."""
    keys, stems = _keys(quote, language)
    found = match(word, stems, keys)
    if found == 1.0:
        return True
    if language not in COMPOUNDING:
        return found >= HALF
    # In a language that capitalizes its nouns, a part shared with a noun of the quote: the
    # adjectives "deutschen" and "reich" do not hold "Deutschland" and "Österreich".
    capitalized = _capitalized_words(quote, language)
    if found >= HALF and match(word, frozenset(), Keys.of_words(capitalized)) >= HALF:
        return True
    lemma = word.lemma.casefold()
    # A head is a noun, capitalized: the verb "beben" does not hold "Erdbeben".
    nouns = {w.lemma.casefold() for w in capitalized}
    return any(
        len(head) >= HEAD and len(head) < len(lemma) and lemma.endswith(head) for head in nouns
    )


def _keys(text: str, language: str) -> tuple[Keys, frozenset[str]]:
    return Keys.of(text, language), frozenset(analyze(text, language))


def quote_cosines(
    first: Answer, others: Sequence[Answer], encode: Callable[[list[str]], np.ndarray]
) -> list[float]:
    """The cosine of `first`'s quote with each of the others' (one batch of embeddings). An
    answer whose key sentence is `first`'s word for word (one report's sentence in two articles)
    states the same claim: 1.0, and its quote is not embedded (on a busy machine a batch of two
    quotes takes 20-35 ms, the slowest part of an ask that runs it)."""

    def key(answer: Answer) -> str:
        return " ".join(answer.key_sentence.split())

    mine = key(first)
    todo = [o for o in others if key(o) != mine]
    cosines: dict[int, float] = {}
    if todo:
        vectors = encode([first.quote, *(o.quote for o in todo)])
        cosines = {id(o): float(v @ vectors[0]) for o, v in zip(todo, vectors[1:], strict=True)}
    return [cosines.get(id(o), 1.0) for o in others]
