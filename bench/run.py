"""The dailypapers benchmark: bulk import, then the feed pages under HTTP load.

Run it from the project root after a change that could touch import speed or page speed
(importers, selectors, templates, settings, the database), and before publishing the
figures in README.md:

    .venv/bin/python bench/run.py                 # SQLite in a fresh temporary DATA_DIR
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/dailypapers_bench
    .venv/bin/python bench/run.py --help          # every option

It takes 2 to 5 minutes on 2 cores. It needs `wrk` (`apt-get install wrk`; it says so
when missing) and the real data in ../shared (it skips with a message where that is absent).

1. Import: a fresh database is migrated, then `dailypapers import arxiv` loads the 74,728
   papers of ../shared/data/arxiv_listings.jsonl.gz and `dailypapers import hf-daily` the
   580 Hugging Face days, each as its own process, the way an operator runs them. Wall
   time, papers/s and the peak memory (max RSS) of each process are measured.
   Target: ≥ 5,000 papers/s overall.
2. Server side: the six feed pages are requested in-process through the WSGI application
   (bench/inprocess.py): p50/p99 over --requests requests after a warm-up, and where a
   request's time goes (SQL, template rendering, the rest). Target: day page p50 ≤ 10 ms.
3. HTTP: `dailypapers serve` (gunicorn + whitenoise, DEBUG off) on a free port of
   127.0.0.1, loaded by wrk for --duration seconds per page. Target: day page ≥ 500
   requests/s. The server is always stopped at the end, also on error or Ctrl-C.

Results are printed as Markdown and written as JSON to bench/results/latest.json
(git-ignored) with the machine, date, versions and git commit they belong to.

A PostgreSQL database given with --database-url is dropped and re-created (its name must
contain "bench", as a guard against pointing this at real data) and dropped at the end
unless --keep.
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
SHARED_DIR = PROJECT_DIR.parent / "shared"
LISTINGS = "data/arxiv_listings.jsonl.gz"
HF_DAYS = "data/hf_daily_papers"
EXPECTED = {"arxiv_papers": 74_728, "hf_files": 580}

PAGES = {
    "day": "/papers/date/2026-08-21",
    "week": "/papers/week/2026-W34",
    "month": "/papers/month/2026-08",
    "trending": "/papers/trending",
    "paper": "/papers/2608.19880",
    "home": "/",
    "api-day": "/api/daily_papers?date=2026-08-21",
    "api-catalogue": "/api/papers?limit=50",
}
TARGETS = {"import_papers_per_s": 5000, "day_p50_ms": 10, "day_requests_per_s": 500}


class BenchError(Exception):
    """A precondition failed or a step broke: printed without a traceback."""


class Skipped(Exception):
    """The shared data is absent (e.g. on a user's machine): nothing to measure, not a failure."""


def main():
    args = parse_args()
    # SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C so that `finally` stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    try:
        run(args, results)
    except Skipped as exc:
        print(f"bench: skipped: {exc}", file=sys.stderr)
        return
    except BenchError as exc:
        sys.exit(f"bench: {exc}")
    except KeyboardInterrupt:
        sys.exit("bench: interrupted")
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))
    print(f"\nJSON: {output}")


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    db = parser.add_argument_group("database")
    db.add_argument(
        "--database-url",
        help="a PostgreSQL database to (re)create and use, "
        "e.g. postgres://postgres@127.0.0.1:5432/dailypapers_bench (default: SQLite)",
    )
    db.add_argument(
        "--data-dir",
        help="DATA_DIR for the SQLite file and static files "
        "(default: a fresh temporary directory, removed at the end)",
    )
    db.add_argument(
        "--skip-import",
        action="store_true",
        help="benchmark pages on the already loaded database of --data-dir or --database-url",
    )
    db.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary DATA_DIR or the PostgreSQL database for a later --skip-import",
    )
    db.add_argument(
        "--shared",
        default=str(SHARED_DIR),
        help=f"the shared data directory (default {SHARED_DIR})",
    )
    pages = parser.add_argument_group("pages")
    pages.add_argument(
        "--skip-http", action="store_true", help="import (and in-process timings) only"
    )
    pages.add_argument(
        "--pages",
        default=",".join(PAGES),
        help=f"comma-separated subset of {', '.join(PAGES)} (default all)",
    )
    pages.add_argument(
        "--requests",
        type=int,
        default=500,
        help="in-process timed requests per page, after a warm-up (default 500)",
    )
    pages.add_argument(
        "--profile",
        action="store_true",
        help="also write a cProfile report per page to bench/results/",
    )
    pages.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn workers for `dailypapers serve` (default 2 × cores + 1, as serve)",
    )
    pages.add_argument("--duration", type=int, default=10, help="wrk seconds per page (default 10)")
    pages.add_argument(
        "--warmup", type=int, default=2, help="untimed wrk seconds per page first (default 2)"
    )
    pages.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    pages.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument(
        "--output",
        default=str(BENCH_DIR / "results" / "latest.json"),
        help="where to write the JSON results (default bench/results/latest.json)",
    )
    args = parser.parse_args()
    unknown = set(args.pages.split(",")) - set(PAGES)
    if unknown:
        parser.error(f"unknown page(s): {', '.join(sorted(unknown))}")
    if args.skip_import and not (args.data_dir or args.database_url):
        parser.error("--skip-import needs the loaded database: give --data-dir or --database-url")
    return args


