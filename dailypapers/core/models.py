from django.db import models


class CacheEntry(models.Model):
    """The shared cache's table (dailypapers/core/cache.py): rate-limit counters and
    allauth's limits, seen alike by every server process. Its columns are those of
    Django's `createcachetable`, so that `migrate` creates it wherever the site runs
    (`make run`, `dailypapers serve`, the test databases) and Django's DatabaseCache
    reads and writes it."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "dailypapers_cache"
