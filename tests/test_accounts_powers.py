"""Staff powers and suspension: every staff power goes through accounts.rules; a suspended
member of staff has none left; nobody lifts their own suspension; only superusers act on
superusers.

Personas (conftest.py): alice (a member), sam (staff), root (a superuser). `suspended`
suspends sam.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dailypapers.accounts import services
from dailypapers.accounts.models import Profile
from dailypapers.accounts.rules import Refused, has_staff_powers
from dailypapers.community import services as community
from dailypapers.discussion import services as discussion
from dailypapers.discussion.models import Comment, Report
from dailypapers.papers.models import Paper
from tests.factories import PASSWORD, make_entry, make_paper, make_user, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(sam):
    Profile.of(sam).suspend("abuse of powers")
    return sam


@pytest.fixture
def paper(db):
    return make_entry("2025-03-04", paper=make_paper(title="A paper to moderate")).paper


def suspension_url(user):
    return reverse("people:suspension", args=[user.username])


# --- the predicate ----------------------------------------------------------------------


def test_staff_powers_need_staff_active_and_not_suspended(alice, sam, root):
    assert not has_staff_powers(alice) and not has_staff_powers(None)
    assert has_staff_powers(sam) and has_staff_powers(root)
    Profile.of(root).suspend()
    assert not has_staff_powers(root)
    sam.is_active = False
    assert not has_staff_powers(sam)


# --- papers ---------------------------------------------------------------------------


def test_a_suspended_moderator_cannot_hide_or_unhide_papers(client, suspended, paper):
    client.force_login(suspended)
    url = reverse("community:hide", args=[paper.arxiv_id])
    assert client.post(url, {"hidden": "1"}).status_code == 404
    assert not Paper.objects.get(pk=paper.pk).hidden
    with pytest.raises(Refused, match="suspended"):
        community.set_hidden(suspended, paper, True)

    Paper.objects.filter(pk=paper.pk).update(hidden=True)
    assert client.post(url, {"hidden": "0"}).status_code == 404
    assert Paper.objects.get(pk=paper.pk).hidden
    # Nor see it, nor the staff tools on the page.
    assert client.get(paper.get_absolute_url()).status_code == 404


def test_an_active_moderator_still_hides_papers(client, sam, paper):
    client.force_login(sam)
    assert "Hide paper" in client.get(paper.get_absolute_url()).content.decode()
    client.post(reverse("community:hide", args=[paper.arxiv_id]), {"hidden": "1"})
    assert Paper.objects.get(pk=paper.pk).hidden


def test_a_suspended_moderator_sees_no_staff_tools(client, suspended, paper):
    client.force_login(suspended)
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Hide paper" not in html
    assert reverse("community:hide", args=[paper.arxiv_id]) not in html


def test_a_suspended_moderator_gets_no_staff_exemption_when_submitting(suspended):
    old = make_paper(published=dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(Refused, match="suspended"):
        community.submit(suspended, old.arxiv_id)


def test_a_suspended_moderators_api_token_carries_no_power(client, suspended, paper):
    auth = token_for(suspended)
    old = make_paper(published=dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    response = client.post(
        "/api/papers/submit", {"paper_id": old.arxiv_id}, content_type="application/json", **auth
    )
    assert response.status_code == 403 and "suspended" in response.json()["error"]


# --- comments and reports -----------------------------------------------------------------


def test_a_suspended_moderator_cannot_hide_comments_or_see_hidden_ones(
    client, suspended, alice, paper
):
    comment = discussion.post_comment(alice, paper, "A comment to moderate")
    hidden = discussion.post_comment(alice, paper, "Already hidden text")
    Comment.objects.filter(pk=hidden.pk).update(hidden=True)
    client.force_login(suspended)
    response = client.post(reverse("discussion:hide", args=[comment.pk]), {"action": "hide"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Comment.objects.get(pk=comment.pk).hidden
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Already hidden text" not in html
    assert reverse("discussion:hide", args=[comment.pk]) not in html
    assert not Comment.objects.get(pk=hidden.pk).visible_to(suspended)


def test_a_suspended_moderator_cannot_resolve_reports(suspended, alice, paper):
    comment = discussion.post_comment(alice, paper, "Reported text")
    discussion.report_comment(alice, comment, Report.Reason.SPAM)
    with pytest.raises(discussion.Forbidden):
        discussion.resolve_reports(suspended, Report.objects.all())
    assert Report.objects.filter(resolved_at__isnull=True).count() == 1


# --- suspension -------------------------------------------------------------------------


def test_a_suspended_moderator_cannot_unsuspend_themselves(client, suspended):
    client.force_login(suspended)
    client.post(suspension_url(suspended), {"action": "unsuspend"})
    assert Profile.of(suspended).suspended
    with pytest.raises(Refused):
        services.unsuspend(suspended, suspended)
    assert Profile.of(suspended).suspended


def test_nobody_suspends_or_unsuspends_themselves(client, root):
    client.force_login(root)
    response = client.post(suspension_url(root), {"action": "suspend", "reason": "oops"})
    assert response.status_code == 403 and "their own account" in response.content.decode()
    assert not Profile.of(root).suspended
    # Not offered on one's own profile either.
    assert (
        suspension_url(root)
        not in client.get(reverse("people:profile", args=["root"])).content.decode()
    )


def test_a_suspended_superuser_cannot_lift_their_own_suspension(client, root):
    Profile.of(root).suspend("compromised")
    client.force_login(root)
    client.post(suspension_url(root), {"action": "unsuspend"})
    assert Profile.of(root).suspended
    # … but another superuser can.
    other = make_user("other-root", is_staff=True, is_superuser=True)
    services.unsuspend(other, root)
    assert not Profile.of(root).suspended


def test_staff_cannot_suspend_a_superuser(client, sam, root):
    client.force_login(sam)
    response = client.post(suspension_url(root), {"action": "suspend", "reason": "coup"})
    assert response.status_code == 403 and "superuser" in response.content.decode()
    assert not Profile.of(root).suspended
    assert (
        suspension_url(root)
        not in client.get(reverse("people:profile", args=["root"])).content.decode()
    )


def test_a_superuser_suspends_staff_and_staff_suspend_members(client, sam, root, alice):
    client.force_login(root)
    client.post(suspension_url(sam), {"action": "suspend", "reason": "spam"})
    assert Profile.of(sam).suspended
    services.unsuspend(root, sam)
    client.force_login(sam)
    client.post(suspension_url(alice), {"action": "suspend", "reason": "spam"})
    assert Profile.of(alice).suspended


# --- the admin site ---------------------------------------------------------------------


def test_a_suspended_moderator_cannot_use_the_admin(client, suspended, paper):
    client.force_login(suspended)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # An action posted to the changelist does nothing.
    client.post(
        reverse("admin:papers_paper_changelist"), {"action": "hide", "_selected_action": [paper.pk]}
    )
    assert not Paper.objects.get(pk=paper.pk).hidden


def test_a_suspended_moderator_cannot_log_in_to_the_admin(client, suspended):
    response = client.post(reverse("admin:login"), {"username": "sam", "password": PASSWORD})
    assert response.status_code == 200 and "suspended" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_active_moderator_logs_in_to_the_admin(client, sam):
    response = client.post(reverse("admin:login"), {"username": "sam", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sam.pk)


@pytest.fixture
def staff_admin(client, sam):
    # Staff with every permission on users, as a site might grant a moderator.
    from django.contrib.auth.models import Permission

    sam.user_permissions.set(Permission.objects.filter(content_type__app_label="auth"))
    client.force_login(sam)
    return client


def test_admin_actions_leave_superusers_and_oneself_to_others(staff_admin, sam, root, alice):
    url = reverse("admin:auth_user_changelist")
    ids = [alice.pk, root.pk, sam.pk]
    response = staff_admin.post(
        url, {"action": "suspend_users", "_selected_action": ids}, follow=True
    )
    text = response.content.decode()
    assert "1 user(s) suspended." in text and "Left unchanged" in text
    assert Profile.of(alice).suspended
    assert not Profile.of(root).suspended and not Profile.of(sam).suspended


def test_admin_unsuspend_action_never_lifts_ones_own_suspension(client, root):
    Profile.of(root).suspend("compromised")
    client.force_login(root)
    url = reverse("admin:auth_user_changelist")
    client.post(url, {"action": "unsuspend_users", "_selected_action": [root.pk]})
    assert Profile.of(root).suspended


def test_staff_cannot_change_a_superuser_or_make_themselves_one(staff_admin, sam, root):
    response = staff_admin.post(
        reverse("admin:auth_user_change", args=[root.pk]),
        {"username": "root", "is_active": "", "is_staff": "on", "is_superuser": "on"},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active
    assert (
        staff_admin.post(
            reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert get_user_model().objects.filter(pk=root.pk).exists()

    page = staff_admin.get(reverse("admin:auth_user_change", args=[sam.pk]))
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    # One's own suspension is read-only on one's own page.
    assert 'name="profile-0-suspended_at' not in page.content.decode()
