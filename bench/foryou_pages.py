"""The For you benchmark as readers get it: /for-you and /api/recommendations for a reader
with --signals signals over the real catalogue, in-process and as served.

    .venv/bin/python bench/foryou_pages.py                   # the 74,728 real papers, SQLite
    .venv/bin/python bench/foryou_pages.py --size 1000000    # scaled up to 1M papers
    .venv/bin/python bench/foryou_pages.py --database-url postgres://postgres@127.0.0.1:5432/foryou_bench

1. The catalogue as bench/search.py fills it: the real arXiv listings of ../shared with
   their precomputed vectors (scaled up with synthetic papers past 74,728).
2. A reader with --signals signals: nine in ten "more like this" on papers near a few
   interest centres (real papers' vectors), one in ten "not interested", plus follows
   (two categories, three authors, two keywords). The model update after one more
   signal (services.give_feedback: the write and the refit) is timed --requests times.
3. In-process, through Django's test client (the whole stack but the socket): GET
   /for-you (the newest listing day, the week before, the community's picks) and GET
   /api/recommendations (the newest day, 20 picks); p50 / p99 in milliseconds.
4. As served: `dailypapers serve` (gunicorn, DEBUG off) on a loopback port, each path
   loaded by wrk with --connections clients for --duration seconds, signed in by the
   reader's session cookie or API token (needs `wrk`; skipped with a note otherwise).

Results print as Markdown and are written to bench/results/foryou-pages-SIZE.json.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(BENCH_DIR))

import search as search_bench  # noqa: E402 (bench/, on sys.path above)


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=74_728, help="papers (default 74,728)")
    parser.add_argument("--signals", type=int, default=1000, help="the reader's signals")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per path")
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds per path (0: skip)")
    parser.add_argument("--connections", type=int, default=4, help="wrk's clients at once")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--database-url", help="PostgreSQL database (name must contain 'bench')")
    parser.add_argument("--data-dir", type=Path, help="DATA_DIR (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="reuse the catalogue in --data-dir")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def make_reader(args):
    """The benchmark's reader, their signals and follows; (user, API token text)."""
    from django.contrib.auth import get_user_model

    from dailypapers.accounts.models import ApiToken
    from dailypapers.foryou import services
    from dailypapers.foryou.models import Feedback, Follow
    from dailypapers.papers.models import Paper
    from dailypapers.search import service as search

    rng = random.Random(args.seed)
    user, _ = get_user_model().objects.get_or_create(username="bench-reader")
    Feedback.objects.filter(user=user).delete()
    Follow.objects.filter(user=user).delete()
    ids = list(Paper.objects.values_list("pk", flat=True))
    # Interest: the neighbours of five real papers; dislikes: papers picked at random.
    liked = []
    for centre in rng.sample(ids, 5):
        _, vectors = search.paper_vectors([centre])
        liked += [
            pk
            for pk, _ in search.vectors.store_for(search.embedding.model_name()).search(
                vectors[0], args.signals // 5
            )
        ]
    liked = list(dict.fromkeys(liked))[: args.signals * 9 // 10]
    disliked = [pk for pk in rng.sample(ids, args.signals) if pk not in set(liked)]
    disliked = disliked[: args.signals - len(liked)]
    Feedback.objects.bulk_create(
        [Feedback(user=user, paper_id=pk, signal="more") for pk in liked]
        + [Feedback(user=user, paper_id=pk, signal="not_interested") for pk in disliked]
    )
    sample = Paper.objects.filter(pk__in=liked[:50]).only("authors", "categories")
    authors = [a for p in sample for a in p.authors[:1]][:3]
    categories = sorted({c for p in sample for c in p.categories[:1]})[:2]
    for kind, values in (
        ("author", authors),
        ("category", categories),
        ("keyword", ["diffusion", "retrieval"]),
    ):
        for value in values:
            services.follow(user, kind, value)
    services.refit(user)
    _, token = ApiToken.objects.create_token(user, name="bench")
    return user, token


def time_update(user, n):
    """ms for one more signal (the write and the refit), n times over other papers."""
    from dailypapers.foryou import services
    from dailypapers.foryou.models import Feedback
    from dailypapers.papers.models import Paper

    taken = set(Feedback.objects.filter(user=user).values_list("paper_id", flat=True))
    papers = [p for p in Paper.objects.order_by("?")[: n * 2] if p.pk not in taken][:n]
    timings = []
    for paper in papers:
        started = time.perf_counter()
        services.give_feedback(user, paper, "more")
        timings.append((time.perf_counter() - started) * 1000)
    return summary(timings)


def summary(timings):
    timings = sorted(timings)
    return {
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p99_ms": round(timings[max(0, round(0.99 * len(timings)) - 1)], 2),
    }


def in_process(client, path, n, **headers):
    for _ in range(3):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
    return summary(timings)


def served(args, paths):
    if not args.duration or not shutil.which("wrk"):
        print("bench: served figures skipped (no wrk, or --duration 0)", file=sys.stderr)
        return {}
    from run import Server, wrk

    results = {}
    with Server(dict(os.environ), args.workers) as server:
        for label, (path, headers) in paths.items():
            wrk(server.base + path, 2, args, headers)
            results[label] = wrk(server.base + path, args.duration, args, headers)
    return results


def main():
    args = parse_args()
    args.embed_sample = 0
    search_bench.setup_django(args)
    from django.test import Client

    results = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "size": args.size,
        "signals": args.signals,
    }
    if not args.reuse:
        search_bench.fill(args, results)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a reused database may be a migration behind
    # Pages name the hashed static files of the manifest, as under `dailypapers serve`.
    call_command("collectstatic", "--noinput", verbosity=0)
    user, token = make_reader(args)
    results["update_after_signal"] = time_update(user, min(args.requests, 50))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.cookies["sessionid"].value
    bearer = {"Authorization": f"Bearer {token}"}
    results["in_process"] = {
        "/for-you": in_process(client, "/for-you", args.requests),
        "/api/recommendations": in_process(
            Client(HTTP_HOST="127.0.0.1"), "/api/recommendations", args.requests, **bearer
        ),
    }
    results["served"] = served(
        args,
        {
            "/for-you": ("/for-you", {"Cookie": f"sessionid={session}"}),
            "/api/recommendations": ("/api/recommendations", bearer),
        },
    )
    print(markdown(results))
    out = BENCH_DIR / "results" / f"foryou-pages-{args.size}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")


def markdown(results):
    lines = [
        f"For you, {results['size']:,} papers, a reader with {results['signals']:,} signals "
        f"({results['machine']}, {results['date']})",
        "",
        f"Model update after a signal: p50 {results['update_after_signal']['p50_ms']} ms, "
        f"p99 {results['update_after_signal']['p99_ms']} ms",
        "",
        "| path | in-process p50 / p99 ms | served p50 / p99 ms | served requests/s |",
        "|---|---|---|---|",
    ]
    for path, inproc in results["in_process"].items():
        served_figures = results["served"].get(path)
        served_text = (
            f"{served_figures['p50_ms']:.1f} / {served_figures['p99_ms']:.1f}"
            if served_figures
            else "–"
        )
        rate = f"{served_figures['requests_per_s']:.0f}" if served_figures else "–"
        lines.append(
            f"| `{path}` | {inproc['p50_ms']:.1f} / {inproc['p99_ms']:.1f} | {served_text} | {rate} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
