"""Shared fixtures. The database is real (SQLite by default, PostgreSQL when
DATABASE_URL says so); nothing local is mocked."""

from pathlib import Path

import pytest

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
    # rolled-back rows (whose ids the database reuses).
    from dailypapers.search import vectors

    settings.EMBED_ON_IMPORT = False
    vectors.reset()
    yield
    vectors.reset()


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # The page cache is per process; each test starts without another test's pages. The
    # shared cache is a database table, rolled back or flushed with the test's rows;
    # a Redis one (CACHE_URL) is emptied here.
    from django.core.cache import caches

    caches["pages"].clear()
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        caches["default"].clear()
