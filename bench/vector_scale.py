"""Vector search at scale: a usearch HNSW index over ~1M 384-d embeddings, against exact search.

Standalone (numpy + usearch only; nothing of dailypapers is imported). Run it from anywhere:

    .venv/bin/python bench/vector_scale.py          # 1M vectors, f16 M=32 ef_add=64: ~25 min build on 2 cores
    .venv/bin/python bench/vector_scale.py --size 200000 --dtype i8,f16 --connectivity 16,32
    .venv/bin/python bench/vector_scale.py --help

Target: 1,000,000 vectors of 384 dimensions, single-query top-10 search with p50 <= 20 ms
(ideally <= 5 ms) and recall@10 >= 0.95 against exact search, on a 2-core machine.

Data. ../shared/data/arxiv_listings.bge-small-en-v1.5-int8.f16.npy holds 74,728 real,
L2-normalised bge-small-en-v1.5 embeddings. --queries of them are held out; the rest go into
the index, and the remaining --size minus that many vectors are synthesised: a random real
(non-held-out) row plus isotropic Gaussian noise, re-normalised. The noise sigma is chosen so
that the cosine to the source is --base-cos (default 0.875): clusters, not duplicates.
The queries are the held-out rows perturbed the same way to --query-cos (default 0.9) of
their source, so no query is in the index and none has a near-duplicate in it.
Everything comes from a fixed --seed.

Measured per configuration (dtype x connectivity x expansion_add): build time of index.add
over all threads, resident memory of the process (VmRSS / VmHWM from /proc/self/status)
before and after the build and usearch's own index.memory_usage, the size of index.save(),
then for every --expansion-search: recall@10 against exact search and p50/p99 latency of
index.search(q, 10, threads=1) one query at a time (after one warm-up pass), both on the
built index and on Index.restore(path, view=True) (memory-mapped from the saved file).
Exact search (float32 numpy matmul + argpartition, one query at a time, single-threaded BLAS)
is timed over the 74,728 real rows and over the whole --size matrix for comparison.

The i8 index is fed vectors quantised here, per vector: round(x * 127 / max|x|). usearch's
own float->i8 cast multiplies by 127 and rounds, which on normalised 384-d vectors (|x_i| is
typically ~0.03) leaves only a few levels per component: exact search over such vectors
found 0.90 of the true top-10 against 0.98 with the per-vector scale.
The per-vector scale changes the norm, so i8 must use the cos metric (not ip).
"""

import argparse
import gc
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

# Exact search is timed one query at a time on one thread, like index.search(..., threads=1).
# A multi-threaded BLAS matvec is also *slower* here whenever the other core is busy (a 3,000-row
# matvec went from 0.2 ms to 12 ms with 2 OpenBLAS threads on a loaded 2-core machine).
# Set the variables yourself to override.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402  (after the BLAS thread settings)

EMBEDDINGS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "arxiv_listings.bge-small-en-v1.5-int8.f16.npy"
)
K = 10
CHUNK = 100_000


class Skipped(Exception):
    """The shared data is absent: nothing to measure, not a failure."""


def csv(cast):
    def parse(text):
        return [cast(item) for item in text.split(",") if item.strip()]

    return parse


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--size", type=int, default=1_000_000, help="vectors in the index (default 1000000)"
    )
    p.add_argument("--queries", type=int, default=200, help="held-out query vectors (default 200)")
    p.add_argument(
        "--dtype",
        type=csv(str),
        default=["f16"],
        help="comma-separated usearch storage dtypes among i8,f16,f32 (default f16, as the site)",
    )
    p.add_argument(
        "--metric",
        choices=["cos", "ip"],
        default="cos",
        help="cos (default) or ip; i8 always uses cos (see above)",
    )
    p.add_argument(
        "--connectivity",
        type=csv(int),
        default=[32],
        help="comma-separated HNSW M (default 32, as the site)",
    )
    p.add_argument(
        "--expansion-add",
        type=csv(int),
        default=[64],
        help="comma-separated efConstruction (default 64, as the site)",
    )
    p.add_argument(
        "--expansion-search",
        type=csv(int),
        default=[32, 64, 128, 256],
        help="comma-separated ef at query time (default 32,64,128,256)",
    )
    p.add_argument(
        "--threads", type=int, default=0, help="threads for index.add (default 0 = all cores)"
    )
    p.add_argument(
        "--out-dir",
        default=None,
        help="where index files are saved (default: a temporary directory, removed at the end)",
    )
    p.add_argument("--keep-index", action="store_true", help="keep the saved index files")
    p.add_argument(
        "--skip-view", action="store_true", help="do not measure Index.restore(path, view=True)"
    )
    p.add_argument(
        "--exact-queries",
        type=int,
        default=100,
        help="queries timed for exact numpy search (default 100)",
    )
    p.add_argument(
        "--base-cos", type=float, default=0.875, help="cosine of a synthetic vector to its source"
    )
    p.add_argument(
        "--query-cos", type=float, default=0.9, help="cosine of a query to its held-out source"
    )
    p.add_argument("--seed", type=int, default=20260821)
    p.add_argument(
        "--embeddings", default=str(EMBEDDINGS), help=f"the .npy file (default {EMBEDDINGS})"
    )
    p.add_argument("--json", default=None, help="also write the results as JSON to this path")
    args = p.parse_args()
    for dtype in args.dtype:
        if dtype not in ("i8", "f16", "f32"):
            p.error(f"--dtype: {dtype!r} is not one of i8, f16, f32")
    return args


