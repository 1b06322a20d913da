"""Every page of the site, signed out and signed in, with the extremes in its address
and in the query parameters pages read: the first and last days of the calendar, ISO
weeks that do not exist, huge page numbers, over-long and non-UTF-8 strings. Each answer
is a page, a redirect or a 4xx: never a 5xx (the API has tests/test_api_extremes.py)."""

from urllib.parse import quote

import pytest
from django.test import Client

from tests.factories import make_entry, make_paper, make_user

EXTREMES = [
    "0001-01-01", "9999-12-31", "0000-00-00", "10000-01-01", "2025-02-30",
    "2021-W53", "2020-W53", "9999-W52", "9999-W53", "0001-W01", "0001-W00",
    "0001-01", "9999-12", "0000-01", "2025-13",
    "0", "-1", "99999999999999999999", "1e9", "", "x" * 5000, "%ED%A0%80", "%FF", "%00",
]  # fmt: skip
# Each page with the query parameters it reads (and, for search, a query to filter).
FEED = ["p", "page", "sort"]
PAGES = {
    "/": FEED, "/papers/trending": FEED, "/papers/date/{v}": FEED, "/papers/week/{v}": FEED,
    "/papers/month/{v}": FEED, "/papers/2508.10104": ["page", "p"],
    "/search?q=model&": ["from", "to", "category", "mode", "sort", "p", "page", "q"],
    "/search?": ["q", "from", "to"],
    "/submit": ["paper", "id"], "/collections": ["p"], "/collections/new": ["next"],
    "/collections/add": ["paper", "next"],
    "/u/{v}": [], "/u/edgar": ["p"], "/u/edgar/collections/{v}": [],
    "/u/edgar/collections/reading": ["p"], "/u/edgar/collections/reading/rss": [],
    "/subscribe": ["email", "next"], "/subscribe/manage/{v}": [], "/subscribe/confirm/{v}": [],
    "/unsubscribe/{v}": [], "/feeds/daily.rss": [], "/feeds/trending.atom": [],
    "/feeds/category/{v}.rss": [], "/account/": [], "/accounts/login/": ["next"],
    "/accounts/signup/": ["next"],
    "/comments/{v}": ["page"], "/comments/{v}/edit": [], "/comments/{v}/delete": [],
    "/account/tokens/{v}/revoke": [],
}  # fmt: skip


def encode(value):
    return value if value.startswith("%") else quote(value, safe="")


def addresses():
    for page, parameters in PAGES.items():
        if "{v}" in page:
            for value in EXTREMES:
                yield page.replace("{v}", encode(value))
            page = page.replace("{v}", "2025-08-14")
        joiner = "" if page.endswith(("?", "&")) else "?"
        yield page.rstrip("?&")
        for name in parameters:
            for value in EXTREMES:
                yield f"{page}{joiner}{name}={encode(value)}"


@pytest.fixture
def site(db):
    from dailypapers.collections import services as collections

    edgar = make_user("edgar")
    paper = make_paper(arxiv_id="2508.10104")
    make_entry("2025-08-14", upvotes=5, paper=paper)
    collections.create_collection(edgar, "Reading", public=True)
    return edgar


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_no_page_breaks_on_extreme_input(site, signed_in):
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(site)
    failures = []
    for address in addresses():
        status = client.get(address).status_code
        if status >= 500:
            failures.append(f"{address[:120]}: {status}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])
