"""The discussion benchmark: one paper with 10,000 comments (and a chain of 1,100 replies
on another), its paper page, a thread page and the comments API timed in-process.

    .venv/bin/python bench/discussion.py                    # SQLite in a temporary DATA_DIR
    .venv/bin/python bench/discussion.py --requests 50
    .venv/bin/python bench/discussion.py --database-url postgres://postgres@127.0.0.1:5432/discussion_bench

1. A fresh database (SQLite in a temporary DATA_DIR, or the PostgreSQL database given,
   whose name must contain "bench"; it is dropped and re-created), migrated; static
   files collected.
2. Paper A gets 10,000 comments by 100 people: 500 top-level comments, each with 19
   replies spread over a few levels (half answer the comment, half answer a reply).
   Paper B gets a chain of 1,100 replies, each answering the one before.
3. Each path is requested a few times to warm up, then `--requests` times through the WSGI
   application (bench/inprocess.py: the call gunicorn makes, minus the socket): wall-clock
   p50 / p99 in milliseconds, then as many again for the CPU time of this process (which
   on SQLite includes the database's work, and is steadier than wall time on a busy
   machine; on PostgreSQL the server's share is left out), and the response size.
4. Then as served: `dailypapers serve` (gunicorn, DEBUG off; bench/run.py's Server) on a
   free loopback port, each path loaded by wrk with --connections clients at once for
   --duration seconds (needs `wrk`; skipped with a note where it is missing): requests/s
   and latency p50 / p99.

Results print as Markdown and are written to bench/results/discussion.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(BENCH_DIR))
DAILYPAPERS = [sys.executable, "-m", "dailypapers"]

from databases import use_fresh_database  # noqa: E402 (bench/, on sys.path above)


def fresh_database(options, env):
    use_fresh_database(options.database_url, env)
    subprocess.run([*DAILYPAPERS, "migrate", "-v0"], env=env, check=True, cwd=PROJECT_DIR)
    # Pages name the hashed static files of the manifest, as under `dailypapers serve`.
    subprocess.run(
        [*DAILYPAPERS, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=PROJECT_DIR
    )


def populate(comments):
    """Paper A with `comments` comments, paper B with a 1,100-reply chain; their arXiv ids
    and the id of a comment halfway down the chain."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from dailypapers.discussion.models import Comment
    from dailypapers.papers.models import FeedEntry, Paper

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"reader{i}", email=f"reader{i}@example.org") for i in range(100)
    )
    day = timezone.localdate()
    start = timezone.now() - dt.timedelta(days=1)
    papers = []
    for arxiv_id in ("2611.00001", "2611.00002"):
        paper = Paper.objects.create(
            arxiv_id=arxiv_id, title=f"Paper {arxiv_id}", abstract="An abstract."
        )
        FeedEntry.objects.create(paper=paper, day=day, submitted_at=start)
        papers.append(paper)
    with transaction.atomic():
        # Ids are given so that a reply can name its parent before it is saved.
        next_id = (Comment.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        rows, per_thread = [], 20
        for i in range(comments):
            top = i - i % per_thread
            parent = None if i == top else (top if i % 2 else i - 1)
            rows.append(Comment(
                id=next_id + i, paper=papers[0], user=users[i % len(users)],
                parent_id=None if parent is None else next_id + parent,
                created_at=start + dt.timedelta(seconds=i),
                body=f"Comment {i} on the method.", body_html=f"<p>Comment {i} on the method.</p>",
            ))  # fmt: skip
        chain_start = next_id + comments
        for i in range(1100):
            rows.append(Comment(
                id=chain_start + i, paper=papers[1], user=users[i % len(users)],
                parent_id=None if i == 0 else chain_start + i - 1,
                created_at=start + dt.timedelta(seconds=i),
                body=f"Reply {i}.", body_html=f"<p>Reply {i}.</p>",
            ))  # fmt: skip
        Comment.objects.bulk_create(rows, batch_size=1000)
    if connection_vendor() == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:  # the explicit ids did not move the sequence
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('discussion_comment', 'id'), (SELECT max(id) FROM discussion_comment))"
            )
    return papers[0].arxiv_id, papers[1].arxiv_id, chain_start + 550


