"""RSS 2.0 and Atom feeds, read back with feedparser (what feed readers use)."""

import calendar
import datetime as dt
import html
import re

import feedparser
import pytest
import time_machine

from dailypapers.feeds import selectors
from dailypapers.papers.models import FeedEntry, Paper
from tests import factories

pytestmark = pytest.mark.django_db

SITE = "https://papers.example.org"
NOON = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)
FORMATS = ("rss", "atom")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


make_paper = factories.make_paper


def make_entry(day, paper=None, **fields):
    return factories.make_entry(day, paper=paper or make_paper(), **fields)


def parse(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, f"{url}: {feed.get('bozo_exception')}"
    return feed


def ids_in(feed):
    """arXiv ids of the items, in feed order (from the links to our paper pages)."""
    prefix = f"{SITE}/papers/"
    assert all(e.link.startswith(prefix) for e in feed.entries)
    return [e.link[len(prefix) :] for e in feed.entries]


def ids(*entries):
    return [e.paper.arxiv_id for e in entries]


def day_of(parsed_time):
    return dt.datetime.fromtimestamp(calendar.timegm(parsed_time), dt.UTC).date()


# --- every feed is valid -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["daily", "trending", "category/cs.LG"])
def test_every_feed_parses_without_errors_and_has_its_format(client, path, fmt):
    make_entry("2025-03-14", upvotes=3)
    feed = parse(client, f"/feeds/{path}.{fmt}")
    assert feed.version == ("rss20" if fmt == "rss" else "atom10")
    assert len(feed.entries) == 1
    assert feed.feed.title.endswith("· dailypapers")
    assert feed.feed.link.startswith(SITE)


@pytest.mark.parametrize("path", ["daily", "trending", "category/cs.LG"])
def test_a_feed_without_extension_is_rss(client, path):
    make_entry("2025-03-14", upvotes=3)
    response = client.get(f"/feeds/{path}")
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert feedparser.parse(response.content).version == "rss20"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["daily", "trending", "category/cs.LG"])
def test_feeds_of_an_empty_site_are_valid_and_empty(client, path, fmt):
    assert parse(client, f"/feeds/{path}.{fmt}").entries == []


# --- the daily feed ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_daily_feed_lists_the_latest_days_newest_first_ranked_within_each_day(client, fmt):
    make_entry("2025-03-07", upvotes=500)  # a fourth, older feed day: not in the feed
    monday_low = make_entry("2025-03-10", upvotes=1)
    monday_high = make_entry("2025-03-10", upvotes=9)
    thursday = make_entry("2025-03-13", upvotes=100)
    friday_tie_second = make_entry("2025-03-14", upvotes=5, position=1)
    friday_tie_first = make_entry("2025-03-14", upvotes=5, position=0)
    friday_top = make_entry("2025-03-14", upvotes=40, position=2)
    feed = parse(client, f"/feeds/daily.{fmt}")
    assert ids_in(feed) == ids(
        friday_top, friday_tie_first, friday_tie_second, thursday, monday_high, monday_low
    )
    days = [day_of(e.published_parsed) for e in feed.entries]
    assert days == [dt.date(2025, 3, 14)] * 3 + [dt.date(2025, 3, 13)] + [dt.date(2025, 3, 10)] * 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_item_links_our_paper_page_and_carries_authors_summary_and_categories(client, fmt):
    paper = make_paper(
        title="Sparse Mixtures of Experts at Scale",
        authors=["Grace Hopper", "Edsger Dijkstra"],
        categories=["cs.CL", "cs.LG"],
        primary_category="cs.CL",
        ai_summary="Experts, sparsely mixed.",
    )
    entry = make_entry("2025-03-14", upvotes=7, paper=paper)
    FeedEntry.objects.filter(pk=entry.pk).update(
        submitted_at=dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)
    )
    (item,) = parse(client, f"/feeds/daily.{fmt}").entries
    assert item.title == "Sparse Mixtures of Experts at Scale"
    assert item.link == f"{SITE}/papers/{paper.arxiv_id}"
    assert item.author == "Grace Hopper, Edsger Dijkstra"
    assert item.summary == "Experts, sparsely mixed."
    assert [t.term for t in item.tags] == ["cs.CL", "cs.LG"]
    assert calendar.timegm(item.published_parsed) == calendar.timegm((2025, 3, 14, 9, 30, 0))
    assert item.id == f"tag:papers.example.org,2025-03-14:/papers/{paper.arxiv_id}/"


