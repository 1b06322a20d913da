"""Server-side page timings: the Django WSGI application called in-process, no network.

Run by bench/run.py (which sets DATA_DIR / DATABASE_URL, SECRET_KEY and ALLOWED_HOSTS for
the database it has just loaded and prints the results); on its own:

    DATA_DIR=/tmp/loaded SECRET_KEY=x ALLOWED_HOSTS=127.0.0.1 \\
        .venv/bin/python bench/inprocess.py --requests 500 /papers/date/2026-08-21

Prints one JSON object on stdout. For each path:
1. warm-up requests (connections opened, templates compiled, caches filled);
2. `--requests` timed requests, uninstrumented: p50 / p90 / p99 / mean in milliseconds;
3. a shorter instrumented pass that splits the mean request into SQL (time inside the
   database driver's execute, counted with connection.execute_wrapper), template rendering
   (the top-level Template.render, minus the SQL run from inside it: querysets are lazy, so
   most of a page's queries run while the template iterates over them) and the rest
   (URL routing, middleware, view code, model instances built outside the template);
4. with --profile DIR, a cProfile of `--requests` requests written to DIR/profile-<n>.txt.

The environment and the call are the ones gunicorn uses (DEBUG off, the same settings,
a persistent database connection), minus the socket.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path


def wsgi_environ(path):
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path.partition("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "text/html",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(application, path):
    """One request through the WSGI app; returns (status code, body size)."""
    status = []
    body = application(wsgi_environ(path), lambda s, headers, exc_info=None: status.append(s))
    try:
        size = sum(len(chunk) for chunk in body)
    finally:
        # close() sends request_finished (connection housekeeping), as a server would.
        if hasattr(body, "close"):
            body.close()
    return int(status[0].split()[0]), size


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    index = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def time_requests(application, path, n):
    timings = []
    for _ in range(n):
        start = time.perf_counter()
        call(application, path)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "requests": n,
        "p50_ms": statistics.median(timings),
        "p90_ms": percentile(timings, 0.90),
        "p99_ms": percentile(timings, 0.99),
        "mean_ms": statistics.fmean(timings),
        "min_ms": timings[0],
    }


class Breakdown:
    """Splits request time into SQL, template rendering and the rest (see the docstring)."""

    def __init__(self):
        self.sql = 0.0
        self.sql_in_template = 0.0
        self.template = 0.0
        self.queries = 0
        self._rendering = 0

    def execute_wrapper(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.sql += elapsed
            self.queries += 1
            if self._rendering:
                self.sql_in_template += elapsed

    def wrap_render(self, render):
        def timed_render(template, *args, **kwargs):
            self._rendering += 1
            start = time.perf_counter()
            try:
                return render(template, *args, **kwargs)
            finally:
                self._rendering -= 1
                if not self._rendering:
                    self.template += time.perf_counter() - start

        return timed_render


def breakdown(application, path, n):
    from django.db import connection
    from django.template.backends.django import Template

    parts = Breakdown()
    original = Template.render
    Template.render = parts.wrap_render(original)
    try:
        with connection.execute_wrapper(parts.execute_wrapper):
            start = time.perf_counter()
            for _ in range(n):
                call(application, path)
            total = time.perf_counter() - start
    finally:
        Template.render = original
    per_request = lambda seconds: seconds * 1000 / n  # noqa: E731
    template_only = parts.template - parts.sql_in_template
    return {
        "requests": n,
        "queries": parts.queries / n,
        "sql_ms": per_request(parts.sql),
        "template_ms": per_request(template_only),
        "other_ms": per_request(total - parts.sql - template_only),
        "total_ms": per_request(total),
    }


def profile(application, path, n, out_dir):
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        call(application, path)
    profiler.disable()
    name = path.strip("/").replace("/", "_") or "home"
    target = Path(out_dir) / f"profile-{name}.txt"
    text = io.StringIO()
    text.write(f"cProfile of {n} requests to {path}\n\n")
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    target.write_text(text.getvalue())
    return str(target)


def corpus_counts():
    from django.db import connection

    from dailypapers.papers.models import FeedEntry, Paper

    return {
        "papers": Paper.objects.count(),
        "feed_entries": FeedEntry.objects.count(),
        "feed_days": FeedEntry.objects.values("day").distinct().count(),
        "db_vendor": connection.vendor,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", help="URL paths to time, e.g. /papers/date/2026-08-21")
    parser.add_argument(
        "--requests", type=int, default=500, help="timed requests per path (default 500)"
    )
    parser.add_argument(
        "--warmup", type=int, default=50, help="untimed requests first (default 50)"
    )
    parser.add_argument(
        "--breakdown-requests",
        type=int,
        default=100,
        help="instrumented requests for the SQL/template split (default 100)",
    )
    parser.add_argument(
        "--profile", metavar="DIR", help="also write a cProfile report per path to DIR"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    results = {"corpus": corpus_counts(), "pages": {}}
    for path in args.paths:
        for _ in range(args.warmup):
            status, size = call(application, path)
        status, size = call(application, path)
        page = {"status": status, "bytes": size}
        if status == 200:
            page["timing"] = time_requests(application, path, args.requests)
            page["breakdown"] = breakdown(application, path, args.breakdown_requests)
            if args.profile:
                page["profile"] = profile(application, path, args.requests, args.profile)
        results["pages"][path] = page
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
