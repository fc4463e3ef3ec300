"""Agency copies: precision and recall of index.neardup on a test set built from real pages, and
its cost per add in a library of ~10k articles (~100k passages).

`python -m benchmarks.neardup [--quick] [--json FILE]`

The test set. Base articles: the 36 news pages of shared/datasets/news (extracted as the library
extracts them), the 2 x 48 XQuAD articles and the seed agency report. Positives: for each base
article, the copies an outlet makes of an agency report (a dateline and boilerplate added, the
end cut, a paragraph removed or added, the lead rewritten and light edits, and all of these at
once); the base is stored, the copy is added and must be found. Negatives, which must not be
merged: every other base article; different reports of the same event written for this set
(tests/fixtures/same_event.json, both directions); an outlet's own report that quotes one paragraph
of the agency's; the two halves of one XQuAD article (same topic, different text); and the
agency's update of a report with a changed figure (merging it would hide the newer figure).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index import neardup

from .neardup_cases import SEED, Base, Case, bases, cases, halves, same_event_cases, sentences

SWEEP = (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


# -- measuring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    case: Case
    candidates: list[tuple[str, neardup.Match]]  # every LSH candidate (name, match)


def run_cases(stored: list[Base], queries: list[Case]) -> list[Outcome]:
    names = [b.name for b in stored]
    detector = neardup.Detector()
    for n, base in enumerate(stored):
        detector.add(n, neardup.signature(base.text))
    out = []
    for case in queries:
        found = [
            (names[m.article_id], m) for m in detector.candidates(neardup.signature(case.query))
        ]
        found = [(name, m) for name, m in found if name != case.origin]
        out.append(Outcome(case, found))
    return out


def score(outcomes: list[Outcome], containment: float, *, numbers: bool = True) -> dict:
    """Counts at one threshold: a candidate is merged when its containment reaches
    `containment` (and, with `numbers`, the two do not disagree on numbers)."""
    tp = fn = fp = 0
    per_kind: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        merged = {
            name
            for name, m in outcome.candidates
            if m.containment >= containment and not (numbers and m.figure_changed)
        }
        kind = per_kind.setdefault(outcome.case.kind, {"cases": 0, "found": 0, "false merges": 0})
        kind["cases"] += 1
        right = outcome.case.positive and outcome.case.stored in merged
        wrong = len(merged - {outcome.case.stored}) + (
            0 if outcome.case.positive else int(outcome.case.stored in merged)
        )
        tp += right
        fn += outcome.case.positive and not right
        fp += wrong
        kind["found"] += right
        kind["false merges"] += wrong
    return {
        "threshold": containment,
        "number_check": numbers,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "per_kind": per_kind,
    }


def closest(outcomes: list[Outcome], *, positive: bool) -> dict[str, float]:
    """Per class: the highest containment of a negative (figure changes aside), or the lowest
    of a positive's original: how far each class is from the threshold."""
    out: dict[str, float] = {}
    for o in outcomes:
        if o.case.positive != positive:
            continue
        if positive:
            found = [m.containment for n, m in o.candidates if n == o.case.stored] or [0.0]
            value = min(out.get(o.case.kind, 1.0), max(found))
        else:
            found = [m.containment for _, m in o.candidates if not m.figure_changed] or [0.0]
            value = max(out.get(o.case.kind, 0.0), max(found))
        out[o.case.kind] = round(value, 3)
    return out


def quality(rng: random.Random) -> dict:
    all_bases = bases()
    outcomes = run_cases(all_bases, cases(all_bases, rng))
    outcomes += run_cases(
        all_bases, [Case("different article", False, b.text, "", b.name) for b in all_bases]
    )
    event_bases, event_cases = same_event_cases()
    outcomes += run_cases(event_bases, event_cases)
    half_bases, half_cases = halves(all_bases)
    outcomes += run_cases(half_bases, half_cases)
    sweep = [score(outcomes, c) for c in SWEEP]
    return {
        "closest_negative": closest(outcomes, positive=False),
        "farthest_positive": closest(outcomes, positive=True),
        "bases": len(all_bases),
        "positives": sum(o.case.positive for o in outcomes),
        "negatives": sum(not o.case.positive for o in outcomes),
        "chosen": score(outcomes, neardup.CONTAINMENT),
        "without_number_check": score(outcomes, neardup.CONTAINMENT, numbers=False),
        "sweep": [{k: v for k, v in s.items() if k != "per_kind"} for s in sweep],
    }


def synthetic(sentences: list[str], rng: random.Random, words: int = 450) -> str:
    """An article of about `words` words: XQuAD sentences drawn at random (~10 passages)."""
    picked, count = [], 0
    while count < words:
        sentence = rng.choice(sentences)
        picked.append(sentence)
        count += len(sentence.split())
    return " ".join(picked)