def test_an_item_without_ai_summary_shows_an_abstract_excerpt(client):
    words = [f"word{i}" for i in range(300)]
    make_entry("2025-03-14", paper=make_paper(abstract=" ".join(words)))
    (item,) = parse(client, "/feeds/daily.atom").entries
    assert item.summary == " ".join(words[:100]) + "…"


def test_long_author_lists_are_cut(client):
    make_entry("2025-03-14", paper=make_paper(authors=[f"Author {i}" for i in range(40)]))
    (item,) = parse(client, "/feeds/daily.rss").entries
    assert item.author == ", ".join(f"Author {i}" for i in range(10)) + " et al."


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_paper_featured_twice_gets_one_item_per_day_with_distinct_ids(client, fmt):
    paper = make_paper()
    make_entry("2025-03-13", upvotes=2, paper=paper)
    make_entry("2025-03-14", upvotes=2, paper=paper)
    feed = parse(client, f"/feeds/daily.{fmt}")
    assert ids_in(feed) == [paper.arxiv_id, paper.arxiv_id]
    assert len({e.id for e in feed.entries}) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_titles_and_abstracts_with_markup_characters_survive(client, fmt):
    title = """Is <b>Attention</b> All You Need? "Yes" & 'No' <script>x</script>"""
    abstract = "We show that a < b && c > d for all 'quoted' \"cases\"."
    make_entry("2025-03-14", paper=make_paper(title=title, abstract=abstract))
    response = client.get(f"/feeds/daily.{fmt}")
    assert b"<script>" not in response.content and b"<b>" not in response.content
    (item,) = feedparser.parse(response.content).entries
    assert item.title == title
    # The summary is HTML (RSS readers render descriptions, Atom says type="html"): the
    # abstract's characters arrive as text, never as markup.
    assert "<" not in item.summary
    assert html.unescape(item.summary) == abstract


# --- trending ------------------------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
@pytest.mark.parametrize("fmt", FORMATS)
def test_trending_feed_has_the_trending_page_order(client, fmt):
    today = make_entry("2025-03-14", upvotes=60)  # 12 h old: ≈ 50.5
    yesterday = make_entry("2025-03-13", upvotes=80)  # 36 h: ≈ 47.6
    last_week = make_entry("2025-03-07", upvotes=500)  # 180 h: ≈ 37.2
    make_entry("2025-02-20", upvotes=9000)  # outside the 14-day window
    assert ids_in(parse(client, f"/feeds/trending.{fmt}")) == ids(today, yesterday, last_week)


@time_machine.travel(NOON, tick=False)
def test_trending_items_carry_their_categories(client):
    make_entry("2025-03-14", upvotes=1, paper=make_paper(categories=["math.AP", "cs.NA"]))
    (item,) = parse(client, "/feeds/trending.rss").entries
    assert [t.term for t in item.tags] == ["math.AP", "cs.NA"]


# --- per category --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_category_feed_lists_only_its_papers_newest_days_first(client, fmt):
    older = make_entry("2025-03-12", upvotes=90, paper=make_paper(categories=["cs.CL"]))
    cross_listed = make_entry(
        "2025-03-14", upvotes=1, paper=make_paper(categories=["cs.LG", "cs.CL"])
    )
    newest_top = make_entry("2025-03-14", upvotes=8, paper=make_paper(categories=["cs.CL"]))
    make_entry("2025-03-14", upvotes=50, paper=make_paper(categories=["cs.CV"]))
    make_paper(categories=["cs.CL"])  # in the catalogue, never featured: not in the feed
    feed = parse(client, f"/feeds/category/cs.CL.{fmt}")
    assert ids_in(feed) == ids(newest_top, cross_listed, older)
    assert feed.feed.title == "cs.CL papers · dailypapers"


