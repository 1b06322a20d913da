"""For tests that run `dailypapers` commands in their own processes."""

import os


def own_database(env, name):
    """Give a child process's `env` a database of its own: on PostgreSQL (when the suite
    runs there) the database `name`, dropped and created afresh; on SQLite the default
    file in the env's DATA_DIR."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        env.pop("DATABASE_URL", None)
        return env
    import psycopg

    base, _, _ = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    env["DATABASE_URL"] = f"{base}/{name}"
    return env


def count_rows(env, table):
    """Rows in `table` of the child's database (`env` as own_database left it), read
    directly: in milliseconds, where starting Django in a process takes a second."""
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    import sqlite3
    from pathlib import Path

    path = Path(env["DATA_DIR"]) / "dailypapers.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
