"""A fake arXiv API answering id queries from recorded responses (a pytest plugin:
tests/conftest.py). The recordings are in ../shared; the fixtures skip where it is absent."""

import json
import re

import pytest

from tests.conftest import SHARED, need
from tests.fake_server import FakeServer, Reply

RECORDED = SHARED / "fixtures" / "arxiv_api" / "recorded_2026"


def _recorded():
    """{id_list value: (status, body bytes)} for the recorded id queries."""
    need(RECORDED)
    answers = {}
    for path in sorted(RECORDED.glob("id_*.json")):
        data = json.loads(path.read_text())
        id_list = re.search(r"[?&]id_list=([^&]*)", data["url"]).group(1)
        id_list = id_list.replace("%2C", ",").replace("%2F", "/")
        # The recorder stored the UTF-8 bytes decoded as Latin-1 ("WÃ¼bben"); encoding
        # back to Latin-1 gives the bytes arXiv sent.
        answers[id_list] = (data["status_code"], data["body"].encode("latin-1"))
    return answers


@pytest.fixture
def recorded():
    return _recorded()


@pytest.fixture
def arxiv(settings, recorded):
    """A fake arXiv API answering id_list queries from the recordings (404 otherwise)."""

    def route(request):
        id_list = request.query.get("id_list", [""])[0]
        if request.path != "/api/query" or id_list not in recorded:
            return Reply(404, "no recording for this query")
        status, body = recorded[id_list]
        return Reply(status, body, {"Content-Type": "application/atom+xml; charset=utf-8"})

    with FakeServer(route) as server:
        settings.ARXIV_API_URL = server.url + "/api/query"
        settings.ARXIV_REQUEST_INTERVAL = 0
        yield server
