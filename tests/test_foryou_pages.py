"""For you as a reader meets it: the page's picks move with each signal, say why, forget
on reset, hide what was seen, and are the reader's alone. Papers carry small synthetic
vectors (three topics in 8 dimensions) so that "near" is known exactly."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from dailypapers.foryou.models import Feedback, Follow, Reader
from dailypapers.papers.models import Paper
from dailypapers.people.services import delete_account, export_user_data
from dailypapers.search.models import PaperEmbedding
from tests.factories import make_entry
from tests.foryou_helpers import DAY, paper_on, topic

pytestmark = pytest.mark.django_db


def picks(client):
    """The arXiv ids of today's picks on the page, in order."""
    response = client.get(reverse("foryou:page"))
    assert response.status_code == 200
    return [pick.paper.arxiv_id for pick in response.context["today"]]


def rank_of(client, paper):
    order = picks(client)
    return order.index(paper.arxiv_id) if paper.arxiv_id in order else len(order)


def feedback(client, paper, signal):
    return client.post(reverse("foryou:feedback", args=[paper.arxiv_id]), {"signal": signal})


def test_a_signed_out_reader_is_asked_to_log_in(client, world):
    response = client.get(reverse("foryou:page"))
    assert response.status_code == 200 and b"Log in" in response.content
    assert feedback(client, world[1][0][0], "more").status_code == 302  # to the log-in page
    assert not Feedback.objects.exists()


def test_liking_a_paper_brings_its_topic_to_the_top(alice_client, world):
    old, new = world
    feedback(alice_client, old[1][0], "more")
    top = picks(alice_client)[:4]
    assert set(top) == {p.arxiv_id for p in new[1]}


