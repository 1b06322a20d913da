"""The feed's counters (FeedEntry.upvotes, num_comments: the API's upvotes and
numComments) follow the rows whatever deletes or hides them: the admin's delete page and
its bulk action, a queryset's delete() or update(), a reply cascade, an account's or a
paper's deletion. Database triggers keep them (community/counters.py,
discussion/counters.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dailypapers.community import counters as vote_counters
from dailypapers.community.models import Upvote
from dailypapers.community.services import set_vote
from dailypapers.discussion import counters as comment_counters
from dailypapers.discussion import services
from dailypapers.discussion.models import Comment
from dailypapers.papers.models import FeedEntry
from dailypapers.people.services import delete_account
from tests.factories import make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def api_counts(client, paper):
    data = client.get(f"/api/papers/{paper.arxiv_id}").json()
    daily = client.get("/api/daily_papers", {"date": "2025-03-04"}).json()
    [listed] = [e for e in daily if e["paper"]["id"] == paper.arxiv_id]
    assert (
        listed["numComments"] == data["numComments"]
        and listed["paper"]["upvotes"] == data["upvotes"]
    )
    return data["numComments"], data["upvotes"]


def test_deleting_a_comment_on_the_admin_delete_page_lowers_the_count(
    admin_client, alice, bob, paper, entry
):
    first = services.post_comment(alice, paper, "first")
    services.post_comment(bob, paper, "reply", parent=first)
    services.post_comment(bob, paper, "another")
    assert api_counts(admin_client, paper) == (3, 0)
    url = reverse("admin:discussion_comment_delete", args=[first.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Comment.objects.filter(pk=first.pk).exists()
    # The reply went with it (CASCADE), and both leave the count.
    assert api_counts(admin_client, paper) == (1, 0)


def test_the_admin_bulk_delete_action_lowers_the_count(admin_client, alice, paper, entry):
    comments = [services.post_comment(alice, paper, f"c{i}") for i in range(4)]
    response = admin_client.post(
        reverse("admin:discussion_comment_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [c.pk for c in comments[:3]],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert Comment.objects.count() == 1
    assert api_counts(admin_client, paper) == (1, 0)


def test_queryset_delete_and_update_keep_the_count(client, alice, bob, sam, paper, entry):
    kept = services.post_comment(alice, paper, "kept")
    services.hide_comment(sam, services.post_comment(bob, paper, "hidden"))  # not counted
    services.delete_comment(bob, services.post_comment(bob, paper, "soft deleted"))  # not counted
    for i in range(3):
        services.post_comment(bob, paper, f"bob {i}")
    assert api_counts(client, paper) == (4, 0)
    # Deleting rows that did not count changes nothing; the others count down.
    Comment.objects.filter(user=bob).delete()
    assert api_counts(client, paper) == (1, 0)
    Comment.objects.filter(pk=kept.pk).update(hidden=True)
    assert api_counts(client, paper) == (0, 0)
    Comment.objects.filter(pk=kept.pk).update(hidden=False)
    assert api_counts(client, paper) == (1, 0)
    Comment.objects.filter(pk=kept.pk).update(deleted_at=timezone.now())
    assert api_counts(client, paper) == (0, 0)


def test_an_account_deletion_takes_its_votes_out_of_the_counts(client, alice, bob, paper, entry):
    entry.imported_upvotes = entry.upvotes = 7
    entry.imported_comments = entry.num_comments = 2
    entry.save()
    set_vote(alice, paper, True)
    set_vote(bob, paper, True)
    services.post_comment(alice, paper, "alice's")
    assert api_counts(client, paper) == (3, 9)
    delete_account(alice)
    # Her vote goes; whatever the account deletion does with her comment, the count
    # says what the discussion shows.
    shown = Comment.objects.filter(paper=paper, deleted_at__isnull=True, hidden=False).count()
    assert api_counts(client, paper) == (2 + shown, 8)
    get_user_model().objects.filter(pk=bob.pk).delete()  # a bulk delete: no signal, no model code
    assert api_counts(client, paper) == (2 + shown, 7)
    assert not Upvote.objects.exists()


def test_an_account_deleted_in_the_admin_takes_its_votes_out(admin_client, alice, paper, entry):
    set_vote(alice, paper, True)
    assert api_counts(admin_client, paper) == (0, 1)
    response = admin_client.post(
        reverse("admin:auth_user_delete", args=[alice.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert api_counts(admin_client, paper) == (0, 0)


def test_a_new_feed_entry_starts_with_the_papers_local_votes_and_comments(
    client, alice, bob, paper, entry
):
    set_vote(alice, paper, True)
    services.post_comment(bob, paper, "before the second feature")
    again = make_entry("2025-03-06", paper=paper)
    again.refresh_from_db()
    assert (again.upvotes, again.num_comments) == (1, 1)
    Upvote.objects.all().delete()
    assert list(FeedEntry.objects.values_list("upvotes", flat=True)) == [0, 0]


def test_recount_repairs_counters_written_by_hand(client, alice, paper, entry):
    set_vote(alice, paper, True)
    services.post_comment(alice, paper, "one")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE papers_feedentry SET upvotes = 40, num_comments = 30")
    vote_counters.recount(connection)
    comment_counters.recount(connection)
    assert api_counts(client, paper) == (1, 1)


def test_the_admin_does_not_let_staff_type_counters(admin_client, entry):
    html = admin_client.get(
        reverse("admin:papers_feedentry_change", args=[entry.pk])
    ).content.decode()
    for name in ("upvotes", "num_comments", "imported_upvotes", "imported_comments"):
        assert f'name="{name}"' not in html
    paper_page = admin_client.get(
        reverse("admin:papers_paper_change", args=[entry.paper_id])
    ).content.decode()
    assert (
        'name="feed_entries-0-upvotes"' not in paper_page
        and 'name="feed_entries-0-day"' in paper_page
    )
