"""Sizes of what a client sends: the request line and headers (gunicorn's limits under
`dailypapers serve`), bodies (413 before anything reads them) and the search query (at
most 250 characters, never echoed longer)."""

import json
import re

import pytest

from dailypapers.lib.searchquery import MAX_QUERY_CHARS
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def status_of(reply):
    return int(reply.split(b" ", 2)[1])


def test_a_huge_request_line_is_refused_at_once_and_the_worker_goes_on(served):
    server = served(workers=1)
    # The home page ignores unknown parameters: only the server's limit can refuse this.
    line = (
        b"GET /?x=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    reply = server.raw(line, timeout=10)
    assert 400 <= status_of(reply) < 500 and b"Request Line is too large" in reply
    # The one worker survived and answers the next request.
    assert server.request("GET", "/search?q=model", timeout=10)[0] == 200
    # A header field over 8 KB, or more than 100 fields: refused the same way.
    big_header = (
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
        + b"b" * 10_000
        + b"\r\nConnection: close\r\n\r\n"
    )
    assert 400 <= status_of(server.raw(big_header, timeout=10)) < 500
    many = b"".join(b"X-H%d: v\r\n" % n for n in range(101))
    assert (
        400
        <= status_of(
            server.raw(
                b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"Connection: close\r\n\r\n",
                timeout=10,
            )
        )
        < 500
    )
    assert server.request("GET", "/", timeout=10)[0] == 200


def test_the_search_page_takes_a_query_of_250_characters(client):
    make_paper(title="Models of " + "x" * 20)
    assert client.get("/search", {"q": "model " + "y" * (MAX_QUERY_CHARS - 6)}).status_code == 200


@pytest.mark.parametrize("char", ["z", "é", "深"])
def test_the_search_page_refuses_a_longer_query_and_echoes_no_more_than_250_characters(
    client, char
):
    response = client.get("/search", {"q": char * 5000})
    page = response.content.decode()
    assert response.status_code == 400
    assert "at most 250 characters" in page
    assert char * MAX_QUERY_CHARS in page  # in the box, to shorten
    assert char * (MAX_QUERY_CHARS + 1) not in page and len(page) < 30_000


def test_the_api_refuses_a_query_over_250_characters_with_json():
    from django.test import Client

    api = Client()
    assert api.get("/api/papers/search", {"q": "x" * MAX_QUERY_CHARS}).status_code == 200
    response = api.get("/api/papers/search", {"q": "x" * (MAX_QUERY_CHARS + 1)})
    assert response.status_code == 400
    assert "250" in response.json()["error"] and "x" * 50 not in response.json()["error"]


def test_a_ten_megabyte_json_body_to_the_api_is_a_json_413(client):
    paper = make_paper()
    body = json.dumps({"text": "a" * 10_000_000})
    for path in (
        f"/api/papers/{paper.arxiv_id}/comments",
        "/api/papers/submit",
        f"/api/papers/{paper.arxiv_id}/upvote",
    ):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 413, path
        assert response["Content-Type"] == "application/json"
        assert "too large" in response.json()["error"]


def test_a_too_large_form_is_the_sites_413_page(client):
    response = client.post("/subscribe", {"email": "a@example.org", "keywords": "k" * 2_000_000})
    assert response.status_code == 413
    assert "Request too large" in response.content.decode()
    assert re.search(r"at most 1,048,576", response.content.decode())


def test_a_body_under_the_limit_reaches_the_view(client):
    paper = make_paper()
    response = client.post(
        f"/api/papers/{paper.arxiv_id}/comments",
        json.dumps({"text": "hi"}),
        content_type="application/json",
    )
    assert response.status_code == 401  # the API's own answer: no token
