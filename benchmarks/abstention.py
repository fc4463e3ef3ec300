"""Knowing when not to answer: half of XQuAD's articles are added (the even-numbered ones), the
questions of all are asked, and the abstention threshold is swept over Answer.confidence."""

from __future__ import annotations

import dataclasses
import math
import tempfile
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index.answer import product_config
from index.embedder import Embedder
from index.library import Library, LibraryConfig

from .common import LANGUAGES, Plan, log, xquad

TARGET_ANSWERED = 0.90  # of answerable questions
TARGET_ABSTAINED = 0.80  # of unanswerable questions
THRESHOLDS = np.round(np.arange(0.0, 1.0001, 0.01), 2)


def default_threshold() -> float:
    return product_config().threshold


def collect(language: str, plan: Plan, embedder: Embedder) -> list[tuple[bool, float, bool]]:
    """(answerable, confidence, gold answer in the quote) per question; never abstaining, so the
    confidence of every answer is seen (-inf where nothing at all was found)."""
    articles, questions = xquad(language, plan)
    config = dataclasses.replace(product_config(), threshold=-math.inf)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-abstain-") as tmp:
        library = Library(LibraryConfig(Path(tmp), answer=config), embedder)
        for number, (title, text) in enumerate(tqdm(articles, desc="add", leave=False)):
            if number % 2 == 0:
                library.add_text(text, title=title)
        for q in tqdm(questions, desc=f"abstain {language}", leave=False):
            answer = library.ask(q.question)
            confidence = answer.confidence if answer.hits else -math.inf
            correct = any(a in answer.quote for a in q.answers)
            rows.append((q.article % 2 == 0, confidence, correct))
        library.close()
    return rows


def sweep(rows: list[tuple[bool, float, bool]]) -> dict[str, list[float]]:
    answerable = np.array([c for a, c, _ in rows if a])
    correct = np.array([ok for a, _, ok in rows if a])
    other = np.array([c for a, c, _ in rows if not a])
    return {
        "threshold": THRESHOLDS.tolist(),
        "answered": [float(np.mean(answerable >= t)) for t in THRESHOLDS],
        "answered_correctly": [float(np.mean((answerable >= t) & correct)) for t in THRESHOLDS],
        "abstained": [float(np.mean(other < t)) for t in THRESHOLDS],
    }


def at(curve: dict[str, list[float]], threshold: float) -> dict[str, float]:
    """The curve's figures at one threshold (the nearest swept one)."""
    i = int(np.argmin(np.abs(np.array(curve["threshold"]) - threshold)))
    return {name: values[i] for name, values in curve.items()}


def meeting(curve: dict[str, list[float]]) -> list[float]:
    """Thresholds at which both targets are met."""
    return [
        t
        for t, a, b in zip(curve["threshold"], curve["answered"], curve["abstained"], strict=True)
        if a >= TARGET_ANSWERED and b >= TARGET_ABSTAINED
    ]


def run(plan: Plan, embedder: Embedder) -> dict:
    rows_by_language = {}
    for language in LANGUAGES:
        log(f"abstention: XQuAD-{language}, even-numbered articles added")
        rows_by_language[language] = collect(language, plan, embedder)
    rows_by_language["both"] = [r for rows in rows_by_language.values() for r in rows]
    default = default_threshold()
    out: dict = {"default": default, "targets": [TARGET_ANSWERED, TARGET_ABSTAINED]}
    for name, rows in rows_by_language.items():
        curve = sweep(rows)
        ok = meeting(curve)
        out[name] = {
            "answerable": sum(a for a, _, _ in rows),
            "unanswerable": sum(not a for a, _, _ in rows),
            "curve": curve,
            "at_default": at(curve, default),
            "meeting": [min(ok), max(ok)] if ok else None,
            "best": _best(curve),
        }
    return out


def _best(curve: dict[str, list[float]]) -> dict[str, float]:
    """The threshold that abstains most while still answering >= the target of answerable."""
    best = None
    for t, a, b in zip(curve["threshold"], curve["answered"], curve["abstained"], strict=True):
        if a >= TARGET_ANSWERED and (best is None or b > best["abstained"]):
            best = {"threshold": t, "answered": a, "abstained": b}
    return best or {"threshold": 0.0, "answered": curve["answered"][0], "abstained": 0.0}
