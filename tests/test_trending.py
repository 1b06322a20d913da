import datetime as dt
import math
import re

import pytest
import time_machine

from dailypapers.lib.trending import trending_score
from tests.factories import make_entry

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)


def trending_ids(client):
    html = client.get("/papers/trending").content.decode()
    return re.findall(r'<h3 id="t-\d+" class="title">.*?href="/papers/([^"]+)"', html)


def test_the_score_halves_every_half_life():
    assert trending_score(100, 0, 48).score == 100
    assert trending_score(100, 48, 48).score == pytest.approx(50)
    assert trending_score(100, 96, 48).score == pytest.approx(25)
    assert trending_score(7, 24, 48).decay == pytest.approx(1 / math.sqrt(2))


def test_future_feed_days_do_not_score_above_their_votes():
    assert trending_score(10, -5, 48).score == 10


@time_machine.travel(NOON, tick=False)
def test_fresh_votes_beat_older_bigger_counts(client):
    today = make_entry("2025-03-14", upvotes=60)  # 12 h old: 60 × 0.5^(12/48) ≈ 50.5
    yesterday = make_entry("2025-03-13", upvotes=80)  # 36 h: 80 × 0.5^(36/48) ≈ 47.6
    last_week = make_entry("2025-03-07", upvotes=500)  # 180 h: 500 × 0.5^(180/48) ≈ 37.2
    assert trending_ids(client) == [
        today.paper.arxiv_id,
        yesterday.paper.arxiv_id,
        last_week.paper.arxiv_id,
    ]


@time_machine.travel(NOON, tick=False)
def test_papers_outside_the_window_are_left_out(client, settings):
    settings.TRENDING_WINDOW_DAYS = 3
    inside = make_entry("2025-03-11", upvotes=1)
    make_entry("2025-03-10", upvotes=1000)
    assert trending_ids(client) == [inside.paper.arxiv_id]


@time_machine.travel(NOON, tick=False)
def test_the_page_publishes_the_formula_and_each_scores_parts(client):
    make_entry("2025-03-13", upvotes=80)
    html = client.get("/papers/trending").content.decode()
    assert "score = upvotes × 0.5<sup>age / 48 h</sup>" in html
    # 36 hours old: 80 × 0.5^(36/48) = 80 × 0.595 = 47.57
    assert "score <strong>47.57</strong> = 80 upvotes" in html
    assert "0.5<sup>36.0 h / 48 h</sup>" in html
    assert "80 × 0.595" in html


def test_a_quiet_feed_trends_as_of_its_latest_day(client):
    # The feed stopped long ago (an archive or the demo data): still a useful list.
    old = make_entry("2020-06-01", upvotes=3)
    older = make_entry("2020-05-29", upvotes=3)
    assert trending_ids(client) == [old.paper.arxiv_id, older.paper.arxiv_id]
    assert "Jun 2, 2020" in client.get("/papers/trending").content.decode()


@time_machine.travel(NOON, tick=False)
def test_hidden_entries_do_not_trend(client):
    shown = make_entry("2025-03-14", upvotes=1)
    make_entry("2025-03-14", upvotes=99, hidden=True)
    assert trending_ids(client) == [shown.paper.arxiv_id]
