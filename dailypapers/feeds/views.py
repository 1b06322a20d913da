"""Feed views. Each: parse the URL → take a cheap fingerprint of what the feed shows →
answer 304, or the cached document, or build it from a bounded read.

Like the HTML pages, a rendered feed is cached under its fingerprint, so a vote, an edit
or a hidden paper changes the key (and the ETag) and shows on the next fetch; nothing is
invalidated by hand. The fingerprint also makes the weak ETag that feed readers send
back in If-None-Match.

Conditional GET is by ETag only. Last-Modified is the newest item's date (what Django's
syndication framework sends); it does not move when a paper is hidden or re-ranked, so
an If-Modified-Since alone is answered in full rather than with a wrong 304.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from dailypapers.core.pagecache import conditional, digest, remember
from dailypapers.feeds import selectors
from dailypapers.feeds.feeds import FEED_CLASSES, FeedContent, absolute, content_type_for
from dailypapers.lib.arxiv_ids import is_arxiv_category
from dailypapers.papers import selectors as papers
from dailypapers.papers.selectors import range_summary

FEED_MAX_AGE = 600  # seconds readers and proxies may reuse a feed without asking


@require_safe
def daily(request, fmt):
    days = selectors.latest_days()
    # range_summary covers hidden rows too, so hiding a paper changes it.
    fingerprint = range_summary(days[-1], days[0]).fingerprint if days else "empty"
    key = f"daily:{','.join(d.isoformat() for d in days)}:{fingerprint}"

    def content():
        return FeedContent(
            title="Daily Papers · dailypapers",
            description=(
                f"Papers of the latest {selectors.FEED_DAYS} feed days, newest day first, "
                "each day ranked by community upvotes."
            ),
            link=absolute(reverse("papers:home")),
            url=absolute(request.path),
            entries=selectors.daily_entries(days),
        )

    return _serve(request, fmt, key, content)


@require_safe
def trending(request, fmt):
    reference, first_day = papers.trending_window()
    last_day = reference.date()
    fingerprint = range_summary(first_day, last_day).fingerprint
    # Keyed by the window's days, not the minute of the reference time: every score decays
    # by the same factor, so the order changes only with the data or the window, and the
    # feed shows no scores.
    key = f"trending:{first_day}:{last_day}:{fingerprint}"

    def content():
        scored = papers.trending(reference, first_day, limit=selectors.TRENDING_LIMIT)
        return FeedContent(
            title="Trending papers · dailypapers",
            description=(
                f"Papers featured in the last {settings.TRENDING_WINDOW_DAYS} days, ranked by "
                f"upvotes that lose half their weight every "
                f"{settings.TRENDING_HALF_LIFE_HOURS:g} hours."
            ),
            link=absolute(reverse("papers:trending")),
            url=absolute(request.path),
            entries=selectors.add_categories([entry for entry, _ in scored]),
        )

    return _serve(request, fmt, key, content)


@require_safe
def category(request, category, fmt):
    if not is_arxiv_category(category):
        raise Http404("not an arXiv category")
    # Read the items first (one bounded query): their own stamps are the fingerprint.
    entries = selectors.category_entries(category)
    key = f"category:{category}:{selectors.items_fingerprint(entries)}"

    def content():
        return FeedContent(
            title=f"{category} papers · dailypapers",
            description=f"Featured papers in the arXiv category {category}, newest days first.",
            link=absolute(reverse("papers:home")),
            url=absolute(request.path),
            entries=entries,
        )

    return _serve(request, fmt, key, content)


def _serve(request, fmt, key, content):
    """The feed response for a fingerprint `key`; `content()` reads the items if needed."""
    # The document names its own address (request.path), so the path is part of the key;
    # hashed, since a fingerprint of fifty items is long.
    hashed = digest(f"{fmt}:{request.path}:{key}")

    def build():
        feed = FEED_CLASSES[fmt].get_feed(content(), request)
        last_modified = http_date(feed.latest_post_date().timestamp())
        return feed.writeString("utf-8").encode(), feed.content_type, last_modified

    def respond():
        body, content_type, last_modified = remember(f"feed:{hashed}", build)
        response = HttpResponse(body, content_type=content_type_for(request, content_type))
        response.headers["Last-Modified"] = last_modified
        return response

    # By ETag only (see above): no last_modified for the condition.
    response = conditional(request, f'W/"{hashed}"', respond, max_age=FEED_MAX_AGE)
    patch_vary_headers(response, ["Accept"])
    return response
