"""BENCHMARKS.md's answer sections: 1. answer quality on XQuAD (articlebot against LangChain's
top chunk, BM25 alone and dense alone) and 2. knowing when not to answer (the abstention
threshold against its target). Each writes its lines through `w`, as report.py passes it."""

from __future__ import annotations

from .abstention import TARGET_ABSTAINED, TARGET_ANSWERED
from .common import LANGUAGES, Write, pct
from .quality import SYSTEMS


def target_met(at_default: dict) -> bool:
    """Whether the abstention target holds at the shipped threshold."""
    return at_default["answered"] >= TARGET_ANSWERED and at_default["abstained"] >= TARGET_ABSTAINED


def quality_section(w: Write, q: dict, plot_dir: str, files: dict[str, str]) -> None:
    """## 1. Answer quality (XQuAD): the systems side by side, per language."""
    n_articles = q["en"]["articles"]
    w("## 1. Answer quality (XQuAD)\n")
    w(
        f"Each of the {n_articles} XQuAD articles per language is added as one article; every "
        f"question is asked ({q['en']['questions']} en, {q['de']['questions']} de).\n"
    )
    w("- **articlebot**: `Library.ask` — the quote shown (≤ 300 characters).")
    w(
        "- **LangChain top chunk**: `RecursiveCharacterTextSplitter(chunk_size=1000, "
        "chunk_overlap=200)`, `HuggingFaceEmbeddings` on the same bundled model, LangChain's "
        "`FAISS`; the top chunk is shown."
    )
    w(
        "- **BM25 alone** / **dense alone**: this project's BM25 index / FAISS index on its own; "
        "the top passage is shown.\n"
    )
    w(
        "`answer hit`: a gold answer string is inside what is shown; `… ≤300`: inside its first "
        "300 characters. `passage@k`: a passage (chunk) holding the gold answer span is among the "
        "first k. `shown`: mean characters shown (over answered questions).\n"
    )
    for language in LANGUAGES:
        rows = q[language]["systems"]
        w(
            f"**XQuAD-{language}** ({q[language]['passages']} passages; LangChain: "
            f"{q[language]['langchain_chunks']} chunks)\n"
        )
        w(
            "| system | answer hit | answer hit ≤300 | passage@1 | passage@3 | shown (chars) | "
            "abstained |\n|---|---:|---:|---:|---:|---:|---:|"
        )
        for s in SYSTEMS:
            r = rows[s]
            w(
                f"| {s} | {r['answer_hit']:.3f} | {r['answer_hit_300']:.3f} | "
                f"{r['passage_hit_1']:.3f} | {r['passage_hit_3']:.3f} | "
                f"{r['mean_shown_chars']:.0f} | {pct(r['abstain_rate'])} |"
            )
        w("")
    w(f"![answer quality]({plot_dir}/{files['quality']})\n")


def abstention_section(w: Write, a: dict, plot_dir: str, files: dict[str, str]) -> None:
    """## 2. Knowing when not to answer: the shipped threshold and the ones meeting the target."""
    w("## 2. Knowing when not to answer\n")
    w(
        "The even-numbered XQuAD articles are added, the questions of all are asked: a question is "
        "*answerable* when its article is in the library. The threshold on `Answer.confidence` is "
        "swept (the same answers, scored once); `answered correctly` also needs the gold answer in "
        f"the quote. Target: answer ≥ {pct(TARGET_ANSWERED)} of answerable questions while "
        f"abstaining on ≥ {pct(TARGET_ABSTAINED)} of unanswerable ones.\n"
    )
    default = a["default"]
    w(
        f"At the shipped default threshold **{default}** (`index.answer.product_config`: the "
        "reader on, as the CLI and the bot answer):\n"
    )
    w(
        "| language | answerable | unanswerable | answered (answerable) | answered correctly | "
        "abstained (unanswerable) | target met |\n|---|---:|---:|---:|---:|---:|---|"
    )
    for name in (*LANGUAGES, "both"):
        r = a[name]
        d = r["at_default"]
        w(
            f"| {name} | {r['answerable']} | {r['unanswerable']} | {pct(d['answered'])} | "
            f"{pct(d['answered_correctly'])} | {pct(d['abstained'])} | "
            f"{'**met**' if target_met(d) else '**not met**'} |"
        )
    w("")
    w(
        "Thresholds that would meet the target, and the one that abstains most while still "
        f"answering ≥ {pct(TARGET_ANSWERED)}:\n"
    )
    w("| language | thresholds meeting both | best threshold | answered | abstained |")
    w("|---|---|---:|---:|---:|")
    for name in (*LANGUAGES, "both"):
        r = a[name]
        span = f"{r['meeting'][0]:.2f} – {r['meeting'][1]:.2f}" if r["meeting"] else "none"
        b = r["best"]
        w(
            f"| {name} | {span} | {b['threshold']:.2f} | {pct(b['answered'])} | "
            f"{pct(b['abstained'])} |"
        )
    w("")
    w(f"![abstention]({plot_dir}/{files['abstention']})\n")
