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

from dailypapers.core.triggers import SQLITE_NOW, TriggerSet

_SQLITE = {
    "community_upvote_count_ai": f"""AFTER INSERT ON community_upvote BEGIN
        UPDATE papers_feedentry SET upvotes = upvotes + 1, updated_at = {SQLITE_NOW} WHERE paper_id = NEW.paper_id;
    END""",
    "community_upvote_count_ad": f"""AFTER DELETE ON community_upvote BEGIN
        UPDATE papers_feedentry SET upvotes = upvotes - 1, updated_at = {SQLITE_NOW} WHERE paper_id = OLD.paper_id;
    END""",
    "community_upvote_count_au": f"""AFTER UPDATE OF paper_id ON community_upvote WHEN OLD.paper_id IS NOT NEW.paper_id BEGIN
        UPDATE papers_feedentry SET upvotes = upvotes - 1, updated_at = {SQLITE_NOW} WHERE paper_id = OLD.paper_id;
        UPDATE papers_feedentry SET upvotes = upvotes + 1, updated_at = {SQLITE_NOW} WHERE paper_id = NEW.paper_id;
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


COUNTERS = TriggerSet(
    sqlite=_SQLITE,
    pg_functions=_PG_FUNCTIONS,
    pg_function_names=("community_upvote_count", "community_feedentry_upvotes"),
    pg_triggers=_PG_TRIGGERS,
    tables=_TABLES,
    recount_sql=RECOUNT,
)
install, uninstall, recount = COUNTERS.install, COUNTERS.uninstall, COUNTERS.recount
