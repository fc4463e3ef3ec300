"""BENCHMARKS.md's section 3, speed: the whole process against LangChain, adding throughput,
question latency by library size (then the scale section, scale.py's), the bot under load,
memory and start-up. Each part writes its lines through `w`, as report.py passes it."""

from __future__ import annotations

from .common import Write, pct


def per_100k(memory: dict) -> float:
    """MB per 100k passages: the largest library's RSS delta, scaled to 100k."""
    large = max(memory["runs"], key=lambda r: r["passages"])
    return large["delta_mb"] * 100_000 / large["passages"]


def speed_section(w: Write, results: dict, plot_dir: str, files: dict[str, str]) -> None:
    """## 3. Speed, with the scale section (when measured) after the latency table."""
    w("## 3. Speed\n")
    if "whole" in results:
        _whole(w, results["whole"])
    _adding(w, results["add"], plot_dir, files)
    _latency(w, results["latency"], plot_dir, files)
    if "scale" in results:
        from .report_scale import report as scale_report

        scale_report(w, results["scale"])
    _bot(w, results["bot"])
    _memory_and_startup(w, results["memory"], results["startup"], results["backend"])


def _whole(w: Write, whole: dict) -> None:
    ours, lc = whole["articlebot"], whole["langchain"]
    w("### Whole process: add XQuAD-en and ask all its questions\n")
    w(
        f"A fresh process each, wall time from spawn to exit (imports and model loading "
        f"included); {ours['questions']} questions; median of {ours['runs']} run(s). "
        "articlebot adds article by article (as `articlebot add` does) and answers the questions "
        "with `Library.ask_many` (embedded in batches, as `articlebot ask` does with piped "
        "questions); LangChain splits, embeds and builds its FAISS store in one go and embeds the "
        "questions in one batch. Neither pays a one-time preparation (articlebot's ONNX export "
        "is made before the timing, as on any second start). "
        "Target: articlebot at most half LangChain's time.\n"
    )
    w("| system | wall (s) | setup (s) | add (s) | ask all (s) | answer hit (as shown) |")
    w("|---|---:|---:|---:|---:|---:|")
    for name, r in (("articlebot", ours), ("LangChain top chunk", lc)):
        w(
            f"| {name} | {r['wall_s']:.1f} | {r['setup_s']:.1f} | {r['add_s']:.1f} | "
            f"{r['ask_s']:.1f} | {r['answer_hit']:.3f} |"
        )
    verdict = "met" if whole["ratio"] <= 0.5 else "not met"
    w(f"\narticlebot takes **{whole['ratio']:.2f}×** LangChain's wall time ({verdict}).\n")


def _adding(w: Write, add: dict, plot_dir: str, files: dict[str, str]) -> None:
    w("### Adding\n")
    w(
        f"The same {add['articles']} XQuAD-en articles ({add['chars'] / 1000:.0f}k characters), "
        f"three ways in each of {add['repeats']} repeat(s), side by side; medians. "
        "`articlebot add`: `Library.add_text` per article (language detection, sentence split, "
        "embedding, SQLite, FAISS + BM25 written to disk with fsync). `bare encode`: the model's "
        "`encode` on the same passage texts in one call (batch 64), on the model the library adds "
        "with (the int8 copy by default, see `EMBEDDING_INT8`) — the ceiling. `LangChain`: "
        "split + embed + `FAISS.from_documents` (model loading excluded for all).\n"
    )
    w("| pipeline | passages (chunks) | seconds | passages/s | k chars/s |")
    w("|---|---:|---:|---:|---:|")
    for key, label in (
        ("articlebot", "articlebot add"),
        ("ceiling", "bare encode (ceiling)"),
        ("LangChain", "LangChain split+embed+FAISS"),
    ):
        r = add[key]
        w(
            f"| {label} | {r['passages']} | {r['seconds']:.1f} | {r['passages_per_s']:.1f} | "
            f"{r['kchars_per_s']:.1f} |"
        )
    w("")
    w(
        f"articlebot's add runs at **{pct(add['ratio_to_ceiling'])}** of the bare-encode ceiling "
        f"and takes **{1 / add['ratio_to_langchain_chars']:.2f}×** LangChain's time for the same "
        "articles (per-repeat ratios, median).\n"
    )
    w(f"![add throughput]({plot_dir}/{files['add']})\n")


