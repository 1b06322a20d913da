"""The bundled demo data: loaded only into an empty catalogue (or on request), and announced
on every page while the site shows it (context_processors.demo_data, templates/base.html).

The DemoData row is the record of it: load-demo writes it, the first import of real data
deletes it (ingest/loader.py), in the transaction of that import's first write.
"""

from django.core.cache import caches
from django.db import transaction
from django.utils.connection import ConnectionProxy

from dailypapers.core.models import DemoData
from dailypapers.papers.models import FeedEntry, Paper

# Pages read the flag through the per-process page cache (no query per page); a change in
# this process shows at once, one made by another process (a command) within this many
# seconds.
cache = ConnectionProxy(caches, "pages")
CACHE_KEY = "core:demo-data"
CACHE_SECONDS = 60


def state():
    """The DemoData row, or None when the site does not show demo data."""
    return DemoData.objects.first()


def should_load(force=False):
    """(load?, reason). The demo goes into an empty catalogue, completes its own
    interrupted load, and otherwise only on request."""
    if force:
        return True, "requested with --force"
    row = state()
    if row is not None and not row.complete:
        return True, "completing an interrupted demo load"
    if row is not None:
        return False, "the demo data is already loaded"
    if Paper.objects.exists() or FeedEntry.objects.exists():
        return False, "the catalogue already holds papers (load-demo --force adds the demo days anyway)"
    return True, "the catalogue is empty"


def begin():
    with transaction.atomic():
        DemoData.objects.update_or_create(singleton=True, defaults={"complete": False})
    cache.delete(CACHE_KEY)


def finish(first_day, last_day):
    DemoData.objects.filter(singleton=True).update(complete=True, first_day=first_day, last_day=last_day)
    cache.delete(CACHE_KEY)


def real_data_arrived():
    """Called by every importer of real data on its first write (same transaction)."""
    if DemoData.objects.filter(singleton=True).delete()[0]:
        cache.delete(CACHE_KEY)
        # Again once committed: a page may have cached the old state in between.
        transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def banner():
    """What base.html shows: None, or {first_day, last_day} of the demo days shown."""
    shown = cache.get(CACHE_KEY)
    if shown is None:
        row = state()
        shown = {"first_day": row.first_day, "last_day": row.last_day} if row else False
        cache.set(CACHE_KEY, shown, CACHE_SECONDS)
    return shown or None