def test_category_feed_respects_hidden_papers_and_entries(client):
    shown = make_entry("2025-03-14", upvotes=1, paper=make_paper(categories=["cs.CL"]))
    make_entry("2025-03-14", upvotes=5, hidden=True, paper=make_paper(categories=["cs.CL"]))
    make_entry("2025-03-14", upvotes=9, paper=make_paper(categories=["cs.CL"], hidden=True))
    assert ids_in(parse(client, "/feeds/category/cs.CL.rss")) == ids(shown)


def test_hyphenated_and_archive_only_categories_work(client):
    soft = make_entry("2025-03-14", paper=make_paper(categories=["cond-mat.stat-mech"]))
    hep = make_entry("2025-03-14", paper=make_paper(categories=["hep-th"]))
    assert ids_in(parse(client, "/feeds/category/cond-mat.stat-mech.atom")) == ids(soft)
    assert ids_in(parse(client, "/feeds/category/hep-th.rss")) == ids(hep)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_well_formed_category_gives_an_empty_valid_feed(client, fmt):
    make_entry("2025-03-14", paper=make_paper(categories=["cs.CL"]))
    assert parse(client, f"/feeds/category/xx.NOPE.{fmt}").entries == []


@pytest.mark.parametrize(
    "category",
    ["CS.CL", "cs..CL", "cs.CL;drop", "68T45", "I.2.7", "cs%20CL", "cs/CL", "a" * 40, ".CL", "cs."],
)
def test_a_malformed_category_is_a_404(client, category):
    assert client.get(f"/feeds/category/{category}.rss").status_code == 404


def test_feeds_stop_at_their_item_limit(client):
    for n in range(selectors.CATEGORY_LIMIT + 5):
        make_entry("2025-03-14", upvotes=n, paper=make_paper(categories=["cs.CL"]))
    feed = parse(client, "/feeds/category/cs.CL.rss")
    assert len(feed.entries) == selectors.CATEGORY_LIMIT
    assert feed.entries[0].link.endswith(Paper.objects.get(feed_entries__upvotes=54).arxiv_id)


# --- HTTP: queries, caching, conditional GET -------------------------------------------------


@time_machine.travel(NOON, tick=False)
@pytest.mark.parametrize(
    "path, queries, cached",
    [
        # three look-ups for the two days (the third finds none), summary; then the items
        ("daily.rss", 5, 4),
        # latest day, summary; then the scored entries and their categories
        ("trending.atom", 4, 2),
        # the items, which are also the fingerprint
        ("category/cs.LG.rss", 1, 1),
    ],
)
def test_a_feed_takes_the_same_few_queries_for_two_items_or_forty(
    client, path, queries, cached, django_assert_num_queries
):
    make_entry("2025-03-13", upvotes=1)
    make_entry("2025-03-14", upvotes=1)
    with django_assert_num_queries(queries):
        assert len(parse(client, f"/feeds/{path}").entries) == 2
    for n in range(38):
        make_entry("2025-03-13", upvotes=n)
    with django_assert_num_queries(queries):
        assert len(parse(client, f"/feeds/{path}").entries) == 40
    with django_assert_num_queries(cached):  # from the cache
        parse(client, f"/feeds/{path}")


