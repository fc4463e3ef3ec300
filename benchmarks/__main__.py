"""`python -m benchmarks [--quick] [--out DIR]`: every benchmark in one run, then BENCHMARKS.md."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUICK_OUT = Path(tempfile.gettempdir()) / "articlebot-bench-quick"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small subset, for development")
    parser.add_argument(
        "--out",
        type=Path,
        help=f"where BENCHMARKS.md goes (default: repo root; --quick: {QUICK_OUT})",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="only rewrite BENCHMARKS.md and the plots from the last run's results.json",
    )
    args = parser.parse_args()
    for name, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("TOKENIZERS_PARALLELISM", "false"),
    ):
        os.environ.setdefault(name, value)
    import logging
    import warnings

    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    if args.render:
        render(args.quick, args.out)
    else:
        run(args.quick, args.out)


def _places(quick: bool, out: Path | None) -> tuple[Path, Path]:
    """(where BENCHMARKS.md goes, where the plots and results.json go)."""
    from .common import REPO

    out = out or (QUICK_OUT if quick else REPO)
    return out, (out / "plots") if quick else (REPO / "benchmarks" / "plots")


def write(results: dict, out: Path, plot_dir: Path) -> None:
    from . import report

    out.mkdir(parents=True, exist_ok=True)
    files = report.plots(results, plot_dir)
    relative = os.path.relpath(plot_dir, out)
    (out / "BENCHMARKS.md").write_text(report.markdown(results, relative, files), encoding="utf-8")


def render(quick: bool, out: Path | None) -> None:
    out, plot_dir = _places(quick, out)
    results = json.loads((plot_dir / "results.json").read_text(encoding="utf-8"))
    write(results, out, plot_dir)
    print(f"wrote {out / 'BENCHMARKS.md'} from {plot_dir / 'results.json'}")


def run(quick: bool, out: Path | None) -> None:
    from index.library import Library, LibraryConfig

    from . import abstention, botload, neardup, news, news_variants, quality, scale, speed, whole
    from .common import Plan, backend, log, machine, median
    from .corpus import build_base, build_scaled, sentence_pools
    from .pipeline_langchain import embeddings

    started = time.perf_counter()
    plan = Plan.make(quick)
    out, plot_dir = _places(quick, out)
    sections: dict[str, float] = {}
    results: dict = {"quick": quick, "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        probe = Library(LibraryConfig(work / "probe"))
        embedder = probe.embedder
        embedder.encode(["warm up"])
        embedder.encode_documents(["warm up"])  # the int8 copy for adding, made once here
        results["backend"] = backend(probe)
        log(f"embedding backend: {results['backend']}; plan: {plan}")
        lc_model = embeddings()

        def section(name: str, started_at: float) -> None:
            sections[name] = time.perf_counter() - started_at
            log(f"{name} done in {sections[name]:.0f} s")
            plot_dir.mkdir(parents=True, exist_ok=True)  # so far, in case a later section fails
            partial = dict(results, section_seconds=sections)
            (plot_dir / "results.partial.json").write_text(json.dumps(partial, indent=1))

        t = time.perf_counter()
        results["quality"] = quality.run(plan, embedder, lc_model)
        section("quality", t)

        t = time.perf_counter()
        results["abstention"] = abstention.run(plan, embedder)
        section("abstention", t)

        t = time.perf_counter()
        results["news"] = news.quality(embedder)
        results["news_scale"] = news.abstention_at_scale(plan, embedder, work)
        results["news_variants"] = news_variants.run(news.NEWS, embedder)
        section("news", t)

        t = time.perf_counter()
        results["add"] = speed.add_throughput(plan, embedder, lc_model)
        section("add throughput", t)

        t = time.perf_counter()
        base = work / "base"
        base_passages = build_base(base, plan, embedder)
        pools = sentence_pools(plan, embedder)
        questions = speed.latency_questions(plan)
        dirs: dict[int, Path] = {}
        results["latency"] = []
        for n in plan.scales:
            log(f"speed: building a library of {n:,} passages ({base_passages} real)")
            dirs[n] = work / f"lib-{n}"
            build_scaled(base, base_passages, dirs[n], n, pools, embedder)
            results["latency"].append(speed.ask_latency(dirs[n], embedder, questions))
            r = results["latency"][-1]
            log(f"speed: {n:,} passages: p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms")
        section("latency", t)

        t = time.perf_counter()  # agency copies: test set, detector cost, the add path's look-up
        scaled = dirs.get(100_000, dirs[plan.scales[-1]])
        results["neardup"] = neardup.run(quick, scaled, embedder)
        section("near-duplicates", t)

        t = time.perf_counter()
        results["scale"] = scale.run(
            plan, base, base_passages, pools, embedder, dirs, work, questions
        )
        section("scale", t)

        t = time.perf_counter()
        bot_dir = dirs.get(plan.startup_passages, dirs[plan.scales[-1]])
        results["bot"] = botload.run(bot_dir, embedder, questions, plan.bot_rounds, plan.bot_users)
        section("bot", t)

        t = time.perf_counter()
        small, large = dirs[plan.scales[0]], dirs[plan.scales[-1]]
        runs = [_child("memory", d, questions[0], work / "empty") for d in (small, large)]
        per = (runs[1]["delta_mb"] - runs[0]["delta_mb"]) / (
            runs[1]["passages"] - runs[0]["passages"]
        )
        results["memory"] = {"runs": runs, "per_100k_mb": per * 100_000}
        _child("startup", bot_dir, questions[0])  # untimed: a first start may prepare caches
        starts = []
        for _ in range(3):
            t0 = time.perf_counter()
            one = _child("startup", bot_dir, questions[0])
            one["wall_s"] = time.perf_counter() - t0
            starts.append(one)
        results["startup"] = {
            key: median([s[key] for s in starts])
            for key in ("import_s", "open_s", "model_s", "first_ask_s", "total_s", "wall_s")
        }
        results["startup"].update(passages=starts[0]["passages"], runs=len(starts))
        section("memory + start-up", t)

        t = time.perf_counter()
        results["whole"] = whole.run(plan, work / "probe" / "models", repeats=1 if quick else 3)
        section("whole process", t)
        probe.close()

    results["seconds"] = time.perf_counter() - started
    results["section_seconds"] = sections
    plot_dir.mkdir(parents=True, exist_ok=True)
    (plot_dir / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    (plot_dir / "results.partial.json").unlink(missing_ok=True)
    write(results, out, plot_dir)
    log(f"wrote {out / 'BENCHMARKS.md'} and {plot_dir}/ in {results['seconds'] / 60:.1f} min")


def _child(kind: str, directory: Path, question: str, scratch: Path | None = None) -> dict:
    """Run benchmarks.child in a fresh interpreter; its JSON result."""
    command = [sys.executable, "-m", "benchmarks.child", kind, str(directory), question]
    if scratch is not None:
        command.append(str(scratch))
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"benchmarks.child {kind} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
