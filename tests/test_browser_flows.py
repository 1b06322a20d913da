"""The community's flows in a real browser: Debian's Chromium, headless, driven by
Playwright against the live server, with the sign-up email delivered to a real SMTP
server on loopback.

sign up → the verification email → confirm (which logs one in) → submit a paper with a comment →
upvote it (without a page reload) → comment → see it on the feed and in the API.

Screenshots of each step are saved in test-artifacts/browser/ (kept by CI as artifacts).
The tests skip, saying why, where /usr/bin/chromium is absent (`make test` installs it on
Debian-like machines).
"""

import datetime as dt
import json
import re
import urllib.request

import pytest
from django.utils import timezone

from dailypapers.community.models import Upvote
from dailypapers.discussion.models import Comment
from dailypapers.papers.models import FeedEntry
from tests.browser_helpers import expect, mail_text, shot, wait_for_mail
from tests.factories import make_paper

PASSWORD = "a-long-and-unusual-passphrase-91"


def sign_up_and_log_in(page, site, smtp, username, email):
    page.goto(f"{site.url}/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    shot(page, "01-sign-up")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    shot(page, "02-verify-your-email")

    # The verification email, as the SMTP server received it.
    message = wait_for_mail(smtp, email)
    assert "Confirm" in message["Subject"] or "confirm" in mail_text(message).lower()
    links = re.findall(r"https?://\S+/accounts/confirm-email/\S+", mail_text(message))
    assert links, mail_text(message)
    link = links[0].rstrip(".>)")
    assert link.startswith(site.url)
    page.goto(link)
    shot(page, "03-confirm-email")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    # Confirming one's address right after signing up logs one in: no second log-in.
    shot(page, "04-logged-in")
    assert page.locator(f"header >> text={username}").count() >= 1


@pytest.mark.django_db(transaction=True)
def test_sign_up_verify_log_in_submit_upvote_comment(site, smtp, page):
    paper = make_paper(
        "2611.04242",
        title="Sparse mixture of experts routing without load balancing losses",
        abstract="We route tokens to experts by similarity and need no auxiliary loss.",
        published=timezone.now() - dt.timedelta(days=2),
    )

    sign_up_and_log_in(page, site, smtp, "ada", "ada@example.org")

    # Submit the paper with a comment.
    page.goto(f"{site.url}/submit")
    page.fill("input[name=paper]", f"https://arxiv.org/abs/{paper.arxiv_id}")
    page.fill("textarea[name=comment]", "Worth reading: **no auxiliary loss** at all.")
    shot(page, "05-submit")
    page.click("form.submit-form button[type=submit]")
    page.wait_for_load_state()
    shot(page, "06-submitted")
    entry = FeedEntry.objects.get(paper=paper)
    assert entry.submitted_by.username == "ada"
    assert entry.day == timezone.localdate()

    # Upvote on the paper page: the count changes without a page reload.
    page.goto(f"{site.url}/papers/{paper.arxiv_id}")
    page.evaluate("window.__notReloaded = true")
    button = page.locator("form.vote-form .vote-button").first
    assert button.get_attribute("aria-pressed") == "false"
    count_before = int(button.locator(".count").inner_text())
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__notReloaded") is True
    assert int(button.locator(".count").inner_text()) == count_before + 1
    shot(page, "07-upvoted")
    assert Upvote.objects.filter(paper=paper, user__username="ada").count() == 1

    # Comment.
    page.fill("#comment-body", "A reply to myself with a [link](https://example.org).")
    page.click("#comment-form button[type=submit]")
    page.wait_for_load_state()
    shot(page, "08-commented")
    assert page.locator("text=A reply to myself with a").count() == 1
    assert Comment.objects.filter(paper=paper).count() == 2  # the submission's and this one

    # The feed shows it with its vote, and so does the API.
    page.goto(f"{site.url}/")
    shot(page, "09-feed")
    card = page.locator("article.card", has_text=paper.title)
    assert card.count() == 1
    assert card.locator(".count").first.inner_text().strip() == "1"
    with urllib.request.urlopen(
        f"{site.url}/api/daily_papers?date={entry.day.isoformat()}"
    ) as response:
        data = json.load(response)
    [item] = [d for d in data if d["paper"]["id"] == paper.arxiv_id]
    assert item["paper"]["upvotes"] == 1
    assert item["numComments"] == 2
    assert item["submittedBy"]["user"] == "ada" if "submittedBy" in item else True

    assert not page.errors, page.errors


@pytest.mark.django_db(transaction=True)
def test_upvote_without_javascript_and_logged_out_redirect(site, smtp, browser):
    """The vote form posts and comes back when JavaScript is off; a logged-out click
    leads to the log-in page."""
    paper = make_paper("2611.05151", title="Votes without scripts", published=timezone.now())
    FeedEntry.objects.create(paper=paper, day=timezone.localdate(), submitted_at=timezone.now())

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{site.url}/papers/{paper.arxiv_id}")
        page.locator("form.vote-form .vote-button").first.click()
        page.wait_for_load_state()
        assert "/accounts/login/" in page.url

        sign_up_and_log_in(page, site, smtp, "grace", "grace@example.org")
        page.goto(f"{site.url}/papers/{paper.arxiv_id}")
        page.locator("form.vote-form .vote-button").first.click()
        page.wait_for_load_state()
        assert page.url.rstrip("/").endswith(f"/papers/{paper.arxiv_id}")
        button = page.locator("form.vote-form .vote-button").first
        assert button.get_attribute("aria-pressed") == "true"
        assert button.locator(".count").inner_text().strip() == "1"
        shot(page, "10-voted-without-javascript")
    finally:
        context.close()
    assert FeedEntry.objects.get(paper=paper).upvotes == 1
