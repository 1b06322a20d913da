"""A database that cannot be written — read-only, or its disk full — stops `dailypapers`
commands with a clear message (what was committed, how to resume), never a traceback.

The commands run in real processes on a database of their own. The database itself refuses
the writes: SQLite through `PRAGMA query_only` (read-only) or `PRAGMA max_page_count`
(SQLITE_FULL: "database or disk is full"), PostgreSQL through
`default_transaction_read_only` (ReadOnlySqlTransaction); a small driver turns that on
from the start or after a command's first commits, as a disk filling mid-run would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fake_server import FakeServer, Reply
from tests.process_helpers import own_database
from tests.test_import_arxiv import listing_record

ROOT = Path(__file__).resolve().parents[1]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")

DRIVER = r"""
import sys
import django
django.setup()
from django.db.backends.signals import connection_created

mode, after, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def refuse_writes(connection):
    raw = connection.connection
    if connection.vendor == "sqlite" and mode == "full":
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
        raw.execute(f"PRAGMA max_page_count = {pages + after}")
    elif connection.vendor == "sqlite":
        raw.execute("PRAGMA query_only = ON")
    else:
        raw.execute("SET default_transaction_read_only = on")

if mode == "full" or after == 0:
    connection_created.connect(lambda sender, connection, **kw: refuse_writes(connection), weak=False)
else:
    # Read-only from the `after`-th commit of an import or a harvest on.
    from django.db import connection
    from dailypapers.ingest.loader import Loader

    committed, commits = Loader.committed, []

    def counting(self):
        committed(self)
        commits.append(1)
        if len(commits) == after:
            refuse_writes(connection)

    Loader.committed = counting

from dailypapers.__main__ import main
main(["dailypapers", *argv])
"""

COUNT = """
import django
django.setup()
from dailypapers.papers.models import Paper
print(Paper.objects.count())
"""


def process_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    env.update({"SECRET_KEY": "test-only", "DATA_DIR": str(tmp_path / "data"), "EMBED_ON_IMPORT": "0",
                "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "dailypapers.settings",
                "ARXIV_REQUEST_INTERVAL": "0"})  # fmt: skip
    return own_database(env, "dp_write_failures")


def dailypapers(env, *args, refuse=None, after=0):
    """Run `dailypapers args…`; refuse="readonly"/"full" makes the database refuse writes
    (after `after` commits; for "full", `after` is the pages it may still grow by)."""
    if refuse:
        command = [sys.executable, "-c", DRIVER, refuse, str(after), *args]
    else:
        command = [sys.executable, "-m", "dailypapers", *args]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)


def count(env):
    result = subprocess.run(
        [sys.executable, "-c", COUNT], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


def assert_stopped_clearly(result, *expected):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for text in ("stopped", "was committed", "run the same command again", *expected):
        assert text in result.stderr, result.stderr


@pytest.fixture
def env(tmp_path):
    return process_env(tmp_path)


@pytest.fixture
def migrated(env):
    result = dailypapers(env, "migrate", "--noinput", "-v0")
    assert result.returncode == 0, result.stderr
    return env


@pytest.fixture
def listings(tmp_path):
    path = tmp_path / "listings.jsonl"
    path.write_text(
        "".join(json.dumps(listing_record(f"2503.{n:05d}")) + "\n" for n in range(1, 3001))
    )
    return path


def test_migrate_on_a_read_only_database_says_so(env):
    result = dailypapers(env, "migrate", "--noinput", refuse="readonly")
    assert_stopped_clearly(result, "dailypapers migrate: stopped: the database", "read-only")


def test_an_import_that_becomes_read_only_reports_what_it_committed(migrated, listings):
    result = dailypapers(
        migrated,
        "import",
        "arxiv",
        str(listings),
        "--batch-size",
        "500",
        refuse="readonly",
        after=2,
    )
    assert_stopped_clearly(result, "read-only", "The counts above are what was committed")
    assert "papers: 1000 created, 0 updated" in result.stdout
    assert count(migrated) == 1000
    rerun = dailypapers(migrated, "import", "arxiv", str(listings), "--batch-size", "500")
    assert rerun.returncode == 0, rerun.stderr
    assert "papers: 2000 created, 0 updated, 1000 unchanged" in rerun.stdout
    assert count(migrated) == 3000


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's max_page_count simulates the full disk")
def test_an_import_that_fills_the_disk_reports_what_it_committed(migrated, listings):
    result = dailypapers(
        migrated, "import", "arxiv", str(listings), "--batch-size", "200", refuse="full", after=150
    )
    assert_stopped_clearly(result, "disk is full", "The counts above are what was committed")
    [line] = [line for line in result.stdout.splitlines() if line.startswith("papers:")]
    committed = count(migrated)
    assert 0 < committed < 3000 and line.startswith(f"papers: {committed} created"), (
        line,
        committed,
    )


def test_writing_commands_on_a_read_only_database_say_so(migrated):
    for args in (["harvest", "--set", "cs"], ["subscribers", "add", "ada@example.org", "--confirmed"],
                 ["load-demo"]):  # fmt: skip
        result = dailypapers(migrated, *args, refuse="readonly")
        assert_stopped_clearly(result, f"dailypapers {args[0]}: stopped", "read-only")


def test_a_harvest_that_becomes_read_only_stops_at_its_last_committed_page(migrated):
    from tests.test_oai_harvest import HEP_EX, HEP_TH, fixture, with_token

    first, second = with_token(fixture(HEP_EX), "tok-1"), fixture(HEP_TH)

    def route(request):
        return Reply(body=second if request.query.get("resumptionToken") == ["tok-1"] else first)

    with FakeServer(route) as server:
        env = {**migrated, "ARXIV_OAI_URL": server.url + "/oai"}
        result = dailypapers(env, "harvest", "--set", "physics:hep-ex", refuse="readonly", after=1)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "physics:hep-ex: 1 pages, papers: 3 created" in result.stdout
    assert "harvest stopped: the database cannot be written" in result.stderr
    assert "run the same command again" in result.stderr
    assert count(migrated) == 3


def test_postgresql_disk_full_and_read_only_errors_are_recognised():
    psycopg = pytest.importorskip("psycopg")
    from django.db import InternalError, OperationalError

    from dailypapers.core.dbfailures import write_failure

    for cause, django_error, meaning in (
        (psycopg.errors.DiskFull("could not extend file: No space left on device"), OperationalError, "full"),
        (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"), InternalError, "read-only"),
    ):  # fmt: skip
        wrapped = django_error(str(cause))
        wrapped.__cause__ = cause
        assert meaning in write_failure(wrapped)
    assert write_failure(OperationalError("no such table: papers_paper")) is None
