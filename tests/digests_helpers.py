"""Fixtures and personas for the digest tests: a real SMTP server on loopback, papers
of one feed day, and subscribers.

Personas: ada@example.org subscribes to the daily digest with filters; bob@example.org
subscribes weekly, no filters; eve@example.org never confirms.
"""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dailypapers.digests.models import Subscription
from dailypapers.digests.schedule import daily_period
from tests.factories import make_entry, make_paper
from tests.smtp_server import SMTPServer

ROOT = Path(__file__).resolve().parents[1]
DAILYPAPERS = [sys.executable, "-m", "dailypapers"]
# A Friday: its daily digest covers Thursday 2026-11-26.
SEND_DAY = dt.date(2026, 11, 27)
FEED_DAY = dt.date(2026, 11, 26)
PERIOD = daily_period(SEND_DAY)


@pytest.fixture
def smtp(settings):
    """A started SMTP server that Django's mail goes to."""
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://papers.example.org"
    settings.DEFAULT_FROM_EMAIL = "dailypapers <digest@papers.example.org>"
    settings.RATELIMIT_ENABLE = False
    yield server
    server.stop()


@pytest.fixture
def feed_day():
    """Five papers featured on FEED_DAY, ranked by upvotes, one about retrieval in cs.IR."""
    entries = [
        make_entry(FEED_DAY, upvotes=50, position=0, paper=make_paper(title="Scaling laws for everything")),
        make_entry(FEED_DAY, upvotes=30, position=1, paper=make_paper(title="A better optimiser")),
        make_entry(FEED_DAY, upvotes=20, position=2, paper=make_paper(title="Vision transformers, again")),
        make_entry(FEED_DAY, upvotes=10, position=3, paper=make_paper(title="Small models that reason")),
        make_entry(
            FEED_DAY, upvotes=1, position=4,
            paper=make_paper(
                title="Dense retrieval & re-ranking", categories=["cs.IR"], primary_category="cs.IR",
                authors=["Grace Hopper"], abstract="We study dense retrieval for search engines.",
            ),
        ),
    ]  # fmt: skip
    # A paper featured the day before is not in the period.
    make_entry(FEED_DAY - dt.timedelta(days=1), upvotes=99, paper=make_paper(title="Old news"))
    return entries


def active(email, **fields):
    fields.setdefault("status", Subscription.ACTIVE)
    return Subscription.objects.create(email=email, **fields)


def link(message, path):
    """The path of the first link to `path` in an email's text part."""
    text = message.get_body(("plain",)).get_content()
    match = re.search(rf"https://papers\.example\.org({path}\S+)", text)
    assert match, text
    return match.group(1)


def digests_to(smtp, address):
    return [m.message for m in smtp.messages if address in m.rcpt_tos]


# --- `dailypapers` processes on a database of their own ------------------------------------------


def process_env(tmp_path, smtp_port, **extra):
    """Environment for `dailypapers` subprocesses sharing one database: a SQLite file in
    tmp_path, or a fresh PostgreSQL database when the tests run on PostgreSQL."""
    env = {
        **os.environ,
        "SECRET_KEY": "test-only",
        "DATA_DIR": str(tmp_path),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "5",
        "SITE_URL": "https://papers.example.org",
        "DEFAULT_FROM_EMAIL": "digest@papers.example.org",
        "EMBED_ON_IMPORT": "0",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _, _ = url.rpartition("/")
        name = "dp_digests_proc"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run([*DAILYPAPERS, "migrate", "--noinput", "-v0"], env=env, check=True, capture_output=True, cwd=ROOT)
    return env


SEED = """
import django, datetime as dt
django.setup()
from dailypapers.digests.models import Subscription
from dailypapers.digests.outbox import build_outbox
from dailypapers.digests.schedule import daily_period
from tests.factories import make_entry
day = dt.date(2026, 11, 26)
for i in range(12):
    make_entry(day, upvotes=100 - i, position=i)
Subscription.objects.bulk_create(
    Subscription(email=f"reader{i:04d}@example.org", status="active") for i in range({count})
)
print(build_outbox(daily_period(dt.date(2026, 11, 27))).queued)
"""

STATE = """
import django, json
django.setup()
from django.db.models import Count
from dailypapers.digests.models import OutboxMessage
print(json.dumps(dict(OutboxMessage.objects.values_list("status").annotate(n=Count("id")).order_by())))
"""


def run_python(env, code):
    env = {**env, "DJANGO_SETTINGS_MODULE": "dailypapers.settings"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def sender(env, *args):
    return subprocess.Popen(
        [*DAILYPAPERS, "digest", "send", "--no-progress", *args],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