# -- measurement helpers ------------------------------------------------------------------------


def proc_status():
    """VmRSS and VmHWM of this process in MiB."""
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


def mib(n_bytes):
    return n_bytes / 2**20


def percentiles(seconds):
    ms = np.asarray(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- data ---------------------------------------------------------------------------------------


def sigma_for(cos, ndim):
    """Isotropic noise sigma giving E[cos(x, normalise(x + noise))] ~= cos for a unit x."""
    return math.sqrt((1 / cos**2 - 1) / ndim)


def normalise(a):
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    return a


def perturb(rng, sources, sigma):
    out = sources + rng.standard_normal(sources.shape, dtype=np.float32) * np.float32(sigma)
    return normalise(out)


def make_data(args):
    real = np.load(args.embeddings).astype(np.float32)
    real = normalise(real)  # stored as f16: restore unit norm exactly
    n_real, ndim = real.shape
    if args.queries >= n_real:
        raise SystemExit(f"--queries must be smaller than {n_real}")
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(n_real)
    held_out, kept = order[: args.queries], order[args.queries :]
    n_kept = min(len(kept), args.size)
    kept = np.sort(kept[:n_kept])

    base = np.empty((args.size, ndim), dtype=np.float32)
    base[:n_kept] = real[kept]
    sigma_b = sigma_for(args.base_cos, ndim)
    for start in range(n_kept, args.size, CHUNK):
        stop = min(start + CHUNK, args.size)
        src = kept[rng.integers(0, n_kept, stop - start)]
        base[start:stop] = perturb(rng, real[src], sigma_b)
    sigma_q = sigma_for(args.query_cos, ndim)
    queries = perturb(rng, real[held_out], sigma_q)

    # what we actually got
    probe = kept[rng.integers(0, n_kept, 10_000)]
    got_b = float(
        np.mean(
            np.sum(perturb(np.random.default_rng(1), real[probe], sigma_b) * real[probe], axis=1)
        )
    )
    got_q = float(np.mean(np.sum(queries * real[held_out], axis=1)))
    info = {
        "real_rows": n_real,
        "real_in_index": n_kept,
        "synthetic": args.size - n_kept,
        "sigma_base": sigma_b,
        "cos_base_to_source": got_b,
        "sigma_query": sigma_q,
        "cos_query_to_source": got_q,
    }
    return real, base, queries, info


def quantise_i8(a):
    """Per-vector symmetric int8: round(x * 127 / max|x|). Cosine is scale-invariant per vector."""
    out = np.empty(a.shape, dtype=np.int8)
    for start in range(0, len(a), CHUNK):
        chunk = a[start : start + CHUNK]
        scale = 127.0 / np.maximum(np.abs(chunk).max(axis=1, keepdims=True), 1e-12)
        out[start : start + CHUNK] = np.clip(np.rint(chunk * scale), -127, 127)
    return out


# -- exact search -------------------------------------------------------------------------------


def exact_topk(base, queries, k=K):
    """Ground truth: float32 matmul over the whole matrix in chunks, merged top-k per query."""
    best_s = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(base), CHUNK):
        scores = queries @ base[start : start + CHUNK].T
        part = np.argpartition(-scores, k, axis=1)[:, :k]
        cand_s = np.concatenate([best_s, np.take_along_axis(scores, part, axis=1)], axis=1)
        cand_i = np.concatenate([best_i, part + start], axis=1)
        top = np.argsort(-cand_s, axis=1)[:, :k]
        best_s = np.take_along_axis(cand_s, top, axis=1)
        best_i = np.take_along_axis(cand_i, top, axis=1)
    return best_i


