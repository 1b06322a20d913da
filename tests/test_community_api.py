"""The community's write API: upvotes and submissions with a bearer token."""

import json

from dailypapers.community.models import Upvote
from dailypapers.papers.models import FeedEntry
from tests.community_helpers import recent
from tests.factories import make_paper, token_for


def upvote_url(entry):
    return f"/api/papers/{entry.paper.arxiv_id}/upvote"


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_it_upvotes_and_takes_back_with_a_token(client, alice, featured):
    auth = token_for(alice)
    assert client.post(upvote_url(featured), **auth).json() == {"upvotes": 11, "voted": True}
    assert client.post(upvote_url(featured), **auth).json() == {"upvotes": 11, "voted": True}
    assert client.delete(upvote_url(featured), **auth).json() == {"upvotes": 10, "voted": False}
    assert client.delete(upvote_url(featured), **auth).json() == {"upvotes": 10, "voted": False}


def test_it_needs_a_valid_token(client, alice, featured):
    response = client.post(upvote_url(featured))
    assert response.status_code == 401 and "error" in response.json()
    response = client.post(upvote_url(featured), HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401
    # A logged-in session is no token: the API does not take cookies (no CSRF there).
    client.force_login(alice)
    assert client.post(upvote_url(featured)).status_code == 401
    assert FeedEntry.objects.get().upvotes == 10


def test_a_suspended_user_is_refused(client, mallory, featured):
    response = client.post(upvote_url(featured), **token_for(mallory))
    assert response.status_code == 403 and "suspended" in response.json()["error"]
    response = post_json(
        client, "/api/papers/submit", {"paper_id": "2501.99999"}, **token_for(mallory)
    )
    assert response.status_code == 403 and "suspended" in response.json()["error"]
    assert not Upvote.objects.exists()


def test_unknown_papers_are_404(client, alice):
    auth = token_for(alice)
    response = client.post("/api/papers/2501.99999/upvote", **auth)
    assert response.status_code == 404 and response.json()["error"]
    assert client.post("/api/papers/not-an-id/upvote", **auth).status_code == 404


def test_votes_are_rate_limited(client, settings, alice, featured):
    settings.RATE_LIMIT_VOTE = "2/m"
    auth = token_for(alice)
    assert client.post(upvote_url(featured), **auth).status_code == 200
    assert client.delete(upvote_url(featured), **auth).status_code == 200
    response = client.post(upvote_url(featured), **auth)
    assert response.status_code == 429 and "Too many votes" in response.json()["error"]


def test_it_submits_in_hugging_faces_shape(client, alice):
    paper = make_paper(published=recent(2))
    response = post_json(
        client,
        "/api/papers/submit",
        {"paper_id": paper.arxiv_id, "comment": "Worth a read."},
        **token_for(alice),
    )
    assert response.status_code == 201
    data = response.json()
    assert data["paper"]["id"] == paper.arxiv_id
    assert data["submittedBy"]["name"] == "alice"
    assert data["paper"]["submittedOnDailyBy"]["user"] == "alice"
    assert data["numComments"] == 1 and data["paper"]["upvotes"] == 0
    # The same entry as /api/daily_papers shows.
    listed = client.get("/api/daily_papers").json()
    assert listed == [data]


def test_submission_errors(client, settings, alice):
    auth = token_for(alice)
    assert (
        post_json(client, "/api/papers/submit", {"paper_id": "not an id"}, **auth).status_code
        == 400
    )
    assert post_json(client, "/api/papers/submit", {}, **auth).status_code == 400
    paper = make_paper(published=recent(2))
    assert (
        post_json(client, "/api/papers/submit", {"paper_id": paper.arxiv_id}, **auth).status_code
        == 201
    )
    response = post_json(client, "/api/papers/submit", {"paper_id": paper.arxiv_id}, **auth)
    assert response.status_code == 409 and "already" in response.json()["error"]
    settings.SUBMIT_DAILY_LIMIT = 1
    other = make_paper(published=recent(2))
    response = post_json(client, "/api/papers/submit", {"paper_id": other.arxiv_id}, **auth)
    assert response.status_code == 429 and "tomorrow" in response.json()["error"]
    assert post_json(client, "/api/papers/submit", {"paper_id": other.arxiv_id}).status_code == 401


def test_submissions_are_rate_limited(client, settings, alice):
    settings.RATE_LIMIT_SUBMIT = "1/h"
    auth = token_for(alice)
    post_json(client, "/api/papers/submit", {"paper_id": "bad"}, **auth)
    response = post_json(client, "/api/papers/submit", {"paper_id": "bad"}, **auth)
    assert response.status_code == 429 and "paper submissions" in response.json()["error"]
