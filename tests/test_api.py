"""The JSON API through Django's test client: shapes, parameters, paging, errors and
HTTP manners. The real huggingface_hub client, the real HF data and the schema checks
are in the other tests/test_api_*.py files."""

import datetime as dt
import re

import pytest
from django.db.models import F

from dailypapers.api.queries import encode_cursor
from dailypapers.papers.models import FeedEntry, Paper
from tests.factories import make_entry, make_member, make_paper

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [item["paper"]["id"] if "paper" in item else item["id"] for item in response.json()]


def next_link(response):
    match = re.fullmatch(r'<([^>]+)>; rel="next"', response.get("Link", ""))
    return match.group(1) if match else None


# --- /api/daily_papers: the entry shape -----------------------------------------------------


def test_a_daily_entry_has_hugging_faces_shape_and_leaves_out_what_we_lack(client):
    paper = make_paper(
        arxiv_id="2508.10104",
        title="Sparse Mixtures of Experts",
        authors=["Grace Hopper", "Edsger Dijkstra"],
        published=dt.datetime(2025, 8, 13, 17, 59, 1, 250000, tzinfo=dt.UTC),
        github_repo="https://github.com/example/moe",
        github_stars=321,
        ai_summary="Experts, sparsely.",
        ai_keywords=["MoE", "sparsity"],
    )
    make_entry(
        "2025-08-14", upvotes=17, paper=paper, num_comments=4, submitted_by=make_member("akhaliq")
    )
    [entry] = client.get("/api/daily_papers?date=2025-08-14").json()
    assert list(entry) == [
        "paper", "publishedAt", "title", "summary", "numComments", "numCommentsHere",
        "numCommentsOnHuggingFace", "submittedBy",
        "isAuthorParticipating", "ai_summary", "ai_keywords", "githubRepo", "githubStars",
    ]  # fmt: skip
    assert list(entry["paper"]) == [
        "id", "authors", "publishedAt", "submittedOnDailyAt", "title", "submittedOnDailyBy",
        "summary", "upvotes", "githubRepo", "ai_summary", "ai_keywords", "githubStars",
    ]  # fmt: skip
    assert entry["paper"]["publishedAt"] == "2025-08-13T17:59:01.250Z"
    assert entry["paper"]["submittedOnDailyAt"] == "2025-08-14T00:00:00.000Z"
    assert entry["publishedAt"] == "2025-08-14T00:00:00.000Z"  # the feed day
    assert entry["paper"]["upvotes"] == 17 and entry["numComments"] == 4
    assert [a["name"] for a in entry["paper"]["authors"]] == ["Grace Hopper", "Edsger Dijkstra"]
    assert all(set(a) == {"_id", "name", "hidden"} and re.fullmatch(r"[0-9a-f]{24}", a["_id"])
               for a in entry["paper"]["authors"])  # fmt: skip
    assert entry["title"] == entry["paper"]["title"] == "Sparse Mixtures of Experts"
    assert entry["summary"] == entry["paper"]["summary"]
    assert entry["submittedBy"] == {
        "name": "akhaliq",
        "fullname": "akhaliq",
        "user": "akhaliq",
        "type": "user",
    }
    assert "avatarUrl" not in str(entry)
    assert entry["isAuthorParticipating"] is False


def test_fields_we_do_not_have_are_absent_not_null(client):
    make_entry("2025-08-14", paper=make_paper(published=None))
    [entry] = client.get("/api/daily_papers?date=2025-08-14").json()
    assert None not in entry.values() and None not in entry["paper"].values()
    for absent in ("publishedAt", "githubRepo", "githubStars", "projectPage", "ai_summary",
                   "ai_keywords", "discussionId", "submittedOnDailyBy"):  # fmt: skip
        assert absent not in entry["paper"]
    for absent in ("thumbnail", "submittedBy", "githubRepo", "organization"):
        assert absent not in entry


def test_author_ids_are_stable_between_requests(client):
    make_entry("2025-08-14")
    first = client.get("/api/daily_papers?date=2025-08-14").json()[0]["paper"]["authors"]
    again = client.get("/api/papers/" + Paper.objects.get().arxiv_id).json()["authors"]
    assert first == again and len({a["_id"] for a in first}) == 2


# --- /api/daily_papers: periods, order, filters, paging -------------------------------------


