"""Helpers for the digest tests: the feed day and period, subscribers, links in the
digests sent, `dailypapers` processes. The `smtp` server on loopback and the papers of
`feed_day` are fixtures in conftest.py.

Personas: ada@example.org subscribes to the daily digest with filters; bob@example.org
subscribes weekly, no filters; eve@example.org never confirms.
"""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

from dailypapers.digests.models import Subscription
from dailypapers.digests.schedule import daily_period
from tests.process_helpers import own_database

ROOT = Path(__file__).resolve().parents[1]
DAILYPAPERS = [sys.executable, "-m", "dailypapers"]
# A Friday: its daily digest covers Thursday 2026-11-26.
SEND_DAY = dt.date(2026, 11, 27)
FEED_DAY = dt.date(2026, 11, 26)
PERIOD = daily_period(SEND_DAY)


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
    own_database(env, "dp_digests_proc")
    subprocess.run(
        [*DAILYPAPERS, "migrate", "--noinput", "-v0"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
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
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def sender(env, *args):
    return subprocess.Popen(
        [*DAILYPAPERS, "digest", "send", "--no-progress", *args],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
