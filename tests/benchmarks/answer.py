"""Benchmark of the answer engine: prints figures, asserts nothing.

    python -m tests.benchmarks.answer            # shipped briefing, 10k and 100k synthetic snippets
    python -m tests.benchmarks.answer --sizes 0  # shipped briefing only

Measures answer latency (p50, p99) over the question set, index build time (wall clock, and the
process's CPU time, steadier on a shared machine), cold start (a new process until its first
answer), peak RSS, and bm25s over the same snippets as the reference.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.answer.engine import Engine
from bot.briefing.load import load_briefing
from bot.briefing.models import Briefing, Citation, Snippet

PROJECT = Path(__file__).resolve().parents[2]
QUESTIONS = PROJECT / "tests" / "questions" / "own.jsonl"


def questions() -> list[str]:
    return [json.loads(line)["q"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def time_calls(call: Callable[[str], object], queries: list[str], rounds: int) -> tuple[float, float]:
    for query in queries:  # warm caches, as a running bot would have
        call(query)
    samples = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            call(query)
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def synthetic(briefing: Briefing, size: int, seed: int = 7) -> Briefing:
    """`size` snippets made from the real ones: the same texts and citations, shuffled sentences,
    plus one invented word each so the vocabulary grows as it would with real content."""
    rng = random.Random(seed)
    real = briefing.snippets
    made: list[Snippet] = []
    for k in range(size):
        base = real[k % len(real)]
        other = real[rng.randrange(len(real))]
        sentences = (base.text + " " + other.text).split(". ")
        rng.shuffle(sentences)
        text = ". ".join(sentences)[:1000] + f" zq{k:06d}"
        made.append(
            Snippet.model_construct(
                id=f"{base.id}-{k}",
                topic=base.topic,
                title=base.title,
                text=text,
                certainty=base.certainty,
                speaker=base.speaker,
                entities=base.entities,
                terms=base.terms,
                sources=tuple(Citation.model_construct(article=c.article, quote=c.quote) for c in base.sources),
            )
        )
    return briefing.model_copy(update={"snippets": tuple(made), "version": f"synthetic-{size}"})


def bm25s_reference(briefing: Briefing, queries: list[str], rounds: int) -> str:
    try:
        import bm25s
    except ImportError:
        return "bm25s: not installed (pip install -e '.[bench]')"
    corpus = [f"{s.title} {s.text}" for s in briefing.snippets]
    started, cpu = time.perf_counter(), time.process_time()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu

    def call(query: str) -> object:
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return None
        return retriever.retrieve(tokens, k=min(5, len(corpus)), show_progress=False)

    p50, p99 = time_calls(call, queries, rounds)
    return f"bm25s: build {build * 1000:.0f} ms (cpu {build_cpu * 1000:.0f} ms), p50 {p50:.3f} ms, p99 {p99:.3f} ms"


def cold_start(question: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--json", question],
            cwd=PROJECT,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(label: str, briefing: Briefing, queries: list[str], rounds: int) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    engine = Engine(briefing)
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    p50, p99 = time_calls(engine.ask, queries, rounds)
    built = f"index build {build * 1000:.0f} ms (cpu {build_cpu * 1000:.0f} ms)"
    print(f"{label}: {len(briefing.snippets)} snippets, {built}")
    print(f"  briefbot: p50 {p50:.3f} ms, p99 {p99:.3f} ms ({rounds * len(queries)} answers)")
    print(f"  {bm25s_reference(briefing, queries, rounds)}")
    print(f"  peak RSS so far: {peak_rss_mb():.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000], help="synthetic sizes (0: none)")
    parser.add_argument("--rounds", type=int, default=20, help="passes over the question set (shipped briefing)")
    args = parser.parse_args()

    queries = questions()
    briefing = load_briefing(PROJECT)
    print(f"python {sys.version.split()[0]}; {len(queries)} questions from {QUESTIONS.relative_to(PROJECT)}")
    print(f"cold start (new process to first answer, median of 5): {cold_start(queries[0]) * 1000:.0f} ms")
    report("shipped briefing", briefing, queries, args.rounds)
    for size in (s for s in args.sizes if s > 0):
        report(f"synthetic {size:,}", synthetic(briefing, size), queries, max(1, args.rounds // 10))
    return 0


if __name__ == "__main__":
    sys.exit(main())
