"""Database triggers an app keeps an invariant with (community's and discussion's
counters): one set per app, installed and removed by its migrations, on SQLite and
PostgreSQL, then a recount so the kept columns start right."""

from dataclasses import dataclass

# SQLite's "now" in the format Django stores DateTimeFields in (for updated_at columns).
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"


@dataclass(frozen=True)
class TriggerSet:
    sqlite: dict  # trigger name -> "AFTER … ON table … BEGIN … END"
    pg_functions: str  # CREATE OR REPLACE FUNCTION … statements
    pg_function_names: tuple  # what uninstall drops
    pg_triggers: dict  # trigger name -> "AFTER … ON table … EXECUTE FUNCTION …"
    tables: dict  # PostgreSQL trigger name -> its table (DROP TRIGGER … ON needs it)
    recount_sql: str  # sets the kept columns from the rows

    def install(self, connection):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for name, body in self.sqlite.items():
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(f"CREATE TRIGGER {name} {body}")
            elif connection.vendor == "postgresql":
                cursor.execute(self.pg_functions)
                for name, body in self.pg_triggers.items():
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {self.tables[name]}")
                    cursor.execute(f"CREATE TRIGGER {name} {body}")
            else:
                raise NotImplementedError(f"no triggers for {connection.vendor}")
        self.recount(connection)

    def uninstall(self, connection):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for name in self.sqlite:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            elif connection.vendor == "postgresql":
                for name in self.pg_triggers:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {self.tables[name]}")
                for function in self.pg_function_names:
                    cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")

    def recount(self, connection):
        """Set the kept columns from the rows (what the triggers then keep)."""
        with connection.cursor() as cursor:
            cursor.execute(self.recount_sql)
