"""Server-side halves of the layout checks in tests/test_browser_layout.py, for machines
without Chromium: what the pages say, the browser test measures how they are laid out."""

import re

from django.utils import timezone

from dailypapers.discussion import services as discussion
from tests.factories import make_entry, make_paper


def current_nav(html):
    header = html.split('<nav aria-label="Feeds" class="site-nav">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'aria-current="page">([^<]+)</a>', header)


def test_the_header_marks_daily_on_day_pages_only(client, db):
    make_entry("2025-03-14", upvotes=1)
    assert current_nav(client.get("/").content.decode()) == ["Daily"]
    assert current_nav(client.get("/papers/date/2025-03-14").content.decode()) == ["Daily"]
    assert current_nav(client.get("/papers/week/2025-W11").content.decode()) == []
    assert current_nav(client.get("/papers/month/2025-03").content.decode()) == []


def test_a_profiles_recent_comments_show_rendered_markdown(client, alice):  # noqa: F811
    paper = make_paper(published=timezone.now())
    discussion.post_comment(
        alice, paper, "This is **important** <b>not html</b>, see [code](https://example.org/c)."
    )
    html = client.get("/u/alice").content.decode()
    section = html.split('id="comments-h"', 1)[1]
    assert "<strong>important</strong>" in section
    assert '<a href="https://example.org/c" rel="nofollow noopener ugc">code</a>' in section
    assert "**important**" not in section and "<b>" not in section  # raw HTML stays text
