"""Text that XML cannot hold (C0 controls, U+FFFE/U+FFFF, lone surrogates) and NUL bytes,
on every way in: importers, forms, the JSON API, URLs. None of it may give a 500, lose
other records, or break a feed; on SQLite and PostgreSQL alike."""

import datetime as dt
import json

import feedparser
import pytest
from django.test import Client
from django.utils import timezone

from dailypapers.collections import services as collections
from dailypapers.collections.models import Collection
from dailypapers.discussion.models import Comment
from dailypapers.ingest.importing import import_arxiv_jsonl, import_hf_daily
from dailypapers.lib.text import xml_safe
from dailypapers.papers.models import FeedEntry, Paper
from tests.factories import make_entry, make_paper, token_for
from tests.test_import_hf import hf_entry, write_day

pytestmark = pytest.mark.django_db

# One of each kind of character XML 1.0 forbids.
BAD = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff"]
FEEDS = ["/feeds/daily.rss", "/feeds/daily.atom", "/feeds/trending.rss", "/feeds/trending.atom",
         "/feeds/category/cs.LG.rss", "/feeds/category/cs.LG.atom"]  # fmt: skip


def assert_well_formed(response):
    assert response.status_code == 200, response.content[:300]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


@pytest.mark.parametrize("char", BAD, ids=[f"U+{ord(c):04X}" for c in BAD])
def test_xml_safe_removes_what_xml_cannot_hold_and_keeps_the_rest(char):
    assert xml_safe(f"a{char}b\tc\nd\re é 𝔸 \u2028") == "ab\tc\nd\re é 𝔸 \u2028"


def test_a_control_character_imported_from_hugging_face_never_reaches_the_feeds(tmp_path):
    day = timezone.localdate()
    write_day(tmp_path, f"{day}.json", [
        hf_entry("2501.00001", title="Bad\x01 title\x00 \ud800here", summary="Abstract\x0b with\ufffe controls"),
        hf_entry("2501.00002", title="Good title"),
    ])  # fmt: skip
    import_hf_daily([tmp_path])
    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert paper.title == "Bad title here"
    assert paper.abstract == "Abstract with controls"
    assert FeedEntry.objects.count() == 2
    for url in FEEDS[:4]:
        titles = [e.title for e in assert_well_formed(Client().get(url)).entries]
        assert "Bad title here" in titles and "Good title" in titles


def test_feeds_stay_well_formed_with_bad_text_already_in_the_database():
    # Rows written before the importers cleaned their text (or by hand in a shell).
    paper = make_paper(title="Old\x01 row", abstract="with\x02 controls", authors=["A\x03 B"])
    make_entry(timezone.localdate(), paper=paper)
    for url in FEEDS:
        parsed = assert_well_formed(Client().get(url))
        assert [e.title for e in parsed.entries] == ["Old row"]


def test_a_nul_in_an_arxiv_line_is_cleaned_and_the_lines_around_it_are_imported(tmp_path):
    lines = [
        {"id": f"2501.0000{i}", "title": f"Paper {i}", "summary": "text", "authors": ["A"],
         "categories": ["cs.LG"], "listing_date": "2025-01-10"}
        for i in range(1, 4)
    ]  # fmt: skip
    lines[1]["title"] = "Paper\u0000 two"
    lines[1]["authors"] = ["Nul\u0000 Author", "\ud800"]
    path = tmp_path / "listing.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    report = import_arxiv_jsonl(path)
    assert Paper.objects.count() == 3
    assert Paper.objects.get(arxiv_id="2501.00002").title == "Paper two"
    assert Paper.objects.get(arxiv_id="2501.00002").authors == ["Nul Author"]
    assert not report.papers.skipped


def test_a_title_of_control_characters_only_is_skipped_with_its_reason(tmp_path):
    path = tmp_path / "listing.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "2501.00001",
                "title": "\u0001\u0000",
                "summary": "x",
                "listing_date": "2025-01-10",
            }
        )
        + "\n"
    )
    report = import_arxiv_jsonl(path)
    assert Paper.objects.count() == 0
    assert [(number, reason) for _, number, reason in report.bad_lines] == [(1, "missing title")]


def test_a_collection_named_with_a_control_character_keeps_its_feed(alice, featured):
    client = Client()
    client.force_login(alice)
    response = client.post(
        "/collections/new", {"name": "ctl\x01name", "description": "d\x02", "public": "on"}
    )
    assert response.status_code in (200, 302)
    collection = Collection.objects.get(owner=alice)
    assert collection.name == "ctlname"
    collections.add_paper(alice, featured.paper.arxiv_id, collection)
    # Also a name stored by an older version.
    Collection.objects.filter(pk=collection.pk).update(name="ctl\x01name")
    feed = assert_well_formed(Client().get(f"/u/alice/collections/{collection.slug}/rss"))
    assert feed.feed.title.startswith("ctlname") or "ctlname" in feed.feed.title


