"""Whether a sentence names another time than the question (index.timeclash): years, weekdays and
months of the kind the question names, none of them the question's."""

from __future__ import annotations

from index.timeclash import time_clash


class _Article:
    """An article's sentences, as time_clash reads them."""

    def __init__(self, *sentences: str) -> None:
        self.sentences = sentences

    def sentence(self, i: int) -> str:
        return self.sentences[i]


def test_time_clash_needs_a_year_in_the_question_and_another_in_the_sentence() -> None:
    article = _Article("It opened in 2011.", "It opened in 2011 and 2023.", "It opened.")
    lines = [(7, 0), (7, 1), (7, 2)]
    assert time_clash("Who opened it in 2023?", {7: article}, lines) == {(7, 0)}
    assert time_clash("Who opened it?", {7: article}, lines) == set()
    assert time_clash("Who opened it in 1999?", {7: article}, lines) == {(7, 0), (7, 1)}


def test_a_weekday_clashes_as_a_year_does_in_the_languages_news_write_it() -> None:
    article = _Article(
        "Die ersten Ausfälle gab es am Freitagabend.",  # another day: clashes
        "Am Sonnabend begannen sie um 18.30 Uhr.",  # Saturday, named otherwise
        "Die Montage der Anlage dauerte bis 18 Uhr.",  # an assembly, no Monday
        "Le samedi, tout était calme.",
        "Plácido Domingo sang am Abend.",  # a name, no Sunday
    )
    lines = [(3, i) for i in range(5)]
    assert time_clash("Wann begannen die Ausfälle am Samstag?", {3: article}, lines) == {(3, 0)}
    assert time_clash("What happened on Sunday?", {3: article}, lines) == {(3, 0), (3, 1), (3, 3)}
    assert time_clash("Wann begannen die Ausfälle?", {3: article}, lines) == set()


def test_a_month_clashes_where_it_is_written_as_a_month() -> None:
    article = _Article(
        "Im September waren es noch 1.903 Feststellungen.",  # another month: clashes
        "Allein im Oktober stieg die Zahl auf 5.285.",
        "Von Januar bis Juli 2021 waren es nur 26.",  # names the asked month's year, no month
        "They may rise again in March, police said.",  # "may" a verb, "March" with no number
        "On 8 May the figure was 40.",
    )
    lines = [(5, i) for i in range(5)]
    asked = "Wie viele Feststellungen gab es im Oktober?"
    assert time_clash(asked, {5: article}, lines) == {(5, 0), (5, 2), (5, 4)}
    assert time_clash("How many were there on 3 March?", {5: article}, lines) == {
        (5, 0),
        (5, 1),
        (5, 2),
        (5, 4),
    }


def test_a_span_of_years_is_a_reference_not_the_time_of_the_fact() -> None:
    article = _Article(
        "Mit etwa 100 Stunden blieb die Sonnenscheindauer im Oktober unter dem Sollwert von 109"
        " Stunden (Periode 1961 bis 1990).",
        "Zwischen 2010 und 2015 waren es im Oktober 120 Stunden.",
        "Im Oktober 2022 waren es 130 Stunden, von 2020 bis 2024 im Mittel 125.",
    )
    lines = [(9, i) for i in range(3)]
    asked = "Wie viele Sonnenstunden gab es im Oktober 2023?"
    # 2022 beside a span holding 2023 names 2023 too; the reference period names no year
    assert time_clash(asked, {9: article}, lines) == set()
    assert time_clash("Wie viele waren es im Oktober 2012?", {9: article}, lines) == {(9, 2)}


def test_a_season_names_both_its_years() -> None:
    """ "2023/24" (a season, a school or financial year) is the time of the fact, in both its
    years: it answers a question about 2024, and clashes with one about 2022; a question naming a
    season asks for either year."""
    article = _Article(
        "In der Saison 2023/24 holte Bayer Leverkusen erstmals den Meistertitel.",
        "Im Wintersemester 1999/00 waren 1,8 Millionen Studierende eingeschrieben.",
        "2022 holte Bayern München den Titel.",
    )
    lines = [(4, i) for i in range(3)]
    assert time_clash("Wer wurde 2024 deutscher Meister?", {4: article}, lines) == {(4, 1), (4, 2)}
    assert time_clash("Wer wurde 2022 deutscher Meister?", {4: article}, lines) == {(4, 0), (4, 1)}
    assert time_clash("Wie viele Studierende gab es 2000?", {4: article}, lines) == {(4, 0), (4, 2)}
    season = "Wer wurde in der Saison 2023/24 Meister?"
    assert time_clash(season, {4: article}, lines) == {(4, 1), (4, 2)}
    # a date's year and month, or two years apart, is no season: its first year alone
    dated = _Article("Stand: 2023/11/05, Umsatz 2023/11 gestiegen.", "Im Jahr 2023/25 …")
    asked = "Wie hoch war der Umsatz 2024?"
    assert time_clash(asked, {5: dated}, [(5, 0), (5, 1)]) == {(5, 0), (5, 1)}


def test_a_month_that_is_also_a_first_name_is_a_name_before_a_surname() -> None:
    article = _Article(
        "August Diehl spielt den Kommissar.",  # an actor: no month named
        "June Carter sang it first.",
        "Im August 2023 lief der Film an.",  # a month: clashes with an asked October
        "Am 1. August Müllers Premiere.",  # after a day's number: a month
    )
    lines = [(4, i) for i in range(4)]
    assert time_clash("Wer spielte im Oktober den Kommissar?", {4: article}, lines) == {
        (4, 2),
        (4, 3),
    }
