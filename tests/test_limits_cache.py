"""The shared cache's add and incr (dailypapers/core/cache.py) under parallel callers,
each thread on its own database connection: a count is never lost and a key is won by
exactly one caller, on SQLite and PostgreSQL."""

import pytest
from django.core.cache import caches

from tests.test_community_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def shared():
    return caches["default"]


def test_the_default_cache_is_the_database_table_made_by_migrate():
    from dailypapers.core.models import CacheEntry

    shared().set("greeting", "hello", 60)
    assert shared().get("greeting") == "hello"
    assert CacheEntry.objects.filter(cache_key__endswith="greeting").count() == 1


def test_twenty_parallel_increments_are_all_counted(shared_memory_sqlite):
    assert shared().add("hits", 0, 60)
    counts = run_together(20, lambda _: shared().incr("hits"))
    assert sorted(counts) == list(range(1, 21))
    assert shared().get("hits") == 20


def test_a_missing_or_expired_key_cannot_be_incremented():
    with pytest.raises(ValueError):
        shared().incr("never-set")
    shared().set("gone", 5, -1)  # stored already expired
    with pytest.raises(ValueError):
        shared().incr("gone")


def test_parallel_adds_of_one_key_are_won_by_exactly_one_caller(shared_memory_sqlite):
    assert sum(run_together(20, lambda i: shared().add("lock", i, 60))) == 1
    assert not shared().add("lock", "again", 60)


def test_an_expired_key_is_taken_again_by_exactly_one_caller(shared_memory_sqlite):
    # A lock left behind by a process that died: allauth's limits take it with add().
    shared().set("stale-lock", True, -1)
    wins = run_together(20, lambda i: shared().add("stale-lock", i, 60))
    assert sum(wins) == 1
    assert shared().get("stale-lock") == wins.index(True)
