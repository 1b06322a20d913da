"""The discussion in the JSON API: numComments follows local comments; the thread and
posting with a token."""

import pytest

from dailypapers.accounts.models import ApiToken, Profile
from dailypapers.discussion import services
from dailypapers.discussion.models import Comment

pytestmark = pytest.mark.django_db


def num_comments(client, paper):
    single = client.get(f"/api/papers/{paper.arxiv_id}").json()["numComments"]
    daily = client.get("/api/daily_papers", {"date": "2025-03-04"}).json()
    [listed] = [e for e in daily if e["paper"]["id"] == paper.arxiv_id]
    return single, listed["numComments"]


def test_num_comments_follows_posting_hiding_and_deleting(client, alice, sam, paper, entry):
    assert num_comments(client, paper) == (0, 0)
    first = services.post_comment(alice, paper, "first")
    assert num_comments(client, paper) == (1, 1)
    second = services.post_comment(alice, paper, "second", parent=first)
    assert num_comments(client, paper) == (2, 2)
    services.hide_comment(sam, second)
    assert num_comments(client, paper) == (1, 1)
    services.delete_comment(alice, first)
    assert num_comments(client, paper) == (0, 0)


def test_num_comments_adds_local_comments_to_imported_ones(client, alice, paper, entry):
    entry.imported_comments = entry.num_comments = 5
    entry.save()
    services.post_comment(alice, paper, "local")
    assert num_comments(client, paper) == (6, 6)


def test_the_thread_is_nested_and_public(client, alice, bob, sam, paper):
    root = services.post_comment(alice, paper, "root *text*")
    reply = services.post_comment(bob, paper, "reply", parent=root)
    services.hide_comment(sam, services.post_comment(bob, paper, "hidden one"))
    gone = services.post_comment(bob, paper, "gone")
    services.post_comment(alice, paper, "answer to gone", parent=gone)
    services.delete_comment(bob, gone)

    response = client.get(f"/api/papers/{paper.arxiv_id}/comments")
    assert response.status_code == 200
    data = response.json()
    assert [c["id"] for c in data] == [root.pk, gone.pk]
    assert data[0]["author"] == "alice" and data[0]["bodyHtml"] == "<p>root <em>text</em></p>\n"
    assert data[0]["body"] == "root *text*"
    assert [r["id"] for r in data[0]["replies"]] == [reply.pk]
    assert data[0]["replies"][0]["parentId"] == root.pk
    assert data[1]["placeholder"] is True and data[1]["author"] is None and data[1]["body"] == ""
    assert [r["body"] for r in data[1]["replies"]] == ["answer to gone"]
    assert "hidden one" not in response.content.decode()


def test_comments_of_an_unknown_paper_are_404(client):
    response = client.get("/api/papers/2501.99999/comments")
    assert response.status_code == 404 and response.json() == {"error": "no such paper"}


def token_for(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create_token(user)[1]}"}


def test_posting_with_a_token(client, alice, bob, paper, entry):
    url = f"/api/papers/{paper.arxiv_id}/comments"
    response = client.post(
        url, {"body": "via the **API**"}, content_type="application/json", **token_for(alice)
    )
    assert response.status_code == 201
    created = response.json()
    assert (
        created["author"] == "alice"
        and created["bodyHtml"] == "<p>via the <strong>API</strong></p>\n"
    )
    reply = client.post(url, {"body": "reply", "parentId": created["id"]}, content_type="application/json",
                        **token_for(bob))  # fmt: skip
    assert reply.status_code == 201 and reply.json()["parentId"] == created["id"]
    assert num_comments(client, paper) == (2, 2)


def test_posting_refusals(client, alice, paper, settings):
    url = f"/api/papers/{paper.arxiv_id}/comments"
    auth = token_for(alice)
    assert client.post(url, {"body": "x"}, content_type="application/json").status_code == 401
    empty = client.post(url, {"body": "  "}, content_type="application/json", **auth)
    assert empty.status_code == 400 and empty.json() == {"error": "A comment cannot be empty."}
    missing_parent = client.post(
        url, {"body": "x", "parentId": 999999}, content_type="application/json", **auth
    )
    assert missing_parent.status_code == 404
    assert client.post("/api/papers/2501.99999/comments", {"body": "x"}, content_type="application/json",
                       **auth).status_code == 404  # fmt: skip

    settings.RATE_LIMIT_COMMENT = "1/m"
    assert (
        client.post(url, {"body": "one"}, content_type="application/json", **auth).status_code
        == 201
    )
    limited = client.post(url, {"body": "two"}, content_type="application/json", **auth)
    assert limited.status_code == 429 and "Too many comments" in limited.json()["error"]

    Profile.of(alice).suspend()
    suspended = client.post(url, {"body": "three"}, content_type="application/json", **auth)
    assert suspended.status_code == 403 and "suspended" in suspended.json()["error"]
    assert Comment.objects.count() == 1
