"""The search benchmark: embedding throughput, index build, and search latency.

    .venv/bin/python bench/search.py                      # the 74,728 real papers, SQLite
    .venv/bin/python bench/search.py --size 1000000       # scaled up to 1M papers
    .venv/bin/python bench/search.py --database-url postgres://postgres@127.0.0.1:5432/dailypapers_bench

1. A fresh database (SQLite in a temporary DATA_DIR, or the PostgreSQL database given,
   whose name must contain "bench"; it is dropped and re-created) gets the real arXiv
   listings through `dailypapers import arxiv --no-embed` (timed: the keyword index is
   maintained by the database during the import), and their precomputed embeddings from
   ../shared (same model, same text, so they count as current: re-embedding 74,728
   papers takes over an hour on 2 cores).
2. With --size above 74,728 the catalogue is scaled up with synthetic papers: a real
   paper's title with one word replaced and its abstract's sentences shuffled, and its
   vector plus Gaussian noise (cosine ≈ 0.9 to the source), re-normalised.
3. From VECTOR_ANN_THRESHOLD vectors on, the HNSW index is built (`search-index`): time,
   file size, memory.
4. Embedding throughput: 512 real papers embedded by the model, papers/s.
5. Latency, server side, in this process: `service.search()` (query embedding, keyword
   and vector search, fusion, loading and highlighting 20 results) for --queries queries
   per mode after a warm-up; p50/p99. Queries: fragments of real titles (remembered
   words) and descriptions in plain words (meaning).
6. Semantic recall@10 of the index against exact search over every vector.

Results print as Markdown and are written to bench/results/search-SIZE.json.
"""

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import random
import resource
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
SHARED = PROJECT_DIR.parent / "shared" / "data"
LISTINGS = SHARED / "arxiv_listings.jsonl.gz"
VECTORS = SHARED / "arxiv_listings.bge-small-en-v1.5-int8.f16.npy"
MODEL = "bge-small-en-v1.5-int8"

DESCRIPTIONS = [
    "make vision transformers cheaper without retraining",
    "mixture of experts routing",
    "teaching robots to grasp objects from a few demonstrations",
    "why do language models hallucinate facts",
    "speeding up diffusion model sampling",
    "detecting AI generated images",
    "reinforcement learning from human feedback alternatives",
    "compressing large language models to run on phones",
    "benchmark for code generation agents",
    "long context attention that scales linearly",
    "medical image segmentation with little labelled data",
    "evaluating reasoning of multimodal models on charts",
    "privacy attacks that extract training data",
    "graph neural networks for molecules",
    "self-driving car motion prediction",
    "speech recognition for low resource languages",
    "watermarking text produced by chatbots",
    "federated learning with unreliable clients",
    "3D scene reconstruction from a handful of photos",
    "making retrieval augmented generation more accurate",
    "jailbreaking safety aligned chat models",
    "tokenizer free language modelling on bytes",
    "video generation with consistent characters",
    "uncertainty estimates for neural network predictions",
    "quantum machine learning on near term devices",
]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", type=int, default=74_728, help="papers in the catalogue (default 74,728)"
    )
    parser.add_argument("--queries", type=int, default=200, help="queries per mode (default 200)")
    parser.add_argument(
        "--database-url", help="PostgreSQL database to use (name must contain 'bench')"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="DATA_DIR to use (default: a temporary directory)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a database already filled in --data-dir"
    )
    parser.add_argument(
        "--embed-sample", type=int, default=512, help="papers embedded for throughput"
    )
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def setup_django(args):
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="dailypapers-search-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DATA_DIR=str(data_dir),
        DEBUG="0",
        SECRET_KEY="bench-only-" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        EMBED_ON_IMPORT="0",
        EMBEDDING_MODEL_NAME=MODEL,
        # The ANN threshold stays at its default: the 74,728 corpus is searched exactly,
        # the 1M one through the HNSW index, as a site of that size would be.
    )
    if args.database_url:
        if "bench" not in args.database_url.rsplit("/", 1)[-1]:
            sys.exit("--database-url: the database name must contain 'bench' (it is dropped)")
        os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    import django

    if args.database_url and not args.reuse:
        recreate_postgres(args.database_url)
    django.setup()
    return data_dir