def time_exact(matrix, queries, n):
    """p50/p99 ms of one query at a time: scores = M @ q, argpartition, sort the top k."""
    for q in queries[:3]:
        np.argpartition(-(matrix @ q), K)
    times = []
    for q in queries[:n]:
        t0 = time.perf_counter()
        scores = matrix @ q
        top = np.argpartition(-scores, K)[:K]
        top[np.argsort(-scores[top])]
        times.append(time.perf_counter() - t0)
    return percentiles(times)


# -- HNSW ---------------------------------------------------------------------------------------


def recall(found, truth):
    return float(
        np.mean([len(set(f.tolist()) & set(t.tolist())) / K for f, t in zip(found, truth)])
    )


def search_sweep(index, queries, truth, efs):
    rows = []
    for ef in efs:
        index.expansion_search = ef
        first = []
        for q in queries:  # warm-up pass (first touch for a view)
            t0 = time.perf_counter()
            index.search(q, K, threads=1)
            first.append(time.perf_counter() - t0)
        times, found = [], []
        for q in queries:
            t0 = time.perf_counter()
            m = index.search(q, K, threads=1)
            times.append(time.perf_counter() - t0)
            found.append(m.keys)
        p50, p99 = percentiles(times)
        rows.append(
            {
                "ef": ef,
                "recall": recall(found, truth),
                "p50_ms": p50,
                "p99_ms": p99,
                "first_pass_p50_ms": percentiles(first)[0],
            }
        )
    return rows


