"""What a question asks for, and whether a sentence holds something of that kind.

A question that asks "who" is answered by a sentence naming someone, "when" by a date or time,
"how many" by a number, "why" by a cause, "where" by a place, "what does HAMR stand for" by the
words it abbreviates. These are evidence, not rules: the
answer selection adds a small bonus to sentences that hold such a thing *beyond the question's
own words* (a sentence that only repeats the question's name or number does not answer it).
Question words are listed for the languages the bot meets most (de, en, fr, es, it, pt, nl, pl);
other languages get no type, which only means no bonus.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import acronyms
from .whichx import head_noun, named_beside, question_words

_I = re.IGNORECASE
_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Question words and function words that carry no content of their own: they are left out when
# a question's words are matched against sentences (news text seldom says "how" or "wann", so as
# rare words they would otherwise weigh the most).
QUESTION_WORDS = _words(
    "what which who whom whose when where why how much many wie was wer wen wem wessen wann wo "
    "woher wohin warum weshalb wieso weswegen welche welcher welches welchen welchem woran womit "
    "wofür worüber wovon wozu worauf viel viele wieviel wieviele que quoi qui quand où pourquoi "
    "comment quel quelle quels quelles combien qué quién quiénes cuándo dónde cómo cuál cuáles "
    "cuánto cuántos cuánta cuántas chi quando dove come perché quale quali quanto quanti quanta "
    "quante o quem onde como porque qual quais quantos quantas wat wie wanneer waar hoe hoeveel "
    "welk welke co kto kiedy gdzie jak dlaczego ile który która które und and also aber but so "
    "then auch too noch still mehr more else sonst"
) | frozenset(
    # German pronominal adverbs ("dafür", "darüber", "hiermit", "wovon"): a preposition joined
    # to "da(r)", "hier" or "wo(r)", standing for a thing named elsewhere; no content of their
    # own (bm25s's German stopwords hold only "damit" and "dazu" of them).
    prefix + ("r" if prefix in ("da", "wo") and preposition[0] in "aeiouü" else "") + preposition
    for prefix in ("da", "hier", "wo")
    for preposition in _words(
        "an auf aus bei durch für gegen hinter in mit nach neben über um unter von vor zu zwischen"
    )
)


# Verbs that only say where something is: in a "where" question they ask for the place, which
# an answer states without them ("Wo sitzt FACC?": "der oberösterreichische Luftfahrtzulieferer
# FACC" in the Innviertel; "Where is the company based?").
PLACE_VERBS = _words(
    "sitzt sitzen liegt liegen befindet befinden located based situated headquartered lies lie "
    "trouve situé située se encuentra ubicado ubicada situato situata fica localizado"
)


def content(question: str) -> str:
    """`question` without its question words (see QUESTION_WORDS), and for a "where" question
    without the verbs that only say where something is (PLACE_VERBS)."""
    skip = QUESTION_WORDS | PLACE_VERBS if question_type(question) == "place" else QUESTION_WORDS
    return " ".join(w for w in _WORD.findall(question) if w.lower() not in skip)


# Longest first where one is a prefix of another ("how many" before "how").
_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "quantity",
        re.compile(
            r"\b(how (many|much|long|old|far|large|big|tall|high|often|fast|heavy|expensive|"
            r"dense|well)|what (percentage|percent|share|proportion|number|amount|age)|"
            r"wie (viele?|lange|alt|hoch|groß|gross|weit|oft|schnell|schwer|teuer|stark|fein|"
            r"knapp)|um wie viel|welche menge|welcher anteil|combien|quel(le)? (nombre|"
            r"pourcentage|part)|cu[áa]nt[oa]s?|quant[oiea]|quantos?|quantas?|hoeveel|ile)\b",
            _I,
        ),
    ),
    # A year, not any time: "2013", not the "am Samstag" of the lead beside it.
    (
        "year",
        re.compile(
            r"\b(what year|in what year|which year|in which year|in welchem jahr|welches jahr|"
            r"en quelle année|en qué año|in che anno|em que ano|in welk jaar|w którym roku)\b",
            _I,
        ),
    ),
    (
        "time",
        re.compile(
            r"\b(when|what (year|date|day|time|month|decades?|century|centuries)|in what year|"
            r"which (decades?|century|centuries)|since when|until when|"
            r"wann|seit wann|bis wann|ab wann|in welchem jahr|an welchem tag|ab welchem tag|"
            r"um wie viel uhr|welche(s|m|n)? (jahr|datum|tag|monat|uhrzeit|jahrzehnte?n?|"
            r"jahrhunderte?n?)|quand|depuis quand|"
            r"à partir de quelle date|en quelle année|cu[áa]ndo|quando|wanneer|kiedy)\b",
            _I,
        ),
    ),
    (
        "reason",
        re.compile(
            r"\b(why|for what reason|what reason|warum|weshalb|wieso|weswegen|aus welchem grund|"
            r"pourquoi|pour quelle raison|por qu[ée]|perch[ée]|por que|waarom|dlaczego)\b",
            _I,
        ),
    ),
    (
        "place",
        re.compile(
            r"\b(where|in which (city|country|town|region|state|place)|wo|woher|wohin|"
            r"in welche[mnr]? (stadt|land|ort|region|gemeinde)|où|d'où|d[óo]nde|dove|onde|"
            r"waar|gdzie)\b",
            _I,
        ),
    ),
    (
        "person",
        re.compile(
            r"\b(who|whom|whose|which (person|man|woman|artist|doctor|student|candidate|"
            r"minister|president)|wer|wen|wem|wessen|von wem|mit wem|welche[rmn]? (person|"
            r"politiker|minister|präsident)|wie hei(ß|ss)t|wie hie(ß|ss)|"
            r"what (is|was|'s) (the|his|her|their) name|qui|qui est|qui(é|e)n(es)?|chi|quem|kto)\b",
            _I,
        ),
    ),
)

_MONTHS = (
    r"jan(uary|uar)?|feb(ruary|ruar)?|märz|mar(ch)?|apr(il)?|ma[iy]|jun[ei]?|jul[iy]?|"
    r"aug(ust)?|sep(tember)?|o[ck]t(ober)?|nov(ember)?|de[cz](ember)?|janvier|février|mars|"
    r"avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|"
    r"mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|"
    r"maggio|giugno|luglio|settembre|ottobre|dicembre|janeiro|fevereiro|março|maio|junho|julho|"
    r"setembro|outubro|novembro|dezembro"
)
_DAYS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|"
    r"donnerstag|freitag|samstag|sonnabend|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|"
    r"dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lunedì|martedì|mercoledì|"
    r"giovedì|venerdì|sabato|domenica"
)
# What reads as a year in a question or a sentence (index.timeclash reads years with it too).
YEAR = r"1[5-9]\d\d|20\d\d"
_EVIDENCE: dict[str, re.Pattern[str]] = {
    "quantity": re.compile(
        r"\d(?:[\d.,]*\d)?|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|"
        r"thousand|million|billion|half|eins?|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|"
        r"elf|zwölf|hundert|tausend|million(en)?|milliarden?|hälfte|dutzend|un|deux|trois|"
        r"quatre|cinq|dix|cent|mille|dos|tres|cuatro|cinco|diez|cien|mil|due|tre|quattro|"
        r"cinque|dieci|duecento|mila)\b",
        _I,
    ),
    "time": re.compile(
        rf"\b({YEAR}|\d{{1,2}}\.\s?\d{{1,2}}\.|\d{{1,2}}:\d\d|\d{{1,2}}\s?(a\.m\.|"
        rf"p\.m\.|am|pm|uhr|h)|{_MONTHS}|(?:{_DAYS})(?:früh|morgen|vormittag|mittag|nachmittag|"
        rf"abend|nacht)?|yesterday|today|tomorrow|tonight|gestern|"
        rf"heute|morgen|vorgestern|früh|abend|mittag|nacht|hier|aujourd'hui|demain|ayer|hoy|"
        rf"ieri|oggi|ontem|hoje|ago|seit|since|until|bis|vor \w+ (jahren|monaten|wochen|tagen)|"
        rf"anfang|mitte|ende|beginning|end of|early|late|century|jahrhundert|decade|"
        # a decade ("the 1970s", "in den 1970ern", "die 70er Jahre") and an era ("13.000 BP",
        # "44 v. Chr."): XQuAD answers "when" with them
        rf"(?:{YEAR})(?:s|er|ern)|'?\d0(?:s|er)|jahrzehnte?n?|"
        rf"\d[\d.,]*\s?(?-i:BP|BC|BCE|AD|CE)|\d[\d.,]*\s?[vn]\.\s?chr)\b",
        _I,
    ),
    "reason": re.compile(
        r"\b(because|since|due to|owing to|as a result|so that|in order to|caused|reason|"
        r"weil|da|denn|wegen|aufgrund|auf grund|deshalb|daher|darum|deswegen|infolge|grund|"
        r"um \w+ zu|damit|sodass|so dass|parce que|car|puisque|en raison|à cause|grâce|porque|"
        r"debido|ya que|perché|poiché|a causa|per via|omdat|doordat|ponieważ|bo)\b",
        _I,
    ),
    "place": re.compile(
        r"\b(?i:in|im|at|aus|from|nach|to|near|bei|beim|en|à|au|de|dans|a|em|na|no|w)\s+"
        r"(?i:the\s+|der\s+|dem\s+|den\s+|des\s+|la\s+|le\s+|el\s+|il\s+)?([a-zäöü]\w+\s+)?"
        r"[A-ZÄÖÜÉ][\w'’-]+|\b(www\.|https?://)\S+|\b[\w-]+\.(de|at|ch|com|org|net|eu)/\S*"
        # German noun phrases often take two adjectives ("bei der zuständigen unteren Behörde").
        r"|\b(?i:in|im|aus|nach|bei|beim|vom|zum|zur|am)\s+(?i:der|dem|den|des|die)\s+"
        r"[a-zäöü]\w+\s+[a-zäöü]\w+\s+[A-ZÄÖÜ][\w-]+"
        r"|\b(?i:gebürtige?r?|born in|originally from|stammt aus|kommt aus)\b"
    ),
    "year": re.compile(rf"\b({YEAR})\b"),
    # A name: two capitalized words in a row (not the sentence's first word), or an initial.
    "person": re.compile(r"(?<!^)(?<![.!?]\s)\b[A-ZÄÖÜÉ][\w'’-]+\s+([A-Z]\.\s+)?[A-ZÄÖÜÉ][\w'’-]+"),
}


@lru_cache(maxsize=1024)  # asked for the same question by content, the features and the claims
def question_type(question: str) -> str | None:
    """ "expansion" (what an abbreviation stands for: index.acronyms), "quantity", "year",
    "time", "reason", "place", "person", "entity" (which X: head_noun) or None."""
    if acronyms.asked(question):
        return "expansion"
    lead = _LEADING_CLAUSE.match(question)
    if lead and _ASKS.search(lead.group(1)):
        question = lead.group(1)  # "When many people are arrested, what is …?" asks "what"
    for name, pattern in _TYPES:
        if pattern.search(question):
            return name
    return "entity" if head_noun(question) else None


# A question opening with a clause of condition or time before its question word ("When many
# people are arrested, what is a common tactic?", "Wenn der Imperialismus …, wie wird er dann
# genannt?") asks what its question word asks, not "when".
_LEADING_CLAUSE = re.compile(
    r"(?:when|if|after|before|while|once|wenn|als|nachdem|bevor|während|falls)\b[^,?]*,\s*(.+)",
    _I,
)
_ASKS = re.compile(
    r"\b(?:what|who|whom|whose|which|how|where|why|was|wer|wen|wem|wessen|wie|welche[mnrs]?|wo|"
    r"warum|wann|when)\b",
    _I,
)
_NOTHING: frozenset[str] = frozenset()


@lru_cache(maxsize=65_536)
def _found(kind: str, text: str) -> frozenset[str]:
    """The things of `kind` in `text`, case-folded (cached: the sentences of the articles being
    asked about come back question after question)."""
    found = frozenset(m.group(0).casefold() for m in _EVIDENCE[kind].finditer(text))
    # Most sentences hold nothing of a kind: one shared empty set, not one object per cached
    # entry for the garbage collector to track (see index.wordrows).
    return found or _NOTHING


def evidence_found(kind: str | None, text: str) -> frozenset[str]:
    """The things of `kind` in `text`, case-folded (none for a kind without evidence)."""
    return _found(kind, text) if kind in _EVIDENCE else _NOTHING


def has_evidence(kind: str | None, sentence: str, question: str) -> bool:
    """Whether `sentence` holds a thing of `kind` that is not already in the question: for a
    name, none of its words is the question's ("Bernd Lucke" does not answer a question about
    Lucke). What it cannot tell: a German noun before a name reads as a name with the first
    name ("Parteichef Jan" of "Parteichef Jan Müller"); whole runs of capitalized words would
    take a predicate noun after a name for part of it ("Claudia Brandes Bürgermeisterin")."""
    if kind == "expansion":
        abbreviation = acronyms.asked(question)
        return bool(abbreviation) and acronyms.spells_out(sentence, abbreviation)
    if kind == "entity":
        return named_beside(sentence, question)
    if kind not in _EVIDENCE:
        return False
    found = _found(kind, sentence) - _found(kind, question)
    if kind == "person" and found:
        asked = question_words(question)
        return any(asked.isdisjoint(_WORD.findall(name)) for name in found)
    return bool(found)
