"""What kind of number a question asks for, and whether a sentence holds one of that kind.

qtype.py tells that "Wie viel hat er bezahlt?" asks for a quantity; a news article holds many
numbers (a count of files, a date, an age) and only one of them is an amount of money. Classic
question answering types its numeric answers finer (money, percentage, age, temperature,
duration, distance, weight, and counts of a named thing: "how many burials" is answered by a
number next to "burials"); this module does the same for the languages qtype.py knows. A match
is evidence for the ranker (a feature with a learned weight), never a rule.
"""

from __future__ import annotations

import re
from functools import lru_cache

_I = re.IGNORECASE

# Numbers as written in news: digits with separators, or a number word.
_NUMBER = re.compile(
    r"\d(?:[\d.,' ]*\d)?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|thousand|dozen|eins?|zwei|drei|vier|fünf|sechs|sieben|"
    r"acht|neun|zehn|elf|zwölf|zwanzig|dreißig|hundert|tausend|un|une|deux|trois|dix|cent|"
    r"mille|dos|tres|diez|cien|mil|due|tre|dieci|cento)\b",
    _I,
)
_SCALE = r"(?:mio\.?|mrd\.?|millionen|milliarden|million|millions|billion|billions|bn|m|k)"
_CURRENCY = (
    r"(?:€|\$|£|¥|euro|euros|eur|cent|cents|dollars?|us-dollar|franken|chf|pfund|pounds?|"
    r"yen|yuan|rubel|kronen|kronor|złoty|zloty|rupien|rupees?|lira|pesos?|reais)"
)
# (what the question says, what unit answers it); a question may ask for several kinds.
_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (  # money
        re.compile(
            r"\b(bezahl\w*|zahl(t|te|ten|en)|kost\w*|preis\w*|ausgegeben|ausgeben|gibt .* aus|"
            r"investi\w*|spen[dt]\w*|pa(y|id|ys|ying)|cost\w*|price\w*|worth|budget\w*|teuer|"
            r"expensive|geld|money|summe|betrag|sum|fee|fees|gebühr\w*|strafe|bußgeld|fine|"
            r"prämie\w*|umsatz|revenue|gewinn|profit|verlust|loss|schaden|damage|gehalt|salary|"
            r"lohn|wage|miete|rent|ticket|fahrpreis|fare|wert|value|aufträge|orders|"
            r"charg(?:e|es|ed|ing)|"  # "How much did the firm charge …?"
            r"earn\w*|verdien\w*|einkommen|income|salaries|wages|"
            # German compounds of those: "Jahresgehalt", "Mindestlohn", "Baukosten", "Kaufpreis"
            r"\w+(?:gehalt|gehälter|lohn|löhne|kosten|miete|mieten|gebühr|gebühren|umsatz|"
            r"gewinn|gewinne|preis|preise|betrag|summe)|"
            r"co[uû]te?|prix|precio|cuesta|costa|prezzo)\b",
            _I,
        ),
        rf"{_CURRENCY}",
    ),
    (  # share
        re.compile(
            # "Marktanteil", "Arbeitslosenquote": German compounds end in the cue
            r"\b(\w*anteil\w*|prozent\w*|percent\w*|share|proportion|rate|\w*quote|wie stark|"
            r"um wie viel|by how much|pourcentage|porcentaje|percentuale)\b",
            _I,
        ),
        r"(?:%|prozent|prozentpunkte|percent|per cent|percentage points?|pour cent|por ciento|"
        r"per cento)",
    ),
    (  # age
        re.compile(
            # "Mit wie vielen Jahren starb er?"; "what age" reads "At what age did she …?" too
            r"\b(wie alt|how old|what age|welchem alter|mit wie viele?n? jahren|quel âge|"
            r"qué edad|quanti anni)\b",
            _I,
        ),
        r"(?:jahre alt\w*|jahren|years? old|year-old|-jährige?[rn]?|jährig\w*|aged|\)|ans|"
        r"años|anni)",
    ),
    (  # temperature
        re.compile(
            r"\b(wie (heiß|heiss|warm|kalt)|how (hot|warm|cold)|\w*temperatur\w*|temperature\w*|"
            r"grad|degrees)\b",
            _I,
        ),
        r"(?:°|grad|degrees?|celsius|fahrenheit|kelvin)",
    ),
    (  # precipitation: weather reports state it in litres per square metre or millimetres
        re.compile(
            r"\b(\w*niederschl[aä]g\w*|regen|regenmenge\w*|schnee|neuschnee|rain|rainfall|"
            r"precipitation|snow|snowfall)\b",
            _I,
        ),
        r"(?:liter|litern|litres?|liters?|l/m²|l|mm|millimetern?|millimet(?:re|er)s?|cm|"
        r"zentimetern?|centimet(?:re|er)s?|inch(?:es)?)",
    ),
    (  # duration
        re.compile(
            r"\b(wie lange|how long|\w*dauer\w*|duration|for how long|combien de temps|"
            r"how much time|wie ?viel zeit)\b",
            _I,
        ),
        # or a clock's minutes and seconds ("with 3:08 left"), after the number's colon
        r"(?:sekunden|minuten|stunden|tagen?|wochen|monaten?|jahren?|jahrzehnten?|seconds?|"
        r"minutes?|hours?|days?|weeks?|months?|years?|decades?|h|min|(?<=:)\d\d(?!\d))",
    ),
    (  # distance, height, area
        re.compile(
            r"\b(wie (weit|hoch|groß|gross|lang|tief|breit)|how (far|high|tall|big|large|deep|"
            r"wide|long)|\w*entfernung|distance|\w*höhe|height|\w*fläche|area|\w*länge|length)\b",
            _I,
        ),
        r"(?:mm|cm|m|km|meter|metern|metres?|meters?|kilometern?|kilometres?|kilometers?|"
        r"zentimetern?|millimetern?|centimet(?:re|er)s?|"
        r"miles?|feet|foot|ft|inch(?:es)?|zoll|hektar|hectares?|acres?|quadratmeter|m²|km²|"
        r"square)",
    ),
    (  # weight, volume, amount of a substance
        re.compile(
            # "how much cocaine was …", not "how much time was left" (a duration, above)
            r"\b(wie schwer|how heavy|\w*gewicht|weight|welche menge|wie viel \w+ (liefert|"
            r"produziert|erzeugt)|how much (?!time\b)\w+ (did|does|do|was|is|were)|amount of|"
            r"quantity of|volumen|volume)\b",
            _I,
        ),
        r"(?:g|kg|gramm|kilogramm|kilo|tonnen|t|tons?|tonnes?|pounds?|lbs?|ounces?|oz|liter|"
        r"litern|litres?|liters?|l|ml|kubikmeter|m³|barrels?|kwh|mwh|gwh|watt|kw|mw|gw)",
    ),
)
# "Wie viele Stunden", "how many burials": the counted thing follows the question word; in
# German after an adjective ("wie viele verletzte Menschen"); in English only after "more",
# "other" ("how many homes lost power": a lower-case word in -es is a plural there).
_COUNTED = re.compile(
    r"\b(?:wie viele|wieviele)\s+(?:(?:der|die|den)\s+)?(?:(?-i:[a-zäöü])\w*e[nrs]?\s+)?(\w+)|"
    r"\b(?:how many|combien de|cu[áa]nt[oa]s|quant[ei]|quantos|quantas|hoeveel)\s+"
    r"(?:(?:the|of|d')\s+)?(?:(?:more|other|fewer|further)\s+)?(\w+)",
    _I,
)
# One plural ending, the longest first: "Stunden", "Kilometern", "burials", "houses", "Jahre".
_PLURAL = re.compile(r"(?:en|s|n|e)$")
_AFTER = 40  # characters after a number in which its unit must start
# People in general count any group of people a question counts: "fast 10.000 Menschen" signed,
# for "Wie viele Unterschriften …?"; "2,000 people" came, for "how many visitors". (Held-out
# news set #7: that answer was "not found", the count's step taking 0.1 off for the word.)
# (index.counted.GENERIC reads the same words as saying nothing of what a figure counts.)
PEOPLE = frozenset({"menschen", "personen", "leute", "people", "persons", "individuals"})
_CURRENCY_BEFORE = re.compile(r"[€$£¥]\s?$")


