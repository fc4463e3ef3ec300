"""The agency-copy test set of benchmarks/neardup.py: base articles from real pages, the copies an
outlet makes of them (which must be found) and the texts that must stay apart (see that module's
docstring)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.evaluate import load_squad
from index.extract import extract_html

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"
SAME_EVENT = REPO / "tests" / "fixtures" / "same_event.json"
SEED = 20251101
DATELINES = {
    "de": ["BERLIN (dpa) - ", "Frankfurt/Main (dpa/lhe) - ", "München (AFP) - ", "(dpa) "],
    "en": ["LONDON (Reuters) - ", "WASHINGTON (AP) — ", "PARIS (AFP) - ", "(Reuters) "],
}
BOILERPLATE = {
    "de": [
        "© dpa-infocom, dpa:251027-99-412345/3",
        "Dieser Artikel wurde automatisch aus dem dpa-Newskanal übernommen.",
        "Mehr Nachrichten aus der Region lesen Sie hier.",
        "Lesen Sie auch: Die wichtigsten Meldungen des Tages im Überblick",
    ],
    "en": [
        "Reporting by staff; Editing by the news desk",
        "Copyright 2025 The Associated Press. All rights reserved.",
        "Sign up for our newsletter to get the top stories every morning.",
        "Read more: the day's most important stories at a glance",
    ],
}


@dataclass(frozen=True)
class Base:
    name: str
    language: str
    paragraphs: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True)
class Case:
    kind: str  # the variant or negative class
    positive: bool
    query: str  # the text added
    stored: str  # the base article it must (positive) or must not (negative) be merged into
    origin: str = ""  # the stored article the query text itself is (not counted as a merge)


def bases() -> list[Base]:
    out = []
    meta = json.loads((DATASETS / "news" / "questions.json").read_text(encoding="utf-8"))
    for page in meta["pages"]:
        html = (DATASETS / "news" / "pages" / page["file"]).read_text(encoding="utf-8")
        text = extract_html(html).text
        out.append(Base(page["file"], page["language"], _paragraphs(text)))
    for language in ("de", "en"):
        articles, _ = load_squad(DATASETS / "xquad" / f"xquad.{language}.json")
        for title, text in articles:
            out.append(Base(f"xquad.{language}:{title}", language, _paragraphs(text)))
    seed = (DATASETS / "seed" / "article-de.txt").read_text(encoding="utf-8")
    out.append(Base("seed-de", "de", _paragraphs(seed)))
    return out


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", paragraph) if s]


# -- positives: what outlets do to an agency report ------------------------------------------


def dateline(base: Base, rng: random.Random) -> list[str]:
    lang = "de" if base.language == "de" else "en"
    paragraphs = list(base.paragraphs)
    paragraphs[0] = rng.choice(DATELINES[lang]) + paragraphs[0]
    return paragraphs + rng.sample(BOILERPLATE[lang], 2)


def shortened(base: Base, rng: random.Random) -> list[str]:
    keep = rng.uniform(0.6, 0.8)
    if len(base.paragraphs) >= 4:
        return base.paragraphs[: max(1, round(len(base.paragraphs) * keep))]
    sentences = [s for p in base.paragraphs for s in sentences(p)]
    return [" ".join(sentences[: max(1, round(len(sentences) * keep))])]


def paragraph_removed(base: Base, rng: random.Random) -> list[str]:
    if len(base.paragraphs) < 3:
        return shortened(base, rng)
    paragraphs = list(base.paragraphs)
    del paragraphs[rng.randrange(1, len(paragraphs))]
    return paragraphs


def paragraph_added(base: Base, rng: random.Random, others: list[Base]) -> list[str]:
    """An outlet's own paragraph of context (here: one of another article of the language)."""
    same = [o for o in others if o.language == base.language and o is not base]
    donor = rng.choice(same or [o for o in others if o is not base])
    paragraph = rng.choice([p for p in donor.paragraphs if len(p) > 150] or donor.paragraphs)
    paragraphs = list(base.paragraphs)
    paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), paragraph)
    return paragraphs


