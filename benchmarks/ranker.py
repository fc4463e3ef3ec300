"""`python -m benchmarks.ranker [--model NAME]`: learn answer selection's feature weights.

Every XQuAD article (en and de) is added to a library; the questions of the even-numbered
articles are asked with index.answer's trace on, which records each candidate window's features;
a window is right when the quote built around it (it, widened on its line to 300 characters)
holds a gold answer. Each of those questions is asked a second time reworded (see paraphrased:
the words it shares with the answer's sentence left out, as a reader who paraphrases would).
A listwise logistic regression (softmax over a question's windows; the right ones' share is
maximized, with a little L2) is fitted on those questions, checked on the odd-numbered articles'
questions it never saw, and written to index/ranker_weights.json for the model. The news set is
never used here: it is where the weights are shown.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index import answer
from index.embedder import DEFAULT_MODEL
from index.evaluate import Question
from index.lexical import analyze
from index.library import Library, LibraryConfig
from index.qtype import content
from index.quote import blank_between
from index.ranker import FEATURES, WEIGHTS_FILE
from index.sentences import ArticleSentences

from .common import LANGUAGES, XQUAD

QUOTE_CHARS = 300
L2 = 0.01
SEED = 13
# Every shared word left out: XQuAD's held-out questions are then chosen right a little more
# often in English, a little less in German (0.926 / 0.881 against 0.917 / 0.884 without), and
# the news set's one more (README, "Choosing the quote").
REWORD = 1.0

Rows = list[tuple[np.ndarray, np.ndarray]]  # per question: features (windows x F), right (bool)


def quote_around(article: ArticleSentences, first: int, last: int) -> str:
    """The text a quote around this window would show (as quote.build_quote widens it)."""
    spans = article.spans
    if spans[last][1] - spans[first][0] > QUOTE_CHARS:
        return article.text[spans[first][0] : spans[last][1]]
    lo, hi = first, last
    for j in (last + 1, first - 1, last + 2, first - 2, last + 3, first - 3):
        # As quote.build_quote widens: across a line break too, never across skipped text.
        if not 0 <= j < len(article) or article.kinds[j] != "body" or not lo - 1 <= j <= hi + 1:
            continue
        if not (blank_between(article, j, lo) if j < lo else blank_between(article, hi, j)):
            continue
        if max(spans[hi][1], spans[j][1]) - min(spans[lo][0], spans[j][0]) <= QUOTE_CHARS:
            lo, hi = min(lo, j), max(hi, j)
    return article.text[spans[lo][0] : spans[hi][1]]


def paraphrased(
    q: Question, text: str, language: str, drop: float, rng: random.Random
) -> Question | None:
    """`q` as if it were worded apart from its article: each content word it shares with the
    sentence holding the gold answer is left out with probability `drop` (at least one content
    word stays). XQuAD's questions were written with the paragraph in view and mostly reuse its
    words; news readers' (and the news set's) questions paraphrase more, so a ranker fitted on
    XQuAD alone trusts shared words more than it should. None when nothing would change."""
    a, b = q.span
    start = max(text.rfind(c, 0, a) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, b) for c in ".!?\n") if i >= 0]
    shared = set(analyze(text[start : min(ends, default=len(text))], language))
    kept = content(q.question).split()
    tokens = re.findall(r"\w+|[^\w\s]+", q.question)
    droppable = [
        i for i, t in enumerate(tokens) if t in kept and set(analyze(t, language)) & shared
    ]
    gone = {i for i in droppable if rng.random() < drop}
    own = [i for i, t in enumerate(tokens) if t in kept and analyze(t, language)]
    if not gone or not set(own) - gone:
        return None
    words = [t for i, t in enumerate(tokens) if i not in gone]
    return replace(q, question=re.sub(r"\s+([?.,!])", r"\1", " ".join(words)))


def _reworded(
    questions: list[Question], texts: list[str], language: str, drop: float, rng: random.Random
) -> list[Question]:
    out = (paraphrased(q, texts[q.article], language, drop, rng) for q in questions)
    return [q for q in out if q is not None]


def collect(library: Library, questions: list) -> Rows:  # noqa: ANN001 - index.evaluate.Question
    rows: Rows = []
    for q in tqdm(questions, desc="windows", leave=False):
        answer.TRACE = []
        try:
            library.ask(q.question)
            windows = list(answer.TRACE)
        finally:
            answer.TRACE = None
        features, right = [], []
        for _, article, bounds, matrix in windows:
            for (first, last), row in zip(bounds, matrix, strict=True):
                text = quote_around(article, first, last)
                features.append(row)
                right.append(any(gold in text for gold in q.answers))
        if features:
            rows.append((np.asarray(features, dtype=np.float64), np.asarray(right)))
    return rows


def fit(rows: Rows, l2: float = L2) -> np.ndarray:
    """Weights maximizing the softmax share of each question's right windows."""
    from scipy.optimize import minimize  # the bench extra's

    usable = [(x, y) for x, y in rows if y.any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, y in usable:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            right = p[y].sum()
            total -= np.log(right + 1e-12)
            grad += p @ x - ((p * y) / (right + 1e-12)) @ x
        n = len(usable)
        return total / n + l2 * float(w @ w), grad / n + 2 * l2 * w

    return minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x


def top1(w: np.ndarray, rows: Rows) -> float:
    """Share of questions whose best-scored window is a right one."""
    return float(np.mean([y[int(np.argmax(x @ w))] for x, y in rows])) if rows else 0.0


def run(model: str, drop: float = REWORD) -> dict:
    train: Rows = []
    held: dict[str, Rows] = {}
    from index.evaluate import load_squad

    rng = random.Random(SEED)
    for language in LANGUAGES:
        articles, questions = load_squad(XQUAD / f"xquad.{language}.json")
        with tempfile.TemporaryDirectory(prefix="ranker-") as tmp:
            library = Library(LibraryConfig(Path(tmp), model=model))
            for title, text in tqdm(articles, desc=f"add {language}", leave=False):
                library.add_text(text, title=title)
            even = [q for q in questions if q.article % 2 == 0]
            odd = [q for q in questions if q.article % 2 == 1]
            train += collect(library, even)
            held[language] = collect(library, odd)
            if drop:
                texts = [text for _, text in articles]
                train += collect(library, _reworded(even, texts, language, drop, rng))
                held[f"{language}_reworded"] = collect(
                    library, _reworded(odd, texts, language, drop, rng)
                )
            library.close()
    weights = fit(train)
    trained = "XQuAD en+de, questions of the even-numbered articles"
    if drop:
        trained += f", and each again with shared words left out (p={drop})"
    return {
        "weights": [round(float(w), 4) for w in weights],
        "trained_on": trained,
        "questions": len(train),
        "top1_train": round(top1(weights, train), 4),
        **{f"top1_heldout_{k}": round(top1(weights, v), 4) for k, v in held.items()},
        "date": datetime.now(UTC).date().isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ranker", description=__doc__)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="the embedding model to train for")
    parser.add_argument(
        "--reword",
        type=float,
        default=REWORD,
        help="also train on each question with its words shared with the answer's sentence "
        "left out with this probability (see paraphrased; 0: not at all)",
    )
    args = parser.parse_args()
    result = run(args.model, args.reword)
    table = (
        json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
        if WEIGHTS_FILE.exists()
        else {"features": list(FEATURES), "default": DEFAULT_MODEL, "models": {}}
    )
    if table["features"] != list(FEATURES):
        table = {"features": list(FEATURES), "default": DEFAULT_MODEL, "models": {}}
    table["models"][args.model] = result
    WEIGHTS_FILE.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
