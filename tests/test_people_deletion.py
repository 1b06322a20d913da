"""Deleting an account does what the settings page says: comments lose their text
(replies keep their place), digest subscriptions end, submissions lose the name, and an
account that takes the name later inherits nothing. The export holds subscriptions.

Personas: alice deletes her account; bob answers her and stays; a later "alice" is
someone else.
"""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from dailypapers.digests import outbox, sending
from dailypapers.digests import tokens as digest_tokens
from dailypapers.digests.models import OutboxMessage, Subscription
from dailypapers.discussion import services as discussion
from dailypapers.discussion.models import Comment
from dailypapers.papers.models import FeedEntry
from dailypapers.people import services
from tests.digests_helpers import PERIOD, active, digests_to
from tests.factories import PASSWORD, make_entry, make_paper, make_user

pytestmark = pytest.mark.django_db

DAY = "2025-03-14"


def delete_through_the_page(client, user):
    client.force_login(user)
    response = client.post(reverse("people:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()


# --- submissions and the name ---------------------------------------------------------------


def test_a_deleted_accounts_submissions_leave_the_api_filter_and_lose_the_name(client, alice):
    entry = make_entry(DAY, submitted_by=alice, submitter_name="alice")
    api = f"/api/daily_papers?date={DAY}&submitter=alice"
    assert len(client.get(api).json()) == 1

    delete_through_the_page(client, alice)
    assert client.get(api).json() == []
    entry.refresh_from_db()
    assert entry.submitted_by is None and entry.submitter_name == ""
    [served] = client.get(f"/api/daily_papers?date={DAY}").json()
    assert "submittedBy" not in served and "submittedOnDailyBy" not in served["paper"]


def test_a_new_account_with_the_name_inherits_nothing(client, alice, bob):
    paper = make_entry(DAY, submitted_by=alice, submitter_name="alice").paper
    discussion.post_comment(alice, paper, "Alice's thoughts")
    delete_through_the_page(client, alice)

    newcomer = make_user("alice")
    assert client.get(f"/api/daily_papers?date={DAY}&submitter=alice").json() == []
    profile = client.get(reverse("people:profile", args=["alice"])).content.decode()
    assert "No papers submitted yet." in profile and paper.title not in profile
    assert not Comment.objects.filter(user=newcomer).exists()
    client.force_login(newcomer)
    data = json.loads(client.get(reverse("people:export")).content)
    assert data["submitted"] == [] and data["discussion"]["comments"] == []
    thread = client.get(f"/api/papers/{paper.arxiv_id}/comments").json()
    assert "alice" not in json.dumps(thread)


# --- comments -------------------------------------------------------------------------------


def test_deleting_the_account_erases_its_comments_text_and_keeps_the_replies(client, alice, bob):
    entry = make_entry(DAY, paper=make_paper(title="A discussed paper"))
    paper = entry.paper
    question = discussion.post_comment(alice, paper, "Alice asks a secret question")
    answer = discussion.post_comment(bob, paper, "Bob answers", parent=question)
    discussion.post_comment(alice, paper, "Alice's lonely remark")
    hidden = discussion.post_comment(alice, paper, "Alice's hidden remark")
    discussion.hide_comment(make_user("mod", staff=True), hidden)
    entry.refresh_from_db()
    assert entry.num_comments == 3

    delete_through_the_page(client, alice)
    assert not Comment.objects.filter(user__isnull=True, deleted_at__isnull=True).exists()
    for comment in Comment.objects.exclude(pk=answer.pk):
        assert comment.body == "" and comment.body_html == "" and comment.deleted
    answer.refresh_from_db()
    assert answer.body == "Bob answers" and answer.parent_id == question.pk
    entry.refresh_from_db()
    assert entry.num_comments == 1

    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Alice asks" not in html and "lonely remark" not in html and "hidden remark" not in html
    assert "[deleted]" in html and "Bob answers" in html
    thread = client.get(f"/api/papers/{paper.arxiv_id}/comments").content.decode()
    assert "Alice asks" not in thread and "Bob answers" in thread and "alice" not in thread


# --- digest subscriptions --------------------------------------------------------------------


def test_deleting_the_account_ends_its_digest_subscriptions(client, smtp, feed_day, alice, bob):
    # Alice's account address, a second verified address of hers, and bob's.
    EmailAddress.objects.create(user=alice, email="alice@work.example.org", verified=True)
    EmailAddress.objects.create(user=alice, email="not-hers@example.org", verified=False)
    mine = active("alice@example.org", user=alice)
    work = active("alice@work.example.org")
    unproven = active("not-hers@example.org")
    bobs = active("bob@example.org", user=bob)
    outbox.build_outbox(PERIOD)
    manage = reverse("digests:manage", args=[digest_tokens.make("manage", mine)])

    delete_through_the_page(client, alice)
    for subscription in (mine, work):
        subscription.refresh_from_db()
        assert subscription.status == Subscription.UNSUBSCRIBED and subscription.user is None
        assert not subscription.receives_mail
    unproven.refresh_from_db()
    bobs.refresh_from_db()
    assert unproven.receives_mail and bobs.receives_mail
    # What was queued for her is not sent; the others' is.
    assert set(
        OutboxMessage.objects.filter(status=OutboxMessage.QUEUED).values_list(
            "subscription", flat=True
        )
    ) == {unproven.pk, bobs.pk}
    sending.send_due()
    assert (
        digests_to(smtp, "alice@example.org") == []
        and digests_to(smtp, "alice@work.example.org") == []
    )
    assert len(digests_to(smtp, "bob@example.org")) == 1
    # Links mailed to her before are dead.
    assert client.get(manage).status_code in (400, 404, 410)


def test_the_export_includes_digest_subscriptions(client, alice):
    active("alice@example.org", user=alice, frequency=Subscription.WEEKLY, keywords=["retrieval"])
    active("someone@example.org")
    client.force_login(alice)
    data = json.loads(client.get(reverse("people:export")).content)
    [subscription] = data["digests"]["subscriptions"]
    assert subscription["email"] == "alice@example.org"
    assert subscription["frequency"] == "weekly" and subscription["keywords"] == ["retrieval"]
    assert subscription["status"] == "active"


# --- the admin deletes the same way ------------------------------------------------------------


def test_deleting_a_user_in_the_admin_erases_the_same(client, alice):
    entry = make_entry(DAY, submitted_by=alice, submitter_name="alice")
    comment = discussion.post_comment(alice, entry.paper, "Alice's comment")
    mine = active("alice@example.org", user=alice)
    root = make_user("root", staff=True)
    root.is_superuser = True
    root.save()
    client.force_login(root)
    response = client.post(reverse("admin:auth_user_delete", args=[alice.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=alice.pk).exists()
    comment.refresh_from_db()
    mine.refresh_from_db()
    assert comment.body == "" and comment.deleted
    assert not mine.receives_mail
    assert FeedEntry.objects.get(pk=entry.pk).submitter_name == ""


def test_delete_account_service_reports_nothing_left_by_name(alice):
    entry = make_entry(DAY, submitted_by=alice, submitter_name="alice")
    services.delete_account(alice)
    assert not FeedEntry.objects.filter(submitter_name="alice").exists()
    assert FeedEntry.objects.filter(pk=entry.pk).exists()