def test_feeds_send_cache_headers_and_answer_304_until_something_changes(client):
    first = make_entry("2025-03-14", upvotes=3)
    second = make_entry("2025-03-14", upvotes=2)
    response = client.get("/feeds/daily.rss")
    etag = response["ETag"]
    assert etag.startswith('W/"')
    assert "max-age=600" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response["Last-Modified"] == "Fri, 14 Mar 2025 00:00:00 GMT"

    again = client.get("/feeds/daily.rss", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag

    first.paper.hidden = True
    first.paper.save()  # as the admin does
    changed = client.get("/feeds/daily.rss", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert ids_in(feedparser.parse(changed.content)) == ids(second)


def test_a_vote_reorders_a_cached_feed(client):
    first = make_entry("2025-03-14", upvotes=3)
    second = make_entry("2025-03-14", upvotes=2)
    assert ids_in(parse(client, "/feeds/daily.atom")) == ids(first, second)
    FeedEntry.objects.filter(pk=second.pk).update(upvotes=4)
    assert ids_in(parse(client, "/feeds/daily.atom")) == ids(second, first)


def test_feeds_are_read_only(client):
    assert client.post("/feeds/daily.rss").status_code == 405


# --- links from the HTML pages ---------------------------------------------------------------


def alternates(response):
    """(type, href) of the page's <link rel="alternate"> tags."""
    html = response.content.decode()
    return re.findall(r'<link rel="alternate" type="([^"]+)" title="[^"]+" href="([^"]+)">', html)


DAILY = [("application/rss+xml", "/feeds/daily.rss"), ("application/atom+xml", "/feeds/daily.atom")]


def test_feed_pages_link_the_daily_feeds(client):
    make_entry("2025-03-14", upvotes=1)
    for url in ("/", "/papers/date/2025-03-14", "/papers/week/2025-W11", "/papers/month/2025-03"):
        response = client.get(url)
        assert alternates(response) == DAILY, url
        assert 'href="/feeds/daily.rss">RSS</a>' in response.content.decode()


def test_the_trending_page_links_its_own_feeds_first(client):
    assert alternates(client.get("/papers/trending")) == [
        ("application/rss+xml", "/feeds/trending.rss"),
        ("application/atom+xml", "/feeds/trending.atom"),
        *DAILY,
    ]


def test_a_paper_page_links_the_feeds_of_its_primary_category(client):
    paper = make_paper(categories=["cs.CL", "cs.LG"], primary_category="cs.CL")
    make_entry("2025-03-14", paper=paper)
    response = client.get(f"/papers/{paper.arxiv_id}")
    links = alternates(response)
    assert links == [
        ("application/rss+xml", "/feeds/category/cs.CL.rss"),
        ("application/atom+xml", "/feeds/category/cs.CL.atom"),
        *DAILY,
    ]
    for _, href in links:
        assert parse(client, href)
    assert ids_in(parse(client, "/feeds/category/cs.CL.rss")) == [paper.arxiv_id]


# --- opened in a browser: the XSL stylesheet (tests/test_browser_layout.py shows the page) ----

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
READER_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["daily", "trending", "category/cs.LG"])
def test_every_feed_names_the_stylesheet_browsers_show_it_with(client, path, fmt):
    make_entry("2025-03-14", upvotes=3)
    body = client.get(f"/feeds/{path}.{fmt}").content.decode()
    declaration, instruction = body.splitlines()[0], body.split("?>", 2)[1]
    assert declaration.startswith("<?xml")
    assert (
        instruction.strip()
        == '<?xml-stylesheet href="/static/feeds/feed.xsl" media="screen" type="text/xsl"'
    )
    # Feed readers are not affected.
    assert len(feedparser.parse(body).entries) == 1


def test_the_stylesheet_is_served_as_xsl(settings):
    from django.test import Client

    # WhiteNoise as under `dailypapers serve`, reading the app's static directories.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/feeds/feed.xsl")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xsl")
    assert b"<xsl:stylesheet" in b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "fmt, own_type", [("rss", "application/rss+xml"), ("atom", "application/atom+xml")]
)
def test_a_browser_gets_the_feed_as_xml_so_that_it_applies_the_stylesheet(client, fmt, own_type):
    make_entry("2025-03-14", upvotes=3)
    reader = client.get(f"/feeds/daily.{fmt}", HTTP_ACCEPT=READER_ACCEPT)
    browser = client.get(f"/feeds/daily.{fmt}", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert reader["Content-Type"] == f"{own_type}; charset=utf-8"
    assert browser["Content-Type"] == "application/xml; charset=utf-8"
    assert browser.content == reader.content
    assert "Accept" in reader["Vary"] and "Accept" in browser["Vary"]


def test_a_collections_feed_names_the_stylesheet_too(client):
    from django.urls import reverse

    from dailypapers.collections.models import Collection
    from tests.factories import make_user

    owner = make_user("olga")
    collection = Collection.objects.create(
        owner=owner, name="Public list", slug="public-list", public=True
    )
    response = client.get(
        reverse("collections:rss", args=["olga", collection.slug]), HTTP_ACCEPT=BROWSER_ACCEPT
    )
    assert (
        response.status_code == 200 and response["Content-Type"] == "application/xml; charset=utf-8"
    )
    assert '<?xml-stylesheet href="/static/feeds/feed.xsl"' in response.content.decode()
