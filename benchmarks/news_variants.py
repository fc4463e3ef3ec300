"""The news set's questions typed as chat users type them: all in lower case (or all but the
first letter, as a phone's keyboard writes it), without the final "?", inside a greeting and a
request ("Hallo! Kannst du mir sagen, …"), with two letters of the longest word swapped (a
typo), and German typed without umlauts ("Buergermeisterin"). Each variant is the same set with
every question (the out-of-corpus ones and the chats' turns too) rewritten, asked as
`articlebot eval` asks it; the pages are the same files. Shows how much of the figures holds
when questions are not written as carefully as the set's (README, "Questions as people type
them")."""

from __future__ import annotations

import copy
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from index.answer import product_config
from index.embedder import Embedder
from index.evaluate_news import evaluate_news
from index.library import LibraryConfig

from .common import log

# Rotated over the questions of each language; the first word of the question is lower-cased
# after a request ("Kannst du mir sagen, wie …").
FRAMES = {
    "de": ["Hallo! Kannst du mir sagen, ", "Guten Tag, weißt du, ", "Hi, ich möchte wissen, "],
    "en": ["Hi! Can you tell me ", "Hello, do you know ", "Hey there, please tell me "],
    "fr": ["Bonjour ! ", "Salut, dis-moi ", "Bonjour, pouvez-vous me dire "],
    "es": ["¡Hola! ", "Hola, ¿puedes decirme ", "Buenos días, dime "],
    "it": ["Ciao! ", "Buongiorno, puoi dirmi ", "Ciao, dimmi "],
    "pt": ["Olá! ", "Oi, pode me dizer ", "Bom dia, "],
}
KEYS = ("answer_hit", "answer_hit_by_language", "article_first", "abstained_answerable")
KEYS += ("out_of_corpus_not_found", "follow_ups", "new_topics")


def _framed() -> Callable[[str, str], str]:
    turn: dict[str, int] = {}

    def frame(question: str, language: str) -> str:
        frames = FRAMES.get(language, FRAMES["en"])
        n = turn[language] = turn.get(language, -1) + 1
        lead = frames[n % len(frames)]
        lowered = lead.rstrip()[-1:] not in "!.?"  # the question goes on the request's sentence
        return lead + (question[:1].lower() + question[1:] if lowered else question)

    return frame


def _typo(question: str, _language: str) -> str:
    """Two letters in the middle of the longest word (of six letters or more) swapped."""
    words = re.findall(r"\w+", question)
    word = max(words, key=len, default="")
    if len(word) < 6:
        return question
    i = len(word) // 2
    return question.replace(word, word[:i] + word[i + 1] + word[i] + word[i + 2 :], 1)


# German typed on a keyboard without umlauts: "Buergermeisterin", "Fussgaengerzone".
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


def _no_umlauts(question: str, language: str) -> str:
    return question.translate(_UMLAUTS) if language == "de" else question


VARIANTS: dict[str, Callable[[], Callable[[str, str], str]]] = {
    "lower case": lambda: lambda q, _: q.lower(),
    "lower case but the first letter": lambda: lambda q, _: q[:1].upper() + q[1:].lower(),
    'no final "?"': lambda: lambda q, _: q.rstrip().rstrip("?？").rstrip(),
    "greeting and request": _framed,
    "a typo in the longest word": lambda: _typo,
    "German umlauts as ae, oe, ue, ss": lambda: _no_umlauts,
}


def rewritten(data: dict, change: Callable[[str, str], str]) -> dict:
    """The news set with every question rewritten by `change(question, language)`."""
    out = copy.deepcopy(data)
    languages = {p.get("file") or p.get("url"): p.get("language", "en") for p in out["pages"]}
    for page in out["pages"]:
        for q in page.get("questions", []):
            q["q"] = change(q["q"], page.get("language", "en"))
    for q in out.get("out_of_corpus", []):
        q["q"] = change(q["q"], q.get("language", "en"))
    for chat in out.get("chats", []):
        for turn in chat["turns"]:
            page = turn.get("file") or turn.get("url")
            turn["q"] = change(turn["q"], languages.get(page, "en"))
    return out


def run(news: Path, embedder: Embedder) -> dict:
    """Each variant's figures (the keys of KEYS)."""
    data = json.loads(news.read_text(encoding="utf-8"))
    config = LibraryConfig(Path("unused"), answer=product_config())
    results = {}
    for name, make in VARIANTS.items():
        log(f"news, typed as users type: {name}")
        with tempfile.TemporaryDirectory(prefix="news-variant-") as tmp:
            folder = Path(tmp)
            (folder / "pages").symlink_to(news.parent / "pages")
            (folder / news.name).write_text(
                json.dumps(rewritten(data, make()), ensure_ascii=False), encoding="utf-8"
            )
            report = evaluate_news(folder / news.name, embedder=embedder, config=config)
        figures = report.to_dict()
        results[name] = {key: figures[key] for key in KEYS}
    return results


def report(w, news: dict, variants: dict) -> None:  # noqa: ANN001
    """BENCHMARKS.md's lines: the set as written, then each variant."""
    w("### Questions as people type them\n")
    w(
        "The same set with every question rewritten (`benchmarks/news_variants.py`): all lower "
        'case; without the final "?"; inside a greeting and a request, three per language in '
        'turn ("Hallo! Kannst du mir sagen, …", "Hello, do you know …"); two letters of the '
        'longest word swapped; German umlauts typed as "ae", "oe", "ue", "ss".\n'
    )
    w("| questions | answer_hit | de / en | not found (answerable / out of corpus) | chats |")
    w("|---|---:|---:|---:|---:|")
    for name, r in {"as written": news, **variants}.items():
        by = r["answer_hit_by_language"]
        w(
            f"| {name} | {r['answer_hit']:.3f} | {by.get('de', 0):.3f} / {by.get('en', 0):.3f} "
            f"| {r['abstained_answerable']:.3f} / {r['out_of_corpus_not_found']:.3f} "
            f"| {r['follow_ups']}, {r['new_topics']} |"
        )
    w("")
