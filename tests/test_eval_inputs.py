"""`articlebot eval`'s input files (found in review): SQuAD 2.0's unanswerable questions are
scored, a wrong-shaped SQuAD or news file is one `articlebot: error:` line naming the item (and a
news file is checked before any page is added), page file names are URL-quoted, and a CSV's error
names the file's line, not the record's number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import cli, evaluate_news
from index.embedder import HashEmbedder
from index.errors import BadInput
from index.evaluate import load_squad

CONTEXT = (
    "The council approved a new bridge over the river. It will cost 40 million euros and open "
    "in 2027."
)
PAGE = (
    "<html><head><title>Bridge approved</title></head><body><article><h1>Bridge approved</h1>"
    f"<p>{CONTEXT}</p><p>The mayor said the bridge was needed for the growing town. Work starts "
    "next spring and ends in two years.</p></article></body></html>"
)


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "index.library.SentenceTransformerEmbedder", lambda name, **options: HashEmbedder()
    )


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv), environ={"READER": "0"})
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(code: int, err: str, *parts: str) -> None:
    assert code == 2 and err.startswith("articlebot: error: "), (code, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    for part in parts:
        assert part in err, err


def squad(qas: list) -> dict:
    return {"data": [{"title": "Bridge", "paragraphs": [{"context": CONTEXT, "qas": qas}]}]}


COST = {"id": "1", "question": "What will it cost?", "answers": [{"text": "40 million euros"}]}
COST["answers"][0]["answer_start"] = CONTEXT.index("40 million euros")


# SQuAD JSON


def test_squad2_unanswerable_questions_are_scored_as_unanswerable(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    impossible = {"id": "2", "question": "Who won the cup?", "answers": [], "is_impossible": True}
    path = tmp_path / "squad2.json"
    path.write_text(json.dumps(squad([COST, impossible])), encoding="utf-8")
    _, questions = load_squad(path)
    assert [(q.answers, q.span) for q in questions][1] == ((), None)
    code, out, err = run(capsys, "eval", str(path), "--json", "--data-dir", str(tmp_path / "d"))
    assert code == 0, err
    report = json.loads(out)
    assert report["questions"] == 1 and report["unanswerable"] == 1
    assert 0.0 <= report["unanswerable_not_found"] <= 1.0


def test_squad_misses_are_listed_with_misses_and_only_then(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    # Marked unanswerable, but worded like the text: it is answered, so it is a miss.
    worded = "Did the council approve a new bridge over the river?"
    impossible = {"id": "2", "question": worded, "answers": [], "is_impossible": True}
    year = {"id": "3", "question": "When will it open?", "answers": [{"text": "2027"}]}
    year["answers"][0]["answer_start"] = CONTEXT.index("2027")
    path = tmp_path / "squad2.json"
    path.write_text(json.dumps(squad([COST, impossible, year])), encoding="utf-8")
    base = ("eval", str(path), "--json", "--data-dir", str(tmp_path / "d"))
    code, out, err = run(capsys, *base)
    assert code == 0, err
    assert "misses" not in json.loads(out)
    code, out, err = run(capsys, *base, "--misses")
    assert code == 0, err
    report = json.loads(out)
    wrong = round(report["questions"] * (1 - report["answer_hit"]))
    wrong += round(report["unanswerable"] * (1 - report["unanswerable_not_found"]))
    assert len(report["misses"]) == wrong >= 1
    for miss in report["misses"]:
        assert miss["id"] in {"1", "2", "3"} and miss["gold_article"] == "Bridge"
        gold = {"1": ["40 million euros"], "2": [], "3": ["2027"]}[miss["id"]]
        assert miss["expected"] == gold
        assert miss["abstained"] or not gold or not any(g in miss["quote"] for g in gold)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("[1, 2]", "neither SQuAD JSON (no 'data') nor the news format"),
        ('{"version": "1.1"}', "neither SQuAD JSON (no 'data') nor the news format"),
        ('{"pages": {"file": "a.html"}}', "'pages' must be a list"),
        ('{"data": {"title": "x"}}', "needs 'data' as a list"),
        ('{"data": [{"title": "x", "paragraphs": [{"qas": []}]}]}', "needs 'context'"),
        (json.dumps(squad([{"id": "1", "question": "What?", "answers": [{"text": "40"}]}])),
         "qas[0], answers[0] needs 'answer_start'"),
        (json.dumps(squad([{"id": "1", "question": "What?"}])), "qas[0] needs 'answers'"),
        (json.dumps(squad([{"id": "1", "answers": []}])), "qas[0] needs 'question'"),
    ],
)  # fmt: skip
def test_wrong_shaped_squad_json_is_one_error_line_saying_where(
    tmp_path: Path,
    capsys,  # noqa: ANN001
    content: str,
    says: str,
) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadInput):
        load_squad(path)
    code, _, err = run(capsys, "eval", str(path), "--data-dir", str(tmp_path / "d"))
    one_error_line(code, err, says)


# The news format


def news_set(tmp_path: Path, data: dict, name: str = "a.html") -> Path:
    folder = tmp_path / "set"
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / name).write_text(PAGE, encoding="utf-8")
    path = folder / "questions.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def page(**question: object) -> dict:
    return {"file": "a.html", "language": "en", "questions": [question]}


GOOD_TURN = {"q": "What will the bridge cost?", "answers": ["40"], "file": "a.html"}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"pages": [{"language": "en", "questions": []}]}, "pages[0] needs 'file'"),
        ({"pages": [{"file": 7}]}, "pages[0] needs 'file'"),
        ({"pages": [{"file": "b.html"}]}, "pages[0]: no such file"),
        ({"pages": [{"file": "../questions.json"}]}, "pages[0]: no such file"),
        ({"pages": [page(q="What?", answers=None)]}, "questions[0] needs 'answers'"),
        ({"pages": [page(q="What?", answers="Zürich")]}, "questions[0] needs 'answers'"),
        ({"pages": [page(q="What?", answers=[40])]}, "questions[0] needs 'answers'"),
        ({"pages": [page(question="What?", answers=["40"])]}, "questions[0] needs 'q'"),
        ({"pages": [page(q=42, answers=["40"])]}, "questions[0] needs 'q'"),
        ({"pages": [{"file": "a.html", "questions": {}}]}, "pages[0] needs 'questions'"),
        ({"pages": [], "out_of_corpus": [{"question": "Who?"}]}, "out_of_corpus[0] needs 'q'"),
        ({"pages": [], "out_of_corpus": ["Who?"]}, "out_of_corpus[0] is not an object"),
        ({"pages": [], "chats": [{"turns": [GOOD_TURN]}]}, "chats[0] needs 'follow_up'"),
        ({"pages": [], "chats": [{"turns": [GOOD_TURN], "follow_up": "yes"}]}, "'follow_up'"),
        ({"pages": [], "chats": [{"follow_up": True}]}, "chats[0] needs 'turns'"),
        ({"pages": [], "chats": [{"turns": [{"q": "Who?"}], "follow_up": True}]},
         "chats[0], turns[0] needs 'answers'"),
    ],
)  # fmt: skip
def test_wrong_shaped_news_set_is_refused_before_any_page_is_added(
    tmp_path: Path,
    capsys,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
    data: dict,
    says: str,
) -> None:
    path = news_set(tmp_path, data)
    with pytest.raises(BadInput):
        evaluate_news.load(path)
    added: list[str] = []
    monkeypatch.setattr("index.library.Library.add_url", lambda self, url: added.append(url))
    code, _, err = run(capsys, "eval", str(path), "--data-dir", str(tmp_path / "d"))
    one_error_line(code, err, str(path), says)
    assert added == []


@pytest.mark.parametrize("name", ["report #1.html", "what?.html"])
def test_news_page_file_names_are_url_quoted(tmp_path: Path, capsys, name: str) -> None:  # noqa: ANN001
    question = {"q": "What will the new bridge cost?", "answers": ["40 million"]}
    data = {"pages": [{"file": name, "language": "en", "questions": [question]}]}
    path = news_set(tmp_path, data, name)
    code, out, err = run(capsys, "eval", str(path), "--json", "--data-dir", str(tmp_path / "d"))
    assert code == 0, err
    assert json.loads(out)["pages"] == 1


# CSV


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("question,answers\nWhat will it cost?,40\n\nWho approved it?,council\n,nothing\n", 5),
        ('question,answers\n"What will the\nbridge cost?",40\n,nothing\n', 4),
    ],
)
def test_csv_errors_name_the_line_of_the_file(tmp_path: Path, content: str, line: int) -> None:
    from index.evaluate_csv import load

    path = tmp_path / "q.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        load(path)
    assert str(caught.value) == f"{path}, line {line}: the question is empty"
