"""Answer selection's window features (index.windows), computed as array operations over an
article's cached layout, are those of the straightforward per-window computation they replaced
(kept here as the reference), on real news pages and their questions, with and without a
follow-up's context, the articles' layouts reused question after question."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import trafilatura

from index.answer import AnswerConfig
from index.library import Library, LibraryConfig
from index.matching import Word, match, words
from index.overlap import Terms, local_weights
from index.qtype import content, has_evidence, question_type
from index.sentences import ArticleSentences
from index.units import holds_unit
from index.windows import window_features
from tests.conftest import SHARED

NEWS = SHARED / "news"
PAGES = 10  # the first pages of the dev set: German and English


def _matches(article, local, terms, focus, asked):  # noqa: ANN001, ANN202
    """The per-sentence, per-word matching of before (overlap.Matches.of)."""
    words_ = list(local)
    exact = np.array(
        [[t in held for t in words_] for held in article.terms], dtype=np.float32
    ).reshape(len(article), len(words_))
    fuzzy = np.array(
        [
            [match(asked[t], held, keys) if t in asked else float(t in held) for t in words_]
            for held, keys in zip(article.terms, article.keys, strict=True)
        ],
        dtype=np.float32,
    ).reshape(len(article), len(words_))
    weights = np.array(
        [[local[t], terms.weights[t], local[t], focus.get(t, 0.0)] for t in words_],
        dtype=np.float32,
    ).reshape(len(words_), 4)
    totals = weights.sum(axis=0)
    return exact, fuzzy, weights / np.where(totals > 0, totals, 1.0)


def reference(
    article: ArticleSentences,
    question: str,
    terms: Terms,
    query_vector: np.ndarray,
    kind: str | None,
    prior: float,
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Window bounds and features as answer._score computed them one window at a time."""
    weights = local_weights(article, terms)
    asked: dict[str, Word] = {
        w.stem: w for w in words(content(question), article.language) if w.stem in weights
    }
    focus = {t: w for t, w in weights.items() if t not in article.title_terms} or weights
    dense = article.vectors @ query_vector
    best_dense = float(dense.max())
    evidence = [has_evidence(kind, article.sentence(i), question) for i in range(len(article))]
    unit = [holds_unit(question, article.sentence(i)) for i in range(len(article))]
    lead = next((i for i in range(len(article)) if article.kinds[i] == "body"), -1)
    exact, fuzzy_m, share = _matches(article, weights, terms, focus, asked)
    n = len(article)

    def features(first: int, last: int) -> list[float]:
        top = float(dense[first : last + 1].max())
        ex = exact[first : last + 1].max(axis=0, initial=0.0)
        fz = fuzzy_m[first : last + 1].max(axis=0, initial=0.0)
        local, whole = ex @ share[:, :2]
        fuzzy, focused = fz @ share[:, 2:]
        held = article.terms[first] | article.terms[last]
        return [
            top,
            top - best_dense,
            float(local),
            float(whole),
            float(any(evidence[first : last + 1])),
            prior,
            # two sentences, or one alone on its line (the whole of its paragraph)
            float(
                last > first
                or all(
                    not (0 <= j < n) or article.blocks[j] != article.blocks[first]
                    for j in (first - 1, first + 1)
                )
            ),
            float(first <= lead <= last),
            float(any(article.kinds[i] == "heading" for i in range(first, last + 1))),
            float(fuzzy),
            1.0 - len(held & asked.keys()) / (len(held) or 1),
            first / n,
            float(focused),
            float(any(unit[first : last + 1])),
        ]

    bounds = [(i, i) for i in range(n)]
    for i in range(n - 1):
        same_line = article.blocks[i] == article.blocks[i + 1]
        answered = article.kinds[i] == "interviewer" and article.kinds[i + 1] != "interviewer"
        if same_line or answered:
            bounds.append((i, i + 1))
    bounds = [b for b in bounds if any(article.quotable(j) for j in range(b[0], b[1] + 1))]
    alone = [b for b in bounds if b[0] < b[1] or article.kinds[b[0]] != "heading"]
    bounds = alone or bounds  # a heading alone is no window (unless nothing else is)
    return bounds, np.array([features(*b) for b in bounds], dtype=np.float32).reshape(-1, 14)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from index.embedder import HashEmbedder

    about = json.loads((NEWS / "questions.json").read_text(encoding="utf-8"))
    lib = Library(
        LibraryConfig(tmp_path_factory.mktemp("windows") / "data"), embedder=HashEmbedder()
    )
    pages = about["pages"][:PAGES]
    for page in pages:
        html = Path(NEWS / "pages" / page["file"]).read_text(encoding="utf-8")
        lib.add_text(trafilatura.extract(html) or "", title=page["title"])
    lib.questions = [q["q"] for page in pages for q in page["questions"]] + [  # type: ignore[attr-defined]
        "What does HAMR stand for?",
        "Wofür steht EU?",
        "Wie viel hat das gekostet?",
    ]
    yield lib
    lib.close()


def test_window_features_equal_the_per_window_computation(library: Library) -> None:
    snapshot = library._current()
    config = AnswerConfig()
    compared = exact = 0
    previous = None
    for question in library.questions:  # type: ignore[attr-defined]
        vector = library.embedder.encode([question])[0]
        hits = library.search(question, k=10)
        assert hits, question
        seen = set()
        for prior, hit in zip((1.0, 0.9, 0.8), hits, strict=False):
            if hit.article.id in seen:
                continue
            seen.add(hit.article.id)
            article = library._articles.get([hit])[0]
            for context in (None, previous):
                terms = Terms.of(
                    question, context, article.language, snapshot.lexical.idf, config.context_weight
                )
                kind = question_type(question)
                bounds, matrix = window_features(article, question, terms, vector, kind, prior)
                want_bounds, want = reference(article, question, terms, vector, kind, prior)
                assert bounds == want_bounds
                assert matrix.dtype == np.float32 and matrix.shape == want.shape
                np.testing.assert_allclose(matrix, want, rtol=0, atol=1e-6, err_msg=question)
                compared += len(bounds)
                exact += int((matrix == want).all(axis=1).sum())
        previous = question
    assert compared > 1_000
    # Every feature but the word shares' float32 sums is computed in the same order.
    assert exact / compared > 0.99, (exact, compared)


@pytest.mark.parametrize(
    ("question", "context", "language"),
    [
        ("Und wer betreibt das?", "Was hat die Stadtbibliothek Kassel eröffnet?", "de"),
        ("And when was that?", "Who met the foreign minister on Monday?", "en"),
        ("Wer reicht die Klage ein?", None, "de"),
    ],
)
def test_a_follow_up_s_own_terms_are_those_of_the_question_alone(
    question: str, context: str | None, language: str
) -> None:
    """Answer selection chooses a follow-up's sentence by its own words (Terms.alone): the same
    terms and weights as the question analyzed without the context."""

    def idf(_language: str, terms: set[str]) -> dict[str, float]:
        return {t: 1.0 + len(t) / 10 for t in terms}

    together = Terms.of(question, context, language, idf, 0.3)
    assert together.alone() == Terms.of(question, None, language, idf, 0.0)
    if context:
        assert set(together.weights) > set(together.alone().weights)
