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
