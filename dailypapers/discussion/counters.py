"""FeedEntry.num_comments kept by the database: triggers on discussion_comment.

Every feed entry of a paper carries the paper's local comments that people can see (not
deleted, not hidden) on top of the imported count (FeedEntry.imported_comments, Hugging
Face's): num_comments = imported_comments + those rows. The triggers keep that true
whatever adds, removes, deletes (soft) or hides a row: the services, the admin (its
delete action included), a queryset's update() or delete(), the cascade of a comment's,
an account's or a paper's deletion. Each moves the counters by one in the writing
statement's own transaction (race-free, as an F() update is), and moves updated_at, on
which the page caches and API ETags are keyed (papers/selectors.py). A new feed entry
starts with the paper's local comments: inserters give only the imported part.

Installed by migration discussion 0002 on SQLite and PostgreSQL, which also recounts
every entry from the rows once (`recount`).
"""

from dailypapers.core.triggers import SQLITE_NOW, TriggerSet

_OLD_SHOWN = "(OLD.deleted_at IS NULL AND NOT OLD.hidden)"
_NEW_SHOWN = "(NEW.deleted_at IS NULL AND NOT NEW.hidden)"


def _sqlite_move(delta, row):
    shown = _OLD_SHOWN if row == "OLD" else _NEW_SHOWN
    return (
        f"UPDATE papers_feedentry SET num_comments = num_comments {delta} 1, updated_at = {SQLITE_NOW} "
        f"WHERE paper_id = {row}.paper_id AND {shown};"
    )


_SQLITE = {
    "discussion_comment_count_ai": f"AFTER INSERT ON discussion_comment BEGIN {_sqlite_move('+', 'NEW')} END",
    "discussion_comment_count_ad": f"AFTER DELETE ON discussion_comment BEGIN {_sqlite_move('-', 'OLD')} END",
    "discussion_comment_count_au": (
        f"AFTER UPDATE OF deleted_at, hidden, paper_id ON discussion_comment "
        f"WHEN {_OLD_SHOWN} IS NOT {_NEW_SHOWN} OR OLD.paper_id IS NOT NEW.paper_id "
        f"BEGIN {_sqlite_move('-', 'OLD')} {_sqlite_move('+', 'NEW')} END"
    ),
    # SQLite's triggers cannot change NEW: the new row is updated right after its insert.
    "discussion_feedentry_comments_ai": """AFTER INSERT ON papers_feedentry BEGIN
        UPDATE papers_feedentry SET num_comments = num_comments + (SELECT COUNT(*) FROM discussion_comment
            WHERE paper_id = NEW.paper_id AND deleted_at IS NULL AND NOT hidden)
        WHERE id = NEW.id;
    END""",
}

_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION discussion_comment_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND {_OLD_SHOWN} THEN
        UPDATE papers_feedentry SET num_comments = num_comments - 1, updated_at = clock_timestamp()
        WHERE paper_id = OLD.paper_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND {_NEW_SHOWN} THEN
        UPDATE papers_feedentry SET num_comments = num_comments + 1, updated_at = clock_timestamp()
        WHERE paper_id = NEW.paper_id;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION discussion_feedentry_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.num_comments := NEW.num_comments + (SELECT COUNT(*) FROM discussion_comment
        WHERE paper_id = NEW.paper_id AND deleted_at IS NULL AND NOT hidden);
    RETURN NEW;
END $$;
"""
_PG_TRIGGERS = {
    "discussion_comment_count": "AFTER INSERT OR DELETE ON discussion_comment FOR EACH ROW "
    "EXECUTE FUNCTION discussion_comment_count()",
    "discussion_comment_count_au": "AFTER UPDATE OF deleted_at, hidden, paper_id ON discussion_comment FOR EACH ROW "
    f"WHEN ({_OLD_SHOWN} IS DISTINCT FROM {_NEW_SHOWN} OR OLD.paper_id IS DISTINCT FROM NEW.paper_id) "
    "EXECUTE FUNCTION discussion_comment_count()",
    "discussion_feedentry_comments": "BEFORE INSERT ON papers_feedentry FOR EACH ROW "
    "EXECUTE FUNCTION discussion_feedentry_comments()",
}
_TABLES = {
    "discussion_comment_count": "discussion_comment",
    "discussion_comment_count_au": "discussion_comment",
    "discussion_feedentry_comments": "papers_feedentry",
}

RECOUNT = (
    "UPDATE papers_feedentry SET num_comments = imported_comments + "
    "(SELECT COUNT(*) FROM discussion_comment c WHERE c.paper_id = papers_feedentry.paper_id "
    "AND c.deleted_at IS NULL AND NOT c.hidden)"
)


COUNTERS = TriggerSet(
    sqlite=_SQLITE,
    pg_functions=_PG_FUNCTIONS,
    pg_function_names=("discussion_comment_count", "discussion_feedentry_comments"),
    pg_triggers=_PG_TRIGGERS,
    tables=_TABLES,
    recount_sql=RECOUNT,
)
install, uninstall, recount = COUNTERS.install, COUNTERS.uninstall, COUNTERS.recount
