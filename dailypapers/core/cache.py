"""The shared cache: Django's database cache with an atomic `add` and `incr`.

Rate limits must hold across every server process (`dailypapers serve` runs several),
so they are counted in a cache all processes share: by default the database's
`dailypapers_cache` table (dailypapers/core/models.py CacheEntry), with CACHE_URL a
Redis server (settings.py). Per-process page caches live under the "pages" alias.

Django's DatabaseCache is not safe for counting: its `incr` reads the value and writes
it back (two workers read 4 and both write 5), and its `add` selects before it inserts
or overwrites an expired row (two workers both win). Both callers rely on exactly those
two operations:

- django-ratelimit (dailypapers/core/ratelimits.py) counts with `add(key, 1)`, else
  `incr(key)`;
- allauth's limits (log-in, sign-up, password reset) take a lock with `add(key:lock)`
  and read and write the list of hits while holding it.

Here `add` is one INSERT … ON CONFLICT DO UPDATE … WHERE expired … RETURNING (SQLite
≥ 3.35 and PostgreSQL), which only one of two concurrent callers can win; `incr` reads
and writes in one transaction holding the row (SELECT … FOR UPDATE on PostgreSQL; on
SQLite the IMMEDIATE transaction takes the write lock at BEGIN).
"""

import base64
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now


class AtomicDatabaseCache(DatabaseCache):
    def _encode(self, value):
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        if timeout is not None and timeout <= tz_now().timestamp():
            return False  # already expired: nothing to store (as Django's add)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        ops = connection.ops
        table = ops.quote_name(self._table)
        now = tz_now().replace(microsecond=0)
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = expires.replace(microsecond=0)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            num = cursor.fetchone()[0]
            if num > self._max_entries:
                self._cull(db, cursor, now, num)
            # Inserted, or an expired row replaced: one row back. A live row: none.
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
                f"ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
                f"WHERE {table}.expires < %s RETURNING cache_key",
                [
                    key,
                    self._encode(value),
                    ops.adapt_datetimefield_value(expires),
                    ops.adapt_datetimefield_value(now),
                ],
            )
            return cursor.fetchone() is not None

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        ops = connection.ops
        table = ops.quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires >= %s{lock}",
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(ops.process_clob(row[0]).encode())) + delta
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE cache_key = %s", [self._encode(value), key]
            )
        return value
