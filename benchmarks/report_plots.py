"""The PNG plots BENCHMARKS.md shows (matplotlib, Agg): answer quality, abstention curve,
question latency by library size, add throughput; one function a plot."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .abstention import TARGET_ABSTAINED, TARGET_ANSWERED  # noqa: E402
from .common import LANGUAGES  # noqa: E402
from .quality import SYSTEMS  # noqa: E402


def plots(results: dict, directory: Path) -> dict[str, str]:
    """Writes the PNGs; returns {name: file name}."""
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "quality": _quality(results["quality"], directory),
        "abstention": _abstention(results["abstention"], directory),
        "latency": _latency(results["latency"], directory),
        "add": _add(results["add"], directory),
    }


def _save(fig: Figure, directory: Path, name: str) -> str:
    fig.savefig(directory / name, dpi=110)
    plt.close(fig)
    return name


def _quality(quality: dict, directory: Path) -> str:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, language in zip(axes, LANGUAGES, strict=True):
        rows = quality[language]["systems"]
        x = range(len(SYSTEMS))
        ax.bar(
            [i - 0.2 for i in x],
            [rows[s]["answer_hit"] for s in SYSTEMS],
            0.4,
            label="answer in what is shown",
        )
        ax.bar(
            [i + 0.2 for i in x],
            [rows[s]["answer_hit_300"] for s in SYSTEMS],
            0.4,
            label="answer in the first 300 chars shown",
        )
        ax.set_xticks(list(x), [s.replace(" ", "\n", 1) for s in SYSTEMS], fontsize=8)
        ax.set_title(f"XQuAD-{language}")
        ax.set_ylim(0, 1)
    axes[0].set_ylabel("share of questions")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="upper center", ncol=2)
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    return _save(fig, directory, "quality.png")


def _abstention(a: dict, directory: Path) -> str:
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for language, style in (("en", "-"), ("de", "--")):
        curve = a[language]["curve"]
        for key, color, series in (
            ("answered", "tab:blue", "answered, answerable"),
            ("abstained", "tab:orange", "abstained, unanswerable"),
        ):
            ax.plot(
                curve["threshold"], curve[key], style, color=color, label=f"{series} ({language})"
            )
    ax.axvline(a["default"], color="gray", linestyle=":", label=f"shipped default {a['default']}")
    ax.axhline(TARGET_ANSWERED, color="tab:blue", alpha=0.3)
    ax.axhline(TARGET_ABSTAINED, color="tab:orange", alpha=0.3)
    ax.set_xlabel("abstention threshold (Answer.confidence)")
    ax.set_ylabel("share of questions")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return _save(fig, directory, "abstention.png")


def _latency(lat: list[dict], directory: Path) -> str:
    fig, ax = plt.subplots(figsize=(6, 4))
    n = [r["passages"] for r in lat]
    ax.plot(n, [r["p50_ms"] for r in lat], "o-", label="p50")
    ax.plot(n, [r["p95_ms"] for r in lat], "s--", label="p95")
    ax.set_xscale("log")
    ax.set_xlabel("passages in the library")
    ax.set_ylabel("Library.ask latency (ms)")
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    return _save(fig, directory, "latency.png")


def _add(add: dict, directory: Path) -> str:
    names = ["articlebot", "ceiling", "LangChain"]
    labels = ["articlebot add", "bare encode\n(ceiling)", "LangChain\nsplit+embed+FAISS"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    axes[0].bar(labels, [add[k]["passages_per_s"] for k in names])
    axes[0].set_ylabel("passages (chunks) / s")
    axes[1].bar(labels, [add[k]["kchars_per_s"] for k in names], color="tab:green")
    axes[1].set_ylabel("thousand article characters / s")
    for ax in axes:
        ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    return _save(fig, directory, "add_throughput.png")
