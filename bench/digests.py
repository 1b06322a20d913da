"""The email digest benchmark: 10,000 subscribers with varied filters, digests built and
delivered to a local SMTP server.

    .venv/bin/python bench/digests.py                       # SQLite in a temporary DATA_DIR
    .venv/bin/python bench/digests.py --subscribers 2000
    .venv/bin/python bench/digests.py --database-url postgres://postgres@127.0.0.1:5432/digests_bench

1. A fresh database (SQLite in a temporary DATA_DIR, or the PostgreSQL database given,
   whose name must contain "bench"; it is dropped and re-created) gets the bundled demo
   feed (`dailypapers load-demo`).
2. Subscribers are inserted: 80% daily, 20% weekly; about half with filters drawn from
   the data (1–3 categories, keywords from titles, author names), 5–20 papers each.
3. The sending day is the first weekday after the latest feed day, so the daily digest
   covers that day and the weekly one the week before.
   `dailypapers digest build --date DAY` runs as a process of its own: wall time, peak RSS.
4. An SMTP sink (aiosmtpd, tests/smtp_server.py, in another process: the mail server is
   not the sender's work) accepts every message. `dailypapers digest send` runs twice:
   `--limit 1000`, then the rest, so that the two peak RSS figures show whether memory
   grows with the number of emails. emails/s counts both processes' wall time, start-up
   included.
5. Checks: the sink received exactly one email per subscriber, the outbox is all sent.

Results print as Markdown and are written to bench/results/digests.json.
"""

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import random
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


