import datetime as dt
import re

import pytest
from django.utils import timezone

from dailypapers.papers.models import FeedEntry, Paper
from tests.factories import make_entry, make_paper

pytestmark = pytest.mark.django_db


def ids_on(response):
    """arXiv ids of the paper cards, in page order."""
    html = response.content.decode()
    return re.findall(r'<h3 id="t-\d+" class="title">.*?href="/papers/([^"]+)"', html)


def nav(response):
    html = response.content.decode()
    prev = re.search(r'rel="prev"[^>]* href="([^"]+)"', html)
    nxt = re.search(r'rel="next"[^>]* href="([^"]+)"', html)
    return (prev.group(1) if prev else None, nxt.group(1) if nxt else None)


# --- ranking and content -----------------------------------------------------------------


def test_a_day_lists_its_papers_by_upvotes(client):
    low = make_entry("2025-03-14", upvotes=3, position=0)
    high = make_entry("2025-03-14", upvotes=40, position=1)
    mid = make_entry("2025-03-14", upvotes=12, position=2)
    make_entry("2025-03-13", upvotes=99)  # another day: not listed
    response = client.get("/papers/date/2025-03-14")
    assert response.status_code == 200
    assert ids_on(response) == [high.paper.arxiv_id, mid.paper.arxiv_id, low.paper.arxiv_id]


def test_ties_keep_the_order_of_submission(client):
    second = make_entry("2025-03-14", upvotes=5, position=1)
    first = make_entry("2025-03-14", upvotes=5, position=0)
    assert ids_on(client.get("/papers/date/2025-03-14")) == [
        first.paper.arxiv_id,
        second.paper.arxiv_id,
    ]


def test_a_card_shows_title_authors_votes_comments_and_code(client):
    paper = make_paper(
        title="Sparse Mixtures of Experts at Scale",
        authors=["Grace Hopper", "Edsger Dijkstra"],
        github_repo="https://github.com/example/moe",
        github_stars=321,
    )
    make_entry("2025-03-14", upvotes=17, paper=paper, num_comments=4, imported_comments=4)
    html = client.get("/papers/date/2025-03-14").content.decode()
    for text in ("Sparse Mixtures of Experts at Scale", "Grace Hopper, Edsger Dijkstra",
                 ">17<", "4 on Hugging Face", 'title="0 comments here"', "https://github.com/example/moe", "★ 321"):  # fmt: skip
        assert text in html


def test_home_shows_the_latest_day_with_papers(client):
    make_entry("2025-03-13", upvotes=1)
    latest = make_entry("2025-03-14", upvotes=1)
    response = client.get("/")
    assert response.status_code == 200
    assert ids_on(response) == [latest.paper.arxiv_id]
    assert "Friday, March 14, 2025" in response.content.decode()


def test_home_on_an_empty_site_says_how_to_load_papers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "dailypapers load-demo" in response.content.decode()


def test_hidden_papers_and_entries_are_not_listed(client):
    shown = make_entry("2025-03-14", upvotes=1)
    make_entry("2025-03-14", upvotes=50, hidden=True)
    make_entry("2025-03-14", upvotes=60, paper=make_paper(hidden=True))
    assert ids_on(client.get("/papers/date/2025-03-14")) == [shown.paper.arxiv_id]


def test_a_change_in_votes_or_title_shows_on_the_next_load(client):
    a = make_entry("2025-03-14", upvotes=10)
    b = make_entry("2025-03-14", upvotes=5)
    assert ids_on(client.get("/papers/date/2025-03-14")) == [a.paper.arxiv_id, b.paper.arxiv_id]
    # The way votes will be counted: an UPDATE with F(), no save().
    from django.db.models import F

    FeedEntry.objects.filter(pk=b.pk).update(upvotes=F("upvotes") + 10)
    assert ids_on(client.get("/papers/date/2025-03-14")) == [b.paper.arxiv_id, a.paper.arxiv_id]
    a.paper.title = "A brand new title"
    a.paper.save()
    assert "A brand new title" in client.get("/papers/date/2025-03-14").content.decode()


