"""The browser tests' fixtures and helpers (a pytest plugin: tests/conftest.py): Debian's
Chromium, headless, driven by Playwright's sync API against the live server; mail goes
to conftest's `smtp` server on loopback. Fixtures skip, saying why, where
/usr/bin/chromium is absent (`make test` installs it on Debian-like machines).

Screenshots are saved in test-artifacts/browser/ (kept by CI as artifacts).
"""

import os
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM} (install Debian's chromium package; `make test` does)"
        )
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make beside it are synchronous and safe. Only for these tests: the variable must
    # not reach the processes other tests start (`check --deploy` refuses it).
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.errors = errors
    yield page
    context.close()


@pytest.fixture
def site(settings, live_server, smtp):
    settings.SITE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    # Nothing may reach the internet: the paper is in the catalogue, and arXiv is a
    # closed port.
    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"
    settings.RATELIMIT_ENABLE = False
    return live_server


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def wait_for_mail(smtp, to, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for received in smtp.messages:
            if to in received.rcpt_tos:
                return received.message
        time.sleep(0.05)
    raise AssertionError(f"no email to {to} within {timeout} s")


def mail_text(message):
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content()


DESKTOP = {"width": 1200, "height": 900}


def signed_in(browser, site, username, viewport=DESKTOP):
    """A browser context whose session is `username`'s (made by Django's test client)."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(username, f"{username}@example.org", None)
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": site.url}])
    return context, user
