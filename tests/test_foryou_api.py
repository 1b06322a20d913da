"""For you over the JSON API: the token's reader's recommendations with reasons, feedback
and its undoing, follows and seeds; errors as the rest of the API; nothing leaks between
readers or into shared caches."""

import json

import pytest

from dailypapers.foryou.models import Feedback
from tests.factories import token_for
from tests.foryou_helpers import DAY

pytestmark = pytest.mark.django_db


def get(client, url, auth):
    return client.get(url, **auth)


def post(client, url, auth, body):
    return client.post(url, json.dumps(body), content_type="application/json", **auth)


def test_recommendations_need_a_token(client, world):
    response = client.get("/api/recommendations")
    assert response.status_code == 401 and "error" in response.json()


def test_recommendations_follow_the_readers_feedback(client, alice, bob, world):
    old, new = world
    auth = token_for(alice)
    response = post(client, f"/api/papers/{old[1][0].arxiv_id}/feedback", auth, {"signal": "more"})
    assert response.status_code == 200 and response.json()["signal"] == "more"
    response = get(client, f"/api/recommendations?from={DAY}&to={DAY}&limit=4", auth)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert {item["paper"]["id"] for item in data} == {p.arxiv_id for p in new[1]}
    assert all(item["reasons"] and isinstance(item["score"], float) for item in data)
    assert data[0]["paper"]["title"].startswith("Topic 1")
    assert data == sorted(data, key=lambda item: -item["score"])
    # Bob, with no signals, gets his own (uninformed) ranking, not Alice's reasons.
    theirs = get(client, f"/api/recommendations?from={DAY}", token_for(bob)).json()
    assert not any("which you liked" in r for item in theirs for r in item["reasons"])


def test_feedback_is_taken_back_and_dismissed_papers_leave(client, alice, world):
    old, new = world
    auth = token_for(alice)
    url = f"/api/papers/{new[2][0].arxiv_id}/feedback"
    assert post(client, url, auth, {"signal": "not_interested"}).status_code == 200
    ids = [i["paper"]["id"] for i in get(client, "/api/recommendations?limit=50", auth).json()]
    assert new[2][0].arxiv_id not in ids and len(ids) == 11
    response = client.delete(url, **auth)
    assert response.status_code == 200 and response.json()["signal"] is None
    assert not Feedback.objects.filter(user=alice).exists()
    assert client.delete(url, **auth).status_code == 200  # idempotent


def test_follows_and_seeds_over_the_api(client, alice, world):
    old, new = world
    auth = token_for(alice)
    response = post(client, "/api/follows", auth, {"kind": "category", "value": "cs.RO"})
    assert response.status_code == 201 and response.json()["value"] == "cs.RO"
    follow_id = response.json()["id"]
    assert get(client, "/api/follows", auth).json() == [
        {"id": follow_id, "kind": "category", "value": "cs.RO"}
    ]
    assert client.delete(f"/api/follows/{follow_id}", **auth).status_code == 204
    assert client.delete(f"/api/follows/{follow_id}", **auth).status_code == 404
    response = post(
        client,
        "/api/seeds",
        auth,
        {
            "papers": [
                old[0][0].arxiv_id,
                f"https://arxiv.org/abs/{old[0][1].arxiv_id}v2",
                "2999.99999",
                "nonsense",
            ]
        },
    )
    assert response.json() == {
        "added": 2,
        "unknown": ["2999.99999"],
        "invalid": ["nonsense"],
        "problems": [],
    }
    top = get(client, "/api/recommendations?limit=4", auth).json()
    assert {i["paper"]["id"] for i in top} == {p.arxiv_id for p in new[0]}


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "says"),
    [
        ("get", "/api/recommendations?from=2026-13-01", None, 400, "from"),
        ("get", "/api/recommendations?from=2026-03-10&to=2026-03-01", None, 400, "before"),
        ("get", "/api/recommendations?from=2026-01-01&to=2026-03-01", None, 400, "at most"),
        ("get", "/api/recommendations?limit=0", None, 400, "limit"),
        ("post", "/api/papers/2999.99999/feedback", {"signal": "more"}, 404, "No such paper"),
        ("post", "/api/papers/not-an-id/feedback", {"signal": "more"}, 404, "arXiv id"),
        ("post", "/api/papers/{paper}/feedback", {"signal": "love"}, 400, "Unknown signal"),
        ("post", "/api/papers/{paper}/feedback", {}, 400, "signal"),
        ("post", "/api/follows", {"kind": "planet", "value": "Mars"}, 400, "Unknown kind"),
        ("post", "/api/follows", {"kind": "author", "value": "  "}, 400, "Say which"),
        ("post", "/api/seeds", {"papers": "2401.00001"}, 400, "papers"),
    ],
)
def test_bad_requests_get_clear_json_errors(client, alice, world, method, url, body, status, says):
    auth = token_for(alice)
    url = url.replace("{paper}", world[1][0][0].arxiv_id)
    if method == "get":
        response = client.get(url, **auth)
    else:
        response = post(client, url, auth, body)
    assert response.status_code == status, response.content
    assert says in response.json()["error"]


def test_the_schema_documents_the_for_you_routes(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/recommendations",
        "/api/papers/{paper_id}/feedback",
        "/api/follows",
        "/api/seeds",
    } <= set(paths)


def test_seeds_from_a_bibtex_text(client, alice, world):
    old, new = world
    arxiv_id = old[2][0].arxiv_id
    bib = "@misc{a, eprint={" + arxiv_id + "}, archivePrefix={arXiv}}\n"
    bib += "@misc{b, title={Elsewhere}}\n@misc{c,"
    response = post(client, "/api/seeds", token_for(alice), {"text": bib})
    data = response.json()
    assert response.status_code == 200 and data["added"] == 1
    assert data["unknown"] == ["Elsewhere"] and len(data["problems"]) == 1
    response = post(client, "/api/seeds", token_for(alice), {"text": "\x00\x01binary"})
    assert response.status_code == 400 and response.json()["error"]