# --- navigation --------------------------------------------------------------------------


def test_day_navigation_skips_the_weekend(client):
    make_entry("2025-03-14")  # Friday
    make_entry("2025-03-17")  # Monday
    assert nav(client.get("/papers/date/2025-03-14")) == (None, "/papers/date/2025-03-17")
    assert nav(client.get("/papers/date/2025-03-17")) == ("/papers/date/2025-03-14", None)


def test_an_empty_day_answers_with_neighbours_not_an_error(client):
    make_entry("2025-03-14")
    make_entry("2025-03-17")
    response = client.get("/papers/date/2025-03-15")  # Saturday
    assert response.status_code == 200
    assert ids_on(response) == []
    assert "No papers were featured on this day" in response.content.decode()
    assert nav(response) == ("/papers/date/2025-03-14", "/papers/date/2025-03-17")


def test_day_navigation_crosses_month_and_year_boundaries(client):
    make_entry("2024-12-31")
    make_entry("2025-01-02")
    make_entry("2025-02-03")
    assert nav(client.get("/papers/date/2024-12-31")) == (None, "/papers/date/2025-01-02")
    assert nav(client.get("/papers/date/2025-01-02")) == (
        "/papers/date/2024-12-31",
        "/papers/date/2025-02-03",
    )


def test_week_navigation_reaches_iso_week_53_and_skips_empty_weeks(client):
    make_entry("2020-12-16")  # 2020-W51
    make_entry("2020-12-31")  # 2020-W53 (a Thursday)
    make_entry("2021-01-13")  # 2021-W02; 2021-W01 is empty
    response = client.get("/papers/week/2020-W53")
    assert response.status_code == 200
    assert len(ids_on(response)) == 1
    assert nav(response) == ("/papers/week/2020-W51", "/papers/week/2021-W02")


def test_a_week_holds_its_days_from_monday_to_sunday(client):
    inside = [make_entry(day, upvotes=n) for n, day in enumerate(["2025-03-10", "2025-03-16"])]
    make_entry("2025-03-09")  # the Sunday before
    make_entry("2025-03-17")  # the Monday after
    response = client.get("/papers/week/2025-W11")
    assert ids_on(response) == [inside[1].paper.arxiv_id, inside[0].paper.arxiv_id]


def test_month_navigation_skips_empty_months_across_years(client):
    make_entry("2024-11-29")
    make_entry("2025-02-03")
    response = client.get("/papers/month/2024-11")
    assert nav(response) == (None, "/papers/month/2025-02")
    assert nav(client.get("/papers/month/2025-02")) == ("/papers/month/2024-11", None)
    assert ids_on(client.get("/papers/month/2024-12")) == []


def test_a_month_of_many_papers_is_paged(client):
    for n in range(55):
        make_entry("2025-03-14", upvotes=n)
    first = client.get("/papers/month/2025-03")
    second = client.get("/papers/month/2025-03?page=2")
    assert len(ids_on(first)) == 50 and len(ids_on(second)) == 5
    assert "Page 2 of 2" in second.content.decode()
    assert client.get("/papers/month/2025-03?page=3").status_code == 404
    assert client.get("/papers/month/2025-03?page=x").status_code == 404


# --- not found ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/papers/date/2025-02-30", "/papers/date/2025-13-01", "/papers/date/not-a-date",
     "/papers/date/0000-01-01", "/papers/date/2025-1-1", "/papers/week/2021-W53",
     "/papers/week/2025-W00", "/papers/week/2025-13", "/papers/month/2025-13",
     "/papers/month/2025-00", "/papers/month/25-01", "/papers/9999.99999", "/papers/2501.0001",
     "/papers/not-an-id", "/papers/hep-th/9901001", "/papers/date/", "/papers/date/2025-01-01/x"],
)  # fmt: skip
def test_malformed_dates_and_unknown_ids_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_a_hidden_paper_has_no_page(client):
    paper = make_paper(hidden=True)
    assert client.get(f"/papers/{paper.arxiv_id}").status_code == 404


