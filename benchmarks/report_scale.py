"""Section 3's scale table (benchmarks/scale.py's measurements, rendered from results.json):
adding and asking at 1k to 1M passages, start-up, memory and the approximate index's recall."""

from __future__ import annotations

from .common import Write
from .scale import RECALL_QUERIES


def report(w: Write, scale: dict) -> None:
    rows = scale["rows"]
    w("### Scale: adding and asking at 1k to 1M passages\n")
    w(
        "Each size in a fresh process, as the bot opens it (from its checkpoint where one was "
        "written): start-up to the first answer (imports, opening, model loading), RSS then, "
        "`Library.ask` latency, then three ordinary articles (~4,000 characters) added one by "
        "one: median time, bytes the process wrote (SQLite's WAL included), and peak memory "
        "above the resting level. Targets: add ≤ 1 s and ≤ 10 MB at every size, peak ≤ 300 MB "
        "above resting; ask p95 ≤ 40 ms at 100k and ≤ 60 ms at 1M; start-up ≤ 5 s and RSS ≤ "
        "1.5 GB at 1M. Recall@10: the approximate index's top 10 against exact search over the "
        f"stored vectors for {rows[-1].get('recall_questions', RECALL_QUERIES)} XQuAD questions "
        "(target ≥ 0.98; — where the index is exact).\n"
    )
    if "measured" in scale:  # measured apart from the rest of the run
        load = ", ".join(f"{x:.1f}" for x in scale["load"])
        w(
            f"*Measured in a separate run of this section on {scale['measured']} "
            f"({scale['seconds'] / 60:.0f} minutes, building those of its libraries not built in "
            "an earlier run included), on the 2 "
            f"cores this machine shares with other work: load average at the end {load}; "
            "every figure here is inflated by that load.*\n"
        )
    if "index_probe" in scale:  # benchmarks.ann_probe on one of these libraries
        w(
            "How the approximate index was chosen (`python -m benchmarks.ann_probe`, on the "
            "stored vectors of the scaled libraries, the latency questions; one thread, in the "
            "run the header names): recall@10 against exact search of the index's best 50, "
            "then of those re-ranked by the stored float16 vectors (what the library does), "
            "and the search's time.\n"
        )
        w(
            "| index | passages | recall@10 | re-ranked | ms p50 | ms p95 | built in (s) |\n"
            "|---|---:|---:|---:|---:|---:|---:|"
        )
        for p in scale["index_probe"]:
            w(
                f"| `{p['index']}` | {p['passages']:,} | {p['recall_at_10']:.3f} | "
                f"{p['recall_at_10_reranked']:.3f} | {p['ms_p50']:.1f} | {p['ms_p95']:.1f} | "
                f"{p['build_s']} |"
            )
        w("")
    if "hnsw_before" in scale:  # the index used before, measured in an earlier run
        h = scale["hnsw_before"]
        pairs = ", ".join(
            f"efSearch {ef}: {r:.3f} ({h['ms'][ef]:.1f} ms a query)"
            for ef, r in h["recall"].items()
        )
        w(
            f"Before (run of {h['measured']}): HNSW over 8-bit vectors (M 32, efConstruction "
            f"64) at 1M passages, recall@10 {pairs}; re-ranking its top 50 by the stored "
            "vectors added under a point (the graph misses neighbours of questions that lie "
            f"far from every passage); building that 1M library took {h['build_minutes']} "
            "minutes (distractors into SQLite, then the indexes made from it).\n"
        )
    w(
        "| passages | add (s) | add max (s) | written by an add (MB) | add peak above resting "
        "(MB) | ask p50 (ms) | ask p95 (ms) | start-up to first answer (s) | RSS (MB) | "
        "recall@10 |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for r in rows:
        recall = "—" if r["recall_at_10"] is None else f"{r['recall_at_10']:.3f}"
        w(
            f"| {r['passages']:,} | {r['add_s']:.2f} | {r['add_max_s']:.2f} | "
            f"{r['add_written_mb']:.1f} | {r['add_peak_mb']:.0f} | {r['p50_ms']:.0f} | "
            f"{r['p95_ms']:.0f} | {r['startup_s']:.1f} | {r['rss_mb']:.0f} | {recall} |"
        )
    w("")
    if scale.get("first_open"):
        opened = "; ".join(
            f"{o['passages']:,} passages: {o['seconds']:.0f} s (peak RSS {o['peak_rss_mb']:.0f} MB)"
            for o in scale["first_open"]
        )
        w(
            "A first open without a checkpoint (the indexes made from SQLite alone; a "
            f"checkpoint follows in the background): {opened}.\n"
        )
    if all("ask_parts_ms" in r for r in rows):
        names = list(rows[-1]["ask_parts_ms"])
        w(
            "Where the time goes, per ask (ms; embedding includes the quote embedding recency's "
            "same-claim check runs where it decides; answer selection includes loading the "
            "sentences of articles not yet cached, and the newer articles recency asks again) "
            "and in start-up (s: imports, the indexes loaded from the checkpoint, the "
            "first answer with the model's loading):\n"
        )
        w(
            f"| passages | {' | '.join(names)} | imports (s) | indexes (s) | first answer (s) |"
            f"\n|---:|{'---:|' * (len(names) + 3)}"
        )
        for r in rows:
            parts, start = r["ask_parts_ms"], r["startup_parts_s"]
            w(
                f"| {r['passages']:,} | {' | '.join(f'{parts.get(n, 0):.1f}' for n in names)} | "
                f"{start['imports']:.1f} | {start['indexes']:.1f} | {start['first_ask']:.1f} |"
            )
        w("")