def connection_vendor():
    from django.db import connection

    return connection.vendor


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument(
        "--database-url", help="a PostgreSQL database whose name contains 'bench' (dropped!)"
    )
    parser.add_argument("--output", default=str(BENCH_DIR / "results" / "discussion.json"))
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds of wrk load per path (0: skip)"
    )
    parser.add_argument("--connections", type=int, default=4, help="wrk's clients at once")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument(
        "--workers",
        type=int,
        default=(os.cpu_count() or 1) * 2 + 1,
        help="gunicorn workers (default 2 × cores + 1, as serve)",
    )
    options = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="discussion-bench-"))
    env = {
        **os.environ, "SECRET_KEY": "bench-only", "DATA_DIR": str(data_dir), "EMBED_ON_IMPORT": "0",
        "ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SETTINGS_MODULE": "dailypapers.settings",
        "PYTHONPATH": str(PROJECT_DIR),
    }  # fmt: skip
    env.pop("DEBUG", None)
    fresh_database(options, env)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from inprocess import call, time_requests

    busy, deep, middle = populate(options.comments)
    application = get_wsgi_application()
    paths = {
        f"paper page, {options.comments:,} comments": f"/papers/{busy}",
        "its page 2": f"/papers/{busy}?page=2",
        f"API, {options.comments:,} comments": f"/api/papers/{busy}/comments",
        "paper page, 1,100-reply chain": f"/papers/{deep}",
        "thread page in the chain": f"/comments/{middle}",
        "API, 1,100-reply chain": f"/api/papers/{deep}/comments",
    }
    results = {}
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    for label, path in paths.items():
        for _ in range(3):
            status, size = call(application, path)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}")
        timing = time_requests(application, path, options.requests)
        cpu = []
        for _ in range(options.requests):
            started = time.process_time()
            call(application, path)
            cpu.append((time.process_time() - started) * 1000)
        results[label] = {
            "path": path,
            "bytes": size,
            "cpu_p50_ms": statistics.median(cpu),
            **timing,
        }

    vendor = connection_vendor()
    served = served_benchmark(env, paths, options)
    print(f"Discussion benchmark ({vendor}, {options.requests} requests each, in-process)\n")
    print(
        f"load average before / after: {load_before} / {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n"
    )
    print("| what | path | p50 | p99 | CPU p50 | response |")
    print("|---|---|---:|---:|---:|---:|")
    for label, r in results.items():
        print(f"| {label} | `{r['path']}` | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms | "
              f"{r['cpu_p50_ms']:.1f} ms | {r['bytes'] / 1024:.0f} KB |")  # fmt: skip
    if served:
        print(
            f"\nAs served ({options.workers} gunicorn workers, wrk with {options.connections} clients "
            f"for {options.duration} s each)\n"
        )
        print("| what | requests/s | p50 | p99 | errors |")
        print("|---|---:|---:|---:|---:|")
        for label, r in served.items():
            print(
                f"| {label} | {r['requests_per_s']:.0f} | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms | "
                f"{r['socket_errors'] + r['non_2xx']} |"
            )
    output = Path(options.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "database": vendor,
                "python": platform.python_version(),
                "results": results,
                "served": served,
            },
            indent=2,
        )
    )


def served_benchmark(env, paths, options):
    """{label: wrk's figures} for each path under `dailypapers serve`; {} when skipped."""
    import shutil

    from django.db import connections

    if not options.duration or not shutil.which("wrk"):
        print("bench: served figures skipped (no wrk, or --duration 0)", file=sys.stderr)
        return {}
    from run import Server, wrk

    connections.close_all()  # the server's workers open their own
    results = {}
    with Server(env, options.workers) as server:
        for label, path in paths.items():
            wrk(server.base + path, 2, options)  # warm-up: each worker's first requests
            results[label] = wrk(server.base + path, options.duration, options)
    return results


if __name__ == "__main__":
    main()
