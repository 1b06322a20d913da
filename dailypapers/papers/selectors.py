"""Read queries behind the feed pages. Each one is a few indexed queries, never a scan
of the catalogue (FeedEntry's (day, -upvotes) index serves all of them)."""

import datetime as dt
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.utils import timezone

from dailypapers.lib.periods import PERIOD_OF
from dailypapers.lib.trending import trending_score
from dailypapers.papers.models import FeedEntry, Paper

# The columns a feed card shows; the abstract is loaded only for the card's excerpt.
CARD_FIELDS = (
    "id", "day", "upvotes", "num_comments", "imported_comments", "position", "submitted_at",
    "paper__id", "paper__arxiv_id", "paper__title", "paper__authors", "paper__abstract",
    "paper__ai_summary", "paper__github_repo", "paper__github_stars", "paper__project_page",
    "paper__primary_category", "paper__published",
)  # fmt: skip


def visible_entries():
    return FeedEntry.objects.visible().select_related("paper").only(*CARD_FIELDS)


def latest_feed_day():
    # ORDER BY … LIMIT 1 walks the day index backwards and stops at the first visible
    # entry; MAX() over the join with papers would aggregate every entry (measured:
    # 80 ms on PostgreSQL with 9,881 entries).
    return FeedEntry.objects.visible().order_by("-day").values_list("day", flat=True).first()


def entries_in(period):
    return visible_entries().filter(day__gte=period.start, day__lte=period.end).ranked()


# Every feed page's hot path: neighbours and fingerprint in one statement. Through the
# ORM the same three aggregates cost ~3 ms per request in query compilation alone
# (measured); this is one indexed statement on both SQLite and PostgreSQL. The
# neighbours are ORDER BY … LIMIT 1 (a short index walk), not MIN/MAX (which aggregate
# every entry).
_SUMMARY_SQL = """
SELECT
  (SELECT e.day FROM {entry} e JOIN {paper} p ON p.id = e.paper_id
    WHERE e.day < %s AND e.hidden = %s AND p.hidden = %s ORDER BY e.day DESC LIMIT 1),
  (SELECT e.day FROM {entry} e JOIN {paper} p ON p.id = e.paper_id
    WHERE e.day > %s AND e.hidden = %s AND p.hidden = %s ORDER BY e.day LIMIT 1),
  COUNT(e.id), SUM(e.upvotes), SUM(e.upvotes * e.id), SUM(e.num_comments),
  MAX(e.updated_at), MAX(p.updated_at)
FROM {entry} e JOIN {paper} p ON p.id = e.paper_id
WHERE e.day >= %s AND e.day <= %s
"""


class RangeSummary(NamedTuple):
    before: dt.date | None  # the nearest earlier feed day with visible papers
    after: dt.date | None  # the nearest later one
    fingerprint: str
    last_modified: dt.datetime | None  # the newest updated_at of the range's entries and papers


def range_summary(first_day, last_day):
    """A RangeSummary of a range of feed days, from one statement.

    The fingerprint changes whenever anything shown for the range changes, so it keys
    the page caches and ETags: counts, vote totals and a vote checksum catch votes (even
    a vote moved from one paper to another), the newest updated_at of entries and papers
    catches edits and hiding (every write that changes a paper or an entry sets
    updated_at). Hidden rows count too, so hiding one changes it.
    """
    ops = connection.ops
    sql = _SUMMARY_SQL.format(
        entry=ops.quote_name(FeedEntry._meta.db_table), paper=ops.quote_name(Paper._meta.db_table)
    )
    start, end = ops.adapt_datefield_value(first_day), ops.adapt_datefield_value(last_day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, False, False, end, False, False, start, end])
        before, after, *stats = cursor.fetchone()
    fingerprint = ":".join(str(value) for value in stats).replace(" ", "_")
    stamps = [_as_datetime(value) for value in stats[-2:] if value is not None]
    return RangeSummary(_as_date(before), _as_date(after), fingerprint, max(stamps, default=None))


def period_summary(period):
    """(previous period, next period, fingerprint): the periods are the nearest ones of
    the same kind that have visible papers."""
    summary = range_summary(period.start, period.end)
    make = PERIOD_OF[period.kind]
    return (
        make(summary.before) if summary.before else None,
        make(summary.after) if summary.after else None,
        summary.fingerprint,
    )


def _as_date(value):
    # SQLite returns aggregates over date columns as text.
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _as_datetime(value):
    # SQLite returns MAX() of a timestamp as text, in UTC without an offset.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def trending_window(now=None):
    """(reference time, first feed day considered).

    Trending is computed as of now, to the minute (so a computed list can be reused for
    that minute). When the feed has gone quiet for longer than the window (an archive,
    the demo data) it is computed as of the end of the latest feed day instead, so the
    list is not empty for that reason alone.
    """
    tz = timezone.get_current_timezone()
    now = (now or timezone.now()).astimezone(tz).replace(second=0, microsecond=0)
    window = dt.timedelta(days=settings.TRENDING_WINDOW_DAYS)
    latest = latest_feed_day()
    reference = now
    if latest is not None and latest + window < now.date():
        reference = dt.datetime.combine(latest + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return reference, reference.date() - window


def trending(reference, first_day, limit=50):
    """[(entry, TrendingScore)] best first, for feed days from first_day to the reference."""
    tz = timezone.get_current_timezone()
    entries = visible_entries().filter(day__gte=first_day, day__lte=reference.astimezone(tz).date())
    scored = []
    for entry in entries:
        start = dt.datetime.combine(entry.day, dt.time(), tzinfo=tz)
        age_hours = (reference - start).total_seconds() / 3600
        scored.append(
            (entry, trending_score(entry.upvotes, age_hours, settings.TRENDING_HALF_LIFE_HOURS))
        )
    scored.sort(key=lambda pair: (-pair[1].score, -pair[0].upvotes, pair[0].day, pair[0].position))
    return scored[:limit]