@lru_cache(maxsize=4096)
def expected(question: str) -> tuple[re.Pattern[str] | None, str | None]:
    """The units that answer `question` (a pattern, or None) and the thing it counts (a word's
    first letters, or None)."""
    units = [unit for cue, unit in _KINDS if cue.search(question)]
    pattern = None
    if units:  # with "Millionen", "Milliarden" after the number: "3,3 Millionen Euro"
        alternatives = "|".join([*units, _SCALE])
        pattern = re.compile(r"^\W{0,3}(?:\w+\s+){0,2}?" + f"(?:{alternatives})(?!\\w)", _I)
    counted = _COUNTED.search(question)
    # A counted word less its plural ending (at least four letters left): "Stunden" and
    # "Arbeitsstunden", "burials" and "burial" then match.
    word = counted.group(1) or counted.group(2) if counted else None
    noun = _PLURAL.sub("", word.casefold(), count=1) if word else None
    if noun is not None and len(noun) < 4:
        noun = None
    return pattern, noun


def holds_unit(question: str, sentence: str) -> bool:
    """Whether `sentence` holds a number of the kind `question` asks for that the question does
    not already hold: an amount of money, a share, an age, ..., or a count of the thing asked (or
    of people in general: PEOPLE)."""
    pattern, noun = expected(question)
    if pattern is None and noun is None:
        return False
    asked = {number for number, _, _ in _numbers(question)}
    for number, after, currency in _numbers(sentence):
        if number in asked:
            continue
        if pattern is not None and (currency or pattern.search(after)):
            return True
        if noun is None:
            continue
        words = after.casefold().split()[:3]
        if noun in " ".join(words) or PEOPLE.intersection(w.strip(".,;:!?") for w in words):
            return True
    return False


