"""Site-wide state: the shared cache's table (dailypapers/core/cache.py), and whether the
catalogue is the bundled demo (dailypapers/core/demo.py)."""

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


class DemoData(models.Model):
    """Present while the site shows the bundled demo days (one row at most).

    Written by `dailypapers load-demo` before it imports (complete=False) and completed after,
    so an interrupted load is finished by the next one; deleted by the first import of real
    data (ingest/loader.py Loader), after which `load-demo` leaves the catalogue alone.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    loaded_at = models.DateTimeField(auto_now=True)
    complete = models.BooleanField(default=False)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "demo data"
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="demo_data_singleton")
        ]

    def __str__(self):
        return f"demo data ({self.first_day} – {self.last_day})"