def cost(articles: int, rng: random.Random, adds: int = 200) -> dict:
    """Cost per add with `articles` stored: signature + query + insert of one new article;
    the detector's build time from stored signature bytes (startup) and its memory."""
    pool = [
        s
        for b in bases()
        if b.name.startswith("xquad.")
        for p in b.paragraphs
        for s in sentences(p)
    ]
    texts = [synthetic(pool, rng) for _ in range(articles)]
    started = time.perf_counter()
    stored = [neardup.signature(t).to_bytes() for t in texts]
    sign_s = (time.perf_counter() - started) / articles
    started = time.perf_counter()
    detector = neardup.Detector.from_signatures(enumerate(stored))
    build_s = time.perf_counter() - started
    tracemalloc.start()  # memory measured on a second build: tracing slows allocation down
    again = neardup.Detector.from_signatures(enumerate(stored))
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del again
    sign, query, insert = [], [], []
    for n in range(adds):
        text = synthetic(pool, rng)
        t0 = time.perf_counter()
        sig = neardup.signature(text)
        t1 = time.perf_counter()
        detector.query(sig)
        t2 = time.perf_counter()
        detector.add(articles + n, sig)
        t3 = time.perf_counter()
        sign.append(t1 - t0)
        query.append(t2 - t1)
        insert.append(t3 - t2)
    return {
        "articles": articles,
        "words_per_article": statistics.median(len(t.split()) for t in texts),
        "signature_bytes": len(stored[0]),
        "signature_ms": 1000 * statistics.median(sign),
        "query_ms": 1000 * statistics.median(query),
        "insert_ms": 1000 * statistics.median(insert),
        "add_ms": 1000
        * statistics.median(a + b + c for a, b, c in zip(sign, query, insert, strict=True)),
        "build_from_bytes_s": build_s,
        "signing_all_s": sign_s * articles,
        "memory_mb": memory / 1e6,
    }


def library_cost(directory: Path, embedder: object, rng: random.Random, adds: int = 50) -> dict:
    """The look-up as the add path runs it (`backend.find_copy`: the detector made from the
    stored signatures on first use, then the change log applied and the scan), in a library of
    `directory` (the speed benchmark's, with a signature for every article)."""
    from index.library import Library, LibraryConfig

    pool = [s for b in bases() if b.name.startswith("xquad.") for p in b.paragraphs
            for s in sentences(p)]  # fmt: skip
    library = Library(LibraryConfig(directory), embedder)  # type: ignore[arg-type]
    try:
        stats = library.stats()
        t0 = time.perf_counter()
        library.backend.find_copy(neardup.signature(synthetic(pool, rng)))
        first = time.perf_counter() - t0
        each = []
        for _ in range(adds):
            text = synthetic(pool, rng)
            t0 = time.perf_counter()
            library.backend.find_copy(neardup.signature(text))
            each.append(time.perf_counter() - t0)
        return {
            "passages": stats.passages,
            "articles": stats.articles,
            "first_lookup_s": first,
            "lookup_ms": 1000 * statistics.median(each),
        }
    finally:
        library.close()


def run(quick: bool, directory: Path | None = None, embedder: object = None) -> dict:
    """For `python -m benchmarks`: quality on the test set, the detector's cost at 1k (quick)
    or 10k articles of ~450 words (~100k passages), and the add path's look-up in `directory`."""
    results = {
        "quality": quality(random.Random(SEED)),
        "cost": cost(1_000 if quick else 10_000, random.Random(SEED)),
    }
    if directory is not None:
        results["library"] = library_cost(directory, embedder, random.Random(SEED + 1))
    return results


def report(w: Callable[[str], None], r: dict) -> None:
    """The BENCHMARKS.md section."""
    chosen, loose, c = r["quality"]["chosen"], r["quality"]["without_number_check"], r["cost"]
    w("## 4. Agency copies (near-duplicates)\n")
    if r.get("note"):
        w(r["note"] + "\n")
    w(
        f"`index/neardup.py` on a test set built from real pages (`benchmarks/neardup.py`): "
        f"{r['quality']['bases']} base articles (the news dev set's pages, XQuAD, the seed), "
        f"{r['quality']['positives']} copies an outlet makes of an agency report (dateline and "
        "boilerplate, the end cut, a paragraph removed or added, light edits, all at once) that "
        f"must be found, and {r['quality']['negatives']} texts that must not be merged (every "
        "other article, different reports of the same event, an own report quoting one "
        "paragraph, the other half of an article, an update with a changed figure). A copy is "
        f"merged when ≥ {chosen['threshold']:.0%} of its word 5-shingles are in the stored "
        "article (MinHash, 128 permutations) and no figure changed. Target: precision ≥ 0.98, "
        "recall ≥ 0.9.\n"
    )
    w("| | precision | recall | merged right | false merges | missed |")
    w("|---|---:|---:|---:|---:|---:|")
    for name, s in (("shipped (figure check)", chosen), ("without the figure check", loose)):
        w(
            f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['tp']} | {s['fp']} | "
            f"{s['fn']} |"
        )
    w("")
    w("| kind | cases | found | false merges |\n|---|---:|---:|---:|")
    for kind, k in chosen["per_kind"].items():
        w(f"| {kind} | {k['cases']} | {k['found']} | {k['false merges']} |")
    w("")
    w(
        f"**Cost per add** with {c['articles']:,} articles of ~{c['words_per_article']:.0f} "
        f"words stored (≈ {c['articles'] * 10:,} passages): signature {c['signature_ms']:.1f} "
        f"ms, look-up {c['query_ms']:.2f} ms, insert {c['insert_ms']:.3f} ms — "
        f"{c['add_ms']:.1f} ms in all (median); the detector holds {c['memory_mb']:.1f} MB and is "
        f"made from the stored signatures ({c['signature_bytes']} bytes each) in "
        f"{c['build_from_bytes_s']:.2f} s."
    )
    lib = r.get("library")
    if lib:
        w(
            f" Through the library (`backend.find_copy`, SQLite change log included) in the "
            f"speed benchmark's library of {lib['passages']:,} passages ({lib['articles']:,} "
            f"articles): first look-up (the detector made) {lib['first_lookup_s']:.2f} s, then "
            f"{lib['lookup_ms']:.1f} ms per add (median, signature included)."
        )
    w("\n")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.neardup", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="cost at 1k articles, not 10k")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    results = {
        "quality": quality(random.Random(SEED)),
        "cost": cost(1_000 if args.quick else 10_000, random.Random(SEED)),
    }
    text = json.dumps(results, indent=1, ensure_ascii=False)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