def test_a_day_lists_its_papers_in_the_day_pages_order(client):
    low = make_entry("2025-03-14", upvotes=3, position=0)
    tie_second = make_entry("2025-03-14", upvotes=12, position=2)
    tie_first = make_entry("2025-03-14", upvotes=12, position=1)
    make_entry("2025-03-13", upvotes=99)
    expected = [e.paper.arxiv_id for e in (tie_first, tie_second, low)]
    assert ids(client.get("/api/daily_papers?date=2025-03-14")) == expected


def test_week_and_month_hold_their_days(client):
    make_entry("2025-03-09", upvotes=50)  # Sunday before W11, still March
    monday = make_entry("2025-03-10", upvotes=1)
    sunday = make_entry("2025-03-16", upvotes=2)
    make_entry("2025-04-01", upvotes=70)
    assert ids(client.get("/api/daily_papers?week=2025-W11")) == [
        sunday.paper.arxiv_id,
        monday.paper.arxiv_id,
    ]
    assert len(ids(client.get("/api/daily_papers?month=2025-03"))) == 3


def test_without_a_period_it_lists_the_latest_feed_day(client):
    make_entry("2025-03-13", upvotes=100)
    latest = make_entry("2025-03-14", upvotes=1)
    make_entry("2025-03-15", upvotes=1, hidden=True)  # a hidden entry makes no feed day
    assert ids(client.get("/api/daily_papers")) == [latest.paper.arxiv_id]


def test_an_empty_site_or_day_is_an_empty_list(client):
    assert client.get("/api/daily_papers").json() == []
    assert client.get("/api/daily_papers?date=2025-03-15").json() == []


def test_hidden_papers_and_entries_are_not_listed(client):
    shown = make_entry("2025-03-14", upvotes=1)
    make_entry("2025-03-14", upvotes=50, hidden=True)
    make_entry("2025-03-14", upvotes=60, paper=make_paper(hidden=True))
    assert ids(client.get("/api/daily_papers?date=2025-03-14")) == [shown.paper.arxiv_id]


def test_submitter_matches_local_accounts_only(client):
    akhaliq = make_member("akhaliq")
    local = make_entry("2025-03-14", upvotes=1, submitted_by=akhaliq)
    # A row an older import left with a Hugging Face username, the same as a local account's.
    imported = make_entry("2025-03-14", upvotes=5, submitter_name="akhaliq")
    assert ids(client.get("/api/daily_papers?date=2025-03-14&submitter=akhaliq")) == [
        local.paper.arxiv_id
    ]
    served = {e["paper"]["id"]: e for e in client.get("/api/daily_papers?date=2025-03-14").json()}
    assert "submittedBy" not in served[imported.paper.arxiv_id]
    assert "submittedOnDailyBy" not in served[imported.paper.arxiv_id]["paper"]
    assert served[local.paper.arxiv_id]["submittedBy"]["name"] == "akhaliq"
    assert "submittedOnDailyBy" not in client.get(f"/api/papers/{imported.paper.arxiv_id}").json()


def test_the_migration_forgets_names_no_local_account_stands_behind(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "dailypapers.accounts.migrations.0003_forget_source_and_deleted_submitters"
    )
    imported = make_entry("2025-03-14", submitter_name="akhaliq")
    local = make_entry("2025-03-14", submitted_by=make_member("alice"))
    migration.forget(apps, None)
    imported.refresh_from_db()
    local.refresh_from_db()
    assert imported.submitter_name == "" and local.submitter_name == "alice"


def test_submitter_filters_by_the_submitters_name(client):
    mine = make_entry("2025-03-14", submitted_by=make_member("akhaliq"))
    make_entry("2025-03-14", upvotes=9, submitted_by=make_member("taesiri"))
    assert ids(client.get("/api/daily_papers?date=2025-03-14&submitter=akhaliq")) == [
        mine.paper.arxiv_id
    ]
    assert client.get("/api/daily_papers?date=2025-03-14&submitter=nobody").json() == []


def test_sort_trending_lets_newer_votes_outweigh_older_ones(client):
    old = make_entry("2025-03-10", upvotes=20)  # 4 days older: weighs 20 × 0.5² = 5
    new = make_entry("2025-03-14", upvotes=8)
    week = "/api/daily_papers?week=2025-W11"
    assert ids(client.get(week)) == [old.paper.arxiv_id, new.paper.arxiv_id]
    assert ids(client.get(week + "&sort=trending")) == [new.paper.arxiv_id, old.paper.arxiv_id]
    # Without a period: the trending window, which reaches back past the latest day.
    assert ids(client.get("/api/daily_papers?sort=trending")) == [
        new.paper.arxiv_id,
        old.paper.arxiv_id,
    ]


