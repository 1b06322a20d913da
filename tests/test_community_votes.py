"""Upvotes through the pages: without JavaScript (form post and redirect), with it
(JSON), the counts on the day and trending pages, refusals and rate limits."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dailypapers.community import services
from dailypapers.community.models import Upvote
from dailypapers.papers.models import FeedEntry
from tests.factories import make_entry, make_paper

JSON = {"HTTP_ACCEPT": "application/json"}


def vote_url(entry):
    return reverse("community:upvote", kwargs={"arxiv_id": entry.paper.arxiv_id})


def count(entry):
    return FeedEntry.objects.get(pk=entry.pk).upvotes


def test_it_upvotes_without_javascript_and_goes_back(client, alice, featured):
    client.force_login(alice)
    day_page = reverse("papers:day", kwargs={"value": featured.day.isoformat()})
    response = client.post(vote_url(featured), {"next": day_page})
    assert response.status_code == 302 and response["Location"] == day_page
    assert count(featured) == 11
    assert Upvote.objects.filter(user=alice, paper=featured.paper).count() == 1


def test_a_second_post_takes_the_vote_back(client, alice, featured):
    client.force_login(alice)
    client.post(vote_url(featured))
    client.post(vote_url(featured))
    assert count(featured) == 10
    assert not Upvote.objects.exists()


def test_explicit_up_and_down_are_idempotent(client, alice, featured):
    client.force_login(alice)
    for _ in range(3):
        client.post(vote_url(featured), {"action": "up"})
    assert count(featured) == 11
    for _ in range(2):
        client.post(vote_url(featured), {"action": "down"})
    assert count(featured) == 10


def test_it_never_redirects_elsewhere(client, alice, featured):
    client.force_login(alice)
    response = client.post(
        vote_url(featured), {"next": "https://evil.example/"}, HTTP_REFERER="https://evil.example/x"
    )
    assert response["Location"] == featured.paper.get_absolute_url()


def test_it_answers_json_for_javascript(client, alice, featured):
    client.force_login(alice)
    response = client.post(vote_url(featured), **JSON)
    assert response.json() == {"voted": True, "upvotes": 11}
    response = client.post(vote_url(featured), {"entry": featured.pk}, **JSON)
    assert response.json() == {"voted": False, "upvotes": 10}


def test_csrf_is_checked_for_logged_in_voters(alice, featured):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(vote_url(featured)).status_code == 403
    assert count(featured) == 10


def test_a_logged_out_click_goes_to_log_in_and_back(client, featured):
    response = client.post(vote_url(featured))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert response["Location"].endswith("?next=" + featured.paper.get_absolute_url())
    assert client.post(vote_url(featured), **JSON).status_code == 401
    assert count(featured) == 10


def test_a_get_changes_nothing(client, alice, featured):
    client.force_login(alice)
    assert client.get(vote_url(featured)).status_code == 405
    assert count(featured) == 10


def test_a_suspended_user_cannot_vote(client, mallory, featured):
    client.force_login(mallory)
    response = client.post(vote_url(featured))
    assert response.status_code == 403
    assert "suspended" in response.content.decode()
    response = client.post(vote_url(featured), **JSON)
    assert response.status_code == 403 and "suspended" in response.json()["error"]
    assert count(featured) == 10 and not Upvote.objects.exists()


def test_papers_outside_the_feed_cannot_be_voted_on(client, alice):
    paper = make_paper()
    client.force_login(alice)
    response = client.post(reverse("community:upvote", kwargs={"arxiv_id": paper.arxiv_id}), **JSON)
    assert response.status_code == 404 and "submit" in response.json()["error"]
    hidden = make_entry("2026-01-05", paper=make_paper(hidden=True))
    assert client.post(vote_url(hidden)).status_code == 404


def test_votes_are_rate_limited(client, settings, alice, featured):
    settings.RATE_LIMIT_VOTE = "3/m"
    client.force_login(alice)
    for _ in range(3):
        assert client.post(vote_url(featured), **JSON).status_code == 200
    response = client.post(vote_url(featured), **JSON)
    assert response.status_code == 429
    assert "Too many votes" in response.json()["error"]
    response = client.post(vote_url(featured))
    assert response.status_code == 429 and "Too many votes" in response.content.decode()


def test_every_feed_day_of_a_paper_carries_the_vote(client, alice):
    paper = make_paper()
    first = make_entry("2026-01-05", upvotes=4, imported_upvotes=4, paper=paper)
    again = make_entry("2026-01-09", upvotes=1, imported_upvotes=1, paper=paper)
    client.force_login(alice)
    response = client.post(vote_url(first), {"entry": again.pk}, **JSON)
    assert response.json() == {"voted": True, "upvotes": 2}
    assert (count(first), count(again)) == (5, 2)


def test_the_day_page_and_trending_show_a_vote_on_the_next_load(client, alice, bob, featured):
    day_page = reverse("papers:day", kwargs={"value": featured.day.isoformat()})
    trending = reverse("papers:trending")
    # Anonymous readers' pages are cached whole: the vote must still show.
    for url in (day_page, trending, "/"):
        assert '<span class="count">10</span>' in client.get(url).content.decode()
    client.force_login(alice)
    client.post(vote_url(featured))
    client.logout()
    for url in (day_page, trending, "/"):
        assert '<span class="count">11</span>' in client.get(url).content.decode()
    client.force_login(bob)
    assert '<span class="count">11</span>' in client.get(day_page).content.decode()
    client.post(vote_url(featured))
    assert '<span class="count">12</span>' in client.get(trending).content.decode()


def test_cards_show_the_viewers_own_votes_in_one_query(
    client, alice, featured, django_assert_max_num_queries
):
    other = make_entry(featured.day, upvotes=3)
    services.set_vote(alice, featured.paper, True)
    client.force_login(alice)
    day_page = reverse("papers:day", kwargs={"value": featured.day.isoformat()})
    client.get(day_page)  # warm the card cache
    with django_assert_max_num_queries(8):
        html = client.get(day_page).content.decode()
    assert f'data-paper="{featured.paper_id}" aria-pressed="true"' in html
    assert f'data-paper="{other.paper_id}" aria-pressed="false"' in html
    assert "<!--vote-csrf-->" not in html and 'name="csrfmiddlewaretoken"' in html
    assert "community/vote.js" in html
    # Cached cards never carry one reader's state to another.
    client.logout()
    html = client.get(day_page).content.decode()
    assert 'aria-pressed="true"' not in html and "csrfmiddlewaretoken" not in html


def test_the_paper_page_shows_the_viewers_vote(client, alice, featured):
    client.force_login(alice)
    url = featured.paper.get_absolute_url()
    assert 'aria-pressed="false"' in client.get(url).content.decode()
    client.post(vote_url(featured))
    html = client.get(url).content.decode()
    assert 'aria-pressed="true"' in html and '<span class="count">11</span>' in html


def test_deleting_an_account_takes_its_votes_back(alice, bob, featured):
    services.set_vote(alice, featured.paper, True)
    services.set_vote(bob, featured.paper, True)
    assert count(featured) == 12
    from dailypapers.people.services import delete_account

    delete_account(alice)
    assert count(featured) == 11
    get_user_model().objects.filter(pk=bob.pk).delete()
    assert count(featured) == 10 and not Upvote.objects.exists()


def test_the_data_export_lists_upvotes(client, alice, featured):
    from dailypapers.community.export import export_user_data

    services.set_vote(alice, featured.paper, True)
    data = export_user_data(alice)
    assert [v["arxiv_id"] for v in data["upvotes"]] == [featured.paper.arxiv_id]


@pytest.mark.parametrize("viewer", ["alice", "bob"])
def test_the_profile_lists_upvotes_to_their_owner_only(client, request, alice, featured, viewer):
    services.set_vote(alice, featured.paper, True)
    client.force_login(request.getfixturevalue(viewer))
    html = client.get(reverse("people:profile", kwargs={"username": "alice"})).content.decode()
    assert ("Your upvotes" in html) == (viewer == "alice")