def run(args, results):
    shared = Path(args.shared)
    if not args.skip_import and not (shared / LISTINGS).exists():
        raise Skipped(
            f"shared data not available ({shared / LISTINGS}): nothing to import. "
            "Run from a checkout next to ../shared, or give --shared."
        )
    if not args.skip_http and not shutil.which("wrk"):
        raise BenchError(
            "wrk is not installed: apt-get install wrk (or brew install wrk), "
            "or run with --skip-http"
        )

    temporary = args.data_dir is None
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="dailypapers-bench-")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = bench_env(data_dir, args.database_url)
    database = Postgres(args.database_url) if args.database_url else Sqlite(data_dir)
    created = False  # only a database this run created is dropped at the end
    try:
        if not args.skip_import:
            database.create_fresh()
            created = True
        results["machine"] = machine()
        results["versions"] = versions(database)
        results["settings"] = {
            k: v for k, v in vars(args).items() if k not in ("output", "database_url")
        }
        results["settings"]["database"] = database.describe()
        if not args.skip_import:
            results["import"] = import_benchmark(env, shared)
            results["import"]["database_size_mb"] = database.size_mb()
        pages = {name: PAGES[name] for name in args.pages.split(",")}
        run_command(env, ["collectstatic", "--noinput", "-v0"])
        results["inprocess"] = inprocess_benchmark(env, pages, args)
        if not args.skip_http:
            results["http"] = http_benchmark(env, pages, args)
    finally:
        if created and not args.keep:
            database.drop()
        if temporary and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif args.keep:
            print(
                f"kept: DATA_DIR={data_dir}"
                + (f" DATABASE_URL={args.database_url}" if args.database_url else ""),
                file=sys.stderr,
            )
    results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]


# -- the environment the commands run in ------------------------------------------------------


# Settings from the caller's environment that would change what is measured (an https
# SITE_URL turns on the HTTPS redirect, for one).
IGNORED_ENV = {
    "DEBUG",
    "DATABASE_URL",
    "WEB_WORKERS",
    "BIND",
    "SITE_URL",
    "BEHIND_PROXY",
    "SECURE_SSL_REDIRECT",
    "FEED_TIME_ZONE",
    "TRENDING_HALF_LIFE_HOURS",
    "TRENDING_WINDOW_DAYS",
}