def test_p_and_limit_page_through_a_month_with_a_next_link(client):
    entries = [make_entry(f"2025-03-{day:02d}", upvotes=100 - day) for day in range(3, 10)]
    expected = [e.paper.arxiv_id for e in entries]
    url, seen = "/api/daily_papers?month=2025-03&limit=3", []
    for _ in range(5):
        response = client.get(url)
        seen += ids(response)
        url = next_link(response)
        if url is None:
            break
    assert seen == expected
    assert (
        client.get("/api/daily_papers?month=2025-03&limit=3&p=2").json()[0]["paper"]["id"]
        == expected[6]
    )
    assert client.get("/api/daily_papers?month=2025-03&limit=3&p=3").json() == []
    assert next_link(client.get("/api/daily_papers?month=2025-03&limit=7")) is None


def test_the_next_link_keeps_the_other_parameters(client):
    for _ in range(2):
        make_entry("2025-03-14", submitted_by=make_member("akhaliq"))
    response = client.get("/api/daily_papers?date=2025-03-14&submitter=akhaliq&limit=1")
    link = next_link(response)
    assert link.startswith("http://testserver/api/daily_papers?")
    assert {"date=2025-03-14", "submitter=akhaliq", "limit=1", "p=1"} <= set(
        link.split("?")[1].split("&")
    )


def test_the_default_page_is_fifty_entries(client):
    for n in range(51):
        make_entry("2025-03-14", position=n)
    response = client.get("/api/daily_papers?date=2025-03-14")
    assert len(response.json()) == 50 and next_link(response)


