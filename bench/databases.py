"""The database a benchmark runs on: the PostgreSQL database given, dropped and created
afresh (its name must contain "bench", a guard against pointing a benchmark at real
data), or SQLite in the benchmark's DATA_DIR when none is given."""


def use_fresh_database(database_url, env):
    """Point `env` (a benchmark's environment) at an empty database."""
    if not database_url:
        env.pop("DATABASE_URL", None)
        return
    if "bench" not in database_url.rsplit("/", 1)[1]:
        raise SystemExit("the PostgreSQL database name must contain 'bench' (it is dropped)")
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    env["DATABASE_URL"] = database_url
