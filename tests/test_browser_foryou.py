"""For you in a real browser (Debian's Chromium, headless: tests/browser_helpers.py): a
new reader starts from three papers, opens For you, dismisses one, and sees it and its
near copy go without a reload."""

import numpy as np
import pytest

from dailypapers.search.models import PaperEmbedding
from tests.browser_helpers import expect, shot, signed_in
from tests.factories import make_entry
from tests.foryou_helpers import DAY, paper_on, topic


@pytest.mark.django_db(transaction=True)
def test_a_new_reader_seeds_opens_for_you_and_dismisses_without_a_reload(site, browser, world):
    old, new = world
    for n, paper in enumerate(old[0] + old[1] + old[2]):
        make_entry(DAY, paper=paper, upvotes=20 - n, position=n)
    liked = new[1][0]
    vector = PaperEmbedding.unpack(PaperEmbedding.objects.get(paper=liked).vector)
    copy = paper_on(DAY, (vector + 0.03 * topic(1, 0.5, 9)).astype(np.float32), title="A near copy")
    context, _ = signed_in(browser, site, "newcomer")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{site.url}/for-you")
        expect(page.locator("#start-title")).to_be_visible()  # it knows too little
        for paper in old[1]:  # three speech papers
            page.check(f"input[name=paper][value='{paper.pk}']")
        shot(page, "30-for-you-start")
        page.click(".foryou-start button[type=submit]")
        page.wait_for_load_state()
        today = page.locator("section[aria-labelledby=today-title] .pick")
        first_four = {today.nth(i).get_attribute("data-paper") for i in range(4)}
        assert liked.arxiv_id in first_four and copy.arxiv_id in first_four
        expect(today.first.locator(".reasons")).to_contain_text("which you liked")
        shot(page, "31-for-you-picks")

        page.evaluate("window.notReloaded = true")
        card = page.locator(f".pick[data-paper='{liked.arxiv_id}']").first
        card.locator("button.not-interested").click()
        expect(page.locator(f".pick[data-paper='{liked.arxiv_id}']")).to_have_count(0)
        expect(page.locator(f".pick[data-paper='{copy.arxiv_id}']")).to_have_count(0)
        assert page.evaluate("window.notReloaded") is True
        # Its kind sinks, but the reader's other speech papers are still there.
        expect(page.locator(f".pick[data-paper='{new[1][1].arxiv_id}']")).to_have_count(1)
        shot(page, "32-for-you-dismissed")
        assert not errors, errors
    finally:
        context.close()
