"""A clear error instead of a database traceback when a command runs on a database that
`dailypapers migrate` has not brought up to date."""

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def require_migrated(using=DEFAULT_DB_ALIAS):
    executor = MigrationExecutor(connections[using])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise CommandError(
            f"The database has {len(pending)} unapplied migration(s): run `dailypapers migrate` first."
        )