def test_not_interested_removes_the_paper_and_sinks_its_neighbours(alice_client, world):
    old, new = world
    for paper in (old[0][0], old[1][0]):
        feedback(alice_client, paper, "more")
    dismissed, neighbour = new[0][0], new[0][1]
    before = rank_of(alice_client, neighbour)
    graphs_before = sum(rank_of(alice_client, p) for p in new[0][1:])
    response = alice_client.post(
        reverse("foryou:feedback", args=[dismissed.arxiv_id]),
        {"signal": "not_interested"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200 and response.json()["signal"] == "not_interested"
    order = picks(alice_client)
    assert dismissed.arxiv_id not in order
    assert rank_of(alice_client, neighbour) > before
    # Its kind sinks as a whole, while speech (liked, not dismissed) leads.
    assert sum(rank_of(alice_client, p) for p in new[0][1:]) > graphs_before
    assert order[0] in {p.arxiv_id for p in new[1]}


def test_a_followed_authors_new_paper_rises(alice_client, alice, world):
    old, new = world
    feedback(alice_client, old[0][0], "more")
    theirs = paper_on(DAY, topic(2, 0.15, 77), authors=["Grace Hopper", "Someone Else"])
    before = rank_of(alice_client, theirs)
    response = alice_client.post(
        reverse("foryou:follow"), {"kind": "author", "value": "Hopper, Grace"}
    )
    assert response.status_code == 302
    assert Follow.objects.get(user=alice).key == "grace hopper"
    assert rank_of(alice_client, theirs) < before


def test_each_pick_says_why_with_real_causes(alice_client, world):
    old, new = world
    feedback(alice_client, old[1][0], "more")
    alice_client.post(reverse("foryou:follow"), {"kind": "category", "value": "cs.RO"})
    response = alice_client.get(reverse("foryou:page"))
    speech = next(p for p in response.context["today"] if p.paper in new[1])
    assert speech.reasons[0] == f"Close to “{old[1][0].title}”, which you liked"
    assert not any("cs.RO" in r for r in speech.reasons)  # its category is cs.LG
    robot = paper_on(DAY, topic(2, 0.1, 5), categories=["cs.RO"], primary_category="cs.RO")
    response = alice_client.get(reverse("foryou:page"))
    pick = next(p for p in response.context["today"] if p.paper == robot)
    assert "In cs.RO, which you follow" in pick.reasons
    assert b"which you liked" in response.content


def test_acted_on_papers_are_not_shown_again_and_hide_seen_hides_what_was_shown(
    alice_client, alice, world
):
    old, new = world
    feedback(alice_client, new[0][0], "more")
    assert new[0][0].arxiv_id not in picks(alice_client)
    shown = picks(alice_client)
    alice_client.post(
        reverse("foryou:controls"),
        {"hide_seen": "on", "count_upvotes": "on", "count_collections": "on", "digest_mix": 50},
    )
    assert Reader.objects.get(user=alice).hide_seen
    first = picks(alice_client)  # shown now, and remembered as seen
    assert first == shown
    assert set(picks(alice_client)).isdisjoint(first)


def test_reset_forgets_feedback_and_follows(alice_client, alice, world):
    old, new = world
    feedback(alice_client, old[1][0], "more")
    alice_client.post(reverse("foryou:follow"), {"kind": "keyword", "value": "graphs"})
    assert Reader.objects.get(user=alice).model_signals >= 1
    response = alice_client.post(reverse("foryou:reset"))
    assert response.status_code == 302
    assert not Feedback.objects.filter(user=alice).exists()
    assert not Follow.objects.filter(user=alice).exists()
    assert Reader.objects.get(user=alice).model_signals == 0
    assert alice_client.get(reverse("foryou:page")).context["knows_little"]


def test_another_readers_signals_neither_show_nor_move_my_ranking(alice_client, bob_client, world):
    old, new = world
    feedback(alice_client, old[1][0], "more")
    mine = picks(alice_client)
    feedback(bob_client, old[1][0], "not_interested")
    feedback(bob_client, new[1][0], "not_interested")
    bob_client.post(reverse("foryou:follow"), {"kind": "category", "value": "cs.RO"})
    assert picks(alice_client) == mine
    page = alice_client.get(reverse("foryou:page"))
    assert b"cs.RO" not in page.content.split(b"What you follow")[1]


def test_upvotes_count_as_interest_unless_the_reader_says_not(alice_client, alice, world):
    old, new = world
    entry = make_entry(DAY - dt.timedelta(days=3), paper=old[2][0])
    alice_client.post(reverse("community:upvote", args=[entry.paper.arxiv_id]))
    assert set(picks(alice_client)[:4]) == {p.arxiv_id for p in new[2]}
    alice_client.post(reverse("foryou:controls"), {"count_collections": "on", "digest_mix": 50})
    assert not Reader.objects.get(user=alice).count_upvotes
    assert Reader.objects.get(user=alice).model_signals == 0


def test_bad_feedback_and_follows_are_refused_clearly(alice_client, world):
    paper = world[1][0][0]
    response = alice_client.post(
        reverse("foryou:feedback", args=[paper.arxiv_id]),
        {"signal": "love"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400 and "Unknown signal" in response.json()["error"]
    response = alice_client.post(
        reverse("foryou:feedback", args=["2999.99999"]),
        {"signal": "more"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 404
    response = alice_client.post(reverse("foryou:follow"), {"kind": "category", "value": "cs CL!"})
    assert response.status_code == 400 and b"Not an arXiv category" in response.content
    response = alice_client.post(reverse("foryou:follow"), {"kind": "author", "value": "x" * 300})
    assert response.status_code == 302  # the form says what it wants
    assert alice_client.get(reverse("foryou:feedback", args=[paper.arxiv_id])).status_code == 405
    assert not Feedback.objects.exists() and not Follow.objects.exists()


def test_starting_from_picked_papers(alice_client, alice, world):
    old, new = world
    for paper in old[1]:
        make_entry(DAY - dt.timedelta(days=3), paper=paper, upvotes=5)
    page = alice_client.get(reverse("foryou:page"))
    assert page.context["knows_little"] and page.context["starters"]
    chosen = [p.pk for p in page.context["starters"][:2]]
    alice_client.post(reverse("foryou:seed"), {"paper": chosen})
    assert set(
        Feedback.objects.filter(user=alice, source="pick").values_list("paper_id", flat=True)
    ) == set(chosen)


def test_signals_are_in_the_export_and_go_with_the_account(alice_client, alice, world):
    old, new = world
    feedback(alice_client, old[1][0], "more")
    feedback(alice_client, new[0][0], "not_interested")
    alice_client.post(reverse("foryou:follow"), {"kind": "keyword", "value": "speech"})
    data = export_user_data(alice)["foryou"]
    assert [(f["arxiv_id"], f["signal"]) for f in data["feedback"]] == [
        (old[1][0].arxiv_id, "more"),
        (new[0][0].arxiv_id, "not_interested"),
    ]
    assert data["follows"] == [
        {"kind": "keyword", "value": "speech", "since": data["follows"][0]["since"]}
    ]
    delete_account(alice)
    assert not Feedback.objects.exists() and not Follow.objects.exists()
    assert not Reader.objects.exists()


def test_the_private_feed_opens_with_its_secret_until_revoked(client, alice_client, alice, world):
    old, new = world
    feedback(alice_client, old[1][0], "more")
    response = alice_client.post(reverse("foryou:feed-token"), {"action": "new"}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    path = re.search(r"(/for-you/feed/fy_\S+\.rss)", text).group(1)
    feed = client.get(path)  # no session: the secret is the key
    assert feed.status_code == 200 and feed["Cache-Control"] == "private, no-store"
    body = feed.content.decode()
    assert "Topic 1 paper" in body and "which you liked" in body
    assert client.get(path.replace(".rss", ".atom")).status_code == 200
    alice_client.post(reverse("foryou:feed-token"), {"action": "new"})
    assert client.get(path).status_code == 404  # a new address ends the old
    alice_client.post(reverse("foryou:feed-token"), {"action": "revoke"})
    assert Reader.objects.get(user=alice).feed_token_hash == ""
    assert client.get("/for-you/feed/fy_guess.rss").status_code == 404


def test_the_paper_page_offers_feedback_to_a_signed_in_reader(client, alice_client, world):
    paper = world[1][1][0]
    assert b"Not interested" in alice_client.get(paper.get_absolute_url()).content
    assert b"Not interested" not in client.get(paper.get_absolute_url()).content


def test_a_feed_day_sorts_for_the_reader_instead_of_by_upvotes(client, alice_client, world):
    old, new = world
    entries = [
        make_entry(DAY, upvotes=10 - n, paper=paper, position=n)
        for n, paper in enumerate([new[0][0], new[2][0], new[1][0]])
    ]
    feedback(alice_client, old[1][0], "more")
    day_url = reverse("papers:day", args=[DAY.isoformat()])
    page = alice_client.get(day_url).content.decode()
    assert reverse("foryou:day", args=[DAY.isoformat()]) in page
    titles = [e.paper.title for e in entries]
    assert [t for t in titles if t in page] == titles  # by upvotes
    mine = alice_client.get(reverse("foryou:day", args=[DAY.isoformat()]))
    assert mine.status_code == 200
    body = mine.content.decode()
    positions = sorted(titles, key=body.index)
    assert positions[0] == new[1][0].title  # speech first: the reader liked speech
    assert "for me</strong>" in body
    assert b"for me" not in client.get(day_url).content  # not offered to anonymous readers
    assert alice_client.get("/for-you/date/2026-02-31").status_code == 404


def test_a_near_copy_of_a_dismissed_paper_goes_with_it(alice_client, world):
    old, new = world
    feedback(alice_client, old[0][0], "more")
    dismissed = new[0][0]
    vector = PaperEmbedding.unpack(PaperEmbedding.objects.get(paper=dismissed).vector)
    copy = paper_on(DAY, (vector + topic(0, 0.05, 5) * 0.05).astype("float32"), title="Copy")
    assert copy.arxiv_id in picks(alice_client)
    feedback(alice_client, dismissed, "not_interested")
    order = picks(alice_client)
    assert dismissed.arxiv_id not in order and copy.arxiv_id not in order
    assert new[0][1].arxiv_id in order  # its topic sinks, but is not gone


def test_search_results_offer_feedback_to_a_signed_in_reader(client, alice_client, world):
    paper = world[1][1][0]
    url = reverse("search:search") + f"?q={paper.title}&mode=keyword"
    assert (
        reverse("foryou:feedback", args=[paper.arxiv_id]).encode() in alice_client.get(url).content
    )
    assert b"Not interested" not in client.get(url).content


def test_signals_survive_a_reimport_of_their_papers(tmp_path, alice, settings):
    from django.core.management import call_command

    from dailypapers.foryou import services
    from dailypapers.papers.models import Paper
    from tests.test_import_arxiv import listing_record, write_jsonl

    listing = write_jsonl(tmp_path / "day.jsonl", [listing_record("2503.01001")])
    call_command("import", "arxiv", str(listing), "--no-embed", "--quiet", "--no-progress")
    paper = Paper.objects.get(arxiv_id="2503.01001")
    services.give_feedback(alice, paper, "more")
    services.follow(alice, "author", "Grace Hopper")
    changed = write_jsonl(
        tmp_path / "again.jsonl", [listing_record("2503.01001", title="A better title")]
    )
    call_command("import", "arxiv", str(changed), "--no-embed", "--quiet", "--no-progress")
    again = Paper.objects.get(arxiv_id="2503.01001")
    assert again.pk == paper.pk and again.title == "A better title"
    assert Feedback.objects.get(user=alice).paper_id == paper.pk
    assert Follow.objects.filter(user=alice).count() == 1


def test_a_kept_page_follows_new_signals_and_hidden_papers(alice_client, alice, sam, world):
    old, new = world
    feedback(alice_client, old[1][0], "more")
    first = picks(alice_client)
    assert picks(alice_client) == first  # kept: the same answer
    Paper.objects.filter(arxiv_id=first[0]).update(hidden=True)  # staff hide it
    assert first[0] not in picks(alice_client)
    feedback(alice_client, old[2][0], "more")  # a new signal: ranked again
    assert set(picks(alice_client)[:8]) >= {p.arxiv_id for p in new[2]}