def bench_env(data_dir, database_url):
    """The production configuration (DEBUG off), on loopback, with a throwaway secret."""
    env = {k: v for k, v in os.environ.items() if k not in IGNORED_ENV}
    env.update(
        DATA_DIR=str(data_dir),
        DEBUG="0",
        SITE_URL="http://127.0.0.1",
        SECRET_KEY="bench-only-" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # Embedding is measured by bench/search.py; here the import alone.
        EMBED_ON_IMPORT="0",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def dailypapers_command():
    """The installed console script next to this interpreter, as an operator runs it."""
    script = Path(sys.executable).parent / "dailypapers"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dailypapers"]


def run_command(env, arguments, **kwargs):
    result = subprocess.run(
        dailypapers_command() + arguments,
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        **kwargs,
    )
    if result.returncode != 0:
        raise BenchError(
            f"dailypapers {' '.join(arguments)} failed ({result.returncode}):\n"
            + tail(result.stderr or result.stdout)
        )
    return result.stdout


def measured(command, **popen_options):
    """Runs COMMAND to completion; returns (output, wall seconds, its resource usage).

    os.wait4 gives this child's own usage (max RSS, CPU); RUSAGE_CHILDREN would mix in
    every child so far. Raises BenchError when the command fails."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, text=True, **popen_options
        )
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if process.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed ({process.returncode}):\n{tail(text)}")
    return text, wall, usage


def tail(text, limit=3000):
    """The end of a long output, from a line start: enough to see why something failed."""
    if len(text) <= limit:
        return text
    text = text[-limit:]
    return "…\n" + text[text.find("\n") + 1 :]


def timed_command(env, arguments):
    """Runs `dailypapers ARGUMENTS`; returns (output, wall seconds, peak RSS in MB)."""
    text, wall, usage = measured(dailypapers_command() + arguments, env=env, cwd=PROJECT_DIR)
    return text, wall, usage.ru_maxrss / 1024  # Linux reports kilobytes


# -- databases ------------------------------------------------------------------------------


class Sqlite:
    """The default database: DATA_DIR/dailypapers.sqlite3, as settings.py names it."""

    def __init__(self, data_dir):
        self.path = data_dir / "dailypapers.sqlite3"

    def create_fresh(self):
        if self.path.exists():
            raise BenchError(
                f"{self.path} already exists: the import benchmark needs a fresh "
                "database (remove it, pick another --data-dir, or use --skip-import)"
            )

    def drop(self):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def describe(self):
        return f"SQLite {self.path}"

    def version(self):
        return f"SQLite {sqlite3.sqlite_version}"

    def size_mb(self):
        files = [Path(f"{self.path}{suffix}") for suffix in ("", "-wal")]
        return sum(f.stat().st_size for f in files if f.exists()) / 2**20


class Postgres:
    """A PostgreSQL database of its own, created and dropped through the server's
    maintenance database `postgres`."""

    def __init__(self, url):
        import psycopg.conninfo

        self.url = url
        self.params = psycopg.conninfo.conninfo_to_dict(url)
        self.name = self.params.get("dbname", "")
        if not self.name.replace("_", "").isalnum():
            raise BenchError(f"unexpected database name {self.name!r} in --database-url")

    def _admin(self, query, params=()):
        """Runs one statement on the server's maintenance database; returns the first row."""
        import psycopg

        maintenance = psycopg.conninfo.make_conninfo(self.url, dbname="postgres")
        try:
            with psycopg.connect(maintenance, autocommit=True) as conn:
                cursor = conn.execute(query, params)
                return cursor.fetchone() if cursor.description else None
        except psycopg.OperationalError as exc:
            raise BenchError(f"cannot reach PostgreSQL at {self.describe()}: {exc}") from None

    def create_fresh(self):
        if "bench" not in self.name:
            raise BenchError(
                f"refusing to drop and re-create {self.name!r}: the benchmark database's "
                "name must contain 'bench'"
            )
        self.drop()
        self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        if "bench" in self.name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def describe(self):
        return "PostgreSQL " + re.sub(
            r"(://[^:/@]+):[^@]*@", r"\1:***@", self.url
        )  # no password in reports

    def version(self):
        return "PostgreSQL " + self._admin("SHOW server_version")[0]

    def size_mb(self):
        return self._admin("SELECT pg_database_size(%s)", (self.name,))[0] / 2**20


# -- machine and versions -------------------------------------------------------------------


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": f"{platform.system()} {platform.release()}",
        # Other work on the machine skews every figure: worth knowing when comparing runs.
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def versions(database):
    from importlib.metadata import version

    found = {
        "python": platform.python_version(),
        "django": version("Django"),
        "gunicorn": version("gunicorn"),
        "database": database.version(),
        "git": git_revision(),
    }
    wrk = shutil.which("wrk")
    if wrk:
        # wrk prints its version at the top of its usage text (and exits non-zero).
        first = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.splitlines()
        found["wrk"] = first[0].split("[")[0].removeprefix("wrk").strip() if first else "?"
    return found


def git_revision():
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (uncommitted changes)" if dirty else "")


# -- 1. import ------------------------------------------------------------------------------

SUMMARY = re.compile(r"^papers: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+) skipped", re.M)
FILES = re.compile(r"^(\d+) file\(s\) read, (\d+) skipped; (\d+) records", re.M)


def import_benchmark(env, shared):
    _, migrate_s, _ = timed_command(env, ["migrate", "--noinput", "-v0"])
    steps = {}
    for name, arguments in (
        ("arxiv", ["import", "arxiv", str(shared / LISTINGS), "--quiet", "--no-progress"]),
        ("hf-daily", ["import", "hf-daily", str(shared / HF_DAYS), "--quiet", "--no-progress"]),
    ):
        print(f"bench: dailypapers {' '.join(arguments[:2])} …", file=sys.stderr, flush=True)
        output, wall, rss = timed_command(env, arguments)
        summary, files = SUMMARY.search(output), FILES.search(output)
        if not summary or not files:
            raise BenchError(f"could not read the import summary:\n{tail(output)}")
        created, updated, unchanged, skipped = map(int, summary.groups())
        papers = created + updated + unchanged + skipped
        steps[name] = {
            "files": int(files[1]),
            "files_skipped": int(files[2]),
            "records": int(files[3]),
            "papers": papers,
            "created": created,
            "updated": updated,
            "skipped": skipped,
            "wall_s": wall,
            "papers_per_s": papers / wall,
            "peak_rss_mb": rss,
            "summary": [line for line in output.splitlines() if line.strip()][-3:],
        }
    if (
        steps["arxiv"]["papers"] != EXPECTED["arxiv_papers"]
        or steps["hf-daily"]["files"] != EXPECTED["hf_files"]
    ):
        print(
            f"bench: warning: expected {EXPECTED}, got {steps['arxiv']['papers']} papers and "
            f"{steps['hf-daily']['files']} files",
            file=sys.stderr,
        )
    wall = sum(s["wall_s"] for s in steps.values())
    papers = sum(s["papers"] for s in steps.values())
    return {
        "migrate_s": migrate_s,
        "steps": steps,
        "total": {
            "papers": papers,
            "wall_s": wall,
            "papers_per_s": papers / wall,
            "peak_rss_mb": max(s["peak_rss_mb"] for s in steps.values()),
        },
    }


# -- 2. server side, in-process -------------------------------------------------------------


def inprocess_benchmark(env, pages, args):
    print("bench: in-process page timings …", file=sys.stderr, flush=True)
    command = [sys.executable, str(BENCH_DIR / "inprocess.py"), "--requests", str(args.requests)]
    if args.profile:
        (BENCH_DIR / "results").mkdir(parents=True, exist_ok=True)
        command += ["--profile", str(BENCH_DIR / "results")]
    result = subprocess.run(
        command + list(pages.values()), env=env, cwd=PROJECT_DIR, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BenchError(f"bench/inprocess.py failed:\n{tail(result.stderr)}")
    measured = json.loads(result.stdout)
    return {
        "corpus": measured["corpus"],
        "pages": {name: measured["pages"][path] for name, path in pages.items()},
    }


# -- 3. HTTP --------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`dailypapers serve` in its own process group; always stopped by __exit__."""

    def __init__(self, env, workers):
        self.env, self.workers = env, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile("w+")

    def __enter__(self):
        command = dailypapers_command() + [
            "serve",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
        ]
        # A new session, so that stopping it reaches gunicorn's workers and nothing else.
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=PROJECT_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"dailypapers serve exited ({self.process.returncode}):\n{self.output()}"
                )
            try:
                with urllib.request.urlopen(self.base + "/", timeout=5):
                    return
            except urllib.error.HTTPError as exc:
                raise BenchError(
                    f"dailypapers serve answered {exc.code} on /:\n{self.output()}"
                ) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise BenchError(f"dailypapers serve did not answer within {timeout} s:\n{self.output()}")

    def cpu_seconds(self):
        """CPU time used so far by gunicorn's master and its live workers."""
        pids = [self.process.pid]
        try:
            pids += map(
                int,
                Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
                .read_text()
                .split(),
            )
        except OSError:
            pass
        return sum(process_cpu_seconds(pid) for pid in pids)

    def output(self):
        self.log.seek(0)
        return tail(self.log.read())

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn: graceful shutdown of master and workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # stragglers of this group only
        except ProcessLookupError:
            pass
        self.process.wait()
        self.log.close()


def http_benchmark(env, pages, args):
    postgres = bool(args.database_url)
    results = {"workers": args.workers, "pages": {}}
    with Server(env, args.workers) as server:
        print(
            f"bench: serving on {server.base} with {args.workers} worker(s); wrk {args.duration} s per page …",
            file=sys.stderr,
            flush=True,
        )
        for name, path in pages.items():
            url = server.base + path
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    status, size = response.status, len(response.read())
            except urllib.error.HTTPError as exc:
                status, size = exc.code, 0
            page = {"url": path, "status": status, "bytes": size}
            if status == 200:
                if args.warmup:
                    wrk(url, args.warmup, args)
                before = server.cpu_seconds(), postgres_cpu_seconds(), machine_cpu_seconds()
                page.update(wrk(url, args.duration, args))
                server_cpu = server.cpu_seconds() - before[0]
                database_cpu = (
                    cpu_used_since(before[1], postgres_cpu_seconds()) if postgres else 0.0
                )
                machine_busy, elapsed = (b - a for a, b in zip(before[2], machine_cpu_seconds()))
                requests = max(page["requests"], 1)
                page["server_cpu_ms_per_request"] = server_cpu * 1000 / requests
                if postgres:
                    page["database_cpu_ms_per_request"] = database_cpu * 1000 / requests
                page["wrk_cpu_ms_per_request"] = page["wrk_cpu_s"] * 1000 / requests
                # Cores kept busy by everything else on the machine during the run: the noise.
                others = machine_busy - server_cpu - database_cpu - page["wrk_cpu_s"]
                page["other_cores_busy"] = max(0.0, others / elapsed)
            results["pages"][name] = page
    return results


def wrk(url, duration, args, headers=None):
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--latency",
        *(part for name, value in (headers or {}).items() for part in ("-H", f"{name}: {value}")),
        url,
    ]
    text, _, usage = measured(command)
    return {**parse_wrk(text), "wrk_cpu_s": usage.ru_utime + usage.ru_stime}


TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid):
    """User + system CPU seconds of one process, from /proc (0 once it has gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": field 3 onwards
    return (int(fields[11]) + int(fields[12])) / TICKS


def postgres_cpu_seconds():
    """{pid: CPU seconds} of the local PostgreSQL server's processes (SQLite runs inside
    gunicorn's). All of them, other clients' backends too: a busy neighbour shows up here."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found[int(entry.name)] = process_cpu_seconds(int(entry.name))
            except OSError:
                continue
    return found


def cpu_used_since(before, after):
    """CPU seconds used between two {pid: seconds} snapshots (processes that ended are lost)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def machine_cpu_seconds():
    """(busy CPU seconds over all cores, wall seconds) since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    busy = sum(values[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / TICKS, time.monotonic()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(text):
    """Requests/s, latency percentiles (ms) and errors from `wrk --latency` output."""

    def milliseconds(value):
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value).groups()
        return float(number) * UNITS[unit]

    parsed = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", text)[1])}
    parsed["requests"] = int(re.search(r"(\d+) requests in", text)[1])
    for percent, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", text, re.M):
        parsed[f"p{percent}_ms"] = milliseconds(value)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    parsed["socket_errors"] = sum(map(int, errors.groups())) if errors else 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    parsed["non_2xx"] = int(non_2xx[1]) if non_2xx else 0
    return parsed


# -- report ---------------------------------------------------------------------------------


def markdown(results):
    m, v = results["machine"], results["versions"]
    lines = [
        f"## dailypapers benchmark, {results['started']}",
        "",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}; "
        f"load average {', '.join(map(str, m['load_average']))} at start, "
        f"{', '.join(map(str, m.get('load_average_at_end', ['?'])))} at the end",
        f"- Python {v['python']}, Django {v['django']}, gunicorn {v['gunicorn']}, {v['database']}"
        + (f", wrk {v['wrk']}" if "wrk" in v else "")
        + f"; git {v['git']}",
    ]
    if "import" in results:
        imp = results["import"]
        lines += [
            "",
            f"### Import (fresh database; migrate {imp['migrate_s']:.1f} s; "
            f"database {imp['database_size_mb']:.0f} MB afterwards)",
            "",
            "| step | files | papers | created / updated / skipped | wall s | papers/s | peak RSS MB |",
            "|---|---:|---:|---|---:|---:|---:|",
        ]
        for name, s in imp["steps"].items():
            lines.append(
                f"| `import {name}` | {s['files']} | {s['papers']:,} | {s['created']:,} / {s['updated']:,} / "
                f"{s['skipped']:,} | {s['wall_s']:.1f} | {s['papers_per_s']:,.0f} | {s['peak_rss_mb']:.0f} |"
            )
        t = imp["total"]
        lines.append(
            f"| **overall** | | {t['papers']:,} | | {t['wall_s']:.1f} | **{t['papers_per_s']:,.0f}**"
            f"{verdict(t['papers_per_s'] >= TARGETS['import_papers_per_s'])} | {t['peak_rss_mb']:.0f} |"
        )
        lines.append(
            f"\nTarget ≥ {TARGETS['import_papers_per_s']:,} papers/s overall "
            "(wall time of each command, Python start-up included)."
        )

    settings = results["settings"]
    inproc = results.get("inprocess", {}).get("pages", {})
    corpus = results.get("inprocess", {}).get("corpus")
    if inproc:
        lines += [
            "",
            "### Pages, server side (in-process)"
            + (
                f": {corpus['papers']:,} papers, {corpus['feed_entries']:,} feed entries on "
                f"{corpus['feed_days']} days"
                if corpus
                else ""
            ),
            "",
            "| page | URL | KB | p50 ms | p99 ms | queries | SQL ms | template ms | other ms |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, page in inproc.items():
            t, b = page.get("timing", {}), page.get("breakdown", {})
            p50 = fmt(t.get("p50_ms"), "{:.1f}")
            if name in ("day", "api-day") and t:  # both have the 10 ms target
                p50 += verdict(t["p50_ms"] <= TARGETS["day_p50_ms"])
            status = "" if page["status"] == 200 else f" (HTTP {page['status']})"
            lines.append(
                f"| {name} | `{PAGES[name]}`{status} | {page['bytes'] / 1024:.0f} | {p50} "
                f"| {fmt(t.get('p99_ms'), '{:.1f}')} | {fmt(b.get('queries'), '{:.0f}')} "
                f"| {fmt(b.get('sql_ms'), '{:.1f}')} | {fmt(b.get('template_ms'), '{:.1f}')} "
                f"| {fmt(b.get('other_ms'), '{:.1f}')} |"
            )
        lines += [
            "",
            f"The WSGI application called in-process, {settings['requests']} requests per page after a "
            "warm-up. SQL / template / other split the mean request (template rendering excludes the "
            f"SQL it triggers). Target: day page and API day query p50 ≤ {TARGETS['day_p50_ms']} ms.",
        ]

    http = results.get("http", {}).get("pages", {})
    if http:
        postgres = any("database_cpu_ms_per_request" in h for h in http.values())
        columns = [
            "req/s",
            "p50 ms",
            "p99 ms",
            "CPU ms/req: gunicorn",
            *(["PostgreSQL"] if postgres else []),
            "wrk",
            "other load (cores)",
        ]
        lines += [
            "",
            f"### Pages over HTTP (`dailypapers serve --workers {results['http']['workers']}`, wrk)",
            "",
            "| page | " + " | ".join(columns) + " |",
            "|---|" + "---:|" * len(columns),
        ]
        for name, h in http.items():
            if "requests_per_s" not in h:
                lines.append(f"| {name} (HTTP {h['status']}) |" + " – |" * len(columns))
                continue
            rps = f"{h['requests_per_s']:,.0f}"
            if name == "day":
                rps += verdict(h["requests_per_s"] >= TARGETS["day_requests_per_s"])
            cells = [
                rps,
                f"{h['p50_ms']:.1f}",
                f"{h['p99_ms']:.1f}",
                f"{h['server_cpu_ms_per_request']:.1f}",
                *([f"{h['database_cpu_ms_per_request']:.1f}"] if postgres else []),
                f"{h['wrk_cpu_ms_per_request']:.2f}",
                f"{h['other_cores_busy']:.2f}",
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += [
            "",
            f"gunicorn + whitenoise, DEBUG off, on 127.0.0.1; `wrk -t{settings['threads']} "
            f"-c{settings['connections']} -d{settings['duration']}s --latency` on the same machine after "
            f"{settings['warmup']} s of warm-up. CPU per request: gunicorn's master and workers, "
            "the local PostgreSQL server's processes (PostgreSQL runs), wrk's; other load is the cores everything else on the "
            "machine kept busy meanwhile (noise). "
            f"Target: day page ≥ {TARGETS['day_requests_per_s']} requests/s.",
        ]
        errors = {
            n: h["socket_errors"] + h["non_2xx"]
            for n, h in http.items()
            if h.get("socket_errors") or h.get("non_2xx")
        }
        if errors:
            lines.append(
                "Errors under load (socket errors + non-2xx responses): "
                + ", ".join(f"{n} {e}" for n, e in errors.items())
            )
    return "\n".join(lines)


def fmt(value, pattern):
    return "–" if value is None else pattern.format(value)


def verdict(ok):
    return " ✅" if ok else " ❌"


if __name__ == "__main__":
    main()