def run_config(args, Index, base, base_i8, queries, queries_i8, truth, out_dir, dtype, conn, efc):
    metric = "cos" if dtype == "i8" else args.metric
    name = f"{dtype}-{metric}-M{conn}-efc{efc}-n{args.size}"
    index = Index(
        ndim=base.shape[1], metric=metric, dtype=dtype, connectivity=conn, expansion_add=efc
    )
    vectors, qs = (base_i8, queries_i8) if dtype == "i8" else (base, queries)
    keys = np.arange(len(base), dtype=np.uint64)
    gc.collect()
    before = proc_status()
    log(f"{name}: building ...")
    t0, c0 = time.perf_counter(), time.process_time()
    index.add(keys, vectors, threads=args.threads)
    build_s, build_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    after = proc_status()
    log(
        f"{name}: built in {build_s:.1f} s ({build_cpu_s:.1f} s CPU), {len(index)} vectors, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    path = Path(out_dir) / f"{name}.usearch"
    t0 = time.perf_counter()
    index.save(str(path))
    save_s = time.perf_counter() - t0
    result = {
        "name": name,
        "dtype": dtype,
        "metric": metric,
        "connectivity": conn,
        "expansion_add": efc,
        "size": len(index),
        "build_s": build_s,
        "build_cpu_s": build_cpu_s,
        "build_vectors_per_s": len(index) / build_s,
        "save_s": save_s,
        "file_mib": mib(path.stat().st_size),
        "index_memory_usage_mib": mib(index.memory_usage),
        "rss_before_build_mib": before["VmRSS"],
        "rss_after_build_mib": after["VmRSS"],
        "rss_growth_mib": after["VmRSS"] - before["VmRSS"],
        "hwm_after_build_mib": after["VmHWM"],
    }
    result["search"] = search_sweep(index, qs, truth, args.expansion_search)
    for row in result["search"]:
        log(f"{name}: ef={row['ef']} recall@10={row['recall']:.3f} p50={row['p50_ms']:.2f} ms")
    del index
    gc.collect()
    if not args.skip_view:
        rss0 = proc_status()["VmRSS"]
        t0 = time.perf_counter()
        view = Index.restore(str(path), view=True)
        result["view_restore_s"] = time.perf_counter() - t0
        result["view_specs_ok"] = len(view) == len(keys) and view.connectivity == conn
        result["view_search"] = search_sweep(view, qs, truth, args.expansion_search)
        result["view_rss_growth_mib"] = proc_status()["VmRSS"] - rss0
        for row in result["view_search"]:
            log(
                f"{name}: view ef={row['ef']} recall@10={row['recall']:.3f} p50={row['p50_ms']:.2f} ms"
            )
        del view
        gc.collect()
    if not args.keep_index:
        path.unlink()
    return result


# -- report -------------------------------------------------------------------------------------


def markdown(results):
    lines = []
    d = results["data"]
    lines.append(
        f"vectors {results['size']:,} x {results['ndim']} ({d['real_in_index']:,} real + "
        f"{d['synthetic']:,} synthetic, cos to source {d['cos_base_to_source']:.3f}); "
        f"{results['queries']} queries (cos to held-out source {d['cos_query_to_source']:.3f}); "
        f"usearch {results['usearch']}, numpy {results['numpy']}, {os.cpu_count()} cores, "
        f"load average {results['load_start']:.2f} at start / {results['load_end']:.2f} at end "
        "(other work on the machine skews every figure; CPU s is the steadier build figure)"
    )
    lines.append("")
    lines.append("| exact numpy (f32 matmul) | rows | p50 ms | p99 ms |")
    lines.append("|---|---:|---:|---:|")
    for e in results["exact"]:
        lines.append(f"| {e['what']} | {e['rows']:,} | {e['p50_ms']:.2f} | {e['p99_ms']:.2f} |")
    lines.append("")
    lines.append(
        "| dtype | metric | M | ef_add | build s | build CPU s | RSS growth MiB | index MiB | file MiB | ef | "
        "recall@10 | p50 ms | p99 ms | view recall | view p50 ms | view p99 ms |"
    )
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in results["configs"]:
        views = {r["ef"]: r for r in c.get("view_search", [])}
        for r in c["search"]:
            v = views.get(r["ef"])
            vcols = (
                f"{v['recall']:.3f} | {v['p50_ms']:.2f} | {v['p99_ms']:.2f}" if v else "- | - | -"
            )
            lines.append(
                f"| {c['dtype']} | {c['metric']} | {c['connectivity']} | {c['expansion_add']} | "
                f"{c['build_s']:.1f} | {c['build_cpu_s']:.0f} | {c['rss_growth_mib']:.0f} | {c['index_memory_usage_mib']:.0f} | "
                f"{c['file_mib']:.0f} | {r['ef']} | {r['recall']:.3f} | {r['p50_ms']:.2f} | "
                f"{r['p99_ms']:.2f} | {vcols} |"
            )
    lines.append("")
    lines.append(
        f"process VmHWM at the end: {results['hwm_end_mib']:.0f} MiB "
        f"(includes the {mib(results['size'] * results['ndim'] * 4):.0f} MiB float32 data matrix)"
    )
    return "\n".join(lines)


def main():
    args = parse_args()
    try:
        if not Path(args.embeddings).exists():
            raise Skipped(
                f"embeddings not available ({args.embeddings}); run from a checkout next to "
                "../shared, or give --embeddings"
            )
        try:
            import usearch
            from usearch.index import Index
        except ImportError as exc:
            raise Skipped(f"usearch is not installed ({exc}); pip install usearch") from exc
    except Skipped as exc:
        print(f"vector_scale: skipped: {exc}", file=sys.stderr)
        return

    tmp = None
    out_dir = args.out_dir
    if out_dir is None:
        out_dir = tmp = tempfile.mkdtemp(prefix="vector_scale-")
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        real, base, queries, info = make_data(args)
        log(f"data: {base.shape} in {time.perf_counter() - t0:.1f} s {info}")
        t0 = time.perf_counter()
        truth = exact_topk(base, queries)
        log(f"ground truth in {time.perf_counter() - t0:.1f} s")
        results = {
            "load_start": os.getloadavg()[0],
            "size": len(base),
            "ndim": base.shape[1],
            "queries": len(queries),
            "data": info,
            "usearch": usearch.__version__,
            "numpy": np.__version__,
            "seed": args.seed,
            "exact": [],
        }
        for what, matrix in (("real rows", real), ("whole index", base)):
            p50, p99 = time_exact(matrix, queries, args.exact_queries)
            results["exact"].append(
                {"what": what, "rows": len(matrix), "p50_ms": p50, "p99_ms": p99}
            )
            log(f"exact {len(matrix)}: p50 {p50:.2f} ms")
        del real
        base_i8 = queries_i8 = None
        if "i8" in args.dtype:
            base_i8, queries_i8 = quantise_i8(base), quantise_i8(queries)
        results["configs"] = []
        for dtype in args.dtype:
            for conn in args.connectivity:
                for efc in args.expansion_add:
                    results["configs"].append(
                        run_config(
                            args,
                            Index,
                            base,
                            base_i8,
                            queries,
                            queries_i8,
                            truth,
                            out_dir,
                            dtype,
                            conn,
                            efc,
                        )
                    )
        results["hwm_end_mib"] = proc_status()["VmHWM"]
        results["load_end"] = os.getloadavg()[0]
    finally:
        if tmp and not args.keep_index:
            shutil.rmtree(tmp, ignore_errors=True)
    print(markdown(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
