"""Shared fixtures. The database is real (SQLite by default, PostgreSQL when
DATABASE_URL says so); nothing local is mocked.

Personas, each an account as allauth leaves it after sign-up and verification, with the
password factories.PASSWORD: alice (a member), bob (another member), sam (staff), mallory
(a suspended member), root (a superuser). alice_client, bob_client and sam_client are
test clients logged in as them.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import client_for, make_entry, make_paper, make_user

# Fixtures kept beside their helpers: `served`, `dailypapers serve` started for real
# (tests/serve_helpers.py); `browser`, `page` and `site`, Chromium against the live
# server (tests/browser_helpers.py); `arxiv`, the arXiv API replaying its recorded
# answers (tests/arxiv_helpers.py); `world`, For you's synthetic papers
# (tests/foryou_helpers.py).
pytest_plugins = [
    "tests.serve_helpers",
    "tests.browser_helpers",
    "tests.arxiv_helpers",
    "tests.foryou_helpers",
]

# ../shared holds real data (Hugging Face responses, arXiv metadata). Tests that need it
# skip cleanly where it is absent, e.g. on a user's machine.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
HF_DIR = SHARED / "data" / "hf_daily_papers"
LISTINGS = SHARED / "data" / "arxiv_listings.jsonl.gz"
SNAPSHOT = SHARED / "data" / "arxiv_kaggle_snapshot_sample.jsonl"


def need(path):
    if not path.exists():
        pytest.skip(f"shared data not available: {path.name}")
    return path


# --- personas ---------------------------------------------------------------------------


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def sam(db):
    return make_user("sam", staff=True)


@pytest.fixture
def mallory(db):
    from dailypapers.accounts.models import Profile

    user = make_user("mallory")
    Profile.of(user).suspend("spam")
    return user


@pytest.fixture
def root(db):
    return make_user("root", staff=True, is_superuser=True)


@pytest.fixture
def alice_client(alice):
    return client_for(alice)


@pytest.fixture
def bob_client(bob):
    return client_for(bob)


@pytest.fixture
def sam_client(sam):
    return client_for(sam)


# --- papers -----------------------------------------------------------------------------


@pytest.fixture
def entry(db):
    """A paper featured on 2025-03-04."""
    return make_entry(
        "2025-03-04", paper=make_paper(arxiv_id="2503.01234", title="Attention again")
    )


@pytest.fixture
def paper(entry):
    return entry.paper


@pytest.fixture
def featured(db):
    """A paper featured today with 10 upvotes imported from the source."""
    today = timezone.localdate()
    return make_entry(
        today, upvotes=10, imported_upvotes=10, paper=make_paper(title="Attention is featured")
    )


# --- digests ----------------------------------------------------------------------------


@pytest.fixture
def smtp(settings):
    """A started SMTP server on loopback that Django's mail goes to."""
    from tests.smtp_server import SMTPServer

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
    """Five papers featured on digests_helpers.FEED_DAY, ranked by upvotes, one about
    retrieval in cs.IR."""
    from tests.digests_helpers import FEED_DAY

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


# --- search and concurrency -------------------------------------------------------------


@pytest.fixture(scope="session")
def embedder():
    """The real embedding model (the bundled ONNX bge-small), loaded once."""
    from dailypapers.search import embedding

    found = embedding.get_embedder()
    if found is None:
        pytest.fail(
            f"the embedding model must be installed for these tests: {embedding.unavailable_reason()}"
        )
    return found


@pytest.fixture
def shared_memory_sqlite(tmp_path):
    """On SQLite, a database file for the test's duration.

    Django's SQLite test database lives in memory in shared-cache mode, where a writer
    meeting another gets "database table is locked" at once (busy_timeout does not
    apply). A file behaves as in production: IMMEDIATE transactions wait their turn.
    """
    from django.core.management import call_command
    from django.db import connection, connections

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    memory = connections["default"]
    name = memory.settings_dict["NAME"]
    on_file = memory.__class__(
        {**memory.settings_dict, "NAME": str(tmp_path / "votes.sqlite3")}, "default"
    )
    # This thread uses the file; the other threads' connections are made from the
    # shared settings dict, so they do too.
    connections["default"] = on_file
    memory.settings_dict["NAME"] = on_file.settings_dict["NAME"]
    try:
        call_command("migrate", verbosity=0)
        yield
    finally:
        on_file.close()
        memory.settings_dict["NAME"] = name
        connections["default"] = memory


# --- shared data ------------------------------------------------------------------------


@pytest.fixture
def hf_dir():
    return need(HF_DIR)


@pytest.fixture
def listings_file():
    return need(LISTINGS)


@pytest.fixture
def snapshot_file():
    return need(SNAPSHOT)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production serves hashed names from the manifest written by collectstatic
    # (`dailypapers serve` runs it); tests render pages without collecting first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _search_state(settings):
    # Embedding every imported paper costs ~0.1 s each: import tests do without; search
    # tests turn it on. Vector indexes live per process and would outlive a test's
    # rolled-back rows (whose ids the database reuses), and so would For you's windows
    # and histories read from them.
    from dailypapers.foryou import selectors as foryou
    from dailypapers.search import vectors

    settings.EMBED_ON_IMPORT = False
    vectors.reset()
    foryou.reset()
    yield
    vectors.reset()
    foryou.reset()


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # The page cache is per process; each test starts without another test's pages. The
    # shared cache is a database table, rolled back or flushed with the test's rows;
    # a Redis one (CACHE_URL) is emptied here.
    from django.core.cache import caches

    caches["pages"].clear()
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        caches["default"].clear()