def holds_number(sentence: str) -> bool:
    """Whether `sentence` holds a number at all (else it holds no unit, whatever is asked)."""
    return bool(_numbers(sentence))


@lru_cache(maxsize=65_536)
def _numbers(text: str) -> tuple[tuple[str, str, bool], ...]:
    """Each number in `text`: (the number, the text after it where its unit would be, whether a
    currency sign stands before it). Cached: the sentences of the articles being asked about
    come back question after question."""
    return tuple(
        (
            m.group(0),
            text[m.end() : m.end() + _AFTER],
            _CURRENCY_BEFORE.search(text[max(0, m.start() - 4) : m.start()]) is not None,
        )
        for m in _NUMBER.finditer(text)
    )


# A question for an amount of money by the words that ask for nothing else: "Wie viel kostet …",
# "verdient", "Jahresgehalt", "How much does … cost", "earn", "pay". Not the weaker money cues
# above ("Wert", "value", "Aufträge", "orders", "Schaden", "loss", "ticket", "fine"), which ask
# for counts and other things too; and English "pay" not "pays" (French "son pays": country).
_MONEY_ASKED = re.compile(
    r"\b(?:kost(?:e|et|en|ete|eten|et's)|kostspielig|teuer\w*|bezahl\w*|zahlt|zahlte|zahlten|"
    r"verdien\w*|gehalt|gehälter|lohn|löhne|miete|mieten|gebühr\w*|geld|"
    r"\w+(?:kosten|preis|preise|gehalt|lohn|miete|gebühr|gebühren)|preis|preise|kosten|"
    r"cost|costs|costing|costed|price|prices|priced|pay|paid|paying|earn|earns|earned|earning|"
    r"earnings|salary|salaries|wage|wages|rent|fare|fares|fee|fees|expensive|money|"
    r"co[uû]te?|coûtent|prix|cuesta|cuestan|precio|costa|costano|prezzo)\b",
    _I,
)
# Nothing to pay: the answer to "Wie viel kostet der Eintritt?" may be "Der Eintritt ist frei".
_NO_CHARGE = re.compile(
    r"\b(?:kostenlos\w*|kostenfrei\w*|gebührenfrei\w*|gratis|umsonst|eintritt (?:ist )?frei|"
    r"free|no charge|without charge|gratuit\w*|gratuito|gratuita)\b",
    _I,
)
# A currency, or a scale word that news write after an amount of money without one ("5,7
# Milliarden"); not a single letter ("A400M" is an aircraft, "5 m" a distance).
_MONEY_SCALE = r"mio|mrd|millionen|milliarden|million|millions|billion|billions|bn"
_MONEY_AFTER = re.compile(
    rf"^\W{{0,3}}(?:\w+\s+){{0,2}}?(?:{_CURRENCY}|{_MONEY_SCALE})(?!\w)",
    _I,
)
# What an amount of money is written with, anywhere: a text without any states none.
_MONEY_WORD = re.compile(rf"[€$£¥]|\b(?:{_CURRENCY}|{_MONEY_SCALE})(?!\w)", _I)


def asks_money(question: str) -> bool:
    """Whether `question` asks for an amount of money by a word that asks for nothing else, and
    counts no thing ("Wie viele Nobelpreise …", "How many lives did the war cost?")."""
    return _MONEY_ASKED.search(question) is not None and expected(question)[1] is None


def states_money(text: str) -> bool:
    """Whether `text` states an amount of money anywhere (a currency, or a scale such as
    "Milliarden" after a number: "5,7 Milliarden"), or that nothing is to be paid ("kostenlos",
    "free")."""
    if _NO_CHARGE.search(text):
        return True
    if _MONEY_WORD.search(text) is None:  # one pass, where most articles stop
        return False
    # Read whole, not line by line through _numbers's cache of sentences: an article's lines
    # would crowd the sentences out of it (ArticleSentences.states_money keeps the result).
    return any(
        _CURRENCY_BEFORE.search(text[max(0, m.start() - 4) : m.start()]) is not None
        or _MONEY_AFTER.match(text[m.end() : m.end() + _AFTER]) is not None
        for m in _NUMBER.finditer(text)
    )
