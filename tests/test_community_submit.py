"""Submitting papers to today's feed: the page, the rules, papers fetched from a fake
arXiv API replaying recorded responses (tests/test_arxiv_fetch.py), and staff hiding."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from dailypapers.community import services
from dailypapers.discussion.models import Comment
from dailypapers.ingest import arxiv_http
from dailypapers.ingest.arxiv_api import ArxivApiError, fetch_records
from dailypapers.papers.models import FeedEntry, Paper
from tests.community_helpers import recent
from tests.factories import make_entry, make_paper, token_for
from tests.fake_server import FakeServer, Reply

SUBMIT = "/submit"
# The recorded arXiv answer for 1707.08567 says it was published on 2017-07-27.
TWO_DAYS_LATER = dt.datetime(2017, 7, 29, 12, tzinfo=dt.UTC)


def test_a_signed_out_reader_is_told_to_sign_in_and_comes_back(client, db):
    response = client.get(SUBMIT + "?paper=2501.01234")
    page = response.content.decode()
    assert response.status_code == 200 and "Sign in to submit a paper" in page
    back = "next=%2Fsubmit%3Fpaper%3D2501.01234"
    assert f'href="{reverse("account_login")}?{back}"' in page
    assert f'href="{reverse("account_signup")}?{back}"' in page
    assert 'name="paper"' not in page
    # A form posted after the session ended changes nothing and says the same.
    response = client.post(SUBMIT, {"paper": "2501.01234"})
    assert response.status_code == 401 and "Sign in to submit a paper" in response.content.decode()
    assert not FeedEntry.objects.exists()


def test_it_submits_a_paper_from_the_catalogue_with_a_comment(client, alice):
    paper = make_paper(published=recent(3))
    client.force_login(alice)
    assert 'name="paper"' in client.get(SUBMIT).content.decode()
    response = client.post(
        SUBMIT, {"paper": f"https://arxiv.org/abs/{paper.arxiv_id}v2", "comment": "Read §3."}
    )
    assert response.status_code == 302 and response["Location"] == paper.get_absolute_url()
    entry = FeedEntry.objects.get(paper=paper)
    assert entry.day == services.feed_today()
    assert (entry.submitted_by, entry.submitter_name) == (alice, "alice")
    assert entry.num_comments == 1 and entry.upvotes == 0
    assert Comment.objects.get(paper=paper).body == "Read §3."
    # On today's page at once.
    assert paper.title in client.get("/").content.decode()


def test_it_fetches_an_unknown_paper_from_arxiv(client, alice, arxiv):
    client.force_login(alice)
    with time_machine.travel(TWO_DAYS_LATER, tick=True):
        response = client.post(SUBMIT, {"paper": "https://arxiv.org/pdf/1707.08567v1.pdf"})
    assert response.status_code == 302
    entry = FeedEntry.objects.select_related("paper").get()
    assert entry.paper.arxiv_id == "1707.08567" and entry.paper.title
    assert entry.day == dt.date(2017, 7, 29)


def test_a_paper_arxiv_does_not_know_is_refused(client, alice, arxiv):
    client.force_login(alice)
    response = client.post(SUBMIT, {"paper": "0808.05394"})
    assert (
        response.status_code == 404 and "arXiv has no paper 0808.05394" in response.content.decode()
    )
    assert not Paper.objects.exists()


def test_an_unreachable_arxiv_is_said_so(client, settings, alice):
    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"  # nothing listens there
    settings.ARXIV_REQUEST_INTERVAL = 0
    client.force_login(alice)
    response = client.post(SUBMIT, {"paper": "2501.99999"})
    assert response.status_code == 503 and "try again in a few minutes" in response.content.decode()


def test_bad_input_is_explained(client, alice):
    client.force_login(alice)
    response = client.post(SUBMIT, {"paper": "attention is all you need"})
    assert response.status_code == 400 and "Give an arXiv id" in response.content.decode()
    assert client.post(SUBMIT, {"paper": ""}).status_code == 400


def test_old_papers_are_for_staff_only(client, settings, alice, sam):
    settings.SUBMIT_MAX_AGE_DAYS = 14
    old = make_paper(published=recent(15))
    with pytest.raises(services.Refused, match="only papers from the last 14 days") as refused:
        services.submit(alice, old.arxiv_id)
    assert refused.value.status == 400
    assert services.submit(sam, old.arxiv_id).submitted_by == sam
    fresh = make_paper(published=recent(13))
    assert services.submit(alice, fresh.arxiv_id).paper == fresh


def test_a_paper_featured_on_any_day_is_refused(alice):
    entry = make_entry("2024-03-01", paper=make_paper(published=recent(1)))
    with pytest.raises(services.Refused, match="already featured on Mar 1, 2024") as refused:
        services.submit(alice, entry.paper.arxiv_id)
    assert refused.value.status == 409


def test_the_daily_limit_counts_per_feed_day(client, settings, alice, bob, sam):
    settings.SUBMIT_DAILY_LIMIT = 2
    papers = [make_paper(published=recent(1)) for _ in range(5)]
    services.submit(alice, papers[0].arxiv_id)
    services.submit(alice, papers[1].arxiv_id)
    client.force_login(alice)
    response = client.post(SUBMIT, {"paper": papers[2].arxiv_id})
    assert response.status_code == 429 and "come back tomorrow" in response.content.decode()
    services.submit(bob, papers[2].arxiv_id)  # per person
    services.submit(sam, papers[3].arxiv_id)
    services.submit(sam, papers[4].arxiv_id)
    with pytest.raises(services.Refused):
        services.submit(alice, make_paper(published=recent(1)).arxiv_id)
    # Staff have no cap: a third one of the day.
    assert services.submit(sam, make_paper(published=recent(1)).arxiv_id)
    # Tomorrow the count starts again.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1), tick=True):
        assert services.submit(alice, make_paper(published=recent(0)).arxiv_id)


def test_a_suspended_user_cannot_submit(client, mallory):
    paper = make_paper(published=recent(1))
    client.force_login(mallory)
    assert "suspended" in client.get(SUBMIT).content.decode()
    response = client.post(SUBMIT, {"paper": paper.arxiv_id})
    assert response.status_code == 403 and "suspended" in response.content.decode()
    assert not FeedEntry.objects.exists()


def test_a_refused_comment_refuses_the_submission(alice):
    paper = make_paper(published=recent(1))
    with pytest.raises(services.Refused, match="Your comment"):
        services.submit(alice, paper.arxiv_id, "x" * 20_000)
    assert not FeedEntry.objects.exists() and not Comment.objects.exists()


def test_submissions_are_rate_limited(client, settings, alice):
    settings.RATE_LIMIT_SUBMIT = "2/h"
    client.force_login(alice)
    client.post(SUBMIT, {"paper": "bad"})
    client.post(SUBMIT, {"paper": "bad"})
    response = client.post(SUBMIT, {"paper": "bad"})
    assert response.status_code == 429 and "Too many paper submissions" in response.content.decode()


def test_the_home_page_links_to_submission(client, featured):
    assert f'href="{SUBMIT}"' in client.get("/").content.decode()


# --- Staff hiding ---------------------------------------------------------------------------


def hide(client, paper, hidden="1"):
    return client.post(
        reverse("community:hide", kwargs={"arxiv_id": paper.arxiv_id}), {"hidden": hidden}
    )


def test_staff_hide_a_paper_from_everyone_else(client, alice, sam, featured):
    paper = featured.paper
    day_page = reverse("papers:day", kwargs={"value": featured.day.isoformat()})
    assert paper.title in client.get(day_page).content.decode()  # cached for anonymous readers
    client.force_login(sam)
    assert "Hide paper" in client.get(paper.get_absolute_url()).content.decode()
    assert hide(client, paper).status_code == 302
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Only staff can see this paper" in html and "Unhide paper" in html
    client.logout()
    assert client.get(paper.get_absolute_url()).status_code == 404
    assert paper.title not in client.get(day_page).content.decode()
    assert client.get(f"/api/papers/{paper.arxiv_id}").status_code == 404
    client.force_login(alice)
    assert client.get(paper.get_absolute_url()).status_code == 404
    client.force_login(sam)
    hide(client, paper, "0")
    client.logout()
    assert client.get(paper.get_absolute_url()).status_code == 200
    assert paper.title in client.get(day_page).content.decode()


def test_only_staff_can_hide(client, alice, featured):
    client.force_login(alice)
    assert "Hide paper" not in client.get(featured.paper.get_absolute_url()).content.decode()
    assert hide(client, featured.paper).status_code == 404
    assert not Paper.objects.get().hidden
    with pytest.raises(services.Refused):
        services.set_hidden(alice, featured.paper, True)


def test_a_paper_not_in_the_feed_offers_submission_instead_of_votes(client, alice):
    paper = make_paper(published=recent(1))
    client.force_login(alice)
    html = client.get(paper.get_absolute_url()).content.decode()
    assert f"{SUBMIT}?paper={paper.arxiv_id}" in html and "vote-button" not in html
    assert (
        f'value="{paper.arxiv_id}"'
        in client.get(f"{SUBMIT}?paper={paper.arxiv_id}").content.decode()
    )


# --- a slow arXiv: the request waits SUBMIT_ARXIV_WAIT seconds at most, then says so ----------


@pytest.fixture
def slow_arxiv(settings):
    """An arXiv API that takes a minute to answer at all."""
    with FakeServer(lambda request: Reply(200, "<feed/>", delay=60)) as server:
        settings.ARXIV_API_URL = server.url + "/api/query"
        settings.ARXIV_REQUEST_INTERVAL = 0
        settings.SUBMIT_ARXIV_WAIT = 0.5
        yield server


def test_a_slow_arxiv_gives_a_clear_try_again_not_a_held_worker(client, alice, slow_arxiv):
    client.force_login(alice)
    response = client.post(SUBMIT, {"paper": "2501.99999"})
    page = response.content.decode()
    assert response.status_code == 503
    assert "arXiv is not answering just now" in page and "try again in a few minutes" in page
    assert "did not answer within 0.5 s" in page
    assert len(slow_arxiv.requests) == 1 and not Paper.objects.exists()
    # The form is still there, filled in, to try again.
    assert 'value="2501.99999"' in page


def test_a_slow_arxiv_gives_json_503_on_the_api(client, alice, slow_arxiv):
    response = client.post(
        "/api/papers/submit",
        {"paper_id": "2501.99999"},
        content_type="application/json",
        **token_for(alice),
    )
    assert response.status_code == 503
    assert "arXiv is not answering just now" in response.json()["error"]


def test_an_arxiv_that_trickles_its_answer_is_cut_off_at_the_total_wait(settings):
    body = b"<?xml version='1.0'?>" + b" " * 100_000
    with FakeServer(
        lambda request: Reply(200, body, {"Content-Type": "application/atom+xml"}, trickle=0.05)
    ) as server:
        settings.ARXIV_API_URL = server.url + "/api/query"
        settings.ARXIV_REQUEST_INTERVAL = 0
        # Each byte arrives well within the per-read timeout; only a total limit ends it.
        with pytest.raises(ArxivApiError, match="did not answer within 0.5 s"):
            fetch_records(["2501.99999"], timeout=0.5)


def test_a_submission_does_not_queue_behind_the_request_interval(settings, arxiv, monkeypatch):
    # One request goes out; the next may go only an hour later.
    monkeypatch.setattr(arxiv_http.THROTTLE, "last", float("-inf"))
    settings.ARXIV_REQUEST_INTERVAL = 3600
    fetch_records(["0808.05394"], timeout=5)
    with pytest.raises(ArxivApiError, match="waiting their turn"):
        fetch_records(["0808.05394"], timeout=5)
    assert len(arxiv.requests) == 1


# --- each refusal names its real reason and the next step -----------------------------------


def test_an_old_featured_paper_is_refused_as_featured_with_a_link_to_its_day(
    client, settings, alice
):
    # A fresh install: the demo's days are months old, so every paper is old *and* featured.
    settings.SUBMIT_MAX_AGE_DAYS = 14
    old_day = services.feed_today() - dt.timedelta(days=120)
    entry = make_entry(old_day, paper=make_paper(published=recent(121)))
    client.force_login(alice)
    response = client.post(SUBMIT, {"paper": entry.paper.arxiv_id})
    page = response.content.decode()
    assert response.status_code == 409
    assert f"was already featured on {old_day:%b} {old_day.day}, {old_day.year}" in page
    assert "only papers from the last" not in page
    assert f'href="/papers/date/{old_day.isoformat()}"' in page
    assert f'href="/papers/{entry.paper.arxiv_id}"' in page


def test_a_too_old_paper_is_refused_with_the_window_and_where_to_find_recent_ones(
    client, settings, alice
):
    settings.SUBMIT_MAX_AGE_DAYS = 14
    old = make_paper(published=recent(40))
    oldest = services.feed_today() - dt.timedelta(days=14)
    client.force_login(alice)
    page = client.get(SUBMIT).content.decode()
    assert f"published since {oldest:%b} {oldest.day}, {oldest.year}" in page
    response = client.post(SUBMIT, {"paper": old.arxiv_id})
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        f"only papers from the last 14 days (since {oldest:%b} {oldest.day}, {oldest.year})" in page
    )
    assert f'href="{services.NEW_PAPERS_URL}"' in page and f'href="/papers/{old.arxiv_id}"' in page


def test_a_hidden_paper_is_refused_as_hidden(alice):
    paper = make_paper(published=recent(1), hidden=True)
    with pytest.raises(services.Refused, match="hidden by the site's moderators") as refused:
        services.submit(alice, paper.arxiv_id)
    assert refused.value.status == 403


def test_an_id_arxiv_does_not_know_says_how_to_check_it(client, alice, arxiv):
    client.force_login(alice)
    page = client.post(SUBMIT, {"paper": "0808.05394"}).content.decode()
    assert "Check the id" in page and 'href="https://arxiv.org/abs/0808.05394"' in page


def test_the_paper_page_offers_submission_only_when_it_would_be_accepted(client, settings, alice):
    settings.SUBMIT_MAX_AGE_DAYS = 14
    old = make_paper(published=recent(40))
    fresh = make_paper(published=recent(2))
    client.force_login(alice)
    page = client.get(old.get_absolute_url()).content.decode()
    assert "Submit to today's feed" not in page and "only papers from the last 14 days" in page
    assert "Submit to today's feed" in client.get(fresh.get_absolute_url()).content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_paper_is_the_sites_own_404_offering_to_submit_it(client, settings, db, debug):
    settings.DEBUG = debug
    response = client.get("/papers/2501.99999")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'aria-label="dailypapers home"' in page  # the site's template, not Django's debug page
    assert "not in this site's catalogue yet" in page
    assert (
        'href="/submit?paper=2501.99999"' in page
        and 'href="https://arxiv.org/abs/2501.99999"' in page
    )
    assert "dailypapers fetch 2501.99999" in page


def test_a_hidden_papers_404_offers_nothing(client, db):
    paper = make_paper(published=recent(1), hidden=True)
    response = client.get(paper.get_absolute_url())
    assert response.status_code == 404 and "/submit?paper=" not in response.content.decode()
