"""The bundled demo data, site-wide: whether the site shows it, announced on every page
while it does (context_processors.site, templates/base.html).

The DemoData row is the record of it: load-demo writes it (processes/demo.py decides when
it loads), the first import of real data deletes it (ingest/loader.py), in the transaction
of that import's first write.
"""

from django.core.cache import caches
from django.db import transaction
from django.utils.connection import ConnectionProxy

from dailypapers.core.models import DemoData

# Pages read the flag through the per-process page cache (no query per page); a change in
# this process shows at once, one made by another process (a command) within this many
# seconds.
cache = ConnectionProxy(caches, "pages")
CACHE_KEY = "core:demo-data"
CACHE_SECONDS = 60


def state():
    """The DemoData row, or None when the site does not show demo data."""
    return DemoData.objects.first()


def begin():
    with transaction.atomic():
        DemoData.objects.update_or_create(singleton=True, defaults={"complete": False})
    cache.delete(CACHE_KEY)


def finish(first_day, last_day):
    DemoData.objects.filter(singleton=True).update(
        complete=True, first_day=first_day, last_day=last_day
    )
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
