"""The weights answer selection gives each feature of a window of sentences (see answer.py).

They are learned, not hand-set: `python -m benchmarks.ranker` fits a listwise logistic regression
(which window of the candidate articles holds the answer) on the questions of XQuAD's
even-numbered articles, English and German, as written and reworded (the words shared with the
answer's sentence left out), and checks it on the odd-numbered ones it never saw; the news set
the README reports was never used for fitting. One weight vector per embedding
model (cosines of different models live on different scales); a model without its own weights
uses the default model's. The file is written by the training run and read once here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

WEIGHTS_FILE = Path(__file__).with_name("ranker_weights.json")
FEATURES = (
    "dense",  # the window's best cosine with the question
    "dense_gap",  # ... minus the best cosine of any sentence of the article (<= 0)
    "local",  # share of the question's words it holds, weighed by idf x specificity in article
    "global",  # share of the question's words it holds, weighed by idf
    "evidence",  # holds what the question asks for (a name, date, number, cause, place)
    "prior",  # its article's retrieval score relative to the best article's
    "pair",  # two sentences rather than one
    "lead",  # holds the article's first sentence
    "heading",  # holds a heading
    "fuzzy",  # like "local", with lemmas and compound parts matching too
    "novelty",  # share of its words that are not the question's
    "position",  # where in the article it starts (0 = top, 1 = end)
    "focus",  # like "fuzzy", for the question's words that are not in the article's title
    "unit",  # holds a number of the kind asked for (money, a share, an age, the thing counted)
)


@cache
def _table() -> dict:
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise RuntimeError(f"{WEIGHTS_FILE.name} was trained on other features: retrain it")
    return data


def weights(model: str) -> np.ndarray:
    """The feature weights for answers from `model`'s vectors."""
    table = _table()
    found = table["models"].get(model) or table["models"][table["default"]]
    return np.asarray(found["weights"], dtype=np.float32)
