"""Keyword search inside the database, kept in sync by the database itself.

SQLite: an FTS5 table over papers_paper (external content: the text is stored once),
Porter stemming, bm25 ranking with the title weighted above the authors and the abstract.
Triggers on papers_paper keep it in step with every insert, update and delete, whoever
makes them (importers, the admin, a raw UPDATE). Bulk imports index their new papers in
one statement per batch instead (`inserting_papers`): row by row, the insert trigger
made an import of 74,728 papers take 14.8 s instead of 5 s.

PostgreSQL: a generated tsvector column on papers_paper (title weight A, authors B,
abstract C, English stemming) with a GIN index; each query word goes through
`websearch_to_tsquery`, so no input is a syntax error; ranked with ts_rank.

Both answer `search(query, limit, filters)` with [(paper id, score)], best first.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection as default_connection
from django.db import connections
from django.db.models import Q

from dailypapers.lib.searchquery import fts5_match
from dailypapers.papers.models import Paper

FTS_TABLE = "papers_search"
# bm25 weights of the FTS columns (title, authors, abstract), measured on the judged
# collections (README, "Search quality").
BM25_WEIGHTS = (2.0, 1.0, 1.0)
TOKENIZER = "porter unicode61 remove_diacritics 2"
# Ids per statement when importers index their new papers (SQLite's parameter limit).
INDEX_CHUNK = 900
# Matches ranked per query at most (see search()).
SCAN_LIMIT = 2000

_SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, authors, abstract, "
    f"content='papers_paper', content_rowid='id', tokenize='{TOKENIZER}')"
)
_NEW = f"INSERT INTO {FTS_TABLE}(rowid, title, authors, abstract) VALUES (new.id, new.title, new.authors, new.abstract);"
_OLD = (
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, authors, abstract) "
    "VALUES ('delete', old.id, old.title, old.authors, old.abstract);"
)
# While this table holds a row, the insert trigger stands aside: an importer's batch
# transaction adds the row, inserts its papers, indexes them in one statement and removes
# the row before committing, so no other connection ever sees it (SQLite has one writer).
_DEFER_TABLE = f"{FTS_TABLE}_defer"
_SQLITE_DEFER = f"CREATE TABLE IF NOT EXISTS {_DEFER_TABLE} (deferred INTEGER)"
_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"AFTER INSERT ON papers_paper WHEN NOT EXISTS (SELECT 1 FROM {_DEFER_TABLE}) BEGIN {_NEW} END",
    f"{FTS_TABLE}_ad": f"AFTER DELETE ON papers_paper BEGIN {_OLD} END",
    f"{FTS_TABLE}_au": f"AFTER UPDATE OF title, authors, abstract ON papers_paper BEGIN {_OLD} {_NEW} END",
}

_PG_COLUMN = (
    "ALTER TABLE papers_paper ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(authors, '[]'::jsonb)), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'C')) STORED"
)
_PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS papers_paper_search_idx ON papers_paper USING GIN (search_vector)"
)


# --- Schema -------------------------------------------------------------------------------


def ensure_index(connection=None):
    """Create whatever part of the keyword index is missing; fill it if anything was.
    Idempotent and cheap when all is in place. Returns True if it changed anything."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            return _ensure_sqlite(cursor)
        if connection.vendor == "postgresql":
            return _ensure_postgresql(cursor)
    return False


def _ensure_sqlite(cursor):
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND tbl_name = 'papers_paper')",
        [FTS_TABLE],
    )
    present = dict(cursor.fetchall())
    cursor.execute(_SQLITE_DEFER)
    changed = False
    if FTS_TABLE not in present:
        cursor.execute(_SQLITE_TABLE)
        changed = True
    for name, body in _SQLITE_TRIGGERS.items():
        sql = f"CREATE TRIGGER {name} {body}"
        if present.get(name) != sql:  # missing, or an earlier version of it
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(sql)
            changed = True
    if changed:
        # Rows written while a trigger was missing are unknown to the index: rebuild it
        # from papers_paper (seconds for 100,000 papers).
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return changed


def _ensure_postgresql(cursor):
    cursor.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'papers_paper' AND column_name = 'search_vector'"
    )
    changed = False
    if cursor.fetchone() is None:
        cursor.execute(_PG_COLUMN)
        changed = True
    cursor.execute(
        "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'papers_paper_search_idx'"
    )
    if cursor.fetchone() is None:
        cursor.execute(_PG_INDEX)
        changed = True
    return changed


def drop_index(connection=None):
    """Remove the keyword index (the migration's reverse)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
            cursor.execute(f"DROP TABLE IF EXISTS {_DEFER_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS papers_paper_search_idx")
            cursor.execute("ALTER TABLE papers_paper DROP COLUMN IF EXISTS search_vector")


def inserting_papers(insert, connection=None):
    """Run `insert()`, which inserts papers and returns their ids (any iterable), and
    index them in one statement rather than row by row. Call it inside the batch's
    transaction. PostgreSQL's generated column needs nothing: it just calls `insert()`."""
    connection = connection or default_connection
    if connection.vendor != "sqlite":
        return insert()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_DEFER_TABLE} (deferred) VALUES (1)")
        try:
            ids = insert()
        finally:
            cursor.execute(f"DELETE FROM {_DEFER_TABLE}")
        pks = list(ids.values() if isinstance(ids, dict) else ids)
        for start in range(0, len(pks), INDEX_CHUNK):
            chunk = pks[start : start + INDEX_CHUNK]
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, title, authors, abstract) "
                f"SELECT id, title, authors, abstract FROM papers_paper WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
    return ids


