"""The For you ranking's costs: fitting one reader's model, and scoring a day for every reader.

    .venv/bin/python bench/foryou.py
    .venv/bin/python bench/foryou.py --readers 10000 --candidates 700 --signals 1000

Uses the real vectors of ../shared/data/arxiv_listings.bge-small-en-v1.5-int8.f16.npy
(and the listings beside them, for the candidates' authors, categories and texts); says
so and stops where they are absent. Targets (issue 14):

1. `ranking.fit` of a reader with --signals liked papers (and a tenth as many dismissed)
   against a 2,000-paper catalogue sample: ≤ 50 ms on one core (BLAS held to one thread,
   as in a web or worker process sharing the machine). Median of --repeat runs.
2. `ranking.score_many` of --candidates papers (one listing day's worth) for --readers
   readers (histories of 1 to 300 liked papers, each following a category, two authors
   and two keywords), models read back with `ReaderModel.from_bytes` the way the worker
   will load them: ≤ 10 s.

BLAS runs on one thread for both (set OPENBLAS_NUM_THREADS yourself to override): the
machine's other core is usually busy, and one thread is the figure a worker can count on.
"""

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402  (after the BLAS thread settings)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dailypapers.foryou import ranking  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=700)
    parser.add_argument("--signals", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    embeddings = DATA / "arxiv_listings.bge-small-en-v1.5-int8.f16.npy"
    listings = DATA / "arxiv_listings.jsonl.gz"
    if not embeddings.is_file() or not listings.is_file():
        sys.exit(f"skipped: {embeddings.name} or {listings.name} is not in {DATA}")
    vectors = np.load(embeddings).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rng = np.random.default_rng(0)
    background = vectors[rng.choice(len(vectors), 2_000, replace=False)]

    # 1. One reader's model from --signals liked papers.
    liked = rng.choice(len(vectors), args.signals, replace=False)
    disliked = rng.choice(len(vectors), args.signals // 10, replace=False)
    history = ranking.History(
        liked=vectors[liked],
        liked_ids=[int(i) for i in liked],
        disliked=vectors[disliked],
        disliked_ids=[int(i) for i in disliked],
        categories=frozenset({"cs.CL"}),
        authors=frozenset({"Yann LeCun"}),
        keywords=frozenset({"speculative decoding"}),
    )
    times = []
    for _ in range(args.repeat + 2):
        start = time.perf_counter()
        model = ranking.fit(history, background)
        times.append(time.perf_counter() - start)
    fit_ms = statistics.median(times[2:]) * 1000
    size = len(model.to_bytes())

    # 2. One day's candidates for every reader.
    rows = []
    with gzip.open(listings, "rt", encoding="utf-8") as handle:
        for line in handle:
            rows.append(json.loads(line))
            if len(rows) == args.candidates:
                break
    candidates = ranking.Candidates(
        vectors[: len(rows)],
        [r["categories"] for r in rows],
        [r["authors"] for r in rows],
        [f"{r['title']}. {r['summary']}" for r in rows],
    )
    all_authors = sorted({a for r in rows for a in r["authors"]})
    stored = []
    for _ in range(200):  # 200 distinct readers, repeated: fitting 10,000 is not the point
        n = int(rng.integers(1, 300))
        h = ranking.History(
            liked=vectors[rng.choice(len(vectors), n)],
            liked_ids=list(range(n)),
            disliked=vectors[rng.choice(len(vectors), n // 10)],
            disliked_ids=list(range(n // 10)),
            categories=frozenset({rows[int(rng.integers(len(rows)))]["categories"][0]}),
            authors=frozenset(rng.choice(all_authors, 2)),
            keywords=frozenset({"large language model", f"topic {rng.integers(1000)}"}),
        )
        stored.append(ranking.fit(h, background).to_bytes())
    models = [ranking.ReaderModel.from_bytes(stored[i % len(stored)]) for i in range(args.readers)]
    start = time.perf_counter()
    scores = ranking.score_many(models, candidates)
    bulk_s = time.perf_counter() - start
    assert scores.shape == (args.readers, len(rows))

    print(
        f"fit, {args.signals:,} liked + {args.signals // 10} dismissed: {fit_ms:.1f} ms (median of {args.repeat}; target 50 ms); model {size:,} bytes"
    )
    print(
        f"score_many, {len(rows)} candidates x {args.readers:,} readers: {bulk_s:.2f} s (target 10 s)"
    )


if __name__ == "__main__":
    main()
