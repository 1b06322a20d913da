"""Read queries behind the feed pages. Each one is a few indexed queries, never a scan
of the catalogue (FeedEntry's (day, -upvotes) index serves all of them)."""

import datetime as dt

from django.conf import settings
from django.db.models import Max, Min, Sum
from django.utils import timezone

from dailypapers.lib.periods import PERIOD_OF
from dailypapers.lib.trending import trending_score
from dailypapers.papers.models import FeedEntry

# The columns a feed card shows; the abstract is loaded only for the card's excerpt.
CARD_FIELDS = (
    "id", "day", "upvotes", "num_comments", "position", "submitted_at",
    "paper__id", "paper__arxiv_id", "paper__title", "paper__authors", "paper__abstract",
    "paper__ai_summary", "paper__github_repo", "paper__github_stars", "paper__project_page",
    "paper__primary_category", "paper__published",
)  # fmt: skip


def visible_entries():
    return FeedEntry.objects.visible().select_related("paper").only(*CARD_FIELDS)


def latest_feed_day():
    return FeedEntry.objects.visible().aggregate(day=Max("day"))["day"]


def entries_in(period):
    return visible_entries().filter(day__gte=period.start, day__lte=period.end).ranked()


def neighbours(period):
    """The nearest earlier and later periods of the same kind that have papers."""
    visible = FeedEntry.objects.visible()
    before = visible.filter(day__lt=period.start).aggregate(d=Max("day"))["d"]
    after = visible.filter(day__gt=period.end).aggregate(d=Min("day"))["d"]
    make = PERIOD_OF[period.kind]
    return (make(before) if before else None, make(after) if after else None)


def fingerprint(period):
    """Changes whenever anything a period's page shows changes: used as a cache key."""
    stats = FeedEntry.objects.filter(day__gte=period.start, day__lte=period.end).aggregate(
        n=Sum(1), votes=Sum("upvotes"), entry=Max("updated_at"), paper=Max("paper__updated_at")
    )
    return "|".join(str(stats[k]) for k in ("n", "votes", "entry", "paper"))


def trending_reference_time(now=None):
    """Trending is computed as of now. When the feed has gone quiet for longer than the
    trending window (an archive, the demo data) it is computed as of the end of the
    latest feed day instead, so the list is not empty for that reason alone."""
    now = now or timezone.now()
    latest = latest_feed_day()
    tz = timezone.get_current_timezone()
    if latest is None or latest + dt.timedelta(days=settings.TRENDING_WINDOW_DAYS) >= now.astimezone(tz).date():
        return now
    return dt.datetime.combine(latest + dt.timedelta(days=1), dt.time(), tzinfo=tz)


def trending(now=None, limit=50):
    """[(entry, TrendingScore)] best first, over the last TRENDING_WINDOW_DAYS feed days."""
    reference = trending_reference_time(now)
    tz = timezone.get_current_timezone()
    first_day = reference.astimezone(tz).date() - dt.timedelta(days=settings.TRENDING_WINDOW_DAYS)
    entries = visible_entries().filter(day__gte=first_day, day__lte=reference.astimezone(tz).date())
    scored = []
    for entry in entries:
        start = dt.datetime.combine(entry.day, dt.time(), tzinfo=tz)
        age_hours = (reference - start).total_seconds() / 3600
        scored.append((entry, trending_score(entry.upvotes, age_hours, settings.TRENDING_HALF_LIFE_HOURS)))
    scored.sort(key=lambda pair: (-pair[1].score, -pair[0].upvotes, pair[0].day, pair[0].position))
    return reference, scored[:limit]
