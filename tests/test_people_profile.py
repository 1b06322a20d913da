"""The profile page /u/<username>: submissions, the other apps' parts, suspension by staff."""

import pytest
from django.urls import reverse

from dailypapers.accounts.models import Profile
from dailypapers.accounts.rules import participation_error
from tests.factories import make_entry, make_paper

pytestmark = pytest.mark.django_db


def test_profile_lists_visible_papers_the_person_submitted(client, alice, bob):
    mine = make_entry(
        "2025-01-02", paper=make_paper(title="Alice submitted this"), submitted_by=alice
    )
    make_entry(
        "2025-01-03",
        paper=make_paper(title="Hidden entry of alice"),
        submitted_by=alice,
        hidden=True,
    )
    make_entry(
        "2025-01-03",
        paper=make_paper(title="Hidden paper of alice", hidden=True),
        submitted_by=alice,
    )
    make_entry("2025-01-04", paper=make_paper(title="Bob submitted that"), submitted_by=bob)

    response = client.get(reverse("people:profile", args=["alice"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>alice" in text
    assert "Alice submitted this" in text
    assert reverse("papers:paper", args=[mine.paper.arxiv_id]) in text
    assert "Hidden" not in text
    assert "Bob submitted that" not in text
    assert "alice@example.org" not in text  # an address is never shown


def test_profile_of_someone_with_no_submissions_says_so(client, alice):
    assert (
        "No papers submitted yet."
        in client.get(reverse("people:profile", args=["alice"])).content.decode()
    )


def test_unknown_and_deactivated_users_are_404(client, alice, sam):
    assert client.get(reverse("people:profile", args=["nobody"])).status_code == 404
    alice.is_active = False
    alice.save()
    assert client.get(reverse("people:profile", args=["alice"])).status_code == 404
    client.force_login(sam)
    assert "inactive" in client.get(reverse("people:profile", args=["alice"])).content.decode()


def test_suspension_is_shown_to_staff_only(client, alice, bob, sam):
    Profile.of(alice).suspend("spam")
    url = reverse("people:profile", args=["alice"])
    assert "suspended" not in client.get(url).content.decode()
    client.force_login(bob)
    assert "suspended" not in client.get(url).content.decode()
    client.force_login(sam)
    text = client.get(url).content.decode()
    assert 'class="chip suspended">suspended' in text
    assert 'value="unsuspend"' in text


def test_staff_suspend_and_unsuspend_from_the_profile_page(client, alice, sam):
    client.force_login(sam)
    url = reverse("people:suspension", args=["alice"])
    response = client.post(url, {"action": "suspend", "reason": "spam links"}, follow=True)
    assert "alice is suspended" in response.content.decode()
    profile = Profile.of(alice)
    assert profile.suspended and profile.suspension_reason == "spam links"
    assert participation_error(alice).startswith("This account is suspended")

    client.post(url, {"action": "unsuspend"})
    assert not Profile.of(alice).suspended
    assert participation_error(alice) is None


def test_members_cannot_suspend_and_suspension_needs_a_post(client, alice, bob, sam):
    url = reverse("people:suspension", args=["alice"])
    client.force_login(bob)
    response = client.post(url, {"action": "suspend"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Profile.of(alice).suspended
    assert (
        f'action="{url}"'
        not in client.get(reverse("people:profile", args=["alice"])).content.decode()
    )

    client.force_login(sam)
    assert client.get(url).status_code == 405
    assert not Profile.of(alice).suspended


def test_own_profile_links_to_account_settings(client, alice):
    url = reverse("people:profile", args=["alice"])
    assert reverse("people:settings") not in client.get(url).content.decode().split("<main", 1)[1]
    client.force_login(alice)
    assert reverse("people:settings") in client.get(url).content.decode().split("<main", 1)[1]
