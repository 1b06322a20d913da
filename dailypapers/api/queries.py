"""Read queries behind the JSON API. Like dailypapers/papers/selectors.py, each is a few
indexed queries, never a scan of the catalogue."""

import base64
import binascii
import datetime as dt

from django.conf import settings

from dailypapers.lib.arxiv_ids import is_arxiv_id
from dailypapers.lib.trending import trending_score
from dailypapers.papers.models import FeedEntry, Paper


class BadCursor(ValueError):
    pass


def feed_entries(first_day, last_day, submitter=""):
    """Visible entries of a range of feed days with their papers, unordered."""
    entries = (
        FeedEntry.objects.visible()
        .select_related("paper")
        .filter(day__gte=first_day, day__lte=last_day)
    )
    if submitter:
        # Local accounts only, by the account (not the stored name): imported entries
        # have no submitter, and a new account taking a deleted one's name matches
        # nothing of the old one's.
        entries = entries.filter(submitted_by__username=submitter)
    return entries


def ranked_page(first_day, last_day, submitter, offset, limit):
    """Entries `offset … offset+limit` in community order (the day/week/month pages' order),
    plus whether more follow. One query on FeedEntry's (day, -upvotes) index."""
    rows = list(feed_entries(first_day, last_day, submitter).ranked()[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


def trending_page(first_day, last_day, reference, submitter, offset, limit):
    """Entries of the range ordered by the published trending score as of `reference`
    (dailypapers/lib/trending.py), with the tie-breaks of papers.selectors.trending.

    Scored in Python: a range is at most a month of the feed (a few hundred entries),
    and the score depends on the reference time, so no index can hold it.
    """
    half_life = settings.TRENDING_HALF_LIFE_HOURS
    scored = []
    for entry in feed_entries(first_day, last_day, submitter):
        start = dt.datetime.combine(entry.day, dt.time(), tzinfo=reference.tzinfo)
        age_hours = (reference - start).total_seconds() / 3600
        score = trending_score(entry.upvotes, age_hours, half_life).score
        scored.append((-score, -entry.upvotes, entry.day, entry.position, entry.id, entry))
    scored.sort(key=lambda row: row[:5])
    rows = [row[-1] for row in scored[offset : offset + limit + 1]]
    return rows[:limit], len(rows) > limit


def visible_paper(arxiv_id):
    """(paper, its visible feed entries oldest first), or None."""
    if not is_arxiv_id(arxiv_id):
        return None
    paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).first()
    if paper is None:
        return None
    return paper, list(paper.feed_entries.visible().order_by("day", "id"))


# --- The catalogue, keyset-paged ----------------------------------------------------------
# Newest first by arXiv id: new-style ids (YYMM.NNNNN) sort by month and then by arXiv's
# running number, so descending string order is newest first. Old-style ids
# (hep-th/9901001, before 2007) start with a letter and would sort before them, so they
# come as a second run after every new-style id. The cursor is the last id a page held:
# the next page is everything after it in that order, so papers inserted meanwhile never
# shift a page (Paper.arxiv_id's unique index serves both runs).

_NEW_STYLE_END = ":"  # every new-style id starts with a digit, and "9" < ":" < "a"


def encode_cursor(arxiv_id):
    return base64.urlsafe_b64encode(arxiv_id.encode()).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor("bad cursor") from None
    if not is_arxiv_id(text):
        raise BadCursor("bad cursor")
    return text


def catalogue_page(after, limit):
    """(papers, whether more follow) of the catalogue after the id `after` (None: start)."""
    papers = Paper.objects.visible().order_by("-arxiv_id")
    new_style = papers.filter(arxiv_id__lt=_NEW_STYLE_END)
    old_style = papers.filter(arxiv_id__gt=_NEW_STYLE_END)
    rows = []
    if after is None or after < _NEW_STYLE_END:
        first_run = new_style if after is None else new_style.filter(arxiv_id__lt=after)
        rows = list(first_run[: limit + 1])
        after = None
    if len(rows) <= limit:
        second_run = old_style if after is None else old_style.filter(arxiv_id__lt=after)
        rows += list(second_run[: limit + 1 - len(rows)])
    return rows[:limit], len(rows) > limit


def features_of(papers):
    """{paper id: its visible feed entries, oldest first} for a page of papers, in one query."""
    features = {p.id: [] for p in papers}
    for entry in (
        FeedEntry.objects.visible().filter(paper_id__in=list(features)).order_by("day", "id")
    ):
        features[entry.paper_id].append(entry)
    return features
