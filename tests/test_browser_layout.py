"""Layout facts of pages in a real browser (Debian's Chromium, headless:
tests/browser_helpers.py), measured from the rendered boxes, not only looked at:
an anchor jump stops below the sticky header, a form's textarea stays within its card,
the submit form's error sits under its field, the header marks the page one is on, a
profile's comments are rendered Markdown, and a feed opened in the browser is a page.

Screenshots go to test-artifacts/browser/ with the others (20-… onwards).
"""

import datetime as dt

import pytest
from django.utils import timezone

from dailypapers.discussion import services as discussion
from dailypapers.lib.periods import day_period
from tests.browser_helpers import ARTIFACTS, DESKTOP, shot, signed_in
from tests.factories import make_entry, make_paper

PHONE = {"width": 390, "height": 800}


def box(page, selector):  # noqa: F811
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def long_paper():
    # Enough text below "Add to collection" that the page can scroll it to the top.
    abstract = " ".join(["We study sparse routing of tokens to experts in large models."] * 60)
    return make_paper(
        "2611.07001",
        title="A paper long enough to scroll",
        abstract=abstract,
        published=timezone.now(),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_add_to_collection_comes_back_below_the_sticky_header(site, browser, viewport):  # noqa: F811
    paper = long_paper()
    make_entry(timezone.localdate(), paper=paper)
    context, _ = signed_in(browser, site, "ada", viewport)
    try:
        page = context.new_page()  # noqa: F811
        page.goto(f"{site.url}/papers/{paper.arxiv_id}")
        page.fill("#collect-new", "Reading list")
        page.click("form.collect-form button[type=submit]")
        page.wait_for_load_state()
        assert page.url.endswith(f"/papers/{paper.arxiv_id}#collections")
        assert page.evaluate("window.scrollY") > 0  # the jump did scroll
        header = box(page, "header.site-header")
        target = box(page, "#collections")
        assert target["y"] >= header["y"] + header["height"], (target, header)
        assert page.locator("#collections >> text=Reading list").count() >= 1
        # The viewport as the reader sees it after the jump (not the whole page).
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = f"20-added-to-collection-{'phone' if viewport is PHONE else 'desktop'}.png"
        page.screenshot(path=str(ARTIFACTS / name))
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_new_collection_textarea_stays_within_its_card(site, browser, viewport):  # noqa: F811
    context, _ = signed_in(browser, site, "ada", viewport)
    try:
        page = context.new_page()  # noqa: F811
        page.goto(f"{site.url}/collections")
        card = box(page, "form.collection-form")
        textarea = box(page, "form.collection-form textarea")
        assert textarea["x"] >= card["x"]
        assert textarea["x"] + textarea["width"] <= card["x"] + card["width"], (textarea, card)
        shot(page, f"21-new-collection-{'phone' if viewport is PHONE else 'desktop'}")
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_submit_forms_error_is_under_its_field_with_the_next_steps(site, browser):  # noqa: F811
    old = make_paper(
        "2611.07002", title="Featured long ago", published=timezone.now() - dt.timedelta(days=200)
    )
    day = timezone.localdate() - dt.timedelta(days=199)
    make_entry(day, paper=old)
    context, _ = signed_in(browser, site, "ada")
    try:
        page = context.new_page()  # noqa: F811
        page.goto(f"{site.url}/submit")
        page.fill("input[name=paper]", old.arxiv_id)
        page.click("form.submit-form button[type=submit]")
        page.wait_for_load_state()
        error = page.locator("form.submit-form .form-error").first
        assert "already featured on" in error.inner_text()
        field = box(page, "input[name=paper]")
        message = box(page, "form.submit-form .form-error")
        assert message["y"] >= field["y"] + field["height"], (message, field)
        assert message["x"] < field["x"] + 10  # starts at the field's left edge, not beside it
        # The next step is a link to the day it was featured on, and it works.
        page.click(f"a[href='/papers/date/{day.isoformat()}']")
        page.wait_for_load_state()
        assert page.locator("article.card", has_text=old.title).count() == 1
        page.go_back()
        shot(page, "22-submit-refused")
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_header_marks_daily_only_on_day_pages(site, page):  # noqa: F811
    today = timezone.localdate()
    make_entry(today, paper=make_paper("2611.07003", title="Of the day", published=timezone.now()))
    period = day_period(today)
    pages = [
        ("day", f"/papers/date/{period.slug}", "Daily"),
        ("week", f"/papers/week/{period.as_kind('week').slug}", "Weekly"),
        ("month", f"/papers/month/{period.as_kind('month').slug}", "Monthly"),
    ]
    for kind, path, tab in pages:
        page.goto(f"{site.url}{path}")
        current = page.locator("nav.site-nav a[aria-current=page]")
        assert current.count() == (1 if kind == "day" else 0), kind
        if kind == "day":
            assert current.inner_text() == "Daily"
        # Computed style, not only the attribute: the Daily link is not drawn as current.
        daily = page.locator("nav.site-nav a", has_text="Daily")
        background = daily.evaluate("a => getComputedStyle(a).backgroundColor")
        assert (background not in ("rgba(0, 0, 0, 0)", "transparent")) == (kind == "day"), (
            kind,
            background,
        )
        assert page.locator("nav.tabs a[aria-current=page]").inner_text() == tab
        shot(page, f"23-nav-{kind}")


@pytest.mark.django_db(transaction=True)
def test_a_profiles_recent_comments_are_rendered_markdown(site, browser):  # noqa: F811
    paper = make_paper("2611.07004", title="Commented paper", published=timezone.now())
    context, user = signed_in(browser, site, "ada")
    discussion.post_comment(
        user, paper, "This is **important**, see [the code](https://example.org/code)."
    )
    try:
        page = context.new_page()  # noqa: F811
        page.goto(f"{site.url}/u/ada")
        comments = page.locator(".recent-comments")
        assert comments.locator("strong").inner_text() == "important"
        assert comments.locator("a[href='https://example.org/code']").inner_text() == "the code"
        assert "**" not in comments.inner_text() and "](" not in comments.inner_text()
        shot(page, "24-profile-comments")
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_a_feed_opened_in_the_browser_is_a_readable_page(site, page, fmt):  # noqa: F811
    paper = make_paper("2611.07005", title="Feeds for people", published=timezone.now())
    make_entry(timezone.localdate(), paper=paper)
    page.goto(f"{site.url}/feeds/daily.{fmt}")
    about = page.locator("#about-feed")
    assert "This is a web feed" in about.inner_text()
    assert f"{site.url}/feeds/daily.{fmt}" in about.inner_text()
    link = page.locator("ol.items a", has_text=paper.title)
    assert link.get_attribute("href") == f"{site.url}/papers/{paper.arxiv_id}"
    # Laid out as a page (not the raw XML text view): the heading is large and bold.
    weight = page.locator("h1").evaluate("h => getComputedStyle(h).fontWeight")
    assert int(weight) >= 600
    shot(page, f"25-feed-{fmt}")


@pytest.mark.django_db(transaction=True)
def test_signed_out_submit_and_unknown_paper_pages(site, page):  # noqa: F811
    page.goto(f"{site.url}/submit?paper=2611.09999")
    assert "Sign in to submit a paper" in page.locator("main").inner_text()
    page.click("main a:text('Log in')")
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url and "next=%2Fsubmit%3Fpaper%3D2611.09999" in page.url
    page.go_back()
    shot(page, "26-submit-signed-out")

    response = page.goto(f"{site.url}/papers/2611.09999")
    assert response.status == 404
    offer = page.locator("main a", has_text="Submit it to today's feed")
    assert offer.get_attribute("href") == "/submit?paper=2611.09999"
    shot(page, "27-unknown-paper")
