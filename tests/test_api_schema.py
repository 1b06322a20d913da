"""Schemathesis against /api/openapi.json: generated requests, valid and invalid, to
every documented operation. No response may be a 5xx, and every response must match
the schema (status code, content type, body). Bounded so it runs in seconds."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dailypapers.api.main import api
from tests.factories import make_entry, make_member, make_paper

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_data(db, settings):
    # schemathesis' WSGI client calls itself "localhost".
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # Papers with and without the optional fields, on a few days, so generated queries
    # also get entries back and their shape is checked.
    full = make_paper(arxiv_id="2508.10104", github_repo="https://github.com/a/b", github_stars=3,
                      project_page="https://example.org", ai_summary="s", ai_keywords=["k"])  # fmt: skip
    make_entry("2025-08-14", upvotes=5, paper=full, submitted_by=make_member("akhaliq"))
    make_entry("2025-08-15", upvotes=2, paper=make_paper(published=None))
    make_paper(arxiv_id="hep-th/9901001")
    # Django closes the database connection after each request it serves through WSGI,
    # which would end the test's transaction on PostgreSQL; Django's own test client
    # turns that off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def served_schema():
    """What /api/openapi.json serves (tests/test_api.py checks the two are the same).

    Built directly rather than fetched: schemathesis' lazy fixture loader does not run
    on pytest 9, and at import time the test settings (ALLOWED_HOSTS) are not in place.
    """
    return json.loads(json.dumps(api.get_openapi_schema(), default=str))


schema = schemathesis.openapi.from_dict(served_schema())
schema.app = get_wsgi_application()


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_breaks_the_api_or_its_schema(case, api_data):
    # /api/papers/search and /api/papers/submit are routes of their own, as on Hugging
    # Face: a paper id spelled like them reaches them, whose answers have other schemas.
    for name, value in (case.path_parameters or {}).items():
        if value in ("search", "submit"):
            case.path_parameters[name] = "2508.10104"
    case.call_and_validate(checks=CHECKS)