def recreate_postgres(url):
    import psycopg

    name = url.rsplit("/", 1)[-1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def listing_ids():
    with gzip.open(LISTINGS, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["id"] for line in handle]


def fill(args, results):
    from django.core.management import call_command

    from dailypapers.papers.models import Paper
    from dailypapers.search import embedding
    from dailypapers.search.models import PaperEmbedding

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("import", "arxiv", str(LISTINGS), "--no-embed", "--quiet", "--no-progress")
    seconds = time.perf_counter() - started
    count = Paper.objects.count()
    results["import"] = {
        "papers": count,
        "seconds": round(seconds, 1),
        "papers_per_s": round(count / seconds),
    }
    print(
        f"import: {count:,} papers in {seconds:.1f} s ({count / seconds:,.0f}/s), keyword index included"
    )

    vectors = np.load(VECTORS, mmap_mode="r")
    ids = listing_ids()
    started = time.perf_counter()
    by_id = dict(Paper.objects.values_list("arxiv_id", "id"))
    texts = {
        pk: embedding.paper_text(t, a)
        for pk, t, a in Paper.objects.values_list("id", "title", "abstract")
    }
    rows = []
    seen = set()
    for i, arxiv_id in enumerate(ids):
        pk = by_id.get(arxiv_id)
        if pk is None or pk in seen:
            continue
        seen.add(pk)
        rows.append(
            PaperEmbedding(
                paper_id=pk,
                model=MODEL,
                text_hash=embedding.text_hash(texts[pk]),
                vector=np.asarray(vectors[i], dtype="<f2").tobytes(),
            )
        )
    PaperEmbedding.objects.bulk_create(rows, batch_size=5000)
    print(f"vectors: {len(rows):,} stored in {time.perf_counter() - started:.1f} s")
    if args.size > count:
        synthesise(args, args.size - count, vectors, ids, by_id)


def synthesise(args, extra, vectors, ids, by_id):
    """`extra` synthetic papers, derived from real ones (see the module's docstring)."""
    from django.db import connection, transaction

    from dailypapers.papers.models import Paper
    from dailypapers.search import embedding
    from dailypapers.search.models import PaperEmbedding

    rng = np.random.default_rng(args.seed)
    pyrng = random.Random(args.seed)
    real = list(
        Paper.objects.order_by("id").values_list(
            "id", "arxiv_id", "title", "abstract", "primary_category"
        )
    )
    row_of = {arxiv_id: i for i, arxiv_id in enumerate(ids)}
    vocabulary = sorted(
        {w for _, _, t, _, _ in real[:5000] for w in t.split() if w.isalpha() and len(w) > 4}
    )
    dim = vectors.shape[1]
    # Noise with per-component sigma s has norm ≈ s·sqrt(dim); cosine to the source ≈ 1/sqrt(1 + s²·dim).
    sigma = np.sqrt((1 / 0.9**2 - 1) / dim)
    batch = 5000
    started = time.perf_counter()
    made = 0
    now = dt.datetime.now(dt.UTC)
    while made < extra:
        n = min(batch, extra - made)
        papers, sources = [], []
        for j in range(n):
            number = made + j
            src = real[pyrng.randrange(len(real))]
            words = src[2].split()
            if words:
                words[pyrng.randrange(len(words))] = pyrng.choice(vocabulary)
            sentences = src[3].split(". ")
            pyrng.shuffle(sentences)
            # Ids from 3001.00000 on, past every real one: YYMM.NNNNN, 100,000 per month.
            month = number // 100_000
            arxiv_id = f"{30 + month // 12:02d}{month % 12 + 1:02d}.{number % 100_000:05d}"
            papers.append(
                Paper(
                    arxiv_id=arxiv_id,
                    title=" ".join(words),
                    abstract=". ".join(sentences),
                    authors=[],
                    categories=[src[4]] if src[4] else [],
                    primary_category=src[4],
                    metadata_source="synthetic",
                    created_at=now,
                    updated_at=now,
                )
            )
            sources.append(row_of.get(src[1], 0))
        with transaction.atomic():
            created = Paper.objects.bulk_create(papers, batch_size=1000)
            if connection.vendor == "sqlite" or created[0].pk is None:
                pks = dict(
                    Paper.objects.filter(arxiv_id__in=[p.arxiv_id for p in papers]).values_list(
                        "arxiv_id", "id"
                    )
                )
                keys = [pks[p.arxiv_id] for p in papers]
            else:
                keys = [p.pk for p in created]
            base = np.asarray(vectors[sources], dtype=np.float32)
            noisy = base + rng.normal(0, sigma, base.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            PaperEmbedding.objects.bulk_create(
                [
                    PaperEmbedding(
                        paper_id=pk,
                        model=MODEL,
                        text_hash=embedding.text_hash(embedding.paper_text(p.title, p.abstract)),
                        vector=v.astype("<f2").tobytes(),
                    )
                    for pk, p, v in zip(keys, papers, noisy)
                ],
                batch_size=5000,
            )
        made += n
        if made % 100_000 < batch:
            print(
                f"  synthetic: {made:,} of {extra:,} ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    print(f"synthetic: {extra:,} papers in {time.perf_counter() - started:.0f} s")


def build_index(results):
    from dailypapers.search import vectors

    if vectors.latest_row(MODEL)[1] < vectors.ann_threshold():
        results["index"] = {"kind": "exact (NumPy)"}
        return
    before = rss_mb()
    started = time.perf_counter()
    built = vectors.build_ann(MODEL, rebuild=True)
    seconds = time.perf_counter() - started
    path = vectors._index_paths(MODEL)[0]
    results["index"] = {
        "kind": f"HNSW (usearch {vectors.ANN_DTYPE}, M={vectors.ANN_CONNECTIVITY}, ef={vectors.ANN_EXPANSION_SEARCH})",
        "vectors": built["vectors"],
        "build_seconds": round(seconds, 1),
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "build_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_growth_mb": round(rss_mb() - before),
    }
    print(
        f"index: {built['vectors']:,} vectors in {seconds:.0f} s, file {results['index']['file_mb']} MB"
    )


def embedding_throughput(args, results):
    from dailypapers.papers.models import Paper
    from dailypapers.search import embedding

    embedder = embedding.get_embedder()
    sample = list(
        Paper.objects.exclude(metadata_source="synthetic")
        .order_by("?")
        .values_list("title", "abstract")[: args.embed_sample]
    )
    texts = [embedding.paper_text(t, a) for t, a in sample]
    embedder.embed_documents(texts[:16])  # warm-up
    started = time.perf_counter()
    embedder.embed_documents(texts)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    for q in DESCRIPTIONS:
        embedder.embed_query(q)
    query_ms = (time.perf_counter() - started) / len(DESCRIPTIONS) * 1000
    results["embedding"] = {
        "papers": len(texts),
        "papers_per_s": round(len(texts) / seconds, 1),
        "query_ms": round(query_ms, 1),
    }
    print(f"embedding: {len(texts) / seconds:.1f} papers/s; one query {query_ms:.1f} ms")


def make_queries(args):
    from dailypapers.papers.models import Paper

    rng = random.Random(args.seed)
    titles = list(
        Paper.objects.exclude(metadata_source="synthetic")
        .order_by("?")
        .values_list("title", flat=True)[: args.queries * 2]
    )
    fragments = []
    for title in titles:
        words = [w.strip(":,.()") for w in title.split()]
        words = [w for w in words if w]
        if len(words) < 3:
            continue
        length = rng.randint(2, min(5, len(words)))
        start = rng.randrange(len(words) - length + 1)
        fragments.append(" ".join(words[start : start + length]))
    n_desc = min(len(DESCRIPTIONS), args.queries // 4)
    queries = fragments[: args.queries - n_desc] + DESCRIPTIONS[:n_desc]
    rng.shuffle(queries)
    return queries


def latency(args, results):
    from dailypapers.search import service

    queries = make_queries(args)
    for q in queries[:20]:
        service.search(q, mode="hybrid")
    results["latency"] = {}
    for mode in ("keyword", "semantic", "hybrid"):
        times = []
        for q in queries:
            started = time.perf_counter()
            service.search(q, mode=mode, limit=20)
            times.append((time.perf_counter() - started) * 1000)
        results["latency"][mode] = {
            "queries": len(times),
            "p50_ms": round(percentile(times, 0.5), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "mean_ms": round(statistics.mean(times), 1),
        }
        print(
            f"{mode:9} p50 {percentile(times, 0.5):6.1f} ms  p99 {percentile(times, 0.99):6.1f} ms"
        )
    return queries


def semantic_recall(queries, results):
    """recall@10 of the served vector search against exact search over every vector."""
    from dailypapers.search import embedding, vectors

    store = vectors.store_for(MODEL)
    store.refresh()
    if store.ann is None:
        results["recall@10"] = 1.0
        return
    keys, chunks = [], []
    for _, k, v in vectors._rows_after(MODEL, 0):
        keys.append(k)
        chunks.append(v.astype(np.float32))
    keys = np.concatenate(keys)
    # Exact scores in float32 (a float16 product rounds close neighbours into ties).
    matrix = np.concatenate(chunks)
    embedder = embedding.get_embedder()
    hits = 0
    times = []
    for q in queries:
        vec = embedder.embed_query(q)
        exact = keys[np.argsort(-(matrix @ vec))[:10]]
        started = time.perf_counter()
        found = [k for k, _ in store.search(vec, 10)]
        times.append((time.perf_counter() - started) * 1000)
        hits += len(set(found) & set(exact.tolist()))
    results["recall@10"] = round(hits / (10 * len(queries)), 4)
    results["vector_search_only"] = {
        "p50_ms": round(percentile(times, 0.5), 2),
        "p99_ms": round(percentile(times, 0.99), 2),
    }
    print(
        f"semantic recall@10 vs exact: {results['recall@10']:.3f}; index search alone p50 {percentile(times, 0.5):.2f} ms"
    )


def main():
    args = parse_args()
    if not LISTINGS.exists() or not VECTORS.exists():
        sys.exit(f"skipped: the real data is not in {SHARED} (see ../shared/README.md)")
    data_dir = setup_django(args)
    from django.db import connection

    results = {
        "date": dt.date.today().isoformat(),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "database": connection.vendor,
        "size": args.size,
    }
    if not args.reuse:
        fill(args, results)
        build_index(results)
    embedding_throughput(args, results)
    queries = latency(args, results)
    semantic_recall(queries, results)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out = BENCH_DIR / "results" / f"search-{args.size}-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print(f"(data in {data_dir}; results in {out})")


if __name__ == "__main__":
    main()
