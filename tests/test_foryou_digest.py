"""A member's digest blends the community's picks with their own (For you) as their mix
says, with the reasons, through the real SMTP test server; a non-member's is unchanged."""

import re

import pytest
from django.urls import reverse

from dailypapers.digests import outbox, sending
from dailypapers.digests.models import OutboxMessage
from dailypapers.foryou import services
from dailypapers.foryou.models import Feedback
from tests.digests_helpers import FEED_DAY, PERIOD, active, digests_to
from tests.foryou_helpers import paper_on, topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_papers(settings, feed_day):
    """The period's new arXiv papers (listed on the feed day): three about speech (topic
    1), two about robots (topic 2); and a speech paper the member liked before."""
    settings.EMBEDDING_MODEL_NAME = "synthetic-foryou"
    speech = [paper_on(FEED_DAY, topic(1, 0.1, 10 + i), title=f"Speech {i}") for i in range(3)]
    robots = [paper_on(FEED_DAY, topic(2, 0.1, 20 + i), title=f"Robots {i}") for i in range(2)]
    liked = paper_on(FEED_DAY.replace(day=1), topic(1, 0.1, 99), title="Listening machines")
    return speech, robots, liked


def text_of(message):
    return message.get_body(("plain",)).get_content()


def test_a_members_digest_blends_their_picks_with_reasons(smtp, alice, new_papers, feed_day):
    speech, robots, liked = new_papers
    services.give_feedback(alice, liked, Feedback.Signal.MORE)
    services.set_controls(alice, digest_mix=50)
    active(alice.email, user=alice, max_papers=4)
    active("someone@example.org", max_papers=4)

    assert outbox.build_outbox(PERIOD).queued == 2
    mine = OutboxMessage.objects.get(subscription__user=alice)
    assert len(mine.picks) == 2 and {p["paper"] for p in mine.picks} <= {s.pk for s in speech}
    assert len(mine.entry_ids) == 2  # the community's best two fill the rest
    theirs = OutboxMessage.objects.get(subscription__email="someone@example.org")
    assert theirs.picks == [] and len(theirs.entry_ids) == 4

    assert sending.send_due().sent == 2
    [message] = digests_to(smtp, alice.email)
    text = text_of(message)
    assert "Picked for you" in text and "The community's picks" in text
    assert "Speech" in text and "Why: Close to “Listening machines”, which you liked" in text
    assert "Robots" not in text
    html = message.get_body(("html",)).get_content()
    assert "Picked for you" in html and "Listening machines" in html
    [other] = digests_to(smtp, "someone@example.org")
    assert "Picked for you" not in text_of(other)


# At 100 all four places are the member's, but only papers with a reason to be there
# take one (never the robot papers, far from what they liked): the community's fill the
# rest.
@pytest.mark.parametrize(("mix", "fewest", "most"), [(0, 0, 0), (25, 1, 1), (100, 2, 3)])
def test_the_mix_sets_the_share_of_personal_picks(alice, new_papers, mix, fewest, most):
    speech, robots, liked = new_papers
    services.give_feedback(alice, liked, Feedback.Signal.MORE)
    services.set_controls(alice, digest_mix=mix)
    active(alice.email, user=alice, max_papers=4)
    outbox.build_outbox(PERIOD)
    row = OutboxMessage.objects.get()
    assert fewest <= len(row.picks) <= most
    assert {p["paper"] for p in row.picks} <= {s.pk for s in speech}
    assert len(row.entry_ids) == 4 - len(row.picks)


def test_a_paused_reader_gets_the_community_digest(alice, new_papers):
    speech, robots, liked = new_papers
    services.give_feedback(alice, liked, Feedback.Signal.MORE)
    services.set_controls(alice, digest_mix=100, paused=True)
    active(alice.email, user=alice, max_papers=3)
    outbox.build_outbox(PERIOD)
    row = OutboxMessage.objects.get()
    assert row.picks == [] and len(row.entry_ids) == 3


def test_the_mix_is_set_on_the_for_you_page(alice_client, alice):
    response = alice_client.post(
        reverse("foryou:controls"),
        {"count_upvotes": "on", "count_collections": "on", "digest_mix": "80"},
    )
    assert response.status_code == 302
    assert services.reader_of(alice).digest_mix == 80
    alice_client.post(reverse("foryou:controls"), {"digest_mix": "180"})
    assert services.reader_of(alice).digest_mix == 80


def test_a_members_digest_links_feedback_that_works_without_logging_in(
    client, smtp, alice, new_papers, feed_day
):
    speech, robots, liked = new_papers
    services.give_feedback(alice, liked, Feedback.Signal.MORE)
    services.set_controls(alice, digest_mix=50)
    active(alice.email, user=alice, max_papers=4)
    outbox.build_outbox(PERIOD)
    sending.send_due()
    [message] = digests_to(smtp, alice.email)
    text = text_of(message)
    link = re.search(r"Not interested: https?://[^/]+(/for-you/link/\S+)", text).group(1)
    assert "More like this: " in text
    page = client.get(link)  # a mail scanner following the link changes nothing
    assert page.status_code == 200 and b"Not interested?" in page.content
    assert Feedback.objects.filter(user=alice, signal="not_interested").count() == 0
    done = client.post(link)
    assert done.status_code == 200 and b"Noted" in done.content
    assert Feedback.objects.filter(user=alice, signal="not_interested").count() == 1
    assert client.get(link[:-3] + "xyz").status_code == 400  # tampered: refused clearly
