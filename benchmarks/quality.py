"""Answer quality on XQuAD: this project (Library.ask, answering as the CLI and the bot do:
index.answer.product_config, the reader on) vs LangChain's top chunk, BM25 alone
(top passage) and dense alone (top FAISS passage), each with what the user would be shown."""

from __future__ import annotations

import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from index.answer import product_config
from index.embedder import Embedder
from index.evaluate import Question
from index.library import Library, LibraryConfig
from index.models import Passage

from .common import LANGUAGES, Plan, log, xquad
from .pipeline_langchain import LangChainPipeline

SHOWN_LIMIT = 300
SYSTEMS = ("articlebot", "LangChain top chunk", "BM25 alone", "dense alone")


@dataclass
class Tally:
    """Per system and language: answer hits, passage hits and what was shown."""

    questions: int = 0
    answer_hit: int = 0
    answer_hit_300: int = 0
    passage_hit_1: int = 0
    passage_hit_3: int = 0
    abstained: int = 0
    shown: list[int] = field(default_factory=list)

    def count(self, q: Question, shown: str | None, ranks: list[bool]) -> None:
        """`shown`: the text the user sees (None: abstained); `ranks`: gold span per rank."""
        self.questions += 1
        if shown is None:
            self.abstained += 1
        else:
            self.answer_hit += any(a in shown for a in q.answers)
            self.answer_hit_300 += any(a in shown[:SHOWN_LIMIT] for a in q.answers)
            self.shown.append(len(shown))
        self.passage_hit_1 += any(ranks[:1])
        self.passage_hit_3 += any(ranks[:3])

    def row(self) -> dict[str, float]:
        n = self.questions or 1
        return {
            "questions": self.questions,
            "answer_hit": self.answer_hit / n,
            "answer_hit_300": self.answer_hit_300 / n,
            "passage_hit_1": self.passage_hit_1 / n,
            "passage_hit_3": self.passage_hit_3 / n,
            "abstain_rate": self.abstained / n,
            "mean_shown_chars": statistics.fmean(self.shown) if self.shown else 0.0,
        }


def _covers(p: Passage, article_id: int, q: Question) -> bool:
    return p.article_id == article_id and p.start <= q.span[0] and q.span[1] <= p.end


def _top(library: Library, ranking: dict[int, float], k: int) -> list[Passage]:
    best = sorted(ranking, key=lambda pid: -ranking[pid])[:k]
    found = library.store.passages(best)
    return [found[pid] for pid in best if pid in found]


def run_language(language: str, plan: Plan, embedder: Embedder, lc_model: object) -> dict:
    articles, questions = xquad(language, plan)
    tallies = {name: Tally() for name in SYSTEMS}
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as tmp:
        library = Library(LibraryConfig(Path(tmp), answer=product_config()), embedder)
        ids = [
            library.add_text(text, title=title, source=f"xquad.{language}").article.id
            for title, text in tqdm(articles, desc=f"add xquad.{language}", leave=False)
        ]
        snapshot = library._current()  # the live indexes, for each retriever alone
        vectors = embedder.encode([q.question for q in questions])
        for q, vector in tqdm(
            list(zip(questions, vectors, strict=True)), desc=f"ask {language}", leave=False
        ):
            article_id = ids[q.article]
            answer = library.ask(q.question)
            ranks = [_covers(h.passage, article_id, q) for h in answer.hits]
            tallies["articlebot"].count(q, None if answer.abstained else answer.quote, ranks)
            for name, ranking in (
                ("BM25 alone", snapshot.lexical.search(q.question, 3)),
                ("dense alone", snapshot.vectors.search(vector, 3)),
            ):
                top = _top(library, ranking, 3)
                shown = top[0].text if top else None
                tallies[name].count(q, shown, [_covers(p, article_id, q) for p in top])
        passages = len(snapshot.vectors)
        library.close()
    pipeline = LangChainPipeline(articles, lc_model)
    found = pipeline.search_many([q.question for q in questions], 3)
    for q, chunks in zip(questions, found, strict=True):
        ranks = [
            c.article == q.article and c.start <= q.span[0] and q.span[1] <= c.start + len(c.text)
            for c in chunks
        ]
        tallies["LangChain top chunk"].count(q, chunks[0].text if chunks else None, ranks)
    return {
        "articles": len(articles),
        "questions": len(questions),
        "passages": passages,
        "langchain_chunks": len(pipeline.chunks),
        "systems": {name: t.row() for name, t in tallies.items()},
    }


def run(plan: Plan, embedder: Embedder, lc_model: object) -> dict:
    out = {}
    for language in LANGUAGES:
        log(f"quality: XQuAD-{language}")
        out[language] = run_language(language, plan, embedder, lc_model)
        mine = out[language]["systems"]["articlebot"]
        log(f"quality: {language} articlebot answer_hit {mine['answer_hit']:.3f}")
    return out
