"""The admin's user pages: suspension inline and actions; API tokens read-only."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dailypapers.accounts.models import ApiToken, Profile
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    root = make_user("root", staff=True)
    root.is_superuser = True
    root.save()
    client.force_login(root)
    return client


def test_suspend_and_unsuspend_actions(admin_client, alice, bob):
    url = reverse("admin:auth_user_changelist")
    ids = [alice.pk, bob.pk]
    response = admin_client.post(
        url, {"action": "suspend_users", "_selected_action": ids}, follow=True
    )
    assert "2 user(s) suspended." in response.content.decode()
    assert Profile.of(alice).suspended and Profile.of(bob).suspended
    assert Profile.of(alice).suspension_reason == "suspended by root"

    admin_client.post(url, {"action": "unsuspend_users", "_selected_action": [alice.pk]})
    assert not Profile.of(alice).suspended and Profile.of(bob).suspended


def test_user_pages_show_suspension_and_tokens(admin_client, alice):
    _, token = ApiToken.objects.create_token(alice, "script")
    Profile.of(alice).suspend("spam")
    changelist = admin_client.get(reverse("admin:auth_user_changelist"))
    assert changelist.status_code == 200
    change = admin_client.get(reverse("admin:auth_user_change", args=[alice.pk]))
    assert change.status_code == 200
    text = change.content.decode()
    assert "spam" in text and "script" in text
    assert token not in text


def test_api_tokens_are_read_only_in_the_admin(admin_client, alice):
    row, token = ApiToken.objects.create_token(alice, "script")
    assert admin_client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    page = admin_client.get(reverse("admin:accounts_apitoken_change", args=[row.pk]))
    assert page.status_code == 200
    assert row.key_hash in page.content.decode() and token not in page.content.decode()
    admin_client.post(reverse("admin:accounts_apitoken_change", args=[row.pk]), {"name": "changed"})
    row.refresh_from_db()
    assert row.name == "script"
    # Revoking from the admin is deleting.
    admin_client.post(reverse("admin:accounts_apitoken_delete", args=[row.pk]), {"post": "yes"})
    assert not ApiToken.objects.exists()
    assert get_user_model().objects.filter(pk=alice.pk).exists()
