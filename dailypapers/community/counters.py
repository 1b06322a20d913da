"""FeedEntry.upvotes kept by the database: triggers on community_upvote.

Every feed entry of a paper carries the paper's local votes on top of the imported ones
(FeedEntry.imported_upvotes): upvotes = imported_upvotes + the paper's Upvote rows. The
triggers keep that true whatever adds or removes a row: set_vote, the admin, a queryset's
delete(), the cascade of an account's or a paper's deletion, a shell. Each moves the
counters by one in the writing statement's own transaction (race-free, as an F() update
is), and moves updated_at, on which the page caches and API ETags are keyed
(papers/selectors.py). A new feed entry starts with the paper's local votes: the
importers and community.services.submit insert only the imported part.

Installed by migration community 0002 on SQLite and PostgreSQL, which also recounts
every entry from the rows once (`recount`).
"""

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

_SQLITE = {
    "community_upvote_count_ai": f"""AFTER INSERT ON community_upvote BEGIN
        UPDATE papers_feedentry SET upvotes = upvotes + 1, updated_at = {_SQLITE_NOW} WHERE paper_id = NEW.paper_id;
    END""",
    "community_upvote_count_ad": f"""AFTER DELETE ON community_upvote BEGIN
        UPDATE papers_feedentry SET upvotes = upvotes - 1, updated_at = {_SQLITE_NOW} WHERE paper_id = OLD.paper_id;
    END""",
    "community_upvote_count_au": f"""AFTER UPDATE OF paper_id ON community_upvote WHEN OLD.paper_id IS NOT NEW.paper_id BEGIN
        UPDATE papers_feedentry SET upvotes = upvotes - 1, updated_at = {_SQLITE_NOW} WHERE paper_id = OLD.paper_id;
        UPDATE papers_feedentry SET upvotes = upvotes + 1, updated_at = {_SQLITE_NOW} WHERE paper_id = NEW.paper_id;
    END""",
    # SQLite's triggers cannot change NEW: the new row is updated right after its insert.
    "community_feedentry_upvotes_ai": """AFTER INSERT ON papers_feedentry BEGIN
        UPDATE papers_feedentry SET upvotes = upvotes + (SELECT COUNT(*) FROM community_upvote WHERE paper_id = NEW.paper_id)
        WHERE id = NEW.id;
    END""",
}

_PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION community_upvote_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE papers_feedentry SET upvotes = upvotes - 1, updated_at = clock_timestamp() WHERE paper_id = OLD.paper_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE papers_feedentry SET upvotes = upvotes + 1, updated_at = clock_timestamp() WHERE paper_id = NEW.paper_id;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION community_feedentry_upvotes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.upvotes := NEW.upvotes + (SELECT COUNT(*) FROM community_upvote WHERE paper_id = NEW.paper_id);
    RETURN NEW;
END $$;
"""
_PG_TRIGGERS = {
    "community_upvote_count": "AFTER INSERT OR DELETE ON community_upvote FOR EACH ROW "
    "EXECUTE FUNCTION community_upvote_count()",
    "community_upvote_count_au": "AFTER UPDATE OF paper_id ON community_upvote FOR EACH ROW "
    "WHEN (OLD.paper_id IS DISTINCT FROM NEW.paper_id) EXECUTE FUNCTION community_upvote_count()",
    "community_feedentry_upvotes": "BEFORE INSERT ON papers_feedentry FOR EACH ROW "
    "EXECUTE FUNCTION community_feedentry_upvotes()",
}
_TABLES = {
    "community_upvote_count": "community_upvote",
    "community_upvote_count_au": "community_upvote",
    "community_feedentry_upvotes": "papers_feedentry",
}

RECOUNT = (
    "UPDATE papers_feedentry SET upvotes = imported_upvotes + "
    "(SELECT COUNT(*) FROM community_upvote u WHERE u.paper_id = papers_feedentry.paper_id)"
)


def install(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, body in _SQLITE.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")
        elif connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTIONS)
            for name, body in _PG_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {_TABLES[name]}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")
        else:
            raise NotImplementedError(f"no counter triggers for {connection.vendor}")
    recount(connection)


def uninstall(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _SQLITE:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for name in _PG_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {_TABLES[name]}")
            cursor.execute("DROP FUNCTION IF EXISTS community_upvote_count()")
            cursor.execute("DROP FUNCTION IF EXISTS community_feedentry_upvotes()")


def recount(connection):
    """Set every feed entry's upvotes from the rows (what the triggers then keep)."""
    with connection.cursor() as cursor:
        cursor.execute(RECOUNT)
