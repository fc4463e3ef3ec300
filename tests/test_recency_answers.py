"""Recency with the real model: of two dated articles answering the same question with an older
and a newer figure, the newer is quoted; a question naming a time counted from today uses only
the articles published then, and says when there are none."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from index.answer import product_config
from index.library import Library, LibraryConfig

pytestmark = pytest.mark.model

FIXTURES = Path(__file__).parent / "fixtures"
# The second set was written after the thresholds (index.preference) were chosen on the first and on
# the news dev set; the rule was then settled with both in view (README, "Recency"). The third
# (updates of a count a day or two later) was written after that and changed nothing in the rule.
# The fourth was written before the same-claim check of index.claims was made and was not tuned
# on; four of its pairs have a newer article on the same subject that makes another claim
# ("answer": "old"), where the older figure is the answer.
# The fifth was written before the rules of issue 14s (a count of what belongs to the thing
# counted is another claim, index.counted; newer reports retrieved lower or abstaining asked
# again leniently, index.preference.FURTHER) and was not tuned on.
# The sixth and seventh were written on 2026-12-02 by helpers who read only the earlier sets'
# JSON, never the rules: the sixth before a newer quote without the question's subject was taken
# for another claim (index.claims; the sixth's misses were seen when that rule was made: 3 -> 4),
# the seventh before that rule was settled (5 of 12 with and without it).
# The eighth was written on 2026-12-02 (evening) by a helper who read only the earlier sets'
# JSON, before a count far smaller than the older one months later was taken for a part of it
# (index.claims.shrunk): 2 of 12 without it, 3 with it. A figure that measures or dates
# ("Stärke 7,7") is then no longer a figure, and a German compound is held by its head ("Beben"
# for "Erdbeben"): the second set's Myanmar toll, 5 -> 6; the eighth unchanged. On 2026-12-03 a
# compound part shared only with a lower-case word stopped holding a noun of the question (the
# adjective "deutschen" no longer holds "Deutschland", so a newer count of students "an den
# deutschen Hochschulen" is no longer the naturalisations' claim): the sixth set, 5 -> 6.
# Later on 2026-12-03 a newer article within two weeks that shares a rare name with the older
# one continues its story (index.story), and is looked for by those names: the seventh set
# 6 -> 8 (Madeira as "Caniço", Lisbon's "Glória"), the eighth 3 -> 5 (the Mottarone, Kerala).
# On 2026-12-05 the reader came to read other candidate articles' first windows (index.reread)
# and to keep a newer answer of another claim it reads worse from winning by a hair of
# confidence (index.preference): the ninth set 3 -> 4 (Canada's population no longer the Lisbon
# funicular's toll), nothing else changed.
# On 2026-12-06 the figure a newer report states came to be compared as its first of the older
# figure's kind, not its first (index.figures.figure_like: a report of a change states the
# change before the level, "stieg die Zahl der Getöteten um 1,8 Prozent auf 2.839"): the sixth
# set's road deaths, 8 -> 9. Developed on the first eight sets only, with the ninth held out as
# the figure of how it generalizes: 4 of 12 before and after. (Its first form, the figure
# nearest in size, gave 3: it took Eurostar's "30 million passengers a year by the early 2030s"
# for the 18.6 million carried. The form kept was chosen after seeing that loss, so the ninth
# set is no longer blind to it.) A diagnosis of every miss of the first eight sets then: with
# each pair's two figure sentences given, index.claims.relation judges 22 of the 66 newer
# reports of the same claim "other" (a subject named otherwise: "S21", "Alpenrepublik", "US",
# "Paris 2024", "Flight AI171") and 7 of the 20 newer reports of another claim "same"
# (registered workers, foreign visitors, regional passengers, cars assembled, a planning cap);
# neither the quotes' cosine, the articles' cosine nor the reader's scores tell these apart
# (EXPERIMENTS.md, "Recency"), so the judgment, not retrieval, is what limits this test.
# Later on 2026-12-06 the first quote came to hold the question's subject as a compound's part
# too ("Handwerksbäckereien" holds "Bäckereien", then the subject rather than "Deutschland"): the
# ninth set 4 -> 5 (a newer count of charging points "in Deutschland" no longer taken for the
# bakeries'), after all nine sets' misses had been read: the ninth is no longer blind.
# On 2026-12-07 a newer report naming another place instead of the one asked (index.places:
# Berlin's population for a question about Munich's, where "Einwohner" was rarer in the library
# than "München" and so taken for the subject) came to be another claim: the ninth set 5 -> 6,
# nothing else changed (the ninth's miss had been read, as all nine sets' had).
# The tenth was written on 2026-12-07 (a session's start) by a helper who read only the earlier
# sets' JSON, and measured before any change: 4 of 12 at b90903b. With its articles in the
# library dated_pairs_heldout2 lost two, 9 -> 7: Myanmar's toll (its new Afghan earthquake
# passed for Myanmar's) and Munich's rent (its balcony-power report holds "Mieter", so "Miete"
# became commoner in the library than "Quadratmeter", which was then the subject, and a newer
# purchase price per square metre passed as the rent's claim). Then, after its misses were read
# (no longer blind), three rules of a kind: a change stated before the level it reached is not
# the figure compared ("Another 26 deaths …, bringing the number killed … to 1,391", "um mehr
# als 1.400 auf 2.205": index.figures); a newer report asked leniently for an amount is asked
# for its window stating a comparable figure too, as one asked alone is (index.asked_recency:
# Afghanistan's toll); a country named in the newer figure's sentence
# instead of the asked one is another place (index.places.elsewhere: Afghanistan's earthquake
# had passed for Myanmar's): the tenth 4 -> 6, dated_pairs_heldout2 7 -> 8, nothing lost. An
# abbreviation in capitals no longer ties a story (index.story: the sixth held-out news set's
# "ARD"), nor is a person's age beside the name ("Montoya-Lewis, 51,") a figure (index.figures:
# the lenient window asked for had otherwise taken an age for the news dev set's "30 hours"
# before a deadline), no pair changed. Tried and dropped: a figure a forecast states ("would",
# "soll", "target") being another claim than one that happened: Labour's projected seats stayed
# wrong, and a pension "will receive £203.85 a week" and an opera's cost that "soll … kosten"
# were lost. Then a rate's unit ("pro Quadratmeter", "je Frau", "per week") is no longer the
# subject (index.claims.subject): Munich's rent right again, dated_pairs_heldout2 8 -> 9, nothing
# else changed (79 of 110). Its misses: an ice cream scoop's price ("Eis", three letters, held
# only by "Eiscafés"), balcony power plants as "Steckersolargeräte", Airbus as "the European
# planemaker" (its quote taken from the target's sentence), organ donors answered with the
# waiting list before recency is asked, and Labour's projection, the Eiffel Tower summit's
# visitors (a part, 35% of the whole) taken for the same claim.
# NEEDED is what the rules achieve today (with the reader, as the CLI answers; recency's newer
# reports are answered by the ranker alone: index.asked) with all sets in one library, not the
# target of issue 14 (9 of 10 per set). The misses: in the third, a newer report whose quote holds
# no word of the question's subject ("82,5 Prozent der Wahlberechtigten" for "Wahlbeteiligung"); in
# the fourth, newer reports without the question's names in their quote (the Studierende "an den
# deutschen Hochschulen"; the Louvre's "most visited museum" is right since a newer quote is read
# under its headline, index.claims; Texas's "Kerr County" is right since a name in the newer
# headline's first word ties the story, index.story, and Los Angeles's "structures" since a story's
# update may count in other words, index.claims), and newer articles of another claim taken as the
# same (Tokyo's visitors for its residents; registered workers for the unemployed, which the fifth
# set's articles in the library tip over: with the first four sets alone it is right; purchase
# prices for rents was one until a newer quote without the question's subject was taken for another
# claim); in the fifth, newer reports without the question's names (Oktoberfest as "Wiesn", the
# Ahrtal as "Kreis Ahrweiler"), a newer article of another claim taken as the same (regional for
# long-distance passengers; paying subscribers for weekly users and residents for tourists were
# until index.claims.shrunk), and two questions answered from another pair's article before recency
# is asked (the asylum applications from the completed homes, the completed homes from Berlin's
# population). In the sixth to eighth, mostly newer reports whose own answer to the question is
# another sentence (asking them again with the older key sentence's vector and words added was tried
# and changed nothing) or that word the claim apart ("drug poisonings" "in the US", "Tempi"
# for Greece; "Babys zur Welt" beside "1,35 Kinder je Frau" is right since a newer report's window
# stating a comparable figure is asked for, index.claims.states_like), and newer counts of another
# claim larger than the older one (registered workers for the unemployed, exported for produced
# cars). The ninth, written in the seventh session of 2026-12-03 before any change it could measure
# and never tuned on, shows how little of this carries to new reports: 2 of 12 before that same
# session's states_like, 3 since (Storm Boris's toll; four questions answered from another pair's
# article before recency is asked, Canada's population from the Lisbon funicular's "lives" and
# "Canada"; newer reports worded apart, "das bundesweit gültige Nahverkehrsticket", "besetzte
# Horste", "McDonald's flagship sandwich"; next year's Glastonbury tickets taken for this year's
# attendance).
SETS = {
    name: json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))["pairs"]
    for name in (
        "dated_pairs",
        "dated_pairs_heldout",
        "dated_pairs_updates",
        "dated_pairs_heldout2",
        "dated_pairs_heldout3",
        "dated_pairs_heldout4",
        "dated_pairs_heldout5",
        "dated_pairs_heldout6",
        "dated_pairs_heldout7",
        "dated_pairs_heldout8",
    )
}
NEEDED = {
    "dated_pairs": 10,
    "dated_pairs_heldout": 10,
    "dated_pairs_updates": 5,
    "dated_pairs_heldout2": 9,
    "dated_pairs_heldout3": 8,
    "dated_pairs_heldout4": 8,  # 79 of 110 in all (2026-12-07, the product config)
    "dated_pairs_heldout5": 8,
    "dated_pairs_heldout6": 9,
    "dated_pairs_heldout7": 6,
    "dated_pairs_heldout8": 6,
}
# Of each language, at least (German and English alike); in the fourth set only the price of
# gold is right in English, in the fifth only the price of electricity in German.
EACH = {
    "dated_pairs_heldout2": 1,
    "dated_pairs_heldout3": 1,
    "dated_pairs_heldout4": 1,
    "dated_pairs_heldout5": 1,
    "dated_pairs_heldout6": 1,
    "dated_pairs_heldout7": 1,
    "dated_pairs_heldout8": 1,
}
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Iterator[Library]:
    """Every article of all sets in one library; the newer added first in every other pair, so
    that neither the order of adding nor the article ids decide."""
    # As the CLI and the bot answer: with the reader (index.answer.product_config).
    config = LibraryConfig(
        tmp_path_factory.mktemp("recency") / "data",
        answer=product_config(),
        models_dir=Path(os.environ["MODELS_DIR"]),  # the run's one models folder (conftest)
    )
    lib = Library(config, real_embedder)
    pairs = [pair for pairs in SETS.values() for pair in pairs]
    for n, pair in enumerate(pairs):
        for side in ("new", "old") if n % 2 == 0 else ("old", "new"):
            article = pair[side]
            result = lib.add_text(article["text"], published=article["date"])
            assert result.created, (pair["question"], side)  # never merged as copies
    yield lib
    lib.close()


@pytest.mark.parametrize("name", list(SETS))
def test_the_newer_figure_is_quoted(library: Library, name: str) -> None:
    """The newer article's figure, or the older one's where the newer makes another claim."""
    quoted = {"de": 0, "en": 0}
    missed = []
    for pair in SETS[name]:
        answer = library.ask(pair["question"])
        right = pair[pair.get("answer", "new")]
        if right["figure"] in answer.quote:
            quoted[pair["language"]] += 1
            # The date shown with the quote is the article's own: the pair's, or for a newer
            # figure that of a still newer report repeating it (the sixth set's Maui death toll
            # restates the fifth's count of buildings destroyed, four days on).
            shown = answer.sources[0].article.published
            if pair.get("answer") == "old":
                assert shown == right["date"]
            else:
                assert shown >= right["date"]
            assert answer.sources[0].article.published_from == "page"
        else:
            shown = answer.sources[0].article.published if answer.sources else None
            missed.append((pair["question"], shown, round(answer.confidence, 3), answer.quote))
    print(f"{name}: the right figure quoted in {sum(quoted.values())} of {len(SETS[name])}")
    assert sum(quoted.values()) >= NEEDED[name], missed
    assert min(quoted.values()) >= EACH.get(name, len(SETS[name]) // 2 - 2), quoted


@pytest.mark.parametrize(
    ("question", "newer", "older"),
    [
        ("Wie viele Kinder wurden in Deutschland geboren?", "692.989", "738.819"),
        ("How many people have died in the floods caused by Storm Boris?", "risen to 24", "17"),
    ],
)
def test_a_newer_report_is_asked_for_its_sentence_that_states_the_figure_again(
    library: Library, question: str, newer: str, older: str
) -> None:
    """The newer report's own answer to the question is another of its sentences ("Das meldete
    das Statistische Bundesamt …", "Clean-up operations began …"): its best window stating a
    figure that can be the older one reported again is asked for (index.claims.states_like)."""
    answer = library.ask(question)
    assert newer in answer.quote and older not in answer.quote, answer.quote


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        # The ranker's choice was the pharmacies' "In Deutschland gab es Ende vergangenen Jahres
        # nur noch 17.571 Apotheken" ("gab es in Deutschland" and a number), the reader's is the
        # road deaths' (index.reread reads other candidate articles' first windows too).
        ("Wie viele Verkehrstote gab es in Deutschland?", "verkehr"),
        # A newer article of another claim within a hair of the confidence was quoted as the
        # newer answer: the Lisbon funicular's toll, counted in people (index.preference: not
        # where the reader reads it worse).
        ("How many people live in Canada?", "canada"),
    ],
)
def test_the_reader_tells_which_of_many_alike_reports_answers(
    library: Library, question: str, subject: str
) -> None:
    """In a library of many short reports alike, the article quoted is about the question's
    subject (either report of its pair: which one is recency's to choose)."""
    answer = library.ask(question)
    quoted = answer.sources[0].article
    assert subject in f"{quoted.title} {answer.quote}".lower(), (quoted.title, answer.quote)


@pytest.mark.parametrize(
    ("now", "question", "figure"),
    [
        # Only the article published then, although a newer one answers too (and would be
        # preferred without the time).
        (
            (2020, 1, 16),
            "Wie viele Einwohner hatte Berlin gestern laut Statistikamt?",
            "3,77 Millionen",
        ),
        (
            (2025, 2, 26),
            "Wie viele Einwohner hat Berlin laut der Meldung der letzten Woche?",
            "3,90",
        ),
        (
            (2024, 11, 1),
            "Wie viele Menschen sind gestern beim Hochwasser in Valencia gestorben?",
            "95",
        ),
        ((2023, 9, 13), "What was the death toll of the earthquake in Morocco yesterday?", "2,900"),
        ((2023, 9, 15), "What was the death toll of the Morocco earthquake last week?", "820"),
        ((2024, 4, 18), "What was the UK inflation rate yesterday?", "3.2 percent"),
        # Nothing stored from then: the reply says so (Answer.period), nothing is quoted.
        (
            (2025, 11, 3),
            "Wie hoch ist der Leitzins der Europäischen Zentralbank seit Montag?",
            None,
        ),
        ((2025, 10, 1), "How many passengers used Heathrow airport this week?", None),
    ],
)
def test_a_time_counted_from_today_restricts_the_articles(
    library: Library, now: tuple[int, int, int], question: str, figure: str | None
) -> None:
    library.clock = lambda: datetime(*now, 12, 0, tzinfo=BERLIN)
    try:
        answer = library.ask(question)
    finally:
        library.clock = lambda: datetime.now(BERLIN)
    assert answer.period and answer.period.casefold() in question.casefold()
    if figure is None:  # nothing stored from then: said so, nothing quoted
        assert answer.abstained and not answer.sources
        return
    assert figure in answer.quote, answer.quote
    for source in answer.sources:  # every source is from the range
        day = datetime.fromisoformat(source.article.published).date()
        assert (datetime(*now).date() - day).days <= 14
