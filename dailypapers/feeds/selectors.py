"""Read queries behind the feeds. Each is a few indexed queries with a bound on the rows
it returns; none scans the catalogue."""

from django.db.models import Exists, OuterRef

from dailypapers.papers.models import FeedEntry, Paper, PaperCategory

FEED_DAYS = 3  # the daily feed: papers of the latest three feed days
DAILY_LIMIT = 100  # the latest three real days held 58; past the limit the oldest is cut first
TRENDING_LIMIT = 50
CATEGORY_LIMIT = 50

# The columns a feed item shows, plus the updated_at stamps its fingerprint reads.
ITEM_FIELDS = (
    "id", "day", "upvotes", "position", "submitted_at", "updated_at",
    "paper__id", "paper__arxiv_id", "paper__title", "paper__authors", "paper__abstract",
    "paper__ai_summary", "paper__categories", "paper__updated_at",
)  # fmt: skip


# Within a feed day, the community order of FeedEntryQuerySet.ranked().
_NEWEST_DAYS_RANKED = ("-day", "-upvotes", "position", "id")


def _items():
    return FeedEntry.objects.visible().select_related("paper").only(*ITEM_FIELDS)


def latest_days(count=FEED_DAYS):
    """The `count` most recent feed days with visible papers, newest first."""
    # One ORDER BY day DESC LIMIT 1 per day: a short walk down the (day, -upvotes) index
    # each time, where SELECT DISTINCT day would join every entry with its paper first.
    days = []
    newest_first = FeedEntry.objects.visible().order_by("-day").values_list("day", flat=True)
    while len(days) < count:
        day = (newest_first.filter(day__lt=days[-1]) if days else newest_first).first()
        if day is None:
            break
        days.append(day)
    return days


def daily_entries(days, limit=DAILY_LIMIT):
    """Entries of `days` (newest first, as latest_days gives them), ranked within each day."""
    if not days:
        return []
    entries = _items().filter(day__gte=days[-1], day__lte=days[0]).order_by(*_NEWEST_DAYS_RANKED)
    return list(entries[:limit])


def category_entries(category, limit=CATEGORY_LIMIT):
    """Featured papers listed in `category`, newest feed days first, ranked within a day.
    A paper featured on two days appears once per day, as on the day pages.

    The feed entries are walked newest day first (the (day, -upvotes) index) and each is
    checked against PaperCategory's unique (paper, category) index. Its cost follows the
    number of feed entries, which stays small. Joining from the category's rows instead
    follows the size of the category in the whole catalogue: measured with the full
    corpus on SQLite, cs.CL (25,049 papers) took 76 ms that way and 9 ms this way.
    """
    listed = PaperCategory.objects.filter(paper=OuterRef("paper"), category=category)
    entries = _items().filter(Exists(listed)).order_by(*_NEWEST_DAYS_RANKED)
    return list(entries[:limit])


def add_categories(entries):
    """Load the papers' categories for entries read without them (the trending selector
    reads card fields only): one query for all, not one per item."""
    by_paper = dict(
        Paper.objects.filter(id__in={e.paper_id for e in entries}).values_list("id", "categories")
    )
    for entry in entries:
        entry.paper.categories = by_paper.get(entry.paper_id, [])
    return entries


def items_fingerprint(entries):
    """Changes whenever anything a feed shows of these entries changes (the set, the order,
    an edit: every write sets updated_at)."""
    return ";".join(
        f"{e.id},{e.upvotes},{e.updated_at.isoformat()},{e.paper.updated_at.isoformat()}"
        for e in entries
    )