def test_a_nul_in_a_comment_through_the_api_is_a_400(alice, featured):
    url = f"/api/papers/{featured.paper.arxiv_id}/comments"
    response = Client().post(
        url, json.dumps({"body": "a\u0000b"}), content_type="application/json", **token_for(alice)
    )
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Comment.objects.exists()


def test_control_characters_in_a_comment_through_the_api_are_removed(alice, featured):
    url = f"/api/papers/{featured.paper.arxiv_id}/comments"
    body = json.dumps({"body": "a\u0001b\uffffc"})
    response = Client().post(url, body, content_type="application/json", **token_for(alice))
    assert response.status_code == 201, response.content
    assert Comment.objects.get().body == "abc"


def test_a_lone_surrogate_in_a_json_body_is_a_400(alice, featured):
    url = f"/api/papers/{featured.paper.arxiv_id}/comments"
    body = json.dumps({"body": "a\ud800b"})
    response = Client().post(url, body, content_type="application/json", **token_for(alice))
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Comment.objects.exists()


def test_a_nul_in_a_submission_through_the_api_is_a_400(alice, featured):
    body = json.dumps({"paper_id": "2501.0\u00000001", "comment": "x"})
    response = Client().post(
        "/api/papers/submit", body, content_type="application/json", **token_for(alice)
    )
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.parametrize("url", [
    "/u/a%00b", "/u/a%00b/collections/x", "/u/alice/collections/a%00b", "/papers/2501.%0000001",
    "/papers/date/2025-01-%001", "/api/papers/2501.%0000001", "/feeds/category/cs%00.rss",
    "/api/papers/2501.00001/comments%00", "/api/papers/%00/comments", "/api/papers/%00/similar",
])  # fmt: skip
def test_a_nul_in_the_path_is_a_404(url, alice):
    response = Client().get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert "error" in response.json()


@pytest.mark.parametrize("url", [
    "/search?q=x&from=2025-01-%001", "/api/papers/search?q=x&category=cs%00", "/api/daily_papers?submitter=a%00b",
    "/api/papers?cursor=%00", "/?p=%00", "/papers/trending?x%00=1", "/subscribe?email=a%00b",
])  # fmt: skip
def test_a_nul_in_the_query_string_is_a_400(url):
    response = Client().get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert "error" in response.json()


@pytest.mark.parametrize("url", ["/search?q=a%00b", "/api/papers/search?q=a%00b"])
def test_a_nul_in_a_search_query_is_dropped(url):
    # Search reads whatever a person types (README, "Search"); a NUL is one more
    # character it cannot use.
    response = Client().get(url)
    assert response.status_code == 200
    assert "a\x00b" not in response.content.decode()


def test_control_characters_in_the_query_string_are_harmless():
    for url in [
        "/search?q=a%01b",
        "/api/papers/search?q=a%01b%EF%BF%BF",
        "/api/daily_papers?submitter=%01",
    ]:
        assert Client().get(url).status_code == 200


def test_a_nul_in_a_subscription_form_is_refused_not_a_500():
    response = Client().post("/subscribe", {"email": "ada@example.org", "keywords": "a\x00b"})
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()


def test_control_characters_in_subscription_keywords_are_removed():
    from dailypapers.digests.models import Subscription

    response = Client().post(
        "/subscribe", {"email": "ada@example.org", "keywords": "deep\x01 learning, \x02"}
    )
    assert response.status_code in (200, 302)
    assert Subscription.objects.get().keywords == ["deep learning"]


def test_a_nul_in_a_session_cookie_is_no_500():
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/").status_code == 200


def test_a_nul_in_a_form_post_anywhere_is_no_500(alice, featured):
    client = Client()
    client.force_login(alice)
    paper = featured.paper.arxiv_id
    posts = [
        ("/submit", {"paper": "2501.\x0000001", "comment": "x"}),
        (f"/papers/{paper}/comments", {"body": "a\x00b"}),
        ("/collections/new", {"name": "a\x00b"}),
        ("/account/tokens", {"name": "a\x00b"}),
        ("/accounts/login/", {"login": "a\x00b", "password": "x\x00"}),
        (
            "/accounts/signup/",
            {"username": "a\x00b", "email": "a\x00@b.org", "password1": "x", "password2": "x"},
        ),
        ("/accounts/password/reset/", {"email": "a\x00@b.org"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code < 500, (url, response.status_code)
    assert not Comment.objects.exists()


def test_dates_in_an_entry_keep_working_after_cleaning():
    # A regression guard: cleaning must not touch non-text fields.
    day = dt.date(2025, 1, 10)
    entry = make_entry(day, paper=make_paper(title="Plain"))
    assert xml_safe(entry.paper.title) == "Plain"
