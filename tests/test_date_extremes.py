"""Every date and period parameter of every page and API route, at the edges of what a
date can be: the first and last day datetime can hold, and ISO week 53 of a year with
only 52. Each answers with a result or a clear refusal (400, or 404 for a period page
that cannot exist), never a 500; on the API always JSON."""

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_entry, make_paper

pytestmark = pytest.mark.django_db

DAYS = ["0001-01-01", "9999-12-31", "1991-01-01", "9998-12-31", "0000-01-01", "10000-01-01"]
WEEKS = [
    "0001-W01",
    "9999-W52",
    "9999-W53",
    "9998-W52",
    "9998-W53",
    "1991-W01",
    "2025-W53",
    "2026-W53",
    "2020-W53",
    "2025-W00",
]
MONTHS = ["0001-01", "9999-12", "9999-13", "9998-12", "1991-01", "0000-12"]

ROUTES = (
    # (the address, with {} for the value; the values it is tried with)
    [("/papers/date/{}", DAYS), ("/papers/week/{}", WEEKS), ("/papers/month/{}", MONTHS)]
    + [(f"/search?q=model&{name}={{}}", DAYS) for name in ("from", "to")]
    + [(f"/search?q=model&mode={mode}&from={{}}&to={{}}", DAYS) for mode in ("keyword", "semantic")]
    + [
        ("/api/daily_papers?date={}", DAYS),
        ("/api/daily_papers?week={}", WEEKS),
        ("/api/daily_papers?month={}", MONTHS),
    ]
    + [
        (f"/api/daily_papers?{kind}={{}}&sort=trending", values)
        for kind, values in (("date", DAYS), ("week", WEEKS), ("month", MONTHS))
    ]
    + [(f"/api/papers/search?q=model&{name}={{}}", DAYS) for name in ("from", "to")]
    + [(f"/api/papers/search?{name}={{}}", DAYS) for name in ("from", "to")]  # newest papers
    + [("/api/papers/search?q=model&mode=keyword&from={}&to={}", DAYS)]
)
CASES = [(route, value) for route, values in ROUTES for value in values]


@pytest.fixture
def catalogue():
    paper = make_paper(title="A model of everything", published=timezone.now())
    make_entry(timezone.localdate(), paper=paper)
    make_paper(title="Another model", published=None, announced_on=timezone.localdate())


@pytest.mark.parametrize(
    "route, value", CASES, ids=[route.format(value, value) for route, value in CASES]
)
def test_an_extreme_date_gets_a_result_or_a_clear_refusal(catalogue, route, value):
    url = route.format(value, value)
    response = Client(raise_request_exception=False).get(url)
    if route.startswith("/api/"):
        assert response.status_code in (200, 400), (url, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
        if response.status_code == 400:
            assert response.json()["error"]
    elif route.startswith("/papers/"):
        assert response.status_code in (200, 404), (url, response.content[:300])
    else:
        assert response.status_code in (200, 400), (url, response.content[:300])


def test_the_whole_range_of_dates_finds_every_paper(catalogue):
    found = (
        Client().get("/api/papers/search?q=model&mode=keyword&from=0001-01-01&to=9999-12-31").json()
    )
    assert len(found) == 2
    page = (
        Client().get("/search?q=model&mode=keyword&from=0001-01-01&to=9999-12-31").content.decode()
    )
    assert "of everything" in page and "Another" in page


@pytest.mark.parametrize("name", ["date", "week", "month"])
def test_a_long_bad_period_is_refused_without_being_echoed(name):
    response = Client().get(f"/api/daily_papers?{name}=" + "9" * 5000)
    assert response.status_code == 400
    error = response.json()["error"]
    assert len(error) < 100 and "9" * 41 not in error
