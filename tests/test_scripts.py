"""Articles in scripts other than the Latin one (index.punctuation): a Chinese, Japanese, Arabic
or Hindi sentence ends in its own script's mark, so it is body text and may be the answer (it
used to be taken for a heading and never quoted); several sentences on one line of Chinese are
split; a long one is cut at its full-width commas; a question's Chinese words meet the
article's as the BM25 index has them, by character pairs."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index.answer import product_config
from index.asking import as_asked
from index.chunking import split_sentences
from index.lexical import analyze
from index.library import Library, LibraryConfig
from index.quote import ELLIPSIS, cut_to_clauses, is_verbatim
from index.sentences import _kinds
from index.windows import asked_words

# A short report written for these tests (a bridge approved, its cost, the critics, the
# residents): one paragraph a line, two of them with two sentences.
BRIDGE_ZH = (
    "市议会批准修建新桥\n"
    "市议会周二批准在河上修建一座新桥。大桥预计耗资四千万欧元，将于2027年通车。\n"
    "市长说：“这座桥对于不断发展的城镇是必要的。”\n"
    "反对党批评该项目过于昂贵，并要求举行全民公投。\n"
    "附近居民担心施工期间的噪音和交通堵塞。工程将于明年春天开工。\n"
)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("反对党批评该项目过于昂贵，并要求举行全民公投。", "body"),
        ("附近の住民は工事中の騒音と渋滞を心配している。", "body"),
        ("هل وافق المجلس على بناء الجسر الجديد؟", "question"),
        ("नगर परिषद ने नदी पर एक नया पुल बनाने को मंजूरी दी।", "body"),
        ("市议会批准修建新桥", "heading"),
        ("Council approves new bridge", "heading"),
    ],
)
def test_a_sentence_ends_by_its_own_scripts_mark(sentence: str, kind: str) -> None:
    assert _kinds(sentence, [(0, len(sentence))], [0]) == (kind,)


def test_a_long_line_without_final_mark_is_no_heading() -> None:
    # Thai ends its sentences in no mark at all; a heading is short in characters too.
    line = "ผลดีเอ็นเอยืนยันว่าศพที่ลอยมาตามแม่น้ำโขงเป็นคนสนิทของนักเคลื่อนไหว " * 3
    assert _kinds(line, [(0, len(line))], [0]) == ("body",)


def test_several_chinese_sentences_on_one_line_are_split() -> None:
    line = BRIDGE_ZH.splitlines()[1]
    assert [line[a:b] for a, b in split_sentences(line, "zh")] == [
        "市议会周二批准在河上修建一座新桥。",
        "大桥预计耗资四千万欧元，将于2027年通车。",
    ]


def test_a_long_chinese_sentence_is_cut_at_its_commas() -> None:
    clause = "反对党批评该项目过于昂贵，"
    sentence = clause * 30 + "并要求举行全民公投。"
    quote = cut_to_clauses(sentence, 100, lambda text: float("公投" in text))
    assert quote.startswith(ELLIPSIS) and quote.endswith("并要求举行全民公投。")
    assert len(quote) <= 100 and is_verbatim(quote, sentence)


def test_a_chinese_questions_words_are_character_pairs() -> None:
    asked = asked_words("反对党批评了什么？", "zh")
    assert {"反对", "对党", "批评"} <= set(asked)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Iterator[Library]:
    config = LibraryConfig(
        tmp_path_factory.mktemp("zh") / "data",
        answer=product_config(),
        models_dir=Path(os.environ["MODELS_DIR"]),  # the run's one models folder (conftest)
    )
    lib = Library(config, real_embedder)
    lib.add_text(BRIDGE_ZH)
    yield lib
    lib.close()


@pytest.mark.model
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("反对党对该项目有什么批评？", "反对党批评该项目过于昂贵"),
        ("附近居民担心什么？", "附近居民担心施工期间的噪音"),
        ("大桥预计耗资多少？", "大桥预计耗资四千万欧元"),
    ],
)
def test_a_chinese_question_is_answered_by_its_sentence(
    library: Library, question: str, expected: str
) -> None:
    answer = library.ask(question)
    assert not answer.abstained, answer
    assert expected in answer.quote, answer.quote


def test_sentences_end_at_a_danda_in_languages_pysbd_does_not_know() -> None:
    # Bengali: pysbd has no rules of its own and its English ones read only ". ! ?".
    line = "জেলার দুই আসনেই জয় পেয়েছিল তৃণমূল। তবে শহরে এগিয়ে ছিল বিজেপি। ফলাফল বদলে যায়।"
    assert [line[a:b] for a, b in split_sentences(line, "bn")] == [
        "জেলার দুই আসনেই জয় পেয়েছিল তৃণমূল।",
        "তবে শহরে এগিয়ে ছিল বিজেপি।",
        "ফলাফল বদলে যায়।",
    ]


@pytest.mark.parametrize(
    ("text", "language", "words"),
    [
        ("জেলার দুই আসনেই", "bn", 3),  # Bengali vowel signs are combining marks
        ("नगर परिषद ने नदी", "hi", 4),
        ("ผลดีเอ็นเอ ยืนยัน", "th", 2),
    ],
)
def test_a_word_keeps_its_vowel_signs(text: str, language: str, words: int) -> None:
    terms = analyze(text, language)
    assert len(terms) == words, terms  # not cut into letters at every vowel sign


def test_a_question_typed_decomposed_meets_the_articles_words(hash_library: Any) -> None:
    text = (
        "Der Bürgermeister von Grünstadt eröffnete am Montag die neue Brücke über den Fluss.\n"
        "Sie kostete vier Millionen Euro und verbindet zwei Stadtteile."
    )
    article = hash_library.add_text(text).article
    decomposed = unicodedata.normalize("NFD", "Welche Brücke eröffnete der Bürgermeister?")
    answer = hash_library.ask(decomposed)
    assert answer.question == unicodedata.normalize("NFC", answer.question)
    assert answer.hits and answer.hits[0].article.id == article.id


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("when did the crash happen", "when did the crash happen?"),
        ("When did the crash happen?", "When did the crash happen?"),
        ("  Wer  ist das  ", "Wer ist das?"),
        ("The bridge over the Kiel canal.", "The bridge over the Kiel canal."),
        ("反对党批评了什么？", "反对党批评了什么？"),
        ('Who said "no"', 'Who said "no"'),
    ],
)
def test_a_question_without_a_final_mark_is_read_with_one(typed: str, read: str) -> None:
    assert as_asked(typed) == read