def light_edits(base: Base, rng: random.Random, rate: float = 0.04) -> list[str]:
    """The lead rewritten (two words swapped, one dropped) and `rate` of the words elsewhere
    dropped or replaced, as editors shorten and adapt a copy."""
    paragraphs = []
    for n, paragraph in enumerate(base.paragraphs):
        words = paragraph.split()
        if n == 0 and len(words) > 6:
            i, j = rng.sample(range(len(words)), 2)
            words[i], words[j] = words[j], words[i]
            del words[rng.randrange(len(words))]
        out = []
        for word in words:
            roll = rng.random()
            if roll < rate / 2:
                continue
            out.append(rng.choice(words) if roll < rate else word)
        paragraphs.append(" ".join(out))
    return paragraphs


def agency_copy(base: Base, rng: random.Random) -> list[str]:
    """All at once: dateline, end cut, light edits, boilerplate."""
    edited = Base(base.name, base.language, light_edits(base, rng, rate=0.02))
    cut = Base(
        base.name,
        base.language,
        shortened(edited, rng) if rng.random() < 0.5 else edited.paragraphs,
    )
    return dateline(cut, rng)


# -- negatives ----------------------------------------------------------------------------------


def updated(base: Base, rng: random.Random) -> list[str] | None:
    """The agency's update: one figure changed (None when the text has no number)."""
    text = base.text
    numbers = [m for m in re.finditer(r"\b\d{1,6}\b", text) if not 1900 <= int(m.group()) <= 2099]
    if not numbers:
        return None
    m = rng.choice(numbers)
    value = int(m.group()) + rng.randint(1, 9)
    return _paragraphs(text[: m.start()] + str(value) + text[m.end() :])


def cases(all_bases: list[Base], rng: random.Random) -> list[Case]:
    out: list[Case] = []
    variants: dict[str, Callable[[Base, random.Random], list[str]]] = {
        "dateline+boilerplate": dateline,
        "shortened": shortened,
        "paragraph removed": paragraph_removed,
        "paragraph added": lambda b, r: paragraph_added(b, r, all_bases),
        "lead + light edits": light_edits,
        "agency copy (all)": agency_copy,
    }
    for base in all_bases:
        for kind, make in variants.items():
            out.append(Case(kind, True, "\n".join(make(base, rng)), base.name))
        update = updated(base, rng)
        if update is not None:
            out.append(Case("update (figure changed)", False, "\n".join(update), base.name))
    return out


def same_event_cases() -> tuple[list[Base], list[Case]]:
    data = json.loads(SAME_EVENT.read_text(encoding="utf-8"))
    stored, out = [], []
    for n, pair in enumerate(data["pairs"]):
        a = Base(f"event{n}.a", pair["language"], _paragraphs(pair["a"]))
        b = Base(f"event{n}.b", pair["language"], _paragraphs(pair["b"]))
        stored += [a, b]
        out.append(Case("same event", False, b.text, a.name, b.name))
        out.append(Case("same event", False, a.text, b.name, a.name))
        quoting = b.paragraphs + [a.paragraphs[1]]
        out.append(
            Case("own report quoting one paragraph", False, "\n".join(quoting), a.name, b.name)
        )
    return stored, out


def halves(all_bases: list[Base]) -> tuple[list[Base], list[Case]]:
    stored, out = [], []
    for base in all_bases:
        if base.name.startswith("xquad.") and len(base.paragraphs) >= 4:
            cut = len(base.paragraphs) // 2
            first = Base(base.name + "#1", base.language, base.paragraphs[:cut])
            stored.append(first)
            out.append(
                Case("same topic (other half)", False, "\n".join(base.paragraphs[cut:]), first.name)
            )
    return stored, out
