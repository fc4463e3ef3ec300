"""Answer quality on real news pages, and knowing when not to answer as the library grows.

1. The news set in ../shared/datasets/news/ through `articlebot eval`'s code (index.evaluate_news):
   pages added by URL from a loopback server, every question asked as the CLI asks it.
2. Out-of-corpus abstention at 1k, 10k and 100k passages: XQuAD's even-numbered articles (en +
   de) are added, grown with synthetic distractors made only from *those* articles' sentences
   (so the odd-numbered articles' answers are nowhere in the library), and a sample of questions
   of both halves is asked at every size. A confidence judged on the chosen article and window
   alone should abstain as often at 100k passages as at 1k.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index.answer import product_config
from index.chunking import split_sentences
from index.embedder import Embedder
from index.evaluate_news import evaluate_news
from index.lexical import analyze
from index.library import Library, LibraryConfig

from .common import LANGUAGES, REPO, Plan, log, xquad
from .corpus import SentencePool, build_scaled

NEWS = REPO.parent / "shared" / "datasets" / "news" / "questions.json"
HELD_OUT = Path(__file__).with_name("heldout.md")  # by hand: the held-out sets are not in the repo
SAMPLE = 150  # questions per language and half (answerable / not) at each size


def quality(embedder: Embedder) -> dict:
    log("news: the 36 pages added by URL, every question asked")
    # As the CLI and the bot answer: with the reader (READER=1, the default).
    config = LibraryConfig(Path("unused"), answer=product_config())
    report = evaluate_news(NEWS, embedder=embedder, config=config)
    return report.to_dict(misses=True)


def abstention_at_scale(plan: Plan, embedder: Embedder, work: Path) -> dict:
    base = work / "half"
    library = Library(LibraryConfig(base), embedder)
    pools, asked = [], []
    rng = np.random.default_rng(7)
    for language in LANGUAGES:
        articles, questions = xquad(language, plan)
        sentences = []
        for number, (title, text) in enumerate(tqdm(articles, desc="half", leave=False)):
            if number % 2 == 0:
                library.add_text(text, title=title)
                sentences += [text[a:b] for a, b in split_sentences(text, language)]
        terms = [analyze(s, language) for s in sentences]
        pools.append(SentencePool(language, sentences, embedder.encode(sentences), terms))
        for half in (0, 1):
            own = [q for q in questions if q.article % 2 == half]
            picks = rng.choice(len(own), size=min(SAMPLE, len(own)), replace=False)
            asked += [(own[i], half == 0) for i in sorted(picks)]
    base_passages = library.stats().passages
    library.close()
    rows = []
    for size in plan.scales:
        target = work / f"half-{size}"
        if size > base_passages:
            build_scaled(base, base_passages, target, size, pools, embedder)
        else:
            shutil.copytree(base, target)
        rows.append(_ask_all(target, embedder, asked, size))
        shutil.rmtree(target, ignore_errors=True)
        log(
            f"abstention at {size:,} passages: answered {rows[-1]['answered']:.3f}, "
            f"abstained {rows[-1]['abstained']:.3f}"
        )
    config = product_config()
    return {
        "rows": rows,
        "sample": len(asked),
        "threshold": config.threshold,
        "per_decade": config.per_decade,
        "size_floor": config.size_floor,
    }


def _ask_all(directory: Path, embedder: Embedder, asked: list, size: int) -> dict:
    # As the CLI and the bot answer (the reader's weight), every confidence seen, then compared.
    never = replace(product_config(), threshold=-math.inf)
    library = Library(LibraryConfig(directory, answer=never), embedder)
    threshold = product_config().threshold
    answered = abstained = right = 0
    for q, answerable in tqdm(asked, desc=f"ask {size:,}", leave=False):
        answer = library.ask(q.question)
        passes = answer.confidence >= threshold
        if answerable:
            answered += passes
            right += passes and any(a in answer.quote for a in q.answers)
        else:
            abstained += not passes
    library.close()
    n_answerable = sum(a for _, a in asked)
    n_other = len(asked) - n_answerable
    return {
        "passages": size,
        "answered": answered / n_answerable,
        "answered_right": right / n_answerable,
        "abstained": abstained / n_other,
    }


def report(w, news: dict, scaled: dict | None) -> None:  # noqa: ANN001
    """The news section of BENCHMARKS.md."""
    w("## Answers on real news\n")
    w(
        "The 36 news pages of `../shared/datasets/news/` (18 de, 12 en, 6 in fr/es/it/pl/pt; "
        "144 questions, 16 out-of-corpus questions, 20 two-turn chats), each page served on "
        "127.0.0.1 and added by URL in a fresh library, every question asked as `articlebot "
        "ask` asks it (`articlebot eval ../shared/datasets/news/questions.json`). A question is "
        "answered when a gold string is inside the quote shown. Nothing in the answer "
        "selection was fitted to this set: its feature weights are learned on XQuAD "
        "(`python -m benchmarks.ranker`); the threshold was chosen on this set together with "
        "XQuAD's half library.\n"
    )
    by = news["answer_hit_by_language"]
    others = [k for k in by if k not in ("de", "en")]
    rows = [
        ("answer_hit, all", f"{news['answer_hit']:.3f}", "≥ 0.80"),
        ("answer_hit de / en", f"{by.get('de', 0):.3f} / {by.get('en', 0):.3f}", "≥ 0.75 each"),
        ("right article first", f"{news['article_first']:.3f}", "≥ 0.94"),
        ('"not found", answerable questions', f"{news['abstained_answerable']:.3f}", "≤ 0.08"),
        (
            '"not found", out-of-corpus questions',
            f"{news['out_of_corpus_not_found']:.3f}",
            "≥ 0.85",
        ),
        (
            "chats: follow-ups / new topics right",
            f"{news['follow_ups']} / {news['new_topics']}",
            "9/10, 10/10",
        ),
        (
            "quote length mean / max",
            f"{news['mean_quote_chars']:.0f} / {news['max_quote_chars']}",
            "≤ 300",
        ),
        (
            "latency p50 / p95 (ms)",
            f"{news['latency_p50_ms']:.0f} / {news['latency_p95_ms']:.0f}",
            "",
        ),
    ]
    if others:
        rows.insert(
            2, (f"answer_hit {', '.join(others)}", ", ".join(f"{by[k]:.2f}" for k in others), "")
        )
    w("| | figure | target |\n|---|---:|---|")
    for name, figure, target in rows:
        w(f"| {name} | {figure} | {target} |")
    w("")
    if HELD_OUT.is_file():  # the held-out sets' figures, kept by hand (they are not in the repo)
        w(HELD_OUT.read_text(encoding="utf-8").split("-->", 1)[-1].strip() + "\n")
    if scaled:
        w("### Out-of-corpus abstention as the library grows\n")
        w(
            "XQuAD's even-numbered articles (en + de) grown with distractors made only from "
            "their own sentences; a sample of "
            f"{scaled['sample']} questions, half about the added articles, half about the "
            f"missing ones, at the shipped threshold {scaled['threshold']}"
            + (
                f", the confidence {scaled['per_decade']} less per tenfold of passages beyond "
                f"{scaled['size_floor']:,} (`AnswerConfig.per_decade`)"
                if scaled.get("per_decade")
                else ""
            )
            + ". Target: the share of out-of-corpus questions abstained on within 5 points from "
            "1k to 100k passages.\n"
        )
        w("| passages | answered (answerable) | … gold in the quote | abstained (out of corpus) |")
        w("|---:|---:|---:|---:|")
        for r in scaled["rows"]:
            w(
                f"| {r['passages']:,} | {r['answered']:.3f} | {r['answered_right']:.3f} | "
                f"{r['abstained']:.3f} |"
            )
        rows = scaled["rows"]
        drift = 100 * (rows[0]["abstained"] - rows[-1]["abstained"])
        w(
            f"\nFrom {rows[0]['passages']:,} to {rows[-1]['passages']:,} passages: "
            f"{drift:.1f} points ({'met' if abs(drift) <= 5 else 'not met'}).\n"
        )