@pytest.mark.parametrize(
    "query, message",
    [
        ("date=2025-02-30", "bad date"),
        ("date=yesterday", "bad date"),
        ("date=0000-01-01", "bad date"),
        ("week=2025-W53", "bad week"),
        ("month=2025-13", "bad month"),
        ("date=2025-03-14&week=2025-W11", "only one of"),
        ("month=2025-03&date=2025-03-14", "only one of"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("p=-1", "p"),
        ("p=99999999999999999999", "p"),
        ("sort=upvotes", "sort"),
        ("submitter=%00", "submitter"),
    ],
)
def test_bad_parameters_are_a_400_with_a_json_error(client, query, message):
    response = client.get(f"/api/daily_papers?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["error"] and message in response.json()["error"]


# --- /api/papers/{id} -----------------------------------------------------------------------


def test_a_paper_is_the_flat_paper_object_with_totals_over_its_features(client):
    paper = make_paper(arxiv_id="2508.10104", title="Flat", project_page="https://example.org/p")
    # Imported counts (Hugging Face's), as the importer writes them.
    make_entry("2025-08-14", upvotes=10, paper=paper, num_comments=1, imported_comments=1,
               submitted_by=make_member("akhaliq"))  # fmt: skip
    make_entry("2025-08-20", upvotes=5, paper=paper, num_comments=2, imported_comments=2)
    make_entry("2025-08-21", upvotes=50, paper=paper, hidden=True)
    data = client.get("/api/papers/2508.10104").json()
    assert data["id"] == "2508.10104" and data["title"] == "Flat" and "paper" not in data
    assert data["upvotes"] == 15 and data["numComments"] == 3
    assert data["submittedOnDailyAt"] == "2025-08-14T00:00:00.000Z"
    assert data["submittedOnDailyBy"]["name"] == "akhaliq"
    assert data["projectPage"] == "https://example.org/p"


def test_a_paper_never_featured_has_no_feed_fields(client):
    make_paper(arxiv_id="2508.10104")
    data = client.get("/api/papers/2508.10104").json()
    assert data["upvotes"] == 0 and "submittedOnDailyAt" not in data


def test_an_old_style_id_reaches_its_paper(client):
    make_paper(arxiv_id="hep-th/9901001", title="Old style")
    assert client.get("/api/papers/hep-th/9901001").json()["title"] == "Old style"


@pytest.mark.parametrize(
    "path", ["2508.10104", "2508.10104v2", "hep-th/9901002", "not-an-id", "a/b/c", "%00", "2508.1"]
)
def test_unknown_malformed_or_hidden_papers_are_a_json_404(client, path):
    make_paper(arxiv_id="2508.10105", hidden=True)
    for url in (f"/api/papers/{path}", "/api/papers/2508.10105"):
        response = client.get(url)
        assert response.status_code == 404
        # A NUL is refused before the API looks anything up (dailypapers/core/security.py).
        expected = (
            "Not found: the address holds a NUL character." if "%00" in url else "no such paper"
        )
        assert response.json() == {"error": expected}


def test_unknown_api_routes_are_a_json_404(client):
    for url in ("/api", "/api/", "/api/nothing", "/api/daily_papers/extra", "/api/models",
                "/api/papers/%0A2508.10104", "/api/papers/x%0Ay"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 404 and "error" in response.json(), url


# --- /api/papers: the catalogue -------------------------------------------------------------


def walk_catalogue(client, url):
    seen = []
    while url:
        response = client.get(url)
        seen += ids(response)
        url = next_link(response)
    return seen


def test_the_catalogue_lists_every_visible_paper_newest_first_in_pages(client):
    for arxiv_id in ("2501.00002", "2412.99999", "2501.00010", "hep-th/9901001", "0704.0001"):
        make_paper(arxiv_id=arxiv_id)
    make_paper(arxiv_id="2502.00001", hidden=True)
    expected = ["2501.00010", "2501.00002", "2412.99999", "0704.0001", "hep-th/9901001"]
    for limit in (1, 2, 3, 5, 100):
        assert walk_catalogue(client, f"/api/papers?limit={limit}") == expected, limit


def test_catalogue_pages_do_not_shift_when_papers_are_added(client):
    for n in range(1, 7):
        make_paper(arxiv_id=f"2501.0000{n}")
    first = client.get("/api/papers?limit=3")
    assert ids(first) == ["2501.00006", "2501.00005", "2501.00004"]
    make_paper(arxiv_id="2501.00009")  # newer: belongs before the first page
    make_paper(arxiv_id="2501.00000")  # older: joins the end
    assert ids(client.get(next_link(first))) == ["2501.00003", "2501.00002", "2501.00001"]


def test_catalogue_entries_are_flat_papers_with_their_upvotes(client):
    make_entry("2025-03-14", upvotes=7, paper=make_paper(arxiv_id="2503.00001"))
    [paper] = client.get("/api/papers").json()
    assert paper["upvotes"] == 7 and paper["submittedOnDailyAt"] == "2025-03-14T00:00:00.000Z"


@pytest.mark.parametrize("cursor", ["!!", "bm90LWFuLWlk", "", "x" * 201, "%00"])
def test_a_bad_cursor_is_a_400(client, cursor):
    response = client.get(f"/api/papers?cursor={cursor}")
    assert response.status_code == 400 and "error" in response.json()


def test_the_cursor_is_opaque_but_resumes_after_a_given_paper(client):
    for n in range(1, 4):
        make_paper(arxiv_id=f"2501.0000{n}")
    assert "2501" not in encode_cursor("2501.00003")
    assert ids(client.get(f"/api/papers?cursor={encode_cursor('2501.00003')}")) == [
        "2501.00002",
        "2501.00001",
    ]


def test_papers_search_lists_the_newest_papers_without_a_query(client):
    for n in range(1, 4):
        make_paper(arxiv_id=f"2501.0000{n}")
    assert ids(client.get("/api/papers/search?limit=2")) == ["2501.00003", "2501.00002"]
    assert ids(client.get("/api/papers/search?q=&limit=1")) == ["2501.00003"]


# --- /papers/{id}.md ------------------------------------------------------------------------


def test_a_paper_as_markdown_has_title_authors_abstract_and_links(client, settings):
    settings.SITE_URL = "https://papers.example.org"
    make_paper(
        arxiv_id="2508.10104",
        title="Sparse Mixtures",
        authors=["Grace Hopper", "Alan Turing"],
        abstract="We study experts.",
        github_repo="https://github.com/example/moe",
    )
    response = client.get("/papers/2508.10104.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Sparse Mixtures\n")
    for part in ("Grace Hopper, Alan Turing", "## Abstract\n\nWe study experts.",
                 "https://arxiv.org/abs/2508.10104", "https://arxiv.org/pdf/2508.10104",
                 "https://github.com/example/moe", "https://papers.example.org/papers/2508.10104"):  # fmt: skip
        assert part in text


def test_markdown_of_an_unknown_paper_is_a_404_and_the_html_page_is_untouched(client):
    make_paper(arxiv_id="2508.10104")
    assert client.get("/papers/2508.10105.md").status_code == 404
    assert client.get("/papers/hep-th/9901001.md").status_code == 404
    assert client.get("/papers/2508.10104")["Content-Type"].startswith("text/html")


# --- HTTP manners ---------------------------------------------------------------------------


def test_a_day_answers_a_conditional_get_with_304_until_a_vote_changes_it(client):
    entry = make_entry("2025-03-14", upvotes=1)
    url = "/api/daily_papers?date=2025-03-14"
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"].startswith("public, max-age=")
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    FeedEntry.objects.filter(pk=entry.pk).update(upvotes=F("upvotes") + 1)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()[0]["paper"]["upvotes"] == 2
    assert changed["ETag"] != etag


def test_hiding_a_paper_changes_the_etag_and_last_modified(client):
    entry = make_entry("2025-03-14", upvotes=1)
    make_entry("2025-03-14", upvotes=2)
    url = "/api/daily_papers?date=2025-03-14"
    before = client.get(url)
    Paper.objects.filter(pk=entry.paper_id).update(
        hidden=True, updated_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    )
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and len(after.json()) == 1
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]).status_code == 200


def test_different_queries_have_different_etags(client):
    make_entry("2025-03-14", upvotes=1)
    make_entry("2025-03-14", upvotes=2)
    etags = {
        client.get(f"/api/daily_papers?date=2025-03-14&{q}")["ETag"]
        for q in ("", "limit=1", "p=1&limit=1")
    }
    assert len(etags) == 3


def test_papers_and_markdown_answer_conditional_gets(client):
    make_paper(arxiv_id="2508.10104")
    for url in ("/api/papers/2508.10104", "/papers/2508.10104.md", "/api/papers"):
        first = client.get(url)
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304, url
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304, (
            url
        )


def test_the_api_may_be_read_from_any_origin(client):
    make_paper(arxiv_id="2508.10104")
    for url in ("/api/daily_papers", "/api/papers/2508.10104", "/papers/2508.10104.md",
                "/api/daily_papers?limit=0", "/api/nothing"):  # fmt: skip
        response = client.get(url, HTTP_ORIGIN="https://example.org")
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert "Link" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in client.get("/papers/2508.10104")


def test_a_cors_preflight_allows_reading_only(client):
    response = client.options(
        "/api/daily_papers",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "if-none-match"


# --- OpenAPI and docs -----------------------------------------------------------------------


def test_the_openapi_schema_describes_every_endpoint(client):
    schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/daily_papers", "/api/papers", "/api/papers/search", "/api/papers/{arxiv_id}",
        "/api/papers/{arxiv_id}/similar",
        # The community's write endpoints (token auth: tests/test_community_api.py).
        "/api/papers/{paper_id}/upvote", "/api/papers/submit",
        # The discussion (tests/test_discussion_api.py).
        "/api/papers/{paper_id}/comments",
        # A reader's own For you (tests/test_foryou_api.py).
        "/api/recommendations", "/api/papers/{paper_id}/feedback", "/api/follows",
        "/api/follows/{follow_id}", "/api/seeds",
    }  # fmt: skip
    author = schema["components"]["schemas"]["AuthorOut"]
    assert set(author["properties"]) == {"_id", "name", "hidden"}
    # tests/test_api_schema.py runs schemathesis on the schema built in-process: the same one.
    from tests.test_api_schema import served_schema

    assert schema == served_schema()


def test_the_docs_page_loads_nothing_from_other_sites(client):
    from django.contrib.staticfiles import finders

    html = client.get("/api/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset


def test_a_method_a_route_does_not_take_is_a_json_405(client, db):
    make_paper(arxiv_id="2508.10104")
    for method, url in [
        ("post", "/api/papers/2508.10104"),
        ("put", "/api/papers//upvote"),
        ("delete", "/api/daily_papers"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 405
        assert (
            response["Content-Type"] == "application/json"
            and "not allowed" in response.json()["error"]
        )
        assert response["Allow"]