def peak_rss_mib(args, env):
    """Run args in a child that reports its own peak RSS (ru_maxrss is per process)."""
    code = (
        "import resource, runpy, sys; sys.argv = ['dailypapers'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('dailypapers', run_name='__main__')\n"
        "finally:\n    print(f'PEAK_RSS_KIB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n"
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    peak = [line for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KIB=")]
    if proc.returncode != 0 or not peak:
        raise SystemExit(
            f"dailypapers {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return wall, int(peak[0].split("=")[1]) / 1024, proc.stdout


def sink(port, conn):
    from tests.smtp_server import SMTPServer

    server = SMTPServer(keep_messages=False, port=port).start()
    conn.send("ready")
    conn.recv()  # "stop"
    server.stop()
    conn.send(server.accepted)


def make_members(options, rng):
    """Turn a share of the subscribers into members whose digests blend in their For you
    picks (half the places): each with --signals "more like this" on papers near one
    interest and a fitted model. The number of members."""
    from django.contrib.auth import get_user_model

    from dailypapers.digests.models import Subscription
    from dailypapers.foryou import services
    from dailypapers.foryou.models import Feedback, Reader
    from dailypapers.search.models import PaperEmbedding

    with_vectors = list(PaperEmbedding.objects.values_list("paper_id", flat=True))
    if not with_vectors:
        raise SystemExit("the demo papers have no vectors: For you has nothing to rank")
    subscriptions = list(Subscription.objects.order_by("id"))
    chosen = subscriptions[: int(len(subscriptions) * options.members)]
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"member{s.pk}", email=s.email) for s in chosen], batch_size=2000
    )
    for subscription, user in zip(chosen, users):
        subscription.user = user
    Subscription.objects.bulk_update(chosen, ["user"], batch_size=2000)
    Reader.objects.bulk_create([Reader(user=u, digest_mix=50) for u in users], batch_size=2000)
    Feedback.objects.bulk_create(
        [
            Feedback(user=u, paper_id=pk, signal="more")
            for u in users
            for pk in rng.sample(with_vectors, min(options.signals, len(with_vectors)))
        ],
        batch_size=5000,
    )
    for user in users:
        services.refit(user)
    return len(users)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument(
        "--database-url", help="a PostgreSQL database whose name contains 'bench' (dropped!)"
    )
    parser.add_argument(
        "--members",
        type=float,
        default=0.0,
        help="share of subscribers who are members with For you picks blended in (0-1)",
    )
    parser.add_argument("--signals", type=int, default=20, help="each member's signals")
    parser.add_argument("--output", default=str(BENCH_DIR / "results" / "digests.json"))
    options = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="digests-bench-"))
    env = {
        **os.environ, "SECRET_KEY": "bench-only", "DATA_DIR": str(data_dir), "EMBED_ON_IMPORT": "0",
        "SITE_URL": "https://papers.example.org", "DEFAULT_FROM_EMAIL": "digest@papers.example.org",
        "DJANGO_SETTINGS_MODULE": "dailypapers.settings", "PYTHONPATH": str(PROJECT_DIR),
    }  # fmt: skip
    env.pop("DEBUG", None)
    use_fresh_database(options.database_url, env)

    # 1. Database and demo feed.
    subprocess.run([*DAILYPAPERS, "migrate", "-v0"], env=env, check=True, cwd=PROJECT_DIR)
    subprocess.run(
        [*DAILYPAPERS, "load-demo"], env=env, check=True, cwd=PROJECT_DIR, capture_output=True
    )

    # 2. Subscribers, from this process (Django set up on the same database).
    os.environ.update(env)
    import django

    django.setup()
    from dailypapers.digests.models import Subscription
    from dailypapers.digests.schedule import daily_period
    from dailypapers.papers.models import FeedEntry, Paper

    latest = FeedEntry.objects.order_by("-day").values_list("day", flat=True).first()
    send_day = latest + dt.timedelta(days=1)
    while send_day.weekday() >= 5 or daily_period(send_day).first_day > latest:
        send_day += dt.timedelta(days=1)
    papers = list(
        Paper.objects.filter(feed_entries__day__gte=latest - dt.timedelta(days=14)).values_list(
            "categories", "title", "authors"
        )[:2000]
    )
    rng = random.Random(7)
    # Hugging Face's data has no arXiv categories: then common ones (matching nothing).
    categories = sorted({c for cats, _, _ in papers for c in cats}) or [
        "cs.AI",
        "cs.CL",
        "cs.CV",
        "cs.LG",
        "cs.RO",
        "stat.ML",
    ]
    words = sorted(
        {w.lower().strip(":,.") for _, title, _ in papers for w in title.split() if len(w) > 6}
    )
    authors = sorted({a for _, _, names in papers for a in names})
    if not (papers and words and authors):
        raise SystemExit("the demo feed did not load")
    rows = []
    for i in range(options.subscribers):
        filtered = rng.random() < 0.5
        rows.append(
            Subscription(
                email=f"reader{i:05d}@example.org", status=Subscription.ACTIVE,
                frequency=Subscription.WEEKLY if rng.random() < 0.2 else Subscription.DAILY,
                categories=rng.sample(categories, rng.randint(1, 3)) if filtered and rng.random() < 0.7 else [],
                keywords=rng.sample(words, rng.randint(1, 3)) if filtered and rng.random() < 0.6 else [],
                authors=rng.sample(authors, rng.randint(1, 2)) if filtered and rng.random() < 0.3 else [],
                max_papers=rng.randint(5, 20),
            )
        )  # fmt: skip
    Subscription.objects.bulk_create(rows, batch_size=2000)
    del rows
    members = make_members(options, rng) if options.members else 0

    # 3. Build.
    build_wall, build_rss, build_out = peak_rss_mib(
        ["digest", "build", "--date", send_day.isoformat(), "--no-progress"], env
    )

    # 4. Send to the sink.
    from tests.smtp_server import free_port

    port = free_port()
    from django.db import connections

    connections.close_all()  # the sink is forked: it must not share this process's connection
    here, there = multiprocessing.Pipe()
    sink_process = multiprocessing.get_context("fork").Process(
        target=sink, args=(port, there), daemon=True
    )
    sink_process.start()
    assert here.recv() == "ready"
    send_env = {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)}
    first_wall, first_rss, first_out = peak_rss_mib(
        ["digest", "send", "--limit", "1000", "--no-progress"], send_env
    )
    rest_wall, rest_rss, rest_out = peak_rss_mib(["digest", "send", "--no-progress"], send_env)
    here.send("stop")
    received = here.recv()
    sink_process.join(10)

    # 5. Checks.
    from django.db.models import Count

    from dailypapers.digests.models import OutboxMessage

    statuses = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("id")).order_by())
    sent_first = int(first_out.split(" sent")[0])
    sent_rest = int(rest_out.split(" sent")[0])
    emails = sent_first + sent_rest
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "database": "postgresql" if options.database_url else "sqlite",
        "subscribers": options.subscribers,
        "members_with_for_you": members,
        "send_day": send_day.isoformat(),
        "build": {"seconds": round(build_wall, 2), "peak_rss_mib": round(build_rss, 1), "output": build_out.strip()},
        "send_first_1000": {"emails": sent_first, "seconds": round(first_wall, 2), "peak_rss_mib": round(first_rss, 1)},
        "send_rest": {"emails": sent_rest, "seconds": round(rest_wall, 2), "peak_rss_mib": round(rest_rss, 1),
                      "emails_per_second": round(sent_rest / rest_wall, 1)},
        "emails": emails,
        "emails_per_second": round(emails / (first_wall + rest_wall), 1),
        "build_and_send_emails_per_second": round(emails / (build_wall + first_wall + rest_wall), 1),
        "sink_received": received,
        "outbox": statuses,
    }  # fmt: skip
    Path(options.output).parent.mkdir(parents=True, exist_ok=True)
    Path(options.output).write_text(json.dumps(result, indent=2) + "\n")
    print("| step | emails | seconds | emails/s | peak RSS |\n|---|---|---|---|---|")
    print(
        f"| build ({options.subscribers:,} subscribers) | {emails:,} queued | {build_wall:.1f} | — | {build_rss:.0f} MiB |"
    )
    print(
        f"| send, first 1,000 | {sent_first:,} | {first_wall:.1f} | {sent_first / first_wall:.0f} | {first_rss:.0f} MiB |"
    )
    print(
        f"| send, the rest | {sent_rest:,} | {rest_wall:.1f} | {sent_rest / rest_wall:.0f} | {rest_rss:.0f} MiB |"
    )
    print(
        f"| send, all | {emails:,} | {first_wall + rest_wall:.1f} | {result['emails_per_second']:.0f} | |"
    )
    print(
        f"| build + send | {emails:,} | {build_wall + first_wall + rest_wall:.1f} | {result['build_and_send_emails_per_second']:.0f} | |"
    )
    print(f"sink received {received:,}; outbox {statuses}")
    if received != options.subscribers or statuses != {"sent": options.subscribers}:
        raise SystemExit("not every subscriber received exactly one digest")


if __name__ == "__main__":
    main()