# --- the paper page ----------------------------------------------------------------------


def test_the_paper_page_shows_everything_we_know(client):
    paper = make_paper(
        arxiv_id="2508.10104",
        version=2,
        title="Attention Is Still All You Need",
        abstract="First paragraph.\n\nSecond paragraph.",
        authors=["Ada Lovelace", "Alan Turing", "Grace Hopper"],
        categories=["cs.CL", "cs.LG"],
        primary_category="cs.CL",
        published=dt.datetime(2025, 8, 13, 17, 0, tzinfo=dt.UTC),
        github_repo="https://github.com/example/attention",
        github_stars=1234,
        project_page="https://example.org/attention",
        doi="10.1000/xyz",
        comment="12 pages",
    )
    make_entry("2025-08-14", upvotes=30, paper=paper, num_comments=2)
    make_entry("2025-08-20", upvotes=5, paper=paper)
    response = client.get("/papers/2508.10104")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Attention Is Still All You Need", "Ada Lovelace, Alan Turing, Grace Hopper",
        "<p>First paragraph.</p>", "<p>Second paragraph.</p>", "cs.CL", "cs.LG",
        "https://arxiv.org/abs/2508.10104", "https://arxiv.org/pdf/2508.10104", "arXiv:2508.10104v2",
        "https://github.com/example/attention", "★ 1234", "https://example.org/attention",
        "https://doi.org/10.1000/xyz", "12 pages", 'href="/papers/date/2025-08-14"',
        'href="/papers/date/2025-08-20"', '<span class="count">35</span>',
    ):  # fmt: skip
        assert text in html, text


def test_old_style_ids_have_pages(client):
    make_paper(arxiv_id="hep-th/9901001", title="Old style")
    response = client.get("/papers/hep-th/9901001")
    assert response.status_code == 200
    assert "Not yet featured" in response.content.decode()


def test_text_from_sources_is_escaped(client):
    make_entry("2025-03-14", paper=make_paper(title="<script>alert(1)</script>"))
    html = client.get("/papers/date/2025-03-14").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_http_links_reach_the_page(client):
    paper = make_paper(github_repo="https://github.com/a/b")
    Paper.objects.filter(pk=paper.pk).update(
        project_page="javascript:alert(1)", updated_at=timezone.now()
    )
    make_entry("2025-03-14", paper=paper)
    html = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    assert "javascript:alert(1)" not in html


def test_a_vote_moved_between_papers_shows_on_the_next_load(client):
    a = make_entry("2025-03-14", upvotes=5, position=0)
    b = make_entry("2025-03-14", upvotes=5, position=1)
    assert ids_on(client.get("/papers/date/2025-03-14")) == [a.paper.arxiv_id, b.paper.arxiv_id]
    from django.db.models import F

    # Same number of entries, same vote total, no updated_at change: still a new page.
    FeedEntry.objects.filter(pk=a.pk).update(upvotes=F("upvotes") - 1)
    FeedEntry.objects.filter(pk=b.pk).update(upvotes=F("upvotes") + 1)
    assert ids_on(client.get("/papers/date/2025-03-14")) == [b.paper.arxiv_id, a.paper.arxiv_id]


def test_staff_hide_a_paper_from_the_admin_and_it_leaves_the_feed(client, admin_user):
    shown = make_entry("2025-03-14", upvotes=1)
    doomed = make_entry("2025-03-14", upvotes=9)
    assert len(ids_on(client.get("/papers/date/2025-03-14"))) == 2
    client.force_login(admin_user)
    assert client.get("/admin/papers/paper/").status_code == 200
    assert client.get(f"/admin/papers/paper/{doomed.paper.pk}/change/").status_code == 200
    response = client.post(
        "/admin/papers/paper/",
        {"action": "hide", "_selected_action": [doomed.paper.pk], "index": 0},
    )
    assert response.status_code == 302
    client.logout()
    assert ids_on(client.get("/papers/date/2025-03-14")) == [shown.paper.arxiv_id]
    assert client.get(f"/papers/{doomed.paper.arxiv_id}").status_code == 404
