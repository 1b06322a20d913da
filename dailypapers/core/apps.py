from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide infrastructure every app may import (it imports none of them): the shared
    cache, rate limits, security middleware, the demo-data banner, static files."""

    name = "dailypapers.core"
    label = "core"

    def ready(self):
        from dailypapers.core import checks  # noqa: F401 - registers the checks

        _sqlite_json_is_built_in()


def _sqlite_json_is_built_in():
    # Django probes SQLite's JSON support in a transaction, which our transaction_mode
    # makes BEGIN IMMEDIATE: a read-only database refuses it, and every command would stop
    # on a misleading "SQLite does not support JSONFields" system check instead of saying
    # the database is read-only (core/dbfailures.py). SQLite has JSON built in from 3.38.
    import sqlite3

    from django.conf import settings

    engines = {database["ENGINE"] for database in settings.DATABASES.values()}
    if "django.db.backends.sqlite3" in engines and sqlite3.sqlite_version_info >= (3, 38):
        from django.db.backends.sqlite3.base import DatabaseWrapper

        DatabaseWrapper.features_class.supports_json_field = True
