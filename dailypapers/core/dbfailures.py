"""A database that cannot be written (read-only, or its disk full) stops a command with a
clear message instead of a traceback: what was committed stays, and the same command run
again once the database can be written resumes (every writing command is idempotent).

Used by `dailypapers` itself (__main__.py, for any command), and by `import` and `harvest`,
which first print the summary of what they committed.
"""

import sqlite3

from django.db import DatabaseError


def _driver_errors():
    # The importers write through the drivers too (COPY on PostgreSQL, ingest/sql.py), so
    # their own exceptions arrive unwrapped by Django.
    errors = [DatabaseError, sqlite3.DatabaseError]
    try:
        import psycopg

        errors.append(psycopg.Error)
    except ImportError:
        pass
    return tuple(errors)


# What `except` catches around writes: Django's errors and the drivers' own.
DATABASE_ERRORS = _driver_errors()

# PostgreSQL's SQLSTATEs: disk_full, insufficient_resources, read_only_sql_transaction.
_PG_STATES = {
    "53100": "the disk holding the database is full",
    "53000": "the database server is out of resources (disk or memory)",
    "25006": "the database is read-only (a read-only transaction or a standby server)",
}
# SQLite's messages (sqlite3.OperationalError), lower-cased.
_SQLITE_MESSAGES = {
    "attempt to write a readonly database": "the database file is read-only",
    "database or disk is full": "the database's disk is full",
    "disk i/o error": "the database's disk failed to write (an I/O error: full or failing)",
    "unable to open database file": "the database file cannot be opened for writing",
    "readonly database": "the database file is read-only",
}


def write_failure(exc):
    """What stopped the writes, in plain words, when `exc` is such a failure; else None."""
    if not isinstance(exc, DATABASE_ERRORS):
        return None
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        if state in _PG_STATES:
            return f"{_PG_STATES[state]} ({_first_line(exc)})"
        text = str(exc).lower()
        for message, meaning in _SQLITE_MESSAGES.items():
            if message in text:
                return f"{meaning} ({_first_line(exc)})"
        exc = exc.__cause__ or exc.__context__
    return None


def resume_hint(committed="What was committed before stays."):
    return (
        f"{committed} Make room on the disk (or make the database writable), then run the "
        "same command again: it resumes where it stopped."
    )


def _first_line(exc):
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