def ensure_after_migrate(sender, using="default", plan=None, **kwargs):
    connection = connections[using]
    if "papers_paper" in connection.introspection.table_names():
        ensure_index(connection)


# --- Queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Restrictions on which papers a search may return (all optional). A paper's date is
    its arXiv v1 publication date, or its listing day when the source gave no time."""

    date_from: dt.date | None = None  # inclusive
    date_to: dt.date | None = None  # inclusive
    category: str = ""

    def __bool__(self):
        return bool(self.date_from or self.date_to or self.category)

    def apply(self, papers):
        """`papers` (a Paper queryset) narrowed to these filters."""
        if self.date_from:
            start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=dt.UTC)
            papers = papers.filter(
                Q(published__gte=start)
                | Q(published__isnull=True, announced_on__gte=self.date_from)
            )
        if self.date_to:
            # The day after as the bound; the last day a date can be (9999-12-31) has
            # none: its end is the last instant a datetime can hold.
            if self.date_to < dt.date.max:
                end = Q(
                    published__lt=dt.datetime.combine(
                        self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
                    )
                )
            else:
                end = Q(published__lte=dt.datetime.max.replace(tzinfo=dt.UTC))
            papers = papers.filter(end | Q(published__isnull=True, announced_on__lte=self.date_to))
        if self.category:
            papers = papers.filter(category_rows__category=self.category)
        return papers


NO_FILTERS = Filters()


def _filter_sql(filters):
    """SQL condition on papers_paper aliased `p`: visible, and passing `filters` (compiled
    from the same ORM filter the semantic side uses)."""
    if not filters:
        return "p.hidden = %s", [False]
    sql, params = filters.apply(Paper.objects.visible()).values("id").query.sql_with_params()
    return f"p.id IN ({sql})", list(params)


def search(query, limit, filters=NO_FILTERS, connection=None):
    """[(paper id, score)] for the parsed query, best first, at most `limit`.

    Ranking every match of a broad query ("learning model" matches most of a large
    catalogue) costs time in proportion to the matches; so the ranking considers the
    newest SCAN_LIMIT matches (by row, i.e. by arrival), which bounds a query's cost and
    favours recent papers where a query does not discriminate. Catalogues or queries
    with fewer matches are ranked in full."""
    connection = connection or default_connection
    if query.empty or limit <= 0:
        return []
    where, params = _filter_sql(filters)
    if connection.vendor == "postgresql":
        tsquery, tsparams = _tsquery(query)
        # ts_rank scores a phrase no higher than its words apart: papers holding a quoted
        # phrase get a bonus per phrase, so that they rank first (as bm25 ranks them).
        bonus = " ".join(
            ["+ (c.search_vector @@ phraseto_tsquery('english', %s))::int"] * len(query.phrases)
        )
        sql = (
            f"SELECT c.id, ts_rank(c.search_vector, c.query, 1) {bonus} AS score FROM ("
            f"SELECT p.id, p.search_vector, q.query FROM papers_paper p, (SELECT {tsquery} AS query) q "
            f"WHERE p.search_vector @@ q.query AND {where} ORDER BY p.id DESC LIMIT %s) c "
            "ORDER BY score DESC, c.id DESC LIMIT %s"
        )
        args = [" ".join(p) for p in query.phrases] + tsparams + params + [SCAN_LIMIT, limit]
    else:
        weights = ", ".join(str(float(w)) for w in BM25_WEIGHTS)
        # bm25() is lower for better matches. Hidden papers and filters are excluded
        # before the newest SCAN_LIMIT matches are taken.
        sql = (
            f"SELECT c.id, -c.rank AS score FROM ("
            f"SELECT {FTS_TABLE}.rowid AS id, bm25({FTS_TABLE}, {weights}) AS rank "
            f"FROM {FTS_TABLE} JOIN papers_paper p ON p.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND {where} ORDER BY {FTS_TABLE}.rowid DESC LIMIT %s) c "
            "ORDER BY c.rank, c.id DESC LIMIT %s"
        )
        args = [fts5_match(query)] + params + [SCAN_LIMIT, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def _tsquery(query):
    """A tsquery expression ORing every word and phrase, each parsed by PostgreSQL's
    forgiving websearch_to_tsquery (parameters, never spliced)."""
    pieces = list(query.terms) + ['"' + " ".join(p) + '"' for p in query.phrases]
    expr = " || ".join(["websearch_to_tsquery('english', %s)"] * len(pieces))
    return f"({expr})", pieces