def _latency(w: Write, latency: list[dict], plot_dir: str, files: dict[str, str]) -> None:
    w("### Question latency by library size\n")
    w(
        "In-process `Library.ask` (question embedding + hybrid search + answer selection with "
        "the reader, as the CLI and the bot answer: `READER=0` leaves the reader's ~0.15–0.2 s "
        "out), "
        "XQuAD questions half en, half de, after 5 warm-up questions. **The libraries are scaled "
        "with synthetic distractors**: the real XQuAD articles (en + de) are added normally; the "
        "remaining passages are 3–7 sentences drawn at random from the XQuAD texts, written "
        "straight into SQLite/FAISS/BM25 by a benchmark-only helper, with the normalized mean of "
        "their sentences' embeddings as vector and those sentence embeddings stored as an add "
        "stores them (embedding 100k passages would take hours on 2 cores). Being made of real "
        "sentences, distractors compete with the real passages in both retrievers. Sentence "
        "vectors are computed when a passage is added and read from SQLite when answering, so a "
        "question costs one embedding (its own) whatever it touches.\n"
    )
    w("| passages | questions | p50 (ms) | p95 (ms) | mean (ms) | question embedding p50 (ms) |")
    w("|---:|---:|---:|---:|---:|---:|")
    for r in latency:
        w(
            f"| {r['passages']:,} | {r['questions']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['mean_ms']:.0f} | {r['encode_p50_ms']:.1f} |"
        )
    w("")
    w(f"![latency]({plot_dir}/{files['latency']})\n")


def _bot(w: Write, b: dict) -> None:
    w("### Bot latency under load\n")
    w(
        f"The real bot (`build_application`, long polling over HTTP) against the tests' fake Bot "
        f"API server on 127.0.0.1 (`tests/fakes_telegram.py`), library of {b['passages']:,} "
        f"passages. {b['users']} users send a question at the same moment, {b['rounds']} rounds "
        "(new users each round). Latency: from the update being queued at the server to the "
        "bot's `sendMessage` reaching it.\n"
    )
    w("| users at once | replies | p50 (ms) | p95 (ms) | max (ms) |\n|---:|---:|---:|---:|---:|")
    w(
        f"| {b['users']} | {b['replies']} | {b['p50_ms']:.0f} | {b['p95_ms']:.0f} | "
        f"{b['max_ms']:.0f} |\n"
    )


def _memory_and_startup(w: Write, mem: dict, st: dict, backend: str) -> None:
    w("### Memory and start-up\n")
    w(
        "Resident memory (psutil RSS) of a fresh process before and after opening a library and "
        "answering one question, the model already loaded:\n"
    )
    w("| passages | RSS before (MB) | RSS after (MB) | delta (MB) |\n|---:|---:|---:|---:|")
    for r in mem["runs"]:
        w(
            f"| {r['passages']:,} | {r['rss_before_mb']:.0f} | {r['rss_after_mb']:.0f} | "
            f"{r['delta_mb']:.0f} |"
        )
    w("")
    w(
        f"**≈ {per_100k(mem):.0f} MB per 100k passages** (the largest library's delta, scaled to "
        "100k; FAISS alone holds 100k × 384 float32 = 147 MB). The smallest library's delta shows "
        "how noisy a single RSS reading is here (the runtime's allocator returns or keeps memory "
        f"between readings); the two-library difference gives {mem['per_100k_mb']:.0f} MB.\n"
    )
    w(
        f"Start-up to the first answer with {st['passages']:,} passages: a fresh process opens "
        f"the library, loads the model ({backend}) and answers one question; median "
        f"of {st['runs']} starts. With the ONNX backend the very first start in a data directory "
        "also exports the model to `DATA_DIR/models` (cached afterwards), which is not counted "
        "here.\n"
    )
    w(
        "| imports | open library (FAISS + BM25) | load model | first ask | total in-process | "
        "process spawn to exit |\n|---:|---:|---:|---:|---:|---:|"
    )
    w(
        f"| {st['import_s']:.2f} s | {st['open_s']:.2f} s | {st['model_s']:.2f} s | "
        f"{st['first_ask_s']:.2f} s | **{st['total_s']:.2f} s** | {st['wall_s']:.2f} s |\n"
    )
