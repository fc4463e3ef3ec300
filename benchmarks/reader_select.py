"""`python -m benchmarks.reader_select FOLDER [FOLDER ...] [--per-language N]`: choose among
trained readers (index.reader) and the weight of their score, on XQuAD's held-out articles.

Every XQuAD article of a language is added to a library; questions of the odd-numbered articles
(which neither the ranker nor the reader trained on) are asked once, and the ranker's first
`reader_windows` windows are recorded with their ranker scores, their sentences and the quote
each would give (benchmarks.ranker.quote_around). Each reader then scores those windows two ways:
each sentence alone, a window counting as its better sentence (as answer selection reads them,
index.reread), and each window read whole (as it did until 2026-12-04); for each weight
the window of highest ranker score + weight x reader score is right when its quote holds a gold
answer. The news set is never used here: it is where the chosen reader is shown.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index import answer, asking, reread
from index.answer import AnswerConfig
from index.evaluate import load_squad
from index.library import Library, LibraryConfig
from index.reader import Reader

from .common import LANGUAGES, XQUAD
from .ranker import quote_around

# 1000: the reader alone, the ranker breaks ties
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0, 1000.0)
SEED = 7

Window = tuple[float, list[str], bool]  # ranker score, the window's sentences, right
Asked = tuple[str, list[Window]]  # a question and its windows


def windows(language: str, per_language: int) -> list[Asked]:
    """Per held-out question, the ranker's first windows (see the module's docstring)."""
    articles, questions = load_squad(XQUAD / f"xquad.{language}.json")
    odd = [q for q in questions if q.article % 2 == 1]
    odd = random.Random(SEED).sample(odd, min(per_language, len(odd)))
    out: list[Asked] = []
    captured: list = []

    def capture(chosen, question, reader, config, keep=None):  # noqa: ANN001, ANN202
        ranked = reread.reader_candidates(chosen, config, keep)
        captured.append(ranked)
        return ranked[0], {}

    real = (answer.reread, asking.load_reader)
    answer.reread, asking.load_reader = capture, lambda *_: _Unread()
    try:
        with tempfile.TemporaryDirectory(prefix="reader-select-") as tmp:
            config = LibraryConfig(Path(tmp), answer=AnswerConfig(reader_weight=1.0))
            library = Library(config)
            for title, text in tqdm(articles, desc=f"add {language}", leave=False):
                library.add_text(text, title=title)
            for q in tqdm(odd, desc=f"ask {language}", leave=False):
                captured.clear()
                library.ask(q.question)
                if not captured:
                    continue
                rows = []
                for s, (score, first, last) in captured[0]:
                    sentences = [s.article.sentence(i) for i in range(first, last + 1)]
                    quote = quote_around(s.article, first, last)
                    rows.append((score, sentences, any(gold in quote for gold in q.answers)))
                out.append((q.question, rows))
            library.close()
    finally:
        answer.reread, asking.load_reader = real
    return out


class _Unread:
    """A stand-in reader while the ranker's windows are recorded: nothing is read (a sentence
    over 300 characters keeps its first maximal run of clauses)."""

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        return np.zeros(len(texts), dtype=np.float32)


def measure(folder: Path, questions: list[Asked]) -> dict[str, dict[float, float]]:
    """answer_hit of the chosen window for each weight, the reader reading each sentence alone
    (a window counting as its better one) and each window whole."""
    reader = Reader(folder)
    hits = {way: dict.fromkeys(WEIGHTS, 0) for way in ("sentences", "windows")}
    for question, rows in tqdm(questions, desc=folder.name, leave=False):
        singles = sorted({text for _, sentences, _ in rows for text in sentences})
        alone = dict(zip(singles, reader.score(question, singles), strict=True))
        read = {
            "sentences": np.asarray([max(alone[t] for t in sentences) for _, sentences, _ in rows]),
            "windows": reader.score(question, [" ".join(sentences) for _, sentences, _ in rows]),
        }
        ranker = np.asarray([score for score, _, _ in rows])
        for way, scores in read.items():
            for weight in WEIGHTS:
                hits[way][weight] += rows[int(np.argmax(ranker + weight * scores))][2]
    n = max(len(questions), 1)
    return {way: {w: round(h / n, 4) for w, h in row.items()} for way, row in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reader_select")
    parser.add_argument("folders", type=Path, nargs="+", help="trained readers")
    parser.add_argument("--per-language", type=int, default=200)
    args = parser.parse_args()
    result: dict = {}
    for language in LANGUAGES:
        questions = windows(language, args.per_language)
        reachable = sum(any(r for _, _, r in rows) for _, rows in questions)
        result[language] = {"questions": len(questions), "any_window_right": reachable}
        for folder in args.folders:
            result[language][str(folder)] = measure(folder, questions)
        print(json.dumps(result[language]), flush=True)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
