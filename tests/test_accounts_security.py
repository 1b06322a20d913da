"""Security headers on the site's pages, and the HTTPS settings that SITE_URL turns on."""

import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_entry

pytestmark = pytest.mark.django_db


def csp_of(response):
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_carry_the_security_headers(client, alice):
    entry = make_entry("2025-01-02")
    client.force_login(alice)
    for url in (
        reverse("papers:home"),
        reverse("papers:paper", args=[entry.paper.arxiv_id]),
        reverse("search:search") + "?q=paper",
        reverse("people:settings"),
        reverse("people:profile", args=["alice"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response["Permissions-Policy"]
        assert "microphone=()" in response["Permissions-Policy"]
        csp = csp_of(response)
        assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
        assert csp["form-action"] == ["'self'"]


def test_account_pages_have_no_inline_scripts_or_styles(client, alice):
    # The policy forbids them; a page that used them would break in the browser.
    client.force_login(alice)
    for url in (
        reverse("people:settings"),
        reverse("people:profile", args=["alice"]),
        reverse("account_email"),
    ):
        text = client.get(url).content.decode()
        assert "style=" not in text and "<style" not in text, url
        assert "<script>" not in text and "onclick" not in text, url


def test_the_session_cookie_is_http_only(client, alice):
    response = client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def settings_for(env):
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({k: getattr(settings, k, None) for k in "
        "['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', "
        "'ACCOUNT_DEFAULT_HTTP_PROTOCOL']}))"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SITE_URL", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "dailypapers.settings", "SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_an_https_site_url_turns_on_secure_cookies_hsts_and_https_links():
    https = settings_for({"SITE_URL": "https://papers.example.org"})
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["SECURE_HSTS_SECONDS"] >= 31536000
    assert https["SECURE_SSL_REDIRECT"]
    assert https["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "https"  # links in account emails

    plain = settings_for({"SITE_URL": "http://127.0.0.1:8000"})
    assert not plain["SESSION_COOKIE_SECURE"] and plain["SECURE_HSTS_SECONDS"] == 0
    assert plain["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "http"
